import VetCore
import VetStore

/// Replenishment requests. At a clinic: its own requests to the warehouse (lines added by
/// themselves under the minimum, or by hand with A). At the warehouse: every sede's open
/// requests, and Enter ships one (lots FEFO), which answers it.
public struct ReplenishmentScreen: KeyBound {
    let session: Session
    var load: LoadState<[ReplenishmentRequest]>
    var table = Table(columns: [Table.Column("Pedido", width: 16), Table.Column("Sede", width: 7), Table.Column("Productos", width: 60, minWidth: 20),
                                Table.Column("Estado", width: 12)])
    var adding: Form?
    var message: String?

    var isWarehouse: Bool { session.sede.kind == "almacen" }

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id, warehouse = session.sede.kind == "almacen"
        load = LoadState { services in
            warehouse ? try services.store.replenishmentRequests(to: sedeID, openOnly: true) : try services.store.replenishmentRequests(from: sedeID)
        }
    }

    public var title: String { isWarehouse ? "Almacén · Pedidos de reposición" : "Farmacia · Reposición" }

    var selected: ReplenishmentRequest? {
        guard let list = load.value, list.indices.contains(table.selected) else { return nil }
        return list[table.selected]
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ReplenishmentScreen>] {
        let session = session, manage = session.may(.manageStock)
        if adding != nil {
            return [
                KeyBinding([.enter], hint: "Enter", label: "Siguiente / Pedir") { s, key, _ in s.addKey(key) },
                KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, _, _ in s.adding = nil; return .none },
            ]
        }
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Enviar", enabled: isWarehouse && manage && selected != nil) { s, _, _ in
                guard let request = s.selected else { return .none }
                return .push(ShipTransferScreen(session: session, toSedeID: request.sedeID, requestID: request.id,
                                                lines: request.lines.map { ($0.item, $0.quantity) }))
            },
            KeyBinding(letter: "a", label: "Agregar producto", enabled: !isWarehouse && manage) { s, _, _ in
                var form = Form(fields: [
                    Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
                    Form.Field(id: "quantity", label: "Cantidad", input: TextField(maxLength: 12)),
                ], fieldWidth: 30)
                form.rowsPerField = 1
                s.adding = form
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    struct Added {}

    mutating func addKey(_ key: Key) -> Command {
        guard var form = adding else { return .none }
        defer { adding = form }
        switch form.update(key) {
        case .submit:
            form.clearErrors()
            let text = form["product"].trimmingCharacters(in: .whitespaces)
            let quantity: Int64
            do { quantity = try StockRules.quantity(form["quantity"]) } catch { form.setError("quantity", "\(error)"); return .none }
            let session = session
            return .perform { services in
                let item = try ProductLookup.product(text, store: services.store, sedeID: session.sede.id)
                try services.store.requestReplenishment(itemID: item.id, quantity: quantity, by: session)
                return Added()
            }
        case .edited: message = nil; return .none
        default: return .none
        }
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let list) = received {
                table.setRows(list.map { r in
                    [LimaTime.parseISO8601(r.createdAt).map(LimaTime.dayAndClock) ?? r.createdAt, r.sedeCode,
                     r.lines.map { "\($0.item.name) ×\($0.quantity)" }.joined(separator: ", "), r.transferID == nil ? "Abierto" : "Enviado"]
                })
            }
            return .none
        }
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            if adding != nil { return addKey(key) }
            return .ignored
        case .message(is Added):
            adding = nil
            return .batch([.toast("Agregado al pedido de reposición", .ok), load.start()])
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        var t = table
        let height = area.height - (adding == nil ? 2 : 5)
        t.layout(height: height)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: height))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && (load.value ?? []).isEmpty {
            canvas.put(isWarehouse ? "No hay pedidos abiertos de las sedes" : "Sin pedidos de reposición", x: x + 1, y: area.y + 3, style: .hint)
        }
        if let adding { adding.render(into: &canvas, x: x + 1, y: area.y + area.height - 3, width: area.width - 4) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
