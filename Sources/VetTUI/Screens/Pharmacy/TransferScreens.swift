import VetCore
import VetStore

/// Transfers this sede shipped or was sent, newest first: in transit until the receiving sede
/// confirms what arrived. Enter on one addressed here and still in transit receives it; N ships a new one.
public struct TransfersScreen: KeyBound {
    let session: Session
    var load: LoadState<[StockTransfer]>
    var table = Table(columns: [Table.Column("Enviada", width: 16), Table.Column("Desde", width: 7), Table.Column("Hacia", width: 7),
                                Table.Column("Productos", width: 40, minWidth: 16), Table.Column("Estado", width: 26)])
    var message: String?

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in try services.store.transfers(sedeID: sedeID) }
    }

    public var title: String { "Farmacia · Transferencias" }

    var selected: StockTransfer? {
        guard let list = load.value, list.indices.contains(table.selected) else { return nil }
        return list[table.selected]
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<TransfersScreen>] {
        let session = session, manage = session.may(.manageStock)
        let receivable = selected.map { $0.toSedeID == session.sede.id && $0.inTransit } ?? false
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Recibir", enabled: receivable && manage) { s, _, _ in
                guard let transfer = s.selected else { return .none }
                return .push(ReceiveTransferScreen(session: session, transfer: transfer))
            },
            KeyBinding(letter: "n", label: "Nueva", enabled: manage,
                       refusal: .toast("Solo farmacia o un supervisor envían transferencias", .warning)) { _, _, _ in
                .push(ShipTransferScreen(session: session))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    static func state(_ t: StockTransfer, here: String) -> String {
        guard t.receivedAt != nil else { return t.toSedeID == here ? "En tránsito: por recibir" : "En tránsito" }
        let missing = t.lines.reduce(Int64(0)) { $0 + ($1.difference ?? 0) }
        return missing == 0 ? "Recibida completa" : "Recibida: faltan \(missing)"
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let list) = received {
                let here = session.sede.id
                table.setRows(list.map { t in
                    [LimaTime.parseISO8601(t.shippedAt).map(LimaTime.dayAndClock) ?? t.shippedAt, t.fromCode, t.toCode,
                     t.lines.map { "\($0.item.name) ×\($0.shipped)" }.joined(separator: ", "), Self.state(t, here: here)]
                })
                table.alertRows = Set(list.indices.filter { list[$0].inTransit && list[$0].toSedeID == here })
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
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
        t.layout(height: area.height - 2)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 2))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && (load.value ?? []).isEmpty { canvas.put("Sin transferencias", x: x + 1, y: area.y + 3, style: .hint) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}

/// Ships goods to another sede: the destination, then product and quantity per line (lots FEFO).
/// From a warehouse request, the destination and lines come filled in. The transfer's id is made
/// when the screen opens: a second ^S never ships twice.
public struct ShipTransferScreen: KeyBound {
    struct Line: Equatable { var item: CatalogItem; var quantity: Int64 }

    let session: Session
    let transferID: String
    let requestID: String?
    var destinations: [Sede] = []
    var destination: Int = 0
    let fixedDestination: String?
    var form: Form
    var lines: [Line]
    var message: String?
    var confirm: Modal?

