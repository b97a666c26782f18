/// The catalog's CSV form, read by `vetcentral catalog import` and written by `vetcentral catalog
/// export`; the demo catalog (`catalogs/demo-catalog.csv`) is in the same form.
///
/// UTF-8, comma-separated, RFC 4180 quoting (a field with a comma, a quote or a line break is
/// quoted, a quote inside is doubled), a header row with these columns in any order:
///
/// | column | content |
/// |---|---|
/// | `sku` | the item's code, 1–30 of A–Z 0–9 `-` `_` `.`; upper-cased; unique in the file |
/// | `nombre` | the name as the counter reads it, 2–120 characters |
/// | `tipo` | a `CatalogKind` raw value: medicamento, vacuna, antiparasitario, insumo, alimento, accesorio, consulta, vacunacion, cirugia, hospitalizacion, analisis, bano_corte, otro_servicio |
/// | `categoria` | free text, 1–60 characters (Antibióticos, Vacunas caninas, Cirugías…) |
/// | `presentacion` | free text, up to 120 characters (Caja x 100 tabletas de 50 mg); may be empty |
/// | `unidad_base` | what quantities count (tableta, ml, unidad, dosis…); empty: unidad |
/// | `unidad_sunat` | a SUNAT catálogo 03 code (`NIU`, `ZZ`, `BX`, `MLT`…) |
/// | `afectacion_igv` | a catálogo 07 code: `10` gravado, `20` exonerado, `30` inafecto |
/// | `precio` | soles with IGV, per sale unit (`35.50`); required for a new item; empty keeps the price in force |
/// | `codigos_barra` | barcodes separated by `|` (EAN-13/EAN-8/GTIN-14 with a valid check digit); may be empty |
/// | `desarme_sku` | the SKU of the item a pack opens into (desarme); may be empty |
/// | `unidades_por_empaque` | how many of `desarme_sku` a pack holds (> 1); required with `desarme_sku` |
/// | `lotes`, `controlado`, `receta` | `si` or `no` (empty: no) |
/// | `activo` | `si` or `no` (empty: si) |
///
/// Reading also accepts: LF or a lone CR instead of CRLF, a UTF-8 byte order mark, header names in
/// any case, `sí`/`SI` for `si`, and rows whose every field is empty (skipped, as spreadsheets
/// write them). A text field may not hold a line break or another control character. Writing
/// gives CRLF rows with the columns in `columns` order, and what it writes reads back unchanged.
public enum CatalogCSV {
    public static let columns = [
        "sku", "nombre", "tipo", "categoria", "presentacion", "unidad_base", "unidad_sunat", "afectacion_igv", "precio",
        "codigos_barra", "desarme_sku", "unidades_por_empaque", "lotes", "controlado", "receta", "activo",
    ]

    public static let maxSKULength = 30
    public static let nameLength = 2...120
    public static let categoryLength = 1...60
    public static let maxPresentationLength = 120
    public static let maxBaseUnitLength = 30
    public static let maxBarcodes = 20
    public static let maxPackUnits: Int64 = 100_000

    /// A rejected line (or the header, line 1) and why, in Spanish.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public init(line: Int, message: String) { self.line = line; self.message = message }
        /// `línea 7: precio inválido «12,3,4»`, as the import reports it.
        public var description: String { "línea \(line): \(message)" }
    }

    /// One record of the file: its fields and the physical line it starts on.
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    /// A valid catalog line and the physical line it starts on.
    public struct Entry: Sendable, Equatable {
        public var line: Int
        public var item: CatalogLine
    }

    /// What a file holds: its valid lines and a problem for every line rejected.
    public struct Validated: Sendable, Equatable {
        public var entries: [Entry]
        public var problems: [Problem]
    }
}

/// One item as the catalog file states it (the whole item: every column but `precio` is applied).
public struct CatalogLine: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var kind: CatalogKind
    public var category: String
    public var presentation: String
    public var baseUnit: String
    public var unitCode: String
    public var igv: IGVAffectation
    /// Soles with IGV per sale unit; nil keeps the price in force (an existing item only).
    public var price: Money?
    public var barcodes: [String]
    /// The item a pack opens into (desarme), by SKU, and how many of it the pack holds.
    public var unitSKU: String?
    public var packUnits: Int64?
    public var tracksLots: Bool
    public var controlled: Bool
    public var prescription: Bool
    public var active: Bool

    public init(sku: String, name: String, kind: CatalogKind, category: String, presentation: String = "", baseUnit: String = "unidad",
                unitCode: String, igv: IGVAffectation, price: Money?, barcodes: [String] = [], unitSKU: String? = nil, packUnits: Int64? = nil,
                tracksLots: Bool = false, controlled: Bool = false, prescription: Bool = false, active: Bool = true) {
        self.sku = sku; self.name = name; self.kind = kind; self.category = category; self.presentation = presentation
        self.baseUnit = baseUnit; self.unitCode = unitCode; self.igv = igv; self.price = price; self.barcodes = barcodes
        self.unitSKU = unitSKU; self.packUnits = packUnits; self.tracksLots = tracksLots; self.controlled = controlled
        self.prescription = prescription; self.active = active
    }
}

