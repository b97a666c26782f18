import VetCore
import VetStore

/// F5 Farmacia: the catalog with this sede's stock, searched as you type by name, SKU or barcode (a
/// scanner types the barcode and Enter). Enter opens the item; the pharmacy's other work is a key away.
/// Reception sees stock and prices read-only.
public struct StockScreen: KeyBound {
    let session: Session
    var query = TextField(maxLength: 60)
    var table = Table(columns: [Table.Column("SKU", width: 18, minWidth: 10), Table.Column("Producto", width: 40, minWidth: 20),
                                Table.Column("Stock", width: 8, minWidth: 6), Table.Column("Tránsito", width: 8, minWidth: 6),
                                Table.Column("Mín.", width: 6), Table.Column("Precio", width: 11, minWidth: 9),
                                Table.Column("Estado", width: 14)])
    var rows: [StockRow] = []
    var searched: String?
    var message: String?

    public init(session: Session) { self.session = session }

    public var title: String { "Farmacia · Stock" }
    public var catalogID: String? { "pharmacy" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<StockScreen>] {
        let session = session
        let manage = session.may(.manageStock)
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Elegir") { s, key, _ in
                _ = s.table.update(key)
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Ver") { s, _, _ in
                // A barcode typed and Enter opens its item even before the search answered.
                if s.searched != s.query.text { return s.search(open: true) }
                guard s.rows.indices.contains(s.table.selected) else { return .none }
                return .push(StockItemScreen(session: session, itemID: s.rows[s.table.selected].item.id))
            },
            KeyBinding([.ctrl("r")], hint: "^R", label: "Recibir", enabled: manage,
                       refusal: .toast("Solo farmacia o un supervisor registran recepciones", .warning)) { _, _, _ in
                .push(ReceiveScreen(session: session))
            },
            KeyBinding([.ctrl("d")], hint: "^D", label: "Dispensar", enabled: session.may(.dispense),
                       refusal: .toast("Su rol no permite dispensar", .warning)) { _, _, _ in
                .push(DispenseScreen(session: session))
            },
            KeyBinding([.ctrl("a")], hint: "^A", label: "Alertas") { _, _, _ in .push(StockAlertsScreen(session: session)) },
            KeyBinding([.ctrl("o")], hint: "^O", label: "Más") { _, _, _ in .push(PharmacyMenuScreen(session: session)) },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    /// `exact`: the item the text names exactly (barcode or SKU), when Enter asked to open it.
    struct Searched { let text: String; let rows: [StockRow]; let open: Bool; let exact: String? }

    func search(open: Bool = false) -> Command {
        let text = query.text, sedeID = session.sede.id
        return .perform { services in
            Searched(text: text, rows: try services.store.stockSearch(text, sedeID: sedeID, productsOnly: false, limit: 300), open: open,
                     exact: open ? try services.store.catalogItem(code: text)?.id : nil)
        }
    }

    public func onAppear() -> Command { search() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            guard query.handle(key) else { return .ignored }
            return search()
        case .message(let done as Searched):
            guard done.text == query.text else { return .none }
            let first = searched != done.text
            searched = done.text
            rows = done.rows
            message = nil
            if first { table.selected = 0; table.offset = 0 }
            table.setRows(rows.map { row in
                [row.item.sku, row.item.name + (row.item.presentation.isEmpty ? "" : " · " + row.item.presentation),
                 row.item.isProduct ? String(row.onHand) : "—", row.inTransit > 0 ? String(row.inTransit) : "",
                 row.minimum.map(String.init) ?? "", row.price?.formatted ?? "sin precio", Self.state(row)]
            })
            table.alertRows = Set(rows.indices.filter { rows[$0].isBelowMinimum || rows[$0].onHand < 0 })
            if done.open, let id = done.exact ?? (rows.count == 1 ? rows[0].item.id : nil) {
                return .push(StockItemScreen(session: session, itemID: id))
            }
            if done.open && rows.isEmpty { message = "No hay ningún producto con el código o nombre «\(done.text)»" }
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return search()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    static func state(_ row: StockRow) -> String {
        if !row.item.active { return "Inactivo" }
        if !row.item.isProduct { return "Servicio" }
        if row.onHand < 0 { return "Regularizar" }
        if row.isBelowMinimum { return "Bajo mínimo" }
        if row.item.controlled { return "Controlado" }
        return ""
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        canvas.put("Buscar:", x: x, y: area.y + 1, style: .label)
        query.render(into: &canvas, x: x + 9, y: area.y + 1, width: min(40, area.width - 12), focused: true)
        canvas.put("nombre, SKU o código de barras", x: x + 51, y: area.y + 1, style: .hint, maxWidth: max(0, area.width - 53))
        var t = table
        let tableArea = Rect(x: x, y: area.y + 3, width: area.width - 2, height: area.height - 5)
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        if searched == nil {
            canvas.put("Cargando…", x: x + 1, y: area.y + 5, style: .hint)
        } else if rows.isEmpty {
            canvas.put("Sin productos para «\(query.text)»", x: x + 1, y: area.y + 5, style: .hint, maxWidth: area.width - 4)
        }
        let readOnly = session.may(.manageStock) ? "" : " · solo consulta"
        let status = message ?? "\(rows.count) \(rows.count == 1 ? "producto" : "productos")\(readOnly)"
        canvas.put(status, x: x, y: area.y + area.height - 1, style: message == nil ? .label : .error, maxWidth: area.width - 2)
    }
}