    public init(session: Session, toSedeID: String? = nil, requestID: String? = nil, lines: [(CatalogItem, Int64)] = [],
                transferID: String = UUIDv7Generator().make()) {
        self.session = session
        self.transferID = transferID
        self.requestID = requestID
        self.fixedDestination = toSedeID
        self.lines = lines.map { Line(item: $0.0, quantity: $0.1) }
        form = Form(fields: [
            Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 60), help: "Código de barras, SKU o nombre"),
            Form.Field(id: "quantity", label: "Cantidad", input: TextField(maxLength: 12), help: "Enter agrega la línea"),
        ], fieldWidth: 30)
        form.rowsPerField = 1
    }

    public var title: String { "Farmacia · Enviar transferencia" }

    var target: Sede? { destinations.indices.contains(destination) ? destinations[destination] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ShipTransferScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Agregar") { s, key, _ in s.formKey(key) },
            KeyBinding([.pageUp, .pageDown], hint: "RePág/AvPág", label: "Destino", enabled: fixedDestination == nil && destinations.count > 1) { s, key, _ in
                s.destination = (s.destination + (key == .pageDown ? 1 : s.destinations.count - 1)) % s.destinations.count
                return .none
            },
            KeyBinding([.ctrl("s")], hint: "^S", label: "Enviar", enabled: !lines.isEmpty && target != nil) { s, _, _ in
                s.confirm = Modal(title: "Enviar transferencia", message: ["A \(s.target?.code ?? "?") · \(s.target?.name ?? "")",
                                                                         "\(s.lines.count) \(s.lines.count == 1 ? "línea" : "líneas"); los lotes salen por FEFO.",
                                                                         "¿Enviar? Queda en tránsito hasta que la reciban."])
                return .none
            },
            KeyBinding([.ctrl("k")], hint: "^K", label: "Quitar última", enabled: !lines.isEmpty) { s, _, _ in s.lines.removeLast(); return .none },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    struct Destinations { let sedes: [Sede] }
    struct Resolved { let line: Line }
    struct Shipped { let to: String }

    public func onAppear() -> Command {
        let sedeID = session.sede.id
        return .perform { services in Destinations(sedes: try services.store.transferDestinations(from: sedeID)) }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let target else { return .none }
                let session = session, id = transferID, requestID = requestID
                let stockLines = lines.map { StockLine(itemID: $0.item.id, quantity: $0.quantity) }
                return .perform { services in
                    try services.store.shipTransfer(transferID: id, to: target.id, lines: stockLines, requestID: requestID, by: session)
                    return Shipped(to: target.code)
                }
            }
            return dispatch(key, context) ?? formKey(key)
        case .message(let found as Destinations):
            destinations = found.sedes
            if let fixed = fixedDestination, let index = destinations.firstIndex(where: { $0.id == fixed }) { destination = index }
            if destinations.isEmpty { message = "No hay otras sedes a las que enviar" }
            return .none
        case .message(let resolved as Resolved):
            lines.append(resolved.line)
            form["product"] = ""
            form["quantity"] = ""
            form.focus("product")
            message = nil
            return .none
        case .message(let shipped as Shipped):
            return popAndReload("Transferencia enviada a \(shipped.to): en tránsito")
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
            let text = form["product"].trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { form.setError("product", "Escanee o escriba el producto"); form.focus("product"); return .none }
            let quantity: Int64
            do { quantity = try StockRules.quantity(form["quantity"]) } catch { form.setError("quantity", "\(error)"); return .none }
            let sedeID = session.sede.id
            return .perform { services in
                Resolved(line: Line(item: try ProductLookup.product(text, store: services.store, sedeID: sedeID), quantity: quantity))
            }
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        canvas.put("Destino:", x: x, y: area.y + 1, style: .label)
        let name = target.map { "\($0.code) · \($0.name)" + ($0.kind == "almacen" ? " (almacén)" : "") } ?? "—"
        canvas.put(fixedDestination == nil && destinations.count > 1 ? "◂ \(name) ▸" : name, x: x + 11, y: area.y + 1, style: .normal, maxWidth: width - 11)
        form.render(into: &canvas, x: x, y: area.y + 3, width: width)
        var y = area.y + 6
        canvas.put("Líneas", x: x, y: y, style: .label)
        y += 1
        for (i, line) in lines.enumerated() where y < area.y + area.height - 2 {
            canvas.put("\(i + 1). \(line.item.sku) · \(line.item.name) · \(line.quantity) \(line.item.baseUnit)", x: x, y: y, style: .normal, maxWidth: width)
            y += 1
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}

/// Confirms a transfer that arrived: per shipped lot, what arrived (all of it unless changed).
/// Differences are recorded and both sedes see them.
public struct ReceiveTransferScreen: KeyBound {
    let session: Session
    let transfer: StockTransfer
    var received: [TextField]
    var focus = 0
    var message: String?
    var confirm: Modal?

    public init(session: Session, transfer: StockTransfer) {
        self.session = session
        self.transfer = transfer
        received = transfer.lines.map { TextField(String($0.shipped), maxLength: 12) }
    }

    public var title: String { "Farmacia · Recibir transferencia de \(transfer.fromCode)" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<ReceiveTransferScreen>] {
        [
            KeyBinding([.up, .down, .tab], hint: "↑↓", label: "Línea") { s, key, _ in
                guard !s.received.isEmpty else { return .none }
                s.focus = key == .up ? max(0, s.focus - 1) : min(s.received.count - 1, s.focus + 1)
                return .none
            },
            KeyBinding([.ctrl("s"), .enter], hint: "^S", label: "Confirmar recepción") { s, _, _ in
                var missing: Int64 = 0
                for (i, line) in s.transfer.lines.enumerated() {
                    guard let value = s.quantity(s.received[i].text), value <= line.shipped else {
                        s.focus = i
                        s.message = "\(line.item.name): lo recibido es un entero entre 0 y \(line.shipped)"
                        return .none
                    }
                    missing += line.shipped - value
                }
                s.confirm = Modal(title: "Confirmar recepción", message: [missing == 0 ? "Llegó todo lo enviado." : "Faltan \(missing) en total: queda registrado.",
                                                                        "¿Confirmar? Solo se recibe una vez."])
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    func quantity(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed == "0" ? 0 : try? StockRules.quantity(trimmed)
    }

    struct Done { let missing: Int64 }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed else { return .none }
                let lines = transfer.lines.enumerated().map { i, line in
                    StockLine(itemID: line.item.id, lotCode: line.lotCode, expiry: line.expiry, quantity: quantity(received[i].text) ?? line.shipped)
                }
                let session = session, id = transfer.id
                return .perform { services in
                    let done = try services.store.receiveTransfer(transferID: id, received: lines, by: session)
                    return Done(missing: done.lines.reduce(0) { $0 + ($1.difference ?? 0) })
                }
            }
            if let command = dispatch(key, context) { return command }
            if received.indices.contains(focus), received[focus].handle(key) { message = nil; return .none }
            return .ignored
        case .message(let done as Done):
            return popAndReload(done.missing == 0 ? "Transferencia recibida completa" : "Transferencia recibida; faltan \(done.missing)")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        canvas.put("Enviada el \(LimaTime.parseISO8601(transfer.shippedAt).map(LimaTime.dayAndClock) ?? transfer.shippedAt) por \(transfer.fromCode)",
                   x: x, y: area.y + 1, style: .label, maxWidth: width)
        for (i, line) in transfer.lines.enumerated() where area.y + 3 + i < area.y + area.height - 2 {
            let y = area.y + 3 + i
            let lot = line.lotCode.isEmpty ? "sin lote" : "lote \(line.lotCode) vence \(line.expiry?.display ?? "—")"
            canvas.put("\(line.item.name) · \(lot) · enviado \(line.shipped) · recibido:", x: x, y: y, style: .normal, maxWidth: max(0, width - 12))
            received[i].render(into: &canvas, x: min(x + width - 10, x + 70), y: y, width: 9, focused: i == focus)
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}

/// Finds the product a person typed or scanned: by barcode or SKU, else the only product whose
/// name matches; several matches ask for the SKU.
enum ProductLookup {
    static func product(_ text: String, store: SedeStore, sedeID: String) throws -> CatalogItem {
        var item = try store.catalogItem(code: text)
        if item == nil {
            let found = try store.stockSearch(text, sedeID: sedeID, productsOnly: true, limit: 6)
            if found.count > 1 {
                throw StoreError.invalid("Varios productos coinciden con «\(text)»: " + found.prefix(5).map(\.item.sku).joined(separator: ", ")
                    + (found.count > 5 ? "…" : "") + "; escriba el SKU o escanee el código")
            }
            item = found.first?.item
        }
        guard let item else { throw StoreError.notFound("No hay ningún producto con el código o nombre «\(text)»") }
        guard item.isProduct else { throw StoreError.invalid("\(item.name) es un servicio: no tiene stock") }
        guard item.active else { throw StoreError.invalid("\(item.name) está inactivo en el catálogo") }
        return item
    }
}
