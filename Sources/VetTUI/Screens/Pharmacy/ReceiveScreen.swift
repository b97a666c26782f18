import VetCore
import VetStore

/// Goods received from a supplier: the guía or factura, then one line per lot, typed or scanned
/// (product by barcode, SKU or name; lot; expiry; quantity). Enter on the quantity adds the line;
/// ^S records the whole delivery at once. The act's id is made when the screen opens, so a second
/// ^S after an error never records the delivery twice.
public struct ReceiveScreen: KeyBound {
    struct Line: Equatable {
        var item: CatalogItem
        var lotCode: String
        var expiry: CivilDate?
        var quantity: Int64
    }

    let session: Session
    let actID: String
    var form: Form
    var lines: [Line] = []
    var discard = DiscardGuard()
    var message: String?
    var confirm: Modal?
    var saving = false

    public init(session: Session, actID: String = UUIDv7Generator().make()) {
        self.session = session
        self.actID = actID
        form = Form(fields: [
            Form.Field(id: "document", label: "Guía / factura", input: TextField(maxLength: 40), help: "Número del documento del proveedor"),
            Form.Field(id: "supplier", label: "Proveedor", input: TextField(maxLength: 120)),
            Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
            Form.Field(id: "lot", label: "Lote", input: TextField(maxLength: 40)),
            Form.Field(id: "expiry", label: "Vencimiento", input: TextField(maxLength: 10), help: "dd/mm/aaaa o mm/aaaa"),
            Form.Field(id: "quantity", label: "Cantidad", input: TextField(maxLength: 12), help: "Enter agrega la línea"),
        ], fieldWidth: 30)
        form.rowsPerField = 1
        discard.start(form)
    }

    public var title: String { "Farmacia · Recepción de mercadería" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ReceiveScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Agregar línea") { s, key, _ in s.formKey(key) },
            KeyBinding([.ctrl("s")], hint: "^S", label: "Registrar", enabled: !lines.isEmpty,
                       refusal: .toast("Agregue al menos una línea (Enter en la cantidad)", .warning)) { s, _, _ in
                s.confirm = Modal(title: "Registrar recepción",
                                  message: ["\(s.form["document"].isEmpty ? "(sin documento)" : s.form["document"]) · \(s.lines.count) \(s.lines.count == 1 ? "línea" : "líneas")",
                                            "¿Registrar la entrada al stock?"])
                return .none
            },
            KeyBinding([.ctrl("k")], hint: "^K", label: "Quitar última", enabled: !lines.isEmpty) { s, _, _ in
                s.lines.removeLast()
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, key, _ in s.escape(key) },
        ]
    }

    /// Esc asks before dropping typed lines or fields.
    mutating func escape(_ key: Key) -> Command {
        if !lines.isEmpty && discard.question == nil {
            var marked = form
            marked["document"] += " "
            return discard.update(key, marked) ?? .pop
        }
        return discard.update(key, form) ?? .pop
    }

    struct Resolved { let line: Line }
    struct Saved { let count: Int }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if discard.question != nil, let decided = discard.update(key, form) { return decided }
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed else { return .none }
                return save()
            }
            if let command = dispatch(key, context) { return command }
            return formKey(key)
        case .message(let resolved as Resolved):
            lines.append(resolved.line)
            for id in ["product", "lot", "expiry", "quantity"] { form[id] = "" }
            form.focus("product")
            message = nil
            return .none
        case .message(let saved as Saved):
            return popAndReload("Recepción registrada: \(saved.count) \(saved.count == 1 ? "línea" : "líneas")")
        case .message(let failure as PerformFailure):
            // A line that could not be added goes back to its product; a failed save keeps the form as it is.
            if !saving { form.focus("product") }
            saving = false
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    mutating func formKey(_ key: Key) -> Command {
        switch form.update(key) {
        case .submit: return addLine()
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    /// Checks the line typed and looks the product up; the line is added when the lookup answers.
    mutating func addLine() -> Command {
        form.clearErrors()
        let productText = form["product"].trimmingCharacters(in: .whitespaces)
        guard !productText.isEmpty else {
            form.setError("product", "Escanee o escriba el producto")
            form.focus("product")
            return .none
        }
        let quantity: Int64
        do { quantity = try StockRules.quantity(form["quantity"]) } catch {
            form.setError("quantity", "\(error)")
            return .none
        }
        let lotText = form["lot"], expiryText = form["expiry"], sedeID = session.sede.id
        return .perform { services in
            let store = services.store
            let item = try ProductLookup.product(productText, store: store, sedeID: sedeID)
            var lotCode = "", expiry: CivilDate?
            if item.tracksLots {
                do {
                    lotCode = try StockRules.lotCode(lotText)
                    let date = try StockRules.expiry(expiryText)
                    try StockRules.receivable(expiry: date, today: store.today)
                    expiry = date
                } catch let problem as StockRules.Problem {
                    throw StoreError.invalid("\(item.name): \(problem.description)")
                }
            }
            return Resolved(line: Line(item: item, lotCode: lotCode, expiry: expiry, quantity: quantity))
        }
    }

    mutating func save() -> Command {
        guard !saving else { return .none }
        saving = true
        let session = session, actID = actID, document = form["document"], supplier = form["supplier"]
        let stockLines = lines.map { StockLine(itemID: $0.item.id, lotCode: $0.lotCode, expiry: $0.expiry, quantity: $0.quantity) }
        return .perform { services in
            let written = try services.store.receive(actID: actID, document: document, supplier: supplier, lines: stockLines, by: session)
            return Saved(count: written.count)
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        form.render(into: &canvas, x: x, y: area.y + 1, width: width)
        var y = area.y + 1 + form.height(rowsPerField: 1) + 1
        canvas.put("Líneas de la recepción", x: x, y: y, style: .label)
        y += 1
        if lines.isEmpty {
            canvas.put("Aún no hay líneas: complete el producto, lote, vencimiento y cantidad, y pulse Enter.", x: x, y: y, style: .hint, maxWidth: width)
        }
        for (i, line) in lines.enumerated() where y < area.y + area.height - 2 {
            let lot = line.item.tracksLots ? "lote \(line.lotCode) · vence \(line.expiry?.display ?? "—")" : "sin lote"
            canvas.put("\(i + 1). \(line.item.sku) · \(line.item.name) · \(lot) · \(line.quantity) \(line.item.baseUnit)", x: x, y: y,
                       style: .normal, maxWidth: width)
            y += 1
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
        discard.render(into: &canvas, area: area)
    }
}
