import Foundation
import VetCore

/// Why SUNAT's billService gave no usable answer; `message` is Spanish, for the user.
public enum BillServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A SOAP fault: SUNAT's return code (CódigosRetorno) and its text.
    case fault(code: Int, message: String)
    /// No answer, an HTTP 5xx without a fault, a timeout: worth retrying later.
    case transport(String)
    /// An answer that is not what the WSDL promises.
    case malformed(String)

    public var message: String {
        switch self {
        case .fault(let code, let message): "SUNAT rechazó el envío (código \(Self.fourDigits(code))): \(message)"
        case .transport(let detail): "No se pudo comunicar con SUNAT; se reintentará más tarde: \(detail)"
        case .malformed(let detail): "SUNAT respondió algo que no se entiende: \(detail)"
        }
    }
    public var description: String { message }

    /// SUNAT writes its codes with four digits: 102 is "0102".
    static func fourDigits(_ code: Int) -> String {
        let digits = String(code)
        return code >= 0 && digits.count < 4 ? String(repeating: "0", count: 4 - digits.count) + digits : digits
    }
}

/// Where a summary sent with `sendSummary` stands.
public enum SummaryStatus: Equatable, Sendable {
    /// SUNAT is still working on it (statusCode 98): ask again later.
    case processing
    /// SUNAT's CDR: accepted (statusCode 0) or rejected (statusCode 99, the code in the CDR).
    case done(CDR)
}

/// What to do with a document after SUNAT answered (or did not), by SUNAT's rule on return codes.
public enum SunatOutcome: Equatable, Sendable {
    /// Code 0.
    case accepted
    /// Accepted, with observation codes ≥ 4000 in the notes.
    case acceptedWithObservations
    /// 2000–3999: the number is used up; issue a new document.
    case rejected
    /// 100–1999: correct the document and send the same number again.
    case fixAndResend
    /// No answer, or SUNAT said it could not answer now: send the same file again later.
    case retryLater

    public static func of(_ cdr: CDR) -> SunatOutcome {
        switch cdr.responseCode {
        case 0: cdr.notes.isEmpty ? .accepted : .acceptedWithObservations
        case 2000..<4000: .rejected
        case 4000...: .acceptedWithObservations
        default: .fixAndResend
        }
    }

    public static func of(_ error: BillServiceError) -> SunatOutcome {
        switch error {
        case .transport: .retryLater
        case .malformed: .retryLater
        case .fault(let code, _):
            if serviceUnavailableCodes.contains(code) { .retryLater }
            else if (2000..<4000).contains(code) { .rejected }
            else { .fixAndResend }
        }
    }

    /// Faults in which SUNAT says it cannot answer now ("El sistema no puede responder su solicitud",
    /// "No se pudo procesar su solicitud", "Existe un Documento igual en Proceso"): nothing to fix.
    static let serviceUnavailableCodes: Set<Int> = Set([100, 109, 140, 200, 201]).union(130...138)
}

/// A client of SUNAT's billService (SOAP 1.1): `sendBill`, `sendSummary`, `getStatus`.
/// https is verified against the system CAs (or `caCertPath`); plain http only to this machine.
public final class BillServiceClient: @unchecked Sendable {
    public let endpoint: String
    private let username: String
    private let password: String
    private let http: CurlHTTPClient?
    private let setupError: TransportError?
    /// Largest ZIP accepted back from SUNAT once unpacked.
    public var maxCDRBytes = 10 << 20

    static let serviceNamespace = "http://service.sunat.gob.pe"
    static let securityNamespace = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    static let passwordTextType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"

