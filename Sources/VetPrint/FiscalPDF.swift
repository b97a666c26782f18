import CHaru
import Foundation
import VetCore

/// Why the A4 document could not be made: a stable `code` tests assert and the Spanish `message`
/// a person reads.
public struct FiscalPDFError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) { self.code = code; self.message = message }

    public var description: String { message }

    /// The receipt is not a SUNAT electronic document: it has no `electronic` part or no series-number.
    public static let notElectronic = FiscalPDFError(code: "not_electronic",
                                                     message: "El comprobante no es electrónico: no tiene serie-número, hash ni código QR")
    static func qrCode(_ message: String) -> FiscalPDFError { FiscalPDFError(code: "qr", message: message) }
    static func pdf(_ error: HPDF_STATUS, _ detail: HPDF_STATUS) -> FiscalPDFError {
        FiscalPDFError(code: "pdf", message: "No se pudo generar el PDF (libharu: error 0x" + String(error, radix: 16, uppercase: true)
                       + ", detalle \(detail))")
    }
}

/// The printed representation of a SUNAT electronic document on A4 paper, as a PDF: what a
/// factura or a nota de crédito is handed over as (a boleta prints the same way).
///
/// Page 1 holds the issuer (trade and legal name, address), a box with «R.U.C. N° …», the
/// document's title and its series-number, the customer and the reference a nota modifies; then
/// the lines table (cantidad, unidad, descripción, precio unitario, descuento, importe), the totals
/// with the leyenda, the payment terms, and last the QR code (drawn module by module, error
/// correction M) beside the representation line, the hash and where to consult the document.
/// Lines that do not fit go on further pages, each with the table header again; every page says
/// «Página n de N». Text is wrapped to its column, so nothing is printed off the page.
///
/// Text is Helvetica in WinAnsiEncoding: Spanish prints as is; a character CP1252 lacks prints as `?`.
public enum FiscalPDF {
    public static func render(_ receipt: Receipt) throws(FiscalPDFError) -> Data {
        guard let electronic = receipt.electronic, let documentID = receipt.documentID else { throw .notElectronic }
        let qr = try QRMatrix.encode(electronic.qrText)
        let errors = HaruErrors()
        guard let doc = HPDF_New({ error, detail, user in
            // The end of the document's stream is how reading it back finishes, not an error.
            guard let user, error != HPDF_STATUS(HPDF_STREAM_EOF) else { return }
            let errors = Unmanaged<HaruErrors>.fromOpaque(user).takeUnretainedValue()
            if errors.error == nil { errors.error = .pdf(error, detail) }
        }, Unmanaged.passUnretained(errors).toOpaque()) else {
            throw FiscalPDFError(code: "pdf", message: "No se pudo generar el PDF: sin memoria")
        }
        // libharu holds a pointer to `errors` until the document is freed.
        defer { HPDF_Free(doc); withExtendedLifetime(errors) {} }
        HPDF_SetCompressionMode(doc, HPDF_UINT(HPDF_COMP_ALL))
        guard let regular = HPDF_GetFont(doc, "Helvetica", "WinAnsiEncoding"),
              let bold = HPDF_GetFont(doc, "Helvetica-Bold", "WinAnsiEncoding") else {
            throw errors.error ?? FiscalPDFError(code: "pdf", message: "No se pudo generar el PDF: falta la fuente Helvetica")
        }
        HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, CP1252.cString(receipt.title + " " + documentID))
        HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "VetDesk")
        var writer = PageWriter(doc: doc, regular: regular, bold: bold, continuation: receipt.title + " " + documentID)
        writer.document(receipt, electronic: electronic, documentID: documentID, qr: qr)
        writer.numberPages()
        if let error = errors.error { throw error }
        return try save(doc, errors: errors)
    }

    private static func save(_ doc: HPDF_Doc, errors: HaruErrors) throws(FiscalPDFError) -> Data {
        guard HPDF_SaveToStream(doc) == HPDF_STATUS(HPDF_OK) else { throw errors.error ?? .pdf(0, 0) }
        let size = HPDF_GetStreamSize(doc)
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var read = size
        let status = HPDF_ReadFromStream(doc, &bytes, &read)
        guard status == HPDF_STATUS(HPDF_OK) || status == HPDF_STATUS(HPDF_STREAM_EOF), read == size else {
            throw errors.error ?? .pdf(status, 0)
        }
        if let error = errors.error { throw error }
        return Data(bytes)
    }
}

