/// The characters per line of an 80 mm receipt printer in its standard font: 48 on printers with a
/// 576-dot head (72 mm printable), 42 on those with 512 dots. Other widths are not printers this
/// layout is made for, so they cannot be expressed: the printer configuration refuses them.
public enum ReceiptColumns: Int, Sendable, CaseIterable {
    case narrow = 42
    case wide = 48
}

/// One printed line: its text (never wider than the layout's columns, in terminal cells, with no
/// trailing spaces) and how it is printed. `large` is bold and double height, never double width,
/// so its text takes the same cells as on screen.
///
/// A line with a `qrCode` is not text: the printer prints a QR code of that content, centred, and
/// `text` is what a preview shows in its place («[código QR]», centred).
public struct ReceiptLine: Sendable, Equatable {
    public enum Emphasis: Sendable, Equatable {
        case normal
        case bold
        case large
    }

    public var text: String
    public var emphasis: Emphasis
    /// The QR code's content when the line is a QR code.
    public var qrCode: String?

    public init(_ text: String, _ emphasis: Emphasis = .normal) { self.text = text; self.emphasis = emphasis }

    /// A QR code of `content`, previewed as «[código QR]» centred in `columns`; «[QR no imprimible]»
    /// when the printer cannot print that content (`EscPos.canPrintQR`), which is then what prints.
    public static func qrCode(_ content: String, columns: ReceiptColumns) -> ReceiptLine {
        let placeholder = EscPos.canPrintQR(content) ? "[código QR]" : "[QR no imprimible]"
        var line = ReceiptLine(String(repeating: " ", count: (columns.rawValue - TextCells.width(of: placeholder)) / 2) + placeholder)
        line.qrCode = content
        return line
    }
}

/// Lays a `Receipt` out in lines of at most `columns` terminal cells: the printout and its on-screen
/// preview are the same lines. Text is cleaned first so each character shows in as many cells as it
/// is measured: line breaks and tabs become spaces, other control characters and characters that
/// take no cell on their own become `?`.
///
/// A SUNAT electronic document (`receipt.electronic`) also prints the customer's address under the
/// customer, the reference (the document a nota modifies and why) after the customer, the leyenda
/// (the total in words) under the totals, the payment terms after the payments, and before the
/// footer: the representation line, «Hash: …», the QR code and where to consult the document.
///
/// Lines that would only say nothing are left out: «Descuentos» when there is no discount,
/// «Redondeo» and «A PAGAR» when there is no cash rounding (the amount to pay is then the total),
/// «Saldo pendiente» when the sale is paid.
public struct ReceiptLayout: Sendable {
    public let columns: ReceiptColumns

    public init(columns: ReceiptColumns) { self.columns = columns }

    private var width: Int { columns.rawValue }

    public func lines(for receipt: Receipt) -> [ReceiptLine] {
        var out: [ReceiptLine] = []
        let business = receipt.business
        out += centered(business.tradeName, .bold)
        out += centered(business.legalName)
        out += centered("RUC " + business.ruc)
        out += centered(business.sedeName)
        if let address = business.address { out += centered(address) }
        if let phone = business.phone { out += centered("Tel. " + phone) }
        out.append(rule)

        out += centered(receipt.title, .large)
        if let documentID = receipt.documentID { out += centered(documentID, .large) }
        if receipt.reprint { out += centered("*** REIMPRESIÓN ***", .bold) }
        out.append(rule)

        out += wrapped("Venta Nº: " + receipt.saleNumber)
        out += wrapped("Fecha: " + receipt.issuedAt)
        out += wrapped("Cajero: " + receipt.cashier)
        if let customer = receipt.customer {
            out += wrapped("Cliente: " + customer.name)
            if let document = customer.document { out += wrapped(document.type.label + ": " + document.number) }
        }
        if let address = receipt.electronic?.customerAddress { out += wrapped("Dirección: " + address) }
        for reference in receipt.electronic?.reference ?? [] { out += wrapped(reference) }
        if !receipt.pets.isEmpty {
            out += wrapped((receipt.pets.count == 1 ? "Mascota: " : "Mascotas: ") + receipt.pets.joined(separator: ", "))
        }
        out.append(rule)

        for line in receipt.lines {
            out += wrapped(line.description)
            var detail = "\(line.quantity) x \(line.unitPrice.formatted)"
            if line.discount != .zero { detail += " - Dscto. " + line.discount.formatted }
            out += leftAndRight(detail, line.total.formatted, indent: 2)
        }
        out.append(rule)

        let totals = receipt.totals
        out += total("Op. gravada", totals.taxed.formatted)
        out += total("Op. exonerada", totals.exonerated.formatted)
        out += total("Op. inafecta", totals.unaffected.formatted)
        out += total("IGV \(IGV.ratePercent)%", totals.igv.formatted)
        if totals.discount != .zero { out += total("Descuentos", subtracted(totals.discount)) }
        out += total("TOTAL", totals.total.formatted, .large)
        if totals.rounding != .zero {
            out += total("Redondeo", totals.rounding.formatted)
            out += total("A PAGAR", totals.amountDue.formatted, .large)
        }
        if let electronic = receipt.electronic { out += wrapped(electronic.amountInWords) }

        if !receipt.payments.isEmpty {
            out.append(rule)
            out += wrapped("Pagos")
            for payment in receipt.payments {
                out += leftAndRight(payment.method, payment.amount.formatted, indent: 2)
                if let cash = payment.cash {
                    out += leftAndRight("Recibido", cash.tendered.formatted, indent: 4)
                    out += leftAndRight("Vuelto", cash.change.formatted, indent: 4)
                }
            }
        }
        if receipt.balanceDue != .zero {
            out.append(rule)
            out += leftAndRight("Saldo pendiente", receipt.balanceDue.formatted, emphasis: .bold)
        }
        if !receipt.instalments.isEmpty {
            out += wrapped("Plan de pagos")
            for instalment in receipt.instalments {
                out += leftAndRight("Cuota \(instalment.number), vence \(instalment.due)", instalment.amount.formatted, indent: 2)
            }
        }

        if let electronic = receipt.electronic {
            if !electronic.paymentTerms.isEmpty {
                out.append(rule)
                for term in electronic.paymentTerms { out += wrapped(term) }
            }
            out.append(rule)
            out += centered(electronic.representation)
            out += wrapped("Hash: " + electronic.digestValue)
            out.append(.qrCode(electronic.qrText, columns: columns))
            if let url = electronic.consultURL { out += centered(url) }
        }
        if !receipt.footer.isEmpty {
            out.append(rule)
            for paragraph in receipt.footer { out += centered(paragraph) }
        }
        return out
    }

