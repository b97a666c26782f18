import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A remark SUNAT attaches to an accepted document (`cbc:Note`, "4013 - El RUC del receptor no esta activo").
public struct CDRNote: Equatable, Sendable {
    public var code: Int
    public var text: String
}

/// SUNAT's answer about one document (constancia de recepción): an UBL ApplicationResponse.
public struct CDR: Equatable, Sendable {
    /// 0 accepted; 100–1999 fix and resend; 2000–3999 rejected; ≥ 4000 only appear as notes.
    public var responseCode: Int
    public var description: String
    public var notes: [CDRNote]
    /// The document it answers: SERIE-NUMERO, or RA-/RC-FECHA-N for a baja or resumen.
    public var referenceID: String
    public var responseDate: String?
    /// The ZIP SUNAT sent (R-….zip), kept as the accountant's record.
    public var zip: Data? = nil

    public init(responseCode: Int, description: String, notes: [CDRNote], referenceID: String, responseDate: String?) {
        self.responseCode = responseCode
        self.description = description
        self.notes = notes
        self.referenceID = referenceID
        self.responseDate = responseDate
    }

    /// Reads the ApplicationResponse XML; anything that is not one is an error with a Spanish message.
    public static func parse(_ xml: Data) throws(SunatXMLError) -> CDR {
        let leaves = try SunatXML.leaves(xml)
        guard leaves.first?.path.first == "ApplicationResponse" else {
            throw SunatXMLError("La constancia de SUNAT no es un ApplicationResponse.")
        }
        func text(_ path: [String]) -> String? { leaves.first { $0.path == path }?.text }
        let response = ["ApplicationResponse", "DocumentResponse", "Response"]
        guard let codeText = text(response + ["ResponseCode"]), let code = Int(codeText) else {
            throw SunatXMLError("La constancia de SUNAT no trae un código de respuesta válido.")
        }
        let notes = leaves.filter { $0.path == ["ApplicationResponse", "Note"] }.map { leaf -> CDRNote in
            let digits = leaf.text.prefix { $0.isASCII && $0.isNumber }
            guard let number = Int(digits), !digits.isEmpty else { return CDRNote(code: 0, text: leaf.text) }
            var rest = leaf.text.dropFirst(digits.count).drop { $0 == " " }
            if rest.hasPrefix("-") { rest = rest.dropFirst().drop { $0 == " " } }
            return CDRNote(code: number, text: String(rest))
        }
        return CDR(responseCode: code,
                   description: text(response + ["Description"]) ?? "",
                   notes: notes,
                   referenceID: text(response + ["ReferenceID"])
                       ?? text(["ApplicationResponse", "DocumentResponse", "DocumentReference", "ID"]) ?? "",
                   responseDate: text(["ApplicationResponse", "ResponseDate"]))
    }

    /// The CDR inside the ZIP SUNAT answers with (`R-<name>.zip` holding `R-<name>.xml`).
    public static func fromZip(_ zip: Data, maxBytes: Int = 10 << 20) throws(SunatXMLError) -> CDR {
        let files: [(name: String, data: Data)]
        do { files = try SunatZip.entries(zip, maxBytes: maxBytes) } catch { throw SunatXMLError("La constancia de SUNAT: \(error.message)") }
        let xmls = files.filter { $0.name.lowercased().hasSuffix(".xml") }
        guard let xml = xmls.first(where: { ($0.name.split(separator: "/").last ?? "").hasPrefix("R-") }) ?? xmls.first else {
            throw SunatXMLError("El ZIP de SUNAT no contiene la constancia (R-….xml).")
        }
        return try parse(xml.data)
    }
}

/// XML from SUNAT that could not be read; `message` is Spanish.
public struct SunatXMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The text elements of an XML document, each with its path of local names (namespaces dropped).
/// Documents that declare a DOCTYPE are refused: SOAP and UBL never need one, and entities are an attack.
enum SunatXML {
    struct Leaf: Equatable {
        var path: [String]
        var text: String
    }

    static let maxBytes = 32 << 20

    static func leaves(_ xml: Data) throws(SunatXMLError) -> [Leaf] {
        guard !xml.isEmpty else { throw SunatXMLError("SUNAT respondió un XML vacío.") }
        guard xml.count <= maxBytes else { throw SunatXMLError("El XML de SUNAT es demasiado grande.") }
        if xml.range(of: Data("<!DOCTYPE".utf8)) != nil || xml.range(of: Data("<!doctype".utf8)) != nil {
            throw SunatXMLError("El XML de SUNAT declara un DOCTYPE; no se lee.")
        }
        let collector = Collector()
        let parser = XMLParser(data: xml)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        guard parser.parse(), collector.stack.isEmpty, !collector.leaves.isEmpty else {
            let detail = parser.parserError.map { " (\($0.localizedDescription))" } ?? ""
            throw SunatXMLError("SUNAT respondió un XML que no se puede leer\(detail).")
        }
        return collector.leaves
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var stack: [String] = []
        var texts: [String] = []
        var leaves: [Leaf] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(elementName.split(separator: ":").last.map(String.init) ?? elementName)
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if !texts.isEmpty { texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let text = texts.popLast() else { return }
            leaves.append(Leaf(path: stack, text: text.trimmingCharacters(in: .whitespacesAndNewlines)))
            stack.removeLast()
        }
    }
}
