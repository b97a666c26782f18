import VetCore
import VetStore

/// A hand correction of one lot: the quantity in or out, the reason, a note and, for a controlled
/// drug, a witness's user and clave. The act's id is made when the screen opens, so saving twice
/// (after an error, or a double ^S) records it once.
public struct AdjustStockScreen: KeyBound {
    let session: Session
    let item: CatalogItem
    let actID: String
    var form: Form
    var discard = DiscardGuard()
    let choices: Choices
    var message: String?

    public init(session: Session, item: CatalogItem, lot: LotBalance?, actID: String = UUIDv7Generator().make()) {
        self.session = session
        self.item = item
        self.actID = actID
        choices = Choices(options: ["reason": AdjustmentReason.allCases.map(\.label), "direction": ["Salida (−)", "Entrada (+)"]])
        var fields = [
            Form.Field(id: "direction", label: "Movimiento", input: TextField("Salida (−)"), help: "← → cambia"),
            Form.Field(id: "quantity", label: "Cantidad (\(item.baseUnit))", input: TextField(maxLength: 12), help: "Número entero"),
            Form.Field(id: "reason", label: "Motivo", input: TextField(AdjustmentReason.rotura.label), help: "← → cambia el motivo"),
        ]
        if item.tracksLots {
            fields.insert(contentsOf: [
                Form.Field(id: "lot", label: "Lote", input: TextField(lot?.lotCode ?? "", maxLength: StockRules.maxLotCodeLength)),
                Form.Field(id: "expiry", label: "Vencimiento", input: TextField(lot?.expiry?.display ?? "", maxLength: 10), help: "dd/mm/aaaa o mm/aaaa"),
            ], at: 0)
        }
        fields.append(Form.Field(id: "note", label: "Nota", input: TextField(maxLength: 200)))
        if item.controlled {
            fields.append(Form.Field(id: "witness", label: "Testigo (usuario)", input: TextField(maxLength: 32), help: "Otra persona de la sede"))
            fields.append(Form.Field(id: "witnessKey", label: "Clave del testigo", input: TextField(secure: true, maxLength: 72)))
        }
        form = Form(fields: fields, fieldWidth: 24)
        discard.start(form)
    }

    public var title: String { "Ajuste · \(item.name)" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<AdjustStockScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Guardar") { s, key, context in s.formKey(key, context) },
            KeyBinding([.ctrl("s")], hint: "^S", label: "Guardar") { s, _, context in s.submit(context) },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, key, _ in s.discard.update(key, s.form) ?? .pop },
        ]
    }

    struct Saved {}

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let decided = discard.update(key, form) { return decided }
            if let command = dispatch(key, context) { return command }
            if choices.handle(key, form: &form) { return .none }
            return formKey(key, context)
        case .message(is Saved):
            return popAndReload("Ajuste registrado")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    mutating func formKey(_ key: Key, _ context: ScreenContext) -> Command {
        switch form.update(key) {
        case .submit: return submit(context)
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    mutating func submit(_ context: ScreenContext) -> Command {
        form.clearErrors()
        var lot = LotChoice(lotCode: "", expiry: nil)
        do {
            let quantity = try StockRules.quantity(form["quantity"], unit: item.baseUnit)
            if item.tracksLots {
                lot = LotChoice(lotCode: try StockRules.lotCode(form["lot"]), expiry: try StockRules.expiry(form["expiry"]))
            }
            guard let reason = AdjustmentReason.allCases.first(where: { $0.label == form["reason"] }) else { return .none }
            let signed = form["direction"].hasPrefix("Entrada") ? quantity : -quantity
            let witness = item.controlled ? (username: form["witness"], password: form["witnessKey"]) : nil
            let session = session, itemID = item.id, note = form["note"], actID = actID, chosen = lot
            return .perform { services in
                try services.store.adjust(actID: actID, itemID: itemID, lot: chosen, quantity: signed, reason: reason, note: note,
                                          witness: witness, by: session)
                return Saved()
            }
        } catch let problem as StockRules.Problem {
            switch problem {
            case .quantity(let m): form.setError("quantity", m); form.focus("quantity")
            case .lotCode(let m): form.setError("lot", m); form.focus("lot")
            case .expiry(let m): form.setError("expiry", m); form.focus("expiry")
            }
            message = "Revise los campos marcados; no se guardó nada"
            return .none
        } catch {
            message = "\(error)"
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var shown = form
        for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
            shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
        }
        shown.render(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
        if item.controlled {
            canvas.put("Medicamento controlado: el ajuste queda en el libro de control con el testigo.", x: area.x + 2,
                       y: area.y + area.height - 2, style: .warning, maxWidth: area.width - 4)
        }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        discard.render(into: &canvas, area: area)
    }
}

/// The item's minimum and ideal levels at this sede: under the minimum, a line goes to the
/// warehouse request by itself.
public struct StockLevelScreen: KeyBound {
    let session: Session
    let row: StockRow
    var form: Form
    var message: String?

    public init(session: Session, row: StockRow) {
        self.session = session
        self.row = row
        form = Form(fields: [
            Form.Field(id: "minimum", label: "Mínimo (\(row.item.baseUnit))", input: TextField(row.minimum.map(String.init) ?? "", maxLength: 9)),
            Form.Field(id: "ideal", label: "Ideal (\(row.item.baseUnit))", input: TextField(row.ideal.map(String.init) ?? "", maxLength: 9)),
        ], fieldWidth: 12)
    }

    public var title: String { "Niveles · \(row.item.name)" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<StockLevelScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Guardar") { s, key, _ in s.formKey(key) },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    struct Saved {}

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? formKey(key)
        case .message(is Saved):
            return popAndReload("Niveles guardados")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    mutating func formKey(_ key: Key) -> Command {
        switch form.update(key) {
        case .submit:
            form.clearErrors()
            func level(_ id: String) -> Int64? {
                let text = form[id].trimmingCharacters(in: .whitespaces)
                if text == "0" { return 0 }
                guard let value = try? StockRules.quantity(text) else {
                    form.setError(id, "Un número entero de 0 en adelante")
                    return nil
                }
                return value
            }
            guard let minimum = level("minimum"), let ideal = level("ideal") else { return .none }
            let session = session, itemID = row.item.id
            return .perform { services in
                try services.store.setLevel(itemID: itemID, minimum: minimum, ideal: ideal, by: session)
                return Saved()
            }
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        form.render(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
        canvas.put("Stock: \(row.onHand)" + (row.inTransit > 0 ? " · en tránsito \(row.inTransit)" : ""), x: area.x + 2, y: area.y + 6, style: .hint)
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}