    // MARK: - Pieces

    private var rule: ReceiptLine { ReceiptLine(String(repeating: "-", count: width)) }

    /// An amount taken off, with its minus sign.
    private func subtracted(_ amount: Money) -> String {
        amount < .zero ? amount.formatted : "-" + amount.formatted
    }

    private func wrapped(_ text: String) -> [ReceiptLine] {
        Self.wrap(text, width: width).map { ReceiptLine($0) }
    }

    private func centered(_ text: String, _ emphasis: ReceiptLine.Emphasis = .normal) -> [ReceiptLine] {
        Self.wrap(text, width: width).map { line in
            ReceiptLine(String(repeating: " ", count: (width - TextCells.width(of: line)) / 2) + line, emphasis)
        }
    }

    /// `left` (indented) and `right` flush with the right edge on one line when both fit at least
    /// two spaces apart (one would run them together); else `left` wrapped and `right` on a line of its own.
    private func leftAndRight(_ left: String, _ right: String, indent: Int = 0,
                              emphasis: ReceiptLine.Emphasis = .normal) -> [ReceiptLine] {
        let leftText = String(repeating: " ", count: indent) + Self.clean(left)
        let rightText = Self.clean(right)
        let room = width - TextCells.width(of: leftText) - TextCells.width(of: rightText)
        if room >= 2 { return [ReceiptLine(leftText + String(repeating: " ", count: room) + rightText, emphasis)] }
        return Self.wrap(left, width: width, indent: indent).map { ReceiptLine($0, emphasis) }
            + Self.wrap(right, width: width).map { ReceiptLine(String(repeating: " ", count: width - TextCells.width(of: $0)) + $0, emphasis) }
    }

    /// A totals line: the labels of all totals start in one column (earlier only for a label and
    /// amount too long for it), their amounts end at the right edge.
    private func total(_ label: String, _ amount: String, _ emphasis: ReceiptLine.Emphasis = .normal) -> [ReceiptLine] {
        let labelText = Self.clean(label)
        let amountText = Self.clean(amount)
        let used = TextCells.width(of: labelText) + TextCells.width(of: amountText)
        let start = min(width - 28, width - used - 2)
        guard start >= 0 else { return leftAndRight(label, amount, emphasis: emphasis) }
        let gap = width - start - used
        return [ReceiptLine(String(repeating: " ", count: start) + labelText + String(repeating: " ", count: gap) + amountText, emphasis)]
    }

    // MARK: - Text

    /// `text` with every character taking the cells it is measured by: whitespace becomes a space,
    /// control characters and characters of no width on their own become `?`.
    static func clean(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch.isWhitespace { out.append(" ") }
            else if TextCells.width(of: ch) == 0 { out.append("?") }
            else { out.append(ch) }
        }
        return out
    }

    /// `text` wrapped at spaces into lines of at most `width` cells, every line indented by
    /// `indent`; a word longer than a line is cut. Runs of spaces collapse; no line ends in a space.
    static func wrap(_ text: String, width: Int, indent: Int = 0) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var current = pad
        var currentWidth = indent
        var empty = true
        func flush() {
            lines.append(current)
            current = pad
            currentWidth = indent
            empty = true
        }
        for word in clean(text).split(separator: " ") {
            let wordWidth = TextCells.width(of: word)
            if !empty && currentWidth + 1 + wordWidth > width { flush() }
            if !empty { current += " "; currentWidth += 1 }
            if currentWidth + wordWidth <= width {
                current += word
                currentWidth += wordWidth
                empty = false
                continue
            }
            // Longer than a whole line: cut it (a line always takes at least one character).
            for ch in word {
                let chWidth = TextCells.width(of: ch)
                if !empty && currentWidth + chWidth > width { flush() }
                current.append(ch)
                currentWidth += chWidth
                empty = false
            }
        }
        lines.append(empty ? "" : current)
        return lines
    }
}
