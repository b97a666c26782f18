import VetCore
import VetStore

/// The recall trace of one lot as this sede knows it: every movement, and the pets and owners
/// (with phones) it reached. The network-wide trace comes from the central (`vetcentral trace`).
public struct TraceScreen: KeyBound {
    let session: Session
    var form: Form
    var result: (item: CatalogItem, lot: String, lines: [TraceLine])?
    var offset = 0
    var message: String?

    struct Traced { let item: CatalogItem; let lot: String; let lines: [TraceLine] }

    public init(session: Session) {
        self.session = session
        form = Form(fields: [
            Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
            Form.Field(id: "lot", label: "Lote", input: TextField(maxLength: 40), help: "Enter busca"),
        ], fieldWidth: 30)
        form.rowsPerField = 1
    }

    public var title: String { "Farmacia · Trazabilidad de un lote" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<TraceScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Buscar") { s, key, _ in s.formKey(key) },
            KeyBinding([.pageUp, .pageDown], hint: "RePág/AvPág", label: "Desplazar", enabled: result != nil) { s, key, _ in
                s.offset = key == .pageUp ? max(0, s.offset - 10) : min(max(0, (s.result?.lines.count ?? 0) - 1), s.offset + 10)
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    mutating func formKey(_ key: Key) -> Command {
        switch form.update(key) {
        case .submit:
            form.clearErrors()
            let text = form["product"].trimmingCharacters(in: .whitespaces), lotText = form["lot"], sedeID = session.sede.id
            guard !text.isEmpty else { form.setError("product", "Escanee o escriba el producto"); form.focus("product"); return .none }
            let lot: String
            do { lot = try StockRules.lotCode(lotText) } catch { form.setError("lot", "\(error)"); return .none }
            return .perform { services in
                let item = try ProductLookup.product(text, store: services.store, sedeID: sedeID)
                return Traced(item: item, lot: lot, lines: try services.store.traceLot(itemID: item.id, lotCode: lot))
            }
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? formKey(key)
        case .message(let traced as Traced):
            result = (traced.item, traced.lot, traced.lines)
            offset = 0
            message = nil
            return .none
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        form.render(into: &canvas, x: x, y: area.y + 1, width: width)
        if let result {
            let reached = Set(result.lines.compactMap(\.petName)).count
            canvas.put("\(result.item.name) · lote \(result.lot): \(result.lines.count) movimientos, \(reached) pacientes · solo esta sede (la traza de toda la red la da la central)",
                       x: x, y: area.y + 4, style: .label, maxWidth: width)
            for (i, line) in result.lines.dropFirst(offset).enumerated() where area.y + 6 + i < area.y + area.height - 1 {
                let m = line.movement
                let when = LimaTime.parseISO8601(m.at).map(LimaTime.dayAndClock) ?? m.at
                var text = "\(when) \(line.sedeCode) \(m.kind.label) \(m.quantity > 0 ? "+" : "")\(m.quantity)"
                if let pet = line.petName { text += " · \(pet)" }
                if let owner = line.ownerName { text += " · \(owner)" }
                if let phone = line.ownerPhone { text += " · tel. \(phone)" }
                canvas.put(text, x: x, y: area.y + 6 + i, style: line.petName == nil ? .normal : .warning, maxWidth: width)
            }
            if result.lines.isEmpty { canvas.put("Este lote no tiene movimientos en esta sede", x: x, y: area.y + 6, style: .hint) }
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
    }
}

/// The register of a controlled drug (libro de control) for one month: every movement with its
/// running balance, who made and witnessed it, the prescriber, patient and owner's document.
public struct ControlledRegisterScreen: KeyBound {
    let session: Session
    var form: Form
    var register: ControlledRegister?
    var offset = 0
    var message: String?

    struct Loaded { let register: ControlledRegister }

    public init(session: Session) {
        self.session = session
        form = Form(fields: [
            Form.Field(id: "product", label: "Controlado", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
            Form.Field(id: "month", label: "Mes", input: TextField(maxLength: 7), help: "mm/aaaa (vacío: este mes); Enter muestra"),
        ], fieldWidth: 30)
        form.rowsPerField = 1
    }

    public var title: String { "Farmacia · Libro de controlados" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ControlledRegisterScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Mostrar") { s, key, context in s.formKey(key, context) },
            KeyBinding([.pageUp, .pageDown], hint: "RePág/AvPág", label: "Desplazar", enabled: register != nil) { s, key, _ in
                s.offset = key == .pageUp ? max(0, s.offset - 10) : min(max(0, (s.register?.lines.count ?? 0) - 1), s.offset + 10)
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    mutating func formKey(_ key: Key, _ context: ScreenContext) -> Command {
        switch form.update(key) {
        case .submit:
            form.clearErrors()
            let text = form["product"].trimmingCharacters(in: .whitespaces), sedeID = session.sede.id
            guard !text.isEmpty else { form.setError("product", "Escanee o escriba el medicamento"); form.focus("product"); return .none }
            let typed = form["month"].trimmingCharacters(in: .whitespaces)
            guard let month = typed.isEmpty ? CivilDate(limaDayOf: context.now) : ControlledRegisterText.month(typed) else { form.setError("month", "Use mm/aaaa, p. ej. 11/2026"); return .none }
            return .perform { services in
                let item = try ProductLookup.product(text, store: services.store, sedeID: sedeID)
                return Loaded(register: try services.store.controlledRegister(itemID: item.id, sedeID: sedeID, month: month))
            }
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? formKey(key, context)
        case .message(let loaded as Loaded):
            register = loaded.register
            offset = 0
            message = nil
            return .none
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        form.render(into: &canvas, x: x, y: area.y + 1, width: width)
        if let register {
            let lines = ControlledRegisterText.lines(register)
            for (i, line) in lines.dropFirst(offset).enumerated() where area.y + 4 + i < area.y + area.height - 1 {
                canvas.put(line, x: x, y: area.y + 4 + i, style: i == 0 && offset == 0 ? .label : .normal, maxWidth: width)
            }
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
    }
}

/// The controlled drugs register as printed text (the screen, and `vetdesk stock register`).
public enum ControlledRegisterText {
    /// `mm/aaaa` as the first day of that month.
    public static func month(_ text: String) -> CivilDate? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/")
        guard parts.count == 2, let month = Int(parts[0]), let year = Int(parts[1]), (1...12).contains(month), (2000...2999).contains(year) else { return nil }
        return CivilDate(year: year, month: month, day: 1)
    }

    public static func lines(_ register: ControlledRegister) -> [String] {
        var out = ["Libro de control · \(register.item.name) (\(register.item.sku)) · \(String(format: "%02d/%04d", register.month.month, register.month.year))",
                   "Saldo inicial: \(register.opening) \(register.item.baseUnit)"]
        for line in register.lines {
            let m = line.movement
            let when = LimaTime.parseISO8601(m.at).map(LimaTime.dayAndClock) ?? m.at
            var text = "\(when) · \(m.kind.label) · \(m.quantity > 0 ? "+" : "")\(m.quantity) · saldo \(line.balance) · lote \(m.lotCode.isEmpty ? "—" : m.lotCode)"
            if let reason = m.reason { text += " · " + AdjustmentReason.parse(reason).label }
            if let prescriber = line.prescriber { text += " · receta de \(prescriber)" }
            if let pet = line.petName { text += " · paciente \(pet)" }
            if let doc = line.ownerDocument { text += " · propietario \(doc)" }
            text += " · \(line.userName)"
            if let witness = line.witnessName { text += " · testigo \(witness)" }
            out.append(text)
        }
        out.append("Saldo final: \(register.closing) \(register.item.baseUnit)")
        return out
    }
}