/// The first error libharu reported: its handler records it and the rendering stops there.
private final class HaruErrors {
    var error: FiscalPDFError?
}

/// Text as WinAnsiEncoding (CP1252) bytes, one per character: whitespace becomes a space, a
/// character CP1252 lacks (and any control character) becomes `?`.
enum CP1252 {
    static func bytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for ch in text.precomposedStringWithCanonicalMapping {
            if ch.isWhitespace { out.append(0x20); continue }
            let scalars = ch.unicodeScalars
            guard scalars.count == 1, let scalar = scalars.first else { out.append(0x3F); continue }
            let v = scalar.value
            if (0x20..<0x7F).contains(v) || (0xA0...0xFF).contains(v) { out.append(UInt8(v)) }
            else if let byte = high[v] { out.append(byte) }
            else { out.append(0x3F) }
        }
        return out
    }

    static func cString(_ text: String) -> [CChar] { bytes(text).map { CChar(bitPattern: $0) } + [0] }

    /// Bytes 0x80–0x9F (Unicode's CP1252.TXT); 0x81, 0x8D, 0x8F, 0x90 and 0x9D are unassigned.
    private static let high: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E,
        0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97,
        0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]
}

/// Draws the document top to bottom, starting a page whenever the next line would not fit.
private struct PageWriter {
    static let pageWidth: Float = 595.28
    static let pageHeight: Float = 841.89
    static let margin: Float = 40
    /// Room kept at the bottom of every page for «Página n de N».
    static let bottom: Float = margin + 18
    static let right: Float = pageWidth - margin
    static let contentWidth: Float = right - margin

    let doc: HPDF_Doc
    let regular: HPDF_Font
    let bold: HPDF_Font
    /// What the top of every page after the first says.
    let continuation: String
    var pages: [HPDF_Page] = []
    var y: Float = 0

    init(doc: HPDF_Doc, regular: HPDF_Font, bold: HPDF_Font, continuation: String) {
        self.doc = doc; self.regular = regular; self.bold = bold; self.continuation = continuation
    }

    var page: HPDF_Page? { pages.last }

    // MARK: - The document

    mutating func document(_ receipt: Receipt, electronic: Receipt.Electronic, documentID: String, qr: [[Bool]]) {
        startPage(first: true)
        header(receipt, documentID: documentID)
        customer(receipt, electronic: electronic)
        table(receipt.lines)
        totals(receipt)
        y -= 6
        paragraph(electronic.amountInWords, size: 9, bold: true)
        if !electronic.paymentTerms.isEmpty {
            y -= 6
            for term in electronic.paymentTerms { paragraph(term, size: 9) }
        }
        y -= 10
        closing(electronic, qr: qr)
        if !receipt.footer.isEmpty {
            y -= 6
            for text in receipt.footer { paragraph(text, size: 8, centred: true) }
        }
    }

    /// Issuer on the left, the box with RUC, title and series-number on the right.
    private mutating func header(_ receipt: Receipt, documentID: String) {
        let boxWidth: Float = 230
        let boxX = Self.right - boxWidth
        let top = y
        let business = receipt.business
        let issuerWidth = boxX - Self.margin - 12
        var issuer: [(String, Float, Bool)] = [(business.tradeName, 14, true)]
        if business.legalName != business.tradeName { issuer.append((business.legalName, 10, true)) }
        if let address = business.address { issuer.append((address, 9, false)) }
        issuer.append((business.sedeName, 9, false))
        if let phone = business.phone { issuer.append(("Tel. " + phone, 9, false)) }
        for (text, size, isBold) in issuer {
            for line in wrap(text, width: issuerWidth, size: size, bold: isBold).prefix(3) {
                y -= size + 3
                show(line, x: Self.margin, y: y, size: size, bold: isBold)
            }
        }
        let issuerBottom = y

        var box: [(String, Float)] = []
        for line in wrap("R.U.C. N° " + business.ruc, width: boxWidth - 16, size: 11, bold: true).prefix(2) { box.append((line, 11)) }
        for line in wrap(receipt.title, width: boxWidth - 16, size: 11, bold: true).prefix(3) { box.append((line, 11)) }
        for line in wrap(documentID, width: boxWidth - 16, size: 12, bold: true).prefix(2) { box.append((line, 12)) }
        let boxHeight = box.reduce(Float(12)) { $0 + $1.1 + 6 }
        var lineY = top
        lineY -= 6
        for (line, size) in box {
            lineY -= size + 6
            show(line, x: boxX + (boxWidth - textWidth(line, size: size, bold: true)) / 2, y: lineY, size: size, bold: true)
        }
        rectangle(x: boxX, y: top - boxHeight, width: boxWidth, height: boxHeight, fill: false)
        y = min(issuerBottom, top - boxHeight) - 14
        if receipt.reprint { paragraph("*** REIMPRESIÓN ***", size: 9, bold: true) }
    }

