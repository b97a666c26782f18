import VetCore
import VetStore

/// F6 Caja: the owners with pending charges (those whose pet was attended today first), then the
/// sales still owing. Enter opens the owner's cart or the sale's payment.
public struct TillScreen: KeyBound {
    struct Loaded {
        var owners: [OwnerWithCharges]
        var open: [SaleSummary]
        var drawer: String
        var status: DrawerStatus
        var drawerOpen: Bool {
            if case .open = status { return true }
            return false
        }
        var closeNeedsNote = false
        /// Operation numbers used twice in the network (for a supervisor).
        var duplicates: [DuplicateOperation]
    }
    enum Row {
        case owner(OwnerWithCharges)
        case sale(SaleSummary)
    }

    let session: Session
    var load: LoadState<Loaded>
    var table = Table(columns: [Table.Column("", width: 2, minWidth: 2), Table.Column("Propietario", width: 30, minWidth: 16),
                                Table.Column("Mascotas / venta", width: 30, minWidth: 12), Table.Column("Líneas", width: 6),
                                Table.Column("Por cobrar", width: 13, minWidth: 11)])
    var rows: [Row] = []

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id, supervises = session.may(.authorizeCheckout)
        load = LoadState { services in
            let drawer = services.till.drawer
            var loaded = Loaded(owners: try services.store.ownersWithPendingCharges(sedeID: sedeID), open: try services.store.openSales(sedeID: sedeID),
                          drawer: drawer, status: try services.store.drawerStatus(drawer: drawer, sedeID: sedeID),
                          duplicates: supervises ? try services.store.duplicateOperations() : [])
            if case .unresolved(let cash, _) = loaded.status {
                loaded.closeNeedsNote = try services.store.cashSessionState(sessionID: cash.id) == .faltaNota
            }
            return loaded
        }
    }

    public var title: String { "Caja" }
    public var catalogID: String? { "till" }

    /// The session the cashier can close (or whose close still needs the note), if any.
    var closable: (id: String, closed: Bool)? {
        switch load.value?.status {
        case .open(let cash, _, _)?: return (cash.id, false)
        case .unresolved(let cash, _)?:
            return load.value?.closeNeedsNote == true ? (cash.id, true) : nil
        default: return nil
        }
    }

    var selected: Row? { rows.indices.contains(table.selected) ? rows[table.selected] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<TillScreen>] {
        let charges = session.may(.charge)
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Cobrar", enabled: selected != nil && charges) { s, _, _ in
                switch s.selected {
                case .owner(let owner)?: return .push(CartScreen(session: s.session, ownerID: owner.ownerID, ownerName: owner.ownerName))
                case .sale(let sale)?: return .push(PaymentScreen(session: s.session, saleID: sale.sale.id))
                case nil: return .none
                }
            },
            KeyBinding(letter: "o", label: "Abrir caja", enabled: session.may(.openCashDrawer) && load.value?.status == .closed) { s, _, _ in
                .push(OpenDrawerScreen(session: s.session, drawer: s.load.value?.drawer ?? SedeStore.defaultDrawer))
            },
            KeyBinding(letter: "m", label: "Movimiento", enabled: session.may(.openCashDrawer) && load.value?.drawerOpen == true) { s, _, _ in
                .push(CashMovementScreen(session: s.session, drawer: s.load.value?.drawer ?? SedeStore.defaultDrawer))
            },
            KeyBinding(letter: "c", label: "Cerrar caja", enabled: session.may(.openCashDrawer) && closable != nil) { s, _, _ in
                guard let (id, closed) = s.closable, let drawer = s.load.value?.drawer else { return .none }
                return .push(CloseDrawerScreen(session: s.session, drawer: drawer, sessionID: id, closed: closed))
            },
            KeyBinding(letter: "v", label: "Ventas del día", enabled: charges) { s, _, _ in .push(SalesTodayScreen(session: s.session)) },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received {
                rows = loaded.owners.map(Row.owner) + loaded.open.map(Row.sale)
                table.setRows(rows.map { row in
                    switch row {
                    case .owner(let o):
                        return [o.attendedToday ? "●" : "", o.ownerName, o.petNames.joined(separator: ", "), String(o.lines), o.total.formatted]
                    case .sale(let s):
                        let label = SedeStore.saleNumberText(s.sale.number) + " · " + s.state.label
                        return ["", s.sale.customerName ?? "", label, String(s.lines.count), s.balance.formatted]
                    }
                })
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        if let loaded = load.value {
            let (state, style): (String, StyleRole) = switch loaded.status {
            case .closed: ("cerrada: pulse O para abrirla con su fondo", .warning)
            case .open(_, let since, false): ("abierta desde el \(since.display) · C para cerrarla, M para un movimiento", .ok)
            case .open(_, let since, true): ("⚠ abierta desde el \(since.display): ciérrela (C) antes de abrirla de nuevo", .alert)
            case .unresolved(_, let why): ("⚠ " + why + (loaded.closeNeedsNote ? " (C para escribirla)" : ""), .alert)
            }
            canvas.put("\(loaded.drawer) · \(state)", x: x, y: area.y, style: style, maxWidth: area.width - 2)
        }
        var t = table
        t.layout(height: area.height - 3)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 3))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && rows.isEmpty {
            canvas.put("No hay cargos pendientes ni ventas por cobrar", x: x + 1, y: area.y + 3, style: .hint)
        }
        if let duplicate = load.value?.duplicates.first {
            let uses = duplicate.uses.map { "\($0.saleNumber) \($0.sedeCode)" }.joined(separator: ", ")
            let more = (load.value?.duplicates.count ?? 1) > 1 ? " (y \((load.value?.duplicates.count ?? 1) - 1) más)" : ""
            canvas.put("⚠ Operación \(duplicate.method.label) \(duplicate.operationNumber) usada dos veces: \(uses)\(more)", x: x,
                       y: area.y + area.height - 2, style: .warning, maxWidth: area.width - 2)
        } else {
            canvas.put("● mascota atendida hoy", x: x, y: area.y + area.height - 2, style: .hint)
        }
        if let failure = load.reloadFailure { canvas.put(failure, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}

/// A supervisor's user and clave, asked on the spot (a discount over the limit, a void, a balance
/// left owing). Enter moves to the clave and then authorises; Esc gives up.
struct ClavePrompt: Equatable {
    var reason: String
    var form = Form(fields: [Form.Field(id: "user", label: "Supervisor", input: TextField(maxLength: 32)),
                             Form.Field(id: "clave", label: "Clave", input: TextField(secure: true, maxLength: 72))], fieldWidth: 20)
    var error: String?

    init(reason: String) { self.reason = reason }

    enum Outcome { case pending, authorised(Clave), cancelled }

    mutating func update(_ key: Key) -> Outcome {
        if key == .escape { return .cancelled }
        switch form.update(key) {
        case .submit:
            guard !form["user"].isEmpty, !form["clave"].isEmpty else { error = "Escriba el usuario y la clave del supervisor"; return .pending }
            return .authorised(Clave(username: form["user"], password: form["clave"]))
        default:
            error = nil
            return .pending
        }
    }

    func render(into canvas: inout Canvas, area: Rect) {
        let w = min(area.width - 2, 64), h = 9
        let x = area.x + (area.width - w) / 2, y = area.y + max(0, (area.height - h) / 2)
        canvas.fill(x: x, y: y, width: w, height: h, style: .modal)
        canvas.box(x: x, y: y, width: w, height: h, title: "Autorización de supervisor", style: .modal)
        canvas.put(reason, x: x + 2, y: y + 1, style: .modal, maxWidth: w - 4)
        var shown = form
        shown.rowsPerField = 1
        shown.render(into: &canvas, x: x + 2, y: y + 3, width: w - 4)
        if let error { canvas.put(error, x: x + 2, y: y + h - 2, style: .error, maxWidth: w - 4) }
    }
}

extension Optional where Wrapped == ClavePrompt {
    /// Hands `key` to the open prompt: nil when none is open; else what it decided, `.pending`
    /// while it stays open. A decided prompt closes.
    mutating func decide(_ key: Key) -> ClavePrompt.Outcome? {
        guard var prompt = self else { return nil }
        let outcome = prompt.update(key)
        if case .pending = outcome { self = prompt } else { self = nil }
        return outcome
    }
}