    /// `username` is the RUC followed by the usuario SOL (`20123456789MODDATOS`).
    public init(endpoint: String, username: String, password: String, caCertPath: String? = nil) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        do {
            let client = try CurlHTTPClient(baseURL: endpoint, caCertPath: caCertPath)
            // SUNAT validates each document before it answers and is often slow; the queue works in
            // the background, so it waits longer than an interactive call would.
            client.timeoutMs = 90_000
            http = client
            setupError = nil
        } catch {
            http = nil
            setupError = error
        }
    }

    /// Sends one comprobante (`RUC-TT-SERIE-NUMERO`, `.zip` added when missing) and returns SUNAT's CDR.
    public func sendBill(fileName: String, zip: Data) throws(BillServiceError) -> CDR {
        let leaves = try call("sendBill", body: fileAndContent(fileName, zip))
        guard let encoded = leaves.first(where: { $0.path.last == "applicationResponse" })?.text else {
            throw .malformed("la respuesta de sendBill no trae applicationResponse")
        }
        return try cdr(fromBase64: encoded)
    }

    /// Sends a resumen diario (RC) or comunicación de baja (RA); returns the ticket to ask `getStatus` with.
    public func sendSummary(fileName: String, zip: Data) throws(BillServiceError) -> String {
        let leaves = try call("sendSummary", body: fileAndContent(fileName, zip))
        guard let ticket = leaves.first(where: { $0.path.last == "ticket" })?.text, !ticket.isEmpty else {
            throw .malformed("la respuesta de sendSummary no trae ticket")
        }
        return ticket
    }

    /// Where the summary of `ticket` stands.
    public func getStatus(ticket: String) throws(BillServiceError) -> SummaryStatus {
        let leaves = try call("getStatus", body: "<ticket>\(Self.escape(ticket))</ticket>")
        let status = leaves.filter { $0.path.dropLast().last == "status" }
        guard let code = status.first(where: { $0.path.last == "statusCode" })?.text else {
            throw .malformed("la respuesta de getStatus no trae statusCode")
        }
        switch code {
        case "98": return .processing
        case "0", "99":
            guard let content = status.first(where: { $0.path.last == "content" })?.text, !content.isEmpty else {
                throw .malformed("getStatus con statusCode \(code) no trae la constancia")
            }
            return .done(try cdr(fromBase64: content))
        default:
            throw .malformed("getStatus respondió un statusCode desconocido: \(code)")
        }
    }

    // MARK: - SOAP

    /// The SOAP envelope for `operation` with WS-Security UsernameToken; every value XML-escaped.
    func envelope(_ operation: String, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:ser="\(Self.serviceNamespace)" xmlns:wsse="\(Self.securityNamespace)">\
        <soapenv:Header><wsse:Security><wsse:UsernameToken>\
        <wsse:Username>\(Self.escape(username))</wsse:Username>\
        <wsse:Password Type="\(Self.passwordTextType)">\(Self.escape(password))</wsse:Password>\
        </wsse:UsernameToken></wsse:Security></soapenv:Header>\
        <soapenv:Body><ser:\(operation)>\(body)</ser:\(operation)></soapenv:Body></soapenv:Envelope>
        """
    }

    private func fileAndContent(_ fileName: String, _ zip: Data) -> String {
        let name = fileName.lowercased().hasSuffix(".zip") ? fileName : fileName + ".zip"
        return "<fileName>\(Self.escape(name))</fileName><contentFile>\(zip.base64EncodedString())</contentFile>"
    }

    private func call(_ operation: String, body: String) throws(BillServiceError) -> [SunatXML.Leaf] {
        guard let http else { throw Self.transport(setupError ?? .invalidURL(endpoint)) }
        let response: HTTPResponse
        do {
            response = try http.post("", body: Data(envelope(operation, body: body).utf8),
                                     headers: ["Content-Type": "text/xml; charset=utf-8", "SOAPAction": "\"urn:\(operation)\""])
        } catch {
            throw Self.transport(error)
        }
        let leaves = try? SunatXML.leaves(response.body)
        if let leaves, let fault = Self.fault(in: leaves) { throw fault }
        guard response.status == 200 else {
            if response.status >= 500 || response.status == 429 { throw .transport("SUNAT respondió HTTP \(response.status)") }
            throw .malformed("HTTP \(response.status) sin un fault SOAP")
        }
        guard let leaves else { throw .malformed("la respuesta de \(operation) no es XML") }
        guard leaves.contains(where: { $0.path.count >= 3 && $0.path[1] == "Body" && $0.path[2] == "\(operation)Response" }) else {
            throw .malformed("la respuesta no es un \(operation)Response")
        }
        return leaves
    }

    /// A bad endpoint is told at every call, as `.transport`: nothing is sent until it is fixed.
    private static func transport(_ error: TransportError) -> BillServiceError {
        switch error {
        case .unreachable(let detail): .transport(detail)
        case .insecureURL(let url): .transport("\(url) usa http sin cifrar; solo se permite http hacia esta misma máquina. Use https.")
        case .invalidURL(let url): .transport("la dirección de SUNAT no es válida: \(url)")
        }
    }

    /// A SOAP fault's code: the digits after the last "." of faultcode (`soap-env:Client.0102`), or the
    /// first number of faultstring; 0 when neither has one.
    static func fault(in leaves: [SunatXML.Leaf]) -> BillServiceError? {
        guard leaves.contains(where: { $0.path.count >= 3 && $0.path[2] == "Fault" }) else { return nil }
        let faultcode = leaves.first { $0.path.last == "faultcode" }?.text ?? ""
        let faultstring = leaves.first { $0.path.last == "faultstring" }?.text ?? ""
        let tail = faultcode.split(separator: ".").last.map(String.init) ?? ""
        if let code = Int(tail.filter(\.isNumber)), tail.contains(where: \.isNumber) {
            return .fault(code: code, message: faultstring)
        }
        let digits = faultstring.drop { !$0.isNumber }.prefix { $0.isNumber }
        if let code = Int(digits), !digits.isEmpty, digits.count <= 4 {
            return .fault(code: code, message: faultstring)
        }
        return .fault(code: 0, message: faultstring.isEmpty ? faultcode : faultstring)
    }

    private func cdr(fromBase64 encoded: String) throws(BillServiceError) -> CDR {
        guard let zip = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
            throw .malformed("la constancia no está en base64")
        }
        do {
            var cdr = try CDR.fromZip(zip, maxBytes: maxCDRBytes)
            cdr.zip = zip
            return cdr
        } catch { throw .malformed(error.message) }
    }

    /// XML text for the envelope (VetCore's `XMLEscape`, which also drops what XML cannot carry).
    static func escape(_ value: String) -> String { XMLEscape.text(value) }

}