    private mutating func customer(_ receipt: Receipt, electronic: Receipt.Electronic) {
        var rows: [(String, String)] = []
        if let customer = receipt.customer {
            rows.append(("Señor(es):", customer.name))
            if let document = customer.document { rows.append((document.type.label + ":", document.number)) }
        }
        if let address = electronic.customerAddress { rows.append(("Dirección:", address)) }
        rows.append(("Fecha de emisión:", receipt.issuedAt))
        rows.append(("Moneda:", "SOLES"))
        rows.append(("Venta N°:", receipt.saleNumber))
        if !receipt.pets.isEmpty { rows.append((receipt.pets.count == 1 ? "Mascota:" : "Mascotas:", receipt.pets.joined(separator: ", "))) }
        let labelWidth: Float = 90
        for (label, value) in rows {
            let lines = wrap(value, width: Self.contentWidth - labelWidth, size: 9, bold: false)
            for (i, line) in lines.enumerated() {
                newLine(12)
                if i == 0 { show(label, x: Self.margin, y: y, size: 9, bold: true) }
                show(line, x: Self.margin + labelWidth, y: y, size: 9, bold: false)
            }
        }
        if !electronic.reference.isEmpty {
            y -= 6
            for line in electronic.reference { paragraph(line, size: 9, bold: true) }
        }
        y -= 12
    }

    // MARK: - Lines

    struct Column {
        let title: String
        let x: Float
        let width: Float
        let alignRight: Bool
    }

    /// Cantidad, unidad, descripción, precio unitario, descuento, importe.
    private static let columns: [Column] = {
        let widths: [Float] = [42, 48, PageWriter.contentWidth - 42 - 48 - 70 - 60 - 75, 70, 60, 75]
        let titles = ["Cant.", "Unidad", "Descripción", "P. unit.", "Dscto.", "Importe"]
        var x = PageWriter.margin
        var out: [Column] = []
        for (i, width) in widths.enumerated() {
            out.append(Column(title: titles[i], x: x, width: width, alignRight: i != 1 && i != 2))
            x += width
        }
        return out
    }()
    private static let cellPadding: Float = 4
    private static let rowLine: Float = 11

    private mutating func tableHeader() {
        let height: Float = 16
        if y - height < Self.bottom { startPage(first: false) }
        y -= height
        HPDF_Page_SetGrayFill(page, 0.85)
        rectangle(x: Self.margin, y: y, width: Self.contentWidth, height: height, fill: true)
        HPDF_Page_SetGrayFill(page, 0)
        for column in Self.columns {
            cell(column.title, column: column, baseline: y + 5, size: 8, bold: true)
        }
    }

