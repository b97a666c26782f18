import VetCore
import VetStore

/// Staff of this sede with their roles (users are central data: read here, managed centrally).
/// A user locked out by failed claves shows as such; `D` unlocks them (supervisor, offline too).
public struct UsersScreen: KeyBound {
    var table = Table(columns: [Table.Column("Usuario", width: 14), Table.Column("Nombre", width: 30),
                                Table.Column("Roles", width: 30), Table.Column("Estado", width: 18)])
    var load = LoadState<Loaded>(UsersScreen.fetch)
    var message: String?
    var confirm: Modal?

    public init() {}

    public var title: String { "Usuarios y roles" }

    var users: [(id: String, username: String, locked: Bool)] { load.value?.users ?? [] }
    var selectedLocked: Bool { users.indices.contains(table.selected) && users[table.selected].locked }

    struct Loaded { let rows: [[String]]; let users: [(id: String, username: String, locked: Bool)] }
    struct Unlocked { let username: String }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<UsersScreen>] {
        let mayUnlock = context.session.map { session in session.may(.unlockUsers) } ?? false
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Mover") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            KeyBinding(letter: "d", label: "Desbloquear", enabled: selectedLocked && mayUnlock,
                       refusal: selectedLocked ? .toast("Solo un supervisor desbloquea usuarios", .warning)
                                               : .toast("Ese usuario no está bloqueado", .info)) { s, _, _ in
                s.confirm = Modal(title: "Desbloquear usuario", message: ["¿Desbloquear a \(s.users[s.table.selected].username)?",
                                                                          "Podrá ingresar de inmediato con su clave."])
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let result) = received { table.setRows(result.rows) }
            return .none
        }
        switch event {
        case .dataChanged:
            return load.start()
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let session = context.session, users.indices.contains(table.selected) else { return .none }
                let user = users[table.selected]
                return .perform { services in
                    try Authenticator(store: services.store).unlockUser(userID: user.id, by: session)
                    return Unlocked(username: user.username)
                }
            }
            return dispatch(key, context) ?? .ignored
        case .message(let done as Unlocked):
            message = nil
            return .batch([.toast("\(done.username) desbloqueado", .ok), load.start()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func onAppear() -> Command { load.firstLoad() }

    static func fetch(_ services: AppServices) throws -> Loaded {
        let auth = Authenticator(store: services.store)
        let entries = try services.store.usersWithRoles()
        let locks = try entries.map { try auth.lockedMinutesLeft(userID: $0.user.id) }
        return Loaded(rows: zip(entries, locks).map { entry, lock in
            [entry.user.username, entry.user.fullName,
             entry.roles.isEmpty ? "(sin rol en esta sede)" : entry.roles.map(\.label).joined(separator: ", "),
             !entry.user.active ? "Inactivo" : lock.map { "Bloqueado (\($0) min)" } ?? "Activo"]
        }, users: zip(entries, locks).map { (id: $0.user.id, username: $0.user.username, locked: $1 != nil) })
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var t = table
        t.layout(height: area.height - 2)
        t.render(into: &canvas, area: Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2))
        load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 2, width: area.width - 4)
        if let message = message ?? load.reloadFailure { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error) }
        confirm?.render(into: &canvas, area: area)
    }
}