// MARK: - RFC 4180 reading

extension CatalogCSV {
    /// Splits a file into records (RFC 4180). A record that cannot be read (a stray quote, a quote
    /// never closed, text that is not UTF-8) becomes a problem at the line it starts on; reading
    /// goes on with the next record.
    public static func records(_ bytes: [UInt8]) -> (records: [Record], problems: [Problem]) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [Record] = [], problems: [Problem] = []
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let n = bytes.count

        /// Consumes the line break at `i` (CRLF, LF or CR), counting it.
        func takeBreak() {
            if bytes[i] == cr, i + 1 < n, bytes[i + 1] == lf { i += 2 } else { i += 1 }
            line += 1
        }
        func isBreak(_ b: UInt8) -> Bool { b == cr || b == lf }

        while i < n {
            let start = line
            var fields: [String] = []
            var problem: String? = nil
            record: while true {
                var field: [UInt8] = []
                if i < n, bytes[i] == quote {
                    i += 1
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == quote {
                            if i + 1 < n, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                            i += 1
                            closed = true
                            break
                        }
                        if isBreak(b) {
                            if b == cr, i + 1 < n, bytes[i + 1] == lf { field.append(cr) ; i += 1 }
                            field.append(bytes[i])
                            i += 1
                            line += 1
                            continue
                        }
                        field.append(b)
                        i += 1
                    }
                    if !closed {
                        problem = problem ?? "comillas sin cerrar: el campo abierto en la línea \(start) sigue hasta el final del archivo"
                        fields.append("")
                        break record
                    }
                    if i < n, bytes[i] != comma, !isBreak(bytes[i]) {
                        problem = problem ?? "hay texto después de las comillas que cierran un campo (una comilla dentro de un campo se escribe doble: \"\")"
                        while i < n, bytes[i] != comma, !isBreak(bytes[i]) { i += 1 }
                    }
                } else {
                    while i < n, bytes[i] != comma, !isBreak(bytes[i]) {
                        if bytes[i] == quote {
                            problem = problem ?? "comilla dentro de un campo sin comillas (encierre el campo entre comillas y escriba la comilla doble: \"\")"
                        }
                        field.append(bytes[i])
                        i += 1
                    }
                }
                if let text = utf8(field) {
                    fields.append(text)
                } else {
                    problem = problem ?? "el texto no está en UTF-8 (guarde el archivo como «CSV UTF-8»)"
                    fields.append("")
                }
                if i < n, bytes[i] == comma { i += 1; continue record }
                if i < n { takeBreak() }
                break record
            }
            if let problem {
                problems.append(Problem(line: start, message: problem))
            } else if !fields.allSatisfy(\.isEmpty) {
                records.append(Record(line: start, fields: fields))
            }
        }
        return (records, problems)
    }

    /// The bytes as text, or nil if they are not valid UTF-8.
    static func utf8(_ bytes: [UInt8]) -> String? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }
}

// MARK: - Validation