    private mutating func table(_ lines: [Receipt.Line]) {
        tableHeader()
        let descriptionColumn = Self.columns[2]
        for line in lines {
            let description = wrap(line.description, width: descriptionColumn.width - 2 * Self.cellPadding, size: 8, bold: false)
            var next = 0
            while next < description.count {
                var room = Int((y - Self.bottom - 3) / Self.rowLine)
                if room < 1 {
                    startPage(first: false)
                    tableHeader()
                    room = max(1, Int((y - Self.bottom - 3) / Self.rowLine))
                }
                let chunk = description[next..<min(description.count, next + room)]
                for (i, text) in chunk.enumerated() {
                    y -= Self.rowLine
                    let baseline = y + 2
                    if next == 0 && i == 0 {
                        cell(String(line.quantity), column: Self.columns[0], baseline: baseline, size: 8, bold: false)
                        cell(line.unit ?? "", column: Self.columns[1], baseline: baseline, size: 8, bold: false)
                        cell(line.unitPrice.plain, column: Self.columns[3], baseline: baseline, size: 8, bold: false)
                        cell(line.discount == .zero ? "" : line.discount.plain, column: Self.columns[4], baseline: baseline, size: 8, bold: false)
                        cell(line.total.plain, column: Self.columns[5], baseline: baseline, size: 8, bold: false)
                    }
                    cell(text, column: descriptionColumn, baseline: baseline, size: 8, bold: false)
                }
                y -= 3
                next += chunk.count
                HPDF_Page_SetGrayStroke(page, 0.75)
                HPDF_Page_SetLineWidth(page, 0.5)
                HPDF_Page_MoveTo(page, Self.margin, y)
                HPDF_Page_LineTo(page, Self.right, y)
                HPDF_Page_Stroke(page)
                HPDF_Page_SetGrayStroke(page, 0)
            }
        }
        y -= 8
    }

    /// Text in a table column, cut to fit it (the description is wrapped before).
    private func cell(_ text: String, column: Column, baseline: Float, size: Float, bold isBold: Bool) {
        let room = column.width - 2 * Self.cellPadding
        let fitted = wrap(text, width: room, size: size, bold: isBold).first ?? ""
        let x = column.alignRight ? column.x + column.width - Self.cellPadding - textWidth(fitted, size: size, bold: isBold)
            : column.x + Self.cellPadding
        show(fitted, x: x, y: baseline, size: size, bold: isBold)
    }

    // MARK: - Totals and the end

    private mutating func totals(_ receipt: Receipt) {
        let totals = receipt.totals
        var rows: [(String, String, Bool)] = [
            ("Op. gravada", totals.taxed.formatted, false),
            ("Op. exonerada", totals.exonerated.formatted, false),
            ("Op. inafecta", totals.unaffected.formatted, false),
            ("IGV \(IGV.ratePercent)%", totals.igv.formatted, false),
        ]
        if totals.discount != .zero { rows.append(("Descuentos", totals.discount.formatted, false)) }
        rows.append(("Importe total", totals.total.formatted, true))
        if totals.rounding != .zero {
            rows.append(("Redondeo", totals.rounding.formatted, false))
            rows.append(("Importe a pagar", totals.amountDue.formatted, true))
        }
        let labelX = Self.right - 220
        for (label, amount, isBold) in rows {
            newLine(13)
            let amountText = wrap(amount, width: 110, size: 9, bold: isBold).first ?? ""
            show(label, x: labelX, y: y, size: 9, bold: isBold)
            show(amountText, x: Self.right - textWidth(amountText, size: 9, bold: isBold), y: y, size: 9, bold: isBold)
        }
    }

    /// The QR code on the left, the representation line, the hash and the consult address beside it.
    private mutating func closing(_ electronic: Receipt.Electronic, qr: [[Bool]]) {
        let quiet = 4
        let modules = qr.count + 2 * quiet
        let side: Float = 120
        let module = side / Float(modules)
        if y - side < Self.bottom { startPage(first: false) }
        let top = y
        let qrPage = pages.count
        let left = Self.margin + Float(quiet) * module
        let qrTop = top - Float(quiet) * module
        // Dark runs of a row as one rectangle each: no seams between modules when rasterised.
        for (row, modulesInRow) in qr.enumerated() {
            var column = 0
            while column < modulesInRow.count {
                guard modulesInRow[column] else { column += 1; continue }
                var end = column
                while end < modulesInRow.count && modulesInRow[end] { end += 1 }
                HPDF_Page_Rectangle(page, left + Float(column) * module, qrTop - Float(row + 1) * module,
                                    Float(end - column) * module, module)
                column = end
            }
        }
        HPDF_Page_Fill(page)

        let textX = Self.margin + side + 12
        let columnWidth = Self.right - textX
        y = top - 8
        var texts: [(String, Bool)] = [(electronic.representation, true), ("Hash: " + electronic.digestValue, false)]
        if let url = electronic.consultURL { texts.append((url, false)) }
        for (text, isBold) in texts {
            for line in wrap(text, width: columnWidth, size: 9, bold: isBold) {
                newLine(12)
                show(line, x: textX, y: y, size: 9, bold: isBold)
            }
        }
        if pages.count == qrPage { y = min(y, top - side) }
    }

