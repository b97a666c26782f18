import VetCore
import VetStore

/// A stocktake: start one (whole sede, or one category), count lot by lot without seeing the
/// system's quantity, and a supervisor reviews the differences and approves them (A).
public struct StocktakeScreen: KeyBound {
    let session: Session
    var load: LoadState<Loaded>
    var form: Form
    var counted: [String] = []
    var review: [StocktakeDifference]?
    var confirm: Modal?
    var message: String?

    struct Loaded { let open: Stocktake? }
    struct Started {}
    struct Counted { let line: String }
    struct Reviewed { let differences: [StocktakeDifference] }
    struct Approved { let count: Int }

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in Loaded(open: try services.store.openStocktake(sedeID: sedeID)) }
        form = Form(fields: [
            Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
            Form.Field(id: "lot", label: "Lote", input: TextField(maxLength: 40), help: "Vacío si no tiene lote"),
            Form.Field(id: "expiry", label: "Vencimiento", input: TextField(maxLength: 10), help: "dd/mm/aaaa o mm/aaaa"),
            Form.Field(id: "counted", label: "Contado", input: TextField(maxLength: 12), help: "Enter registra el conteo"),
        ], fieldWidth: 30)
        form.rowsPerField = 1
    }

    public var title: String { "Farmacia · Inventario" }

    var open: Stocktake? { load.value?.open }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<StocktakeScreen>] {
        let session = session, manage = session.may(.manageStock)
        if review != nil {
            return [
                KeyBinding(letter: "a", label: "Aprobar", enabled: session.may(.approveStocktake)) { s, _, _ in
                    s.confirm = Modal(title: "Aprobar inventario", message: ["Las diferencias pasan al stock como ajustes de inventario.", "¿Aprobar?"])
                    return .none
                },
                KeyBinding([.escape], hint: "Esc", label: "Volver al conteo") { s, _, _ in s.review = nil; return .none },
            ]
        }
        guard let open else {
            return [
                KeyBinding(letter: "i", label: "Iniciar inventario de la sede", enabled: manage && load.isLoaded) { _, _, _ in
                    .perform { services in try services.store.startStocktake(by: session); return Started() }
                },
                LoadState.retry(\.load, in: self),
                KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
            ]
        }
        return [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Registrar", enabled: manage) { s, key, _ in s.formKey(key) },
            KeyBinding([.ctrl("r")], hint: "^R", label: "Revisar diferencias", enabled: session.may(.approveStocktake)) { _, _, _ in
                let id = open.id
                return .perform { services in Reviewed(differences: try services.store.stocktakeDifferences(stocktakeID: id)) }
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    mutating func formKey(_ key: Key) -> Command {
        switch form.update(key) {
        case .submit:
            form.clearErrors()
            guard let open else { return .none }
            let text = form["product"].trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { form.setError("product", "Escanee o escriba el producto"); form.focus("product"); return .none }
            let countedText = form["counted"].trimmingCharacters(in: .whitespaces)
            let quantity: Int64
            if countedText == "0" { quantity = 0 } else {
                do { quantity = try StockRules.quantity(countedText) } catch { form.setError("counted", "\(error)"); return .none }
            }
            let lotText = form["lot"], expiryText = form["expiry"], session = session
            return .perform { services in
                let item = try ProductLookup.product(text, store: services.store, sedeID: session.sede.id)
                var lot = "", expiry: CivilDate?
                if item.tracksLots && !lotText.trimmingCharacters(in: .whitespaces).isEmpty {
                    do {
                        lot = try StockRules.lotCode(lotText)
                        expiry = try StockRules.expiry(expiryText)
                    } catch let problem as StockRules.Problem { throw StoreError.invalid("\(item.name): \(problem.description)") }
                }
                try services.store.recordCount(stocktakeID: open.id, line: StockLine(itemID: item.id, lotCode: lot, expiry: expiry, quantity: quantity), by: session)
                return Counted(line: "\(item.name) · \(lot.isEmpty ? "sin lote" : "lote \(lot)") · contado \(quantity)")
            }
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if load.receive(event) != nil { return .none }
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let open else { return .none }
                let session = session
                return .perform { services in Approved(count: try services.store.approveStocktake(stocktakeID: open.id, by: session).count) }
            }
            if let command = dispatch(key, context) { return command }
            return open == nil || review != nil ? .ignored : formKey(key)
        case .message(is Started):
            return .batch([.toast("Inventario iniciado: cuente lote por lote", .ok), load.start()])
        case .message(let done as Counted):
            counted.insert(done.line, at: 0)
            for id in ["product", "lot", "expiry", "counted"] { form[id] = "" }
            form.focus("product")
            message = nil
            return .none
        case .message(let reviewed as Reviewed):
            review = reviewed.differences
            return .none
        case .message(let approved as Approved):
            review = nil
            counted = []
            return .batch([.toast("Inventario aprobado: \(approved.count) ajustes", .ok), load.start()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        if load.renderPlaceholder(into: &canvas, x: x, y: area.y + 1, width: width) { return }
        if let review {
            canvas.put("Diferencias (contado − sistema al momento de contar)", x: x, y: area.y + 1, style: .label)
            for (i, d) in review.enumerated() where area.y + 3 + i < area.y + area.height - 1 {
                let sign = d.difference > 0 ? "+\(d.difference)" : String(d.difference)
                canvas.put("\(d.item.name) · \(d.lotCode.isEmpty ? "sin lote" : d.lotCode) · contado \(d.counted) · sistema \(d.system) · \(sign)",
                           x: x, y: area.y + 3 + i, style: d.difference == 0 ? .normal : .warning, maxWidth: width)
            }
            if review.isEmpty { canvas.put("Aún no hay conteos", x: x, y: area.y + 3, style: .hint) }
        } else if let open {
            canvas.put("Inventario abierto desde \(LimaTime.parseISO8601(open.startedAt).map(LimaTime.dayAndClock) ?? open.startedAt)"
                       + (open.category.map { " · categoría \($0)" } ?? " · toda la sede") + " · conteo a ciegas", x: x, y: area.y + 1, style: .label, maxWidth: width)
            form.render(into: &canvas, x: x, y: area.y + 3, width: width)
            for (i, line) in counted.prefix(max(0, area.height - 10)).enumerated() {
                canvas.put(line, x: x, y: area.y + 9 + i, style: .normal, maxWidth: width)
            }
        } else {
            canvas.put("No hay un inventario abierto. Las ventas siguen durante el conteo.", x: x, y: area.y + 1, style: .hint, maxWidth: width)
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}