extension CatalogCSV {
    /// Reads and checks a catalog file. `existingSKUs` are the items the catalog already has (a
    /// `desarme_sku` may name one; a new item needs a price); `existingBarcodes` maps each barcode
    /// in use to its item's SKU (a barcode of another item is refused).
    ///
    /// Every line is checked on its own and against the lines before it: of two lines with the same
    /// SKU or barcode, the later one is rejected. When the header is wrong, only the header is
    /// reported.
    public static func validate(_ bytes: [UInt8], existingSKUs: Set<String> = [], existingBarcodes: [String: String] = [:]) -> Validated {
        let read = records(bytes)
        var problems = read.problems
        let firstProblem = read.problems.first
        guard let header = read.records.first, header.line < (firstProblem?.line ?? Int.max) else {
            guard let firstProblem else {
                return Validated(entries: [], problems: [Problem(line: 1, message: "el archivo está vacío: falta la fila de encabezados")])
            }
            return Validated(entries: [], problems: [Problem(line: firstProblem.line, message: "encabezado ilegible: " + firstProblem.message)])
        }
        var positions: [String: Int] = [:]
        var headerProblems: [String] = []
        for (index, raw) in header.fields.enumerated() {
            let name = raw.trimmingSpaces().lowercased()
            if !columns.contains(name) {
                headerProblems.append("columna desconocida «\(clip(raw))» (columnas: \(columns.joined(separator: ", ")))")
            } else if positions[name] != nil {
                headerProblems.append("la columna «\(name)» está repetida")
            } else {
                positions[name] = index
            }
        }
        let missing = columns.filter { positions[$0] == nil }
        if !missing.isEmpty { headerProblems.append("faltan las columnas: \(missing.joined(separator: ", "))") }
        if !headerProblems.isEmpty {
            return Validated(entries: [], problems: headerProblems.map { Problem(line: header.line, message: $0) })
        }

        let rows = read.records.dropFirst()
        // SKUs the file defines (for desarme_sku), whatever the state of their own line.
        var fileSKUs: Set<String> = []
        for row in rows where row.fields.count == header.fields.count {
            if let index = positions["sku"] { fileSKUs.insert(row.fields[index].trimmingSpaces().uppercased()) }
        }

        var entries: [Entry] = []
        var skuLines: [String: Int] = [:]
        var barcodeLines: [String: Int] = [:]
        for row in rows {
            guard row.fields.count == header.fields.count else {
                problems.append(Problem(line: row.line, message: "la fila tiene \(row.fields.count) columnas y el encabezado \(header.fields.count)"))
                continue
            }
            let field = { (name: String) in row.fields[positions[name]!] }
            var lineProblems: [String] = []
            let (item, itemProblems) = checkLine(field, existingSKUs: existingSKUs, fileSKUs: fileSKUs)
            lineProblems += itemProblems
            if let sku = item?.sku {
                if let first = skuLines[sku] {
                    lineProblems.append("el SKU \(sku) está repetido (ya está en la línea \(first))")
                } else {
                    skuLines[sku] = row.line
                }
            }
            if let item {
                for code in item.barcodes {
                    if let first = barcodeLines[code] {
                        lineProblems.append("el código de barras \(code) está repetido (ya está en la línea \(first))")
                    } else {
                        barcodeLines[code] = row.line
                        if let owner = existingBarcodes[code], owner != item.sku {
                            lineProblems.append("el código de barras \(code) ya es del artículo \(owner)")
                        }
                    }
                }
            }
            if let item, lineProblems.isEmpty {
                entries.append(Entry(line: row.line, item: item))
            } else {
                problems += lineProblems.map { Problem(line: row.line, message: $0) }
            }
        }
        // A pack whose unit item's line was rejected is rejected too (until none is left), so the
        // entries are always a catalog that holds together.
        var accepted = Set(entries.map(\.item.sku))
        while let index = entries.firstIndex(where: { entry in
            entry.item.unitSKU.map { !accepted.contains($0) && !existingSKUs.contains($0) } ?? false
        }) {
            let entry = entries.remove(at: index)
            accepted.remove(entry.item.sku)
            let unit = entry.item.unitSKU ?? ""
            let place = skuLines[unit].map { " (línea \($0))" } ?? ""
            problems.append(Problem(line: entry.line, message: "desarme_sku \(unit) está en una línea rechazada\(place)"))
        }
        // By line, and within a line in the order found.
        problems = problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        return Validated(entries: entries, problems: problems)
    }

    public static func validate(_ text: String, existingSKUs: Set<String> = [], existingBarcodes: [String: String] = [:]) -> Validated {
        validate(Array(text.utf8), existingSKUs: existingSKUs, existingBarcodes: existingBarcodes)
    }

    /// One line's columns checked alone: the item, or nil and every problem found.
    static func checkLine(_ field: (String) -> String, existingSKUs: Set<String>, fileSKUs: Set<String>) -> (CatalogLine?, [String]) {
        var problems: [String] = []
        func text(_ name: String) -> String {
            let value = field(name).trimmingSpaces()
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append("\(name): no puede tener saltos de línea ni caracteres de control")
            }
            return value
        }
        func flag(_ name: String, empty: Bool) -> Bool {
            switch text(name).lowercased() {
            case "": return empty
            case "si", "sí": return true
            case "no": return false
            case let other:
                problems.append("\(name): «\(clip(other))» no es si ni no")
                return empty
            }
        }