    // MARK: - Pages

    private mutating func startPage(first: Bool) {
        let page = HPDF_AddPage(doc)
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT)
        guard let page else { return }
        pages.append(page)
        y = Self.pageHeight - Self.margin
        if !first {
            for line in wrap(continuation + " (continuación)", width: Self.contentWidth, size: 9, bold: true).prefix(2) {
                y -= 12
                show(line, x: Self.margin, y: y, size: 9, bold: true)
            }
            y -= 10
        }
    }

    /// «Página n de N» at the foot of every page.
    func numberPages() {
        for (i, page) in pages.enumerated() {
            let text = "Página \(i + 1) de \(pages.count)"
            let size: Float = 8
            let x = Self.right - textWidth(text, size: size, bold: false)
            draw(text, on: page, x: x, y: Self.margin, size: size, bold: false)
        }
    }

    /// Moves down one line of `height`, on a new page when it would go into the bottom margin.
    private mutating func newLine(_ height: Float) {
        if y - height < Self.bottom { startPage(first: false) }
        y -= height
    }

    /// `text` wrapped to the content width, one line at a time.
    private mutating func paragraph(_ text: String, size: Float, bold isBold: Bool = false, centred: Bool = false) {
        for line in wrap(text, width: Self.contentWidth, size: size, bold: isBold) {
            newLine(size + 4)
            let x = centred ? Self.margin + (Self.contentWidth - textWidth(line, size: size, bold: isBold)) / 2 : Self.margin
            show(line, x: x, y: y, size: size, bold: isBold)
        }
    }

    // MARK: - Drawing

    private func show(_ text: String, x: Float, y: Float, size: Float, bold isBold: Bool) {
        guard let page else { return }
        draw(text, on: page, x: x, y: y, size: size, bold: isBold)
    }

    private func draw(_ text: String, on page: HPDF_Page, x: Float, y: Float, size: Float, bold isBold: Bool) {
        guard !text.isEmpty else { return }
        HPDF_Page_BeginText(page)
        HPDF_Page_SetFontAndSize(page, isBold ? bold : regular, size)
        HPDF_Page_TextOut(page, x, y, CP1252.cString(text))
        HPDF_Page_EndText(page)
    }

    private func rectangle(x: Float, y: Float, width: Float, height: Float, fill: Bool) {
        HPDF_Page_SetLineWidth(page, 0.8)
        HPDF_Page_Rectangle(page, x, y, width, height)
        if fill { HPDF_Page_Fill(page) } else { HPDF_Page_Stroke(page) }
    }

    /// The width of `text` in points, as it prints.
    private func textWidth(_ text: String, size: Float, bold isBold: Bool) -> Float {
        let bytes = CP1252.bytes(text)
        guard !bytes.isEmpty else { return 0 }
        let measured = HPDF_Font_TextWidth(isBold ? bold : regular, bytes, HPDF_UINT(bytes.count))
        return Float(measured.width) * size / 1000
    }

    /// `text` in lines no wider than `width` points, broken at spaces; a word longer than a line is
    /// cut. Always at least one line (empty for empty text).
    private func wrap(_ text: String, width: Float, size: Float, bold isBold: Bool) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if textWidth(candidate, size: size, bold: isBold) <= width { current = candidate; continue }
            if !current.isEmpty { lines.append(current); current = "" }
            for ch in word {
                let longer = current + String(ch)
                if !current.isEmpty && textWidth(longer, size: size, bold: isBold) > width {
                    lines.append(current)
                    current = String(ch)
                } else {
                    current = longer
                }
            }
        }
        lines.append(current)
        return lines
    }
}