        let sku = text("sku").uppercased()
        if sku.isEmpty {
            problems.append("falta el SKU")
        } else if sku.count > maxSKULength {
            problems.append("el SKU tiene como máximo \(maxSKULength) caracteres")
        } else if let problem = skuProblem(sku) {
            problems.append(problem)
        }

        let name = text("nombre")
        if name.isEmpty {
            problems.append("falta el nombre")
        } else if !nameLength.contains(name.count) {
            problems.append("el nombre tiene de \(nameLength.lowerBound) a \(nameLength.upperBound) caracteres (tiene \(name.count))")
        }

        let kindText = text("tipo").lowercased()
        let kind = CatalogKind.parse(kindText)
        if kindText.isEmpty {
            problems.append("falta el tipo")
        } else if !kind.isKnown {
            problems.append("tipo desconocido «\(clip(kindText))» (use: \(CatalogKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        let category = text("categoria")
        if category.isEmpty {
            problems.append("falta la categoría")
        } else if category.count > categoryLength.upperBound {
            problems.append("la categoría tiene como máximo \(categoryLength.upperBound) caracteres (tiene \(category.count))")
        }

        let presentation = text("presentacion")
        if presentation.count > maxPresentationLength {
            problems.append("la presentación tiene como máximo \(maxPresentationLength) caracteres (tiene \(presentation.count))")
        }

        var baseUnit = text("unidad_base")
        if baseUnit.isEmpty { baseUnit = "unidad" }
        if baseUnit.count > maxBaseUnitLength {
            problems.append("la unidad base tiene como máximo \(maxBaseUnitLength) caracteres (tiene \(baseUnit.count))")
        }

        let unitCode = text("unidad_sunat").uppercased()
        if unitCode.isEmpty {
            problems.append("falta la unidad SUNAT (catálogo 03: NIU, ZZ, BX, MLT…)")
        } else if !SunatUnits.isKnown(unitCode) {
            problems.append("unidad SUNAT desconocida «\(clip(unitCode))» (no está en el catálogo 03: use NIU, ZZ, BX, MLT…)")
        }

        let igvText = text("afectacion_igv")
        let igv = IGVAffectation.parse(igvText)
        if igvText.isEmpty {
            problems.append("falta la afectación del IGV (10 gravado, 20 exonerado, 30 inafecto)")
        } else if !igv.isKnown {
            problems.append("afectación del IGV desconocida «\(clip(igvText))» (use 10 gravado, 20 exonerado o 30 inafecto)")
        }

        var price: Money? = nil
        let priceText = text("precio")
        if priceText.isEmpty {
            if !sku.isEmpty && !existingSKUs.contains(sku) { problems.append("falta el precio (es obligatorio para un artículo nuevo)") }
        } else {
            do {
                let parsed = try Money.parse(priceText)
                if parsed.centimos < 0 { problems.append("el precio no puede ser negativo («\(clip(priceText))»)") } else { price = parsed }
            } catch {
                problems.append("precio inválido «\(clip(priceText))»: \(error.description.lowercased()) (use soles con punto decimal, p. ej. 35.50)")
            }
        }

        var barcodes: [String] = []
        for part in text("codigos_barra").split(separator: "|", omittingEmptySubsequences: false) {
            let code = String(part).trimmingSpaces()
            if code.isEmpty { continue }
            if let problem = barcodeProblem(code) { problems.append(problem); continue }
            if barcodes.contains(code) {
                problems.append("el código de barras \(code) está dos veces en la línea")
                continue
            }
            barcodes.append(code)
        }
        if barcodes.count > maxBarcodes { problems.append("un artículo tiene como máximo \(maxBarcodes) códigos de barras") }

        let unitSKUText = text("desarme_sku").uppercased()
        let packText = text("unidades_por_empaque")
        var unitSKU: String? = nil
        var packUnits: Int64? = nil
        if unitSKUText.isEmpty {
            if !packText.isEmpty { problems.append("unidades_por_empaque sin desarme_sku: indique en qué artículo se desarma el empaque") }
        } else {
            unitSKU = unitSKUText
            if unitSKUText == sku {
                problems.append("desarme_sku no puede ser el mismo artículo")
            } else if !fileSKUs.contains(unitSKUText) && !existingSKUs.contains(unitSKUText) {
                problems.append("desarme_sku «\(clip(unitSKUText))» no existe ni en el archivo ni en el catálogo")
            }
            if packText.isEmpty {
                problems.append("falta unidades_por_empaque (cuántas unidades de \(clip(unitSKUText)) trae el empaque)")
            } else if !packText.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problems.append("unidades_por_empaque «\(clip(packText))» no es un número entero")
            } else if let units = Int64(packText), units <= maxPackUnits {
                if units <= 1 { problems.append("unidades_por_empaque debe ser mayor que 1") } else { packUnits = units }
            } else {
                problems.append("unidades_por_empaque no puede pasar de \(maxPackUnits)")
            }
        }

        let tracksLots = flag("lotes", empty: false)
        let controlled = flag("controlado", empty: false)
        let prescription = flag("receta", empty: false)
        let active = flag("activo", empty: true)
        if kind.isKnown && !kind.isProduct {
            if tracksLots { problems.append("un servicio no lleva lotes (lotes debe ser no)") }
            if controlled { problems.append("un servicio no es un medicamento controlado (controlado debe ser no)") }
            if unitSKU != nil { problems.append("un servicio no se desarma (desarme_sku debe estar vacío)") }
        }

        guard problems.isEmpty else { return (nil, problems) }
        return (CatalogLine(sku: sku, name: name, kind: kind, category: category, presentation: presentation, baseUnit: baseUnit,
                            unitCode: unitCode, igv: igv, price: price, barcodes: barcodes, unitSKU: unitSKU, packUnits: packUnits,
                            tracksLots: tracksLots, controlled: controlled, prescription: prescription, active: active), [])
    }

    /// Why `sku` (upper-cased, not empty) is not a valid code, or nil.
    public static func skuProblem(_ sku: String) -> String? {
        guard sku.count <= maxSKULength else { return "el SKU tiene como máximo \(maxSKULength) caracteres" }
        guard sku.unicodeScalars.allSatisfy({ $0.isASCII && (("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }) else {
            return "SKU inválido «\(clip(sku))»: solo letras A–Z, dígitos, guion, guion bajo o punto"
        }
        return nil
    }

    /// Why `code` is not an EAN-8, EAN-13 or GTIN-14 with a valid check digit, or nil.
    public static func barcodeProblem(_ code: String) -> String? {
        let digits = code.unicodeScalars.compactMap { ("0"..."9").contains($0) ? Int($0.value) - 48 : nil }
        guard digits.count == code.unicodeScalars.count, [8, 13, 14].contains(digits.count) else {
            return "código de barras inválido «\(clip(code))»: debe tener 8, 13 o 14 dígitos (EAN-8, EAN-13, GTIN-14)"
        }
        guard gs1CheckDigit(digits.dropLast()) == digits.last else {
            return "el dígito de control del código de barras \(code) no es correcto"
        }
        return nil
    }

    /// The GS1 check digit of `digits` (weights 3 and 1 from the right).
    static func gs1CheckDigit(_ digits: ArraySlice<Int>) -> Int {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() { sum += digit * (offset % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }

    /// A value quoted in a message, cut so a hostile field cannot flood the report.
    static func clip(_ text: String) -> String { text.count > 40 ? String(text.prefix(40)) + "…" : text }
}

// MARK: - Writing

extension CatalogCSV {
    /// The catalog as a CSV file (header and one CRLF row per line, in the order given) that
    /// `validate` reads back into the same lines.
    public static func write(_ lines: [CatalogLine]) -> String {
        var out = columns.joined(separator: ",") + "\r\n"
        for line in lines {
            let fields: [String] = [
                line.sku, line.name, line.kind.rawValue, line.category, line.presentation, line.baseUnit, line.unitCode, line.igv.rawValue,
                line.price?.plain ?? "", line.barcodes.joined(separator: "|"), line.unitSKU ?? "", line.packUnits.map { String($0) } ?? "",
                yesNo(line.tracksLots), yesNo(line.controlled), yesNo(line.prescription), yesNo(line.active),
            ]
            out += fields.map(quoted).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func yesNo(_ value: Bool) -> String { value ? "si" : "no" }

    /// The field as RFC 4180 writes it: quoted when it holds a comma, a quote, a line break or
    /// leading or trailing spaces.
    static func quoted(_ field: String) -> String {
        let needs = field.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
            || field.first?.isWhitespace == true || field.last?.isWhitespace == true
        guard needs else { return field }
        var out = "\""
        for character in field {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }
}
