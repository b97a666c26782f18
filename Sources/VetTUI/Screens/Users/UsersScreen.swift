import VetCore
import VetStore

/// Staff of this sede with their roles (users are central data: read here, managed centrally).
/// A user locked out by failed claves shows as such; `D` unlocks them (supervisor, offline too).
public struct UsersScreen: Screen {
    var table = Table(columns: [Table.Column("Usuario", width: 14), Table.Column("Nombre", width: 30),
                                Table.Column("Roles", width: 30), Table.Column("Estado", width: 18)])
    var loaded = false
    var message: String?
    var users: [(id: String, username: String, locked: Bool)] = []
    var confirm: Modal?

    public init() {}

    public var title: String { "Usuarios y roles" }
    public var hints: [(key: String, label: String)] {
        var h: [(String, String)] = [("↑↓", "Mover")]
        if selectedLocked { h.append(("D", "Desbloquear")) }
        return h + [("Esc", "Volver")]
    }

    var selectedLocked: Bool { users.indices.contains(table.selected) && users[table.selected].locked }

    struct Loaded { let rows: [[String]]; let users: [(id: String, username: String, locked: Bool)] }
    struct Unlocked { let username: String }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .dataChanged:
            return load()
        case .key(let key):
            if var modal = confirm {
                let outcome = modal.update(key)
                confirm = outcome == .pending ? modal : nil
                guard outcome == .confirmed, let session = context.session, users.indices.contains(table.selected) else { return .none }
                let user = users[table.selected]
                return .perform { services in
                    try Authenticator(store: services.store).unlockUser(userID: user.id, by: session)
                    return Unlocked(username: user.username)
                }
            }
            if case .char(let c) = key, c == "d" || c == "D" {
                guard selectedLocked else { return .toast("Ese usuario no está bloqueado", .info) }
                guard let session = context.session, session.may(.unlockUsers) else {
                    return .toast("Solo un supervisor desbloquea usuarios", .warning)
                }
                confirm = Modal(title: "Desbloquear usuario", message: ["¿Desbloquear a \(users[table.selected].username)?",
                                                                        "Podrá ingresar de inmediato con su clave."])
                return .none
            }
            return table.update(key) ? .none : .ignored
        case .message(let result as Loaded):
            loaded = true
            users = result.users
            table.setRows(result.rows)
            return .none
        case .message(let done as Unlocked):
            message = nil
            return .batch([.toast("\(done.username) desbloqueado", .ok), load()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func onAppear() -> Command { load() }

    func load() -> Command {
        .perform { services in
            let auth = Authenticator(store: services.store)
            let entries = try services.store.usersWithRoles()
            let locks = try entries.map { try auth.lockedMinutesLeft(userID: $0.user.id) }
            return Loaded(rows: zip(entries, locks).map { entry, lock in
                [entry.user.username, entry.user.fullName,
                 entry.roles.isEmpty ? "(sin rol en esta sede)" : entry.roles.map(\.label).joined(separator: ", "),
                 !entry.user.active ? "Inactivo" : lock.map { "Bloqueado (\($0) min)" } ?? "Activo"]
            }, users: zip(entries, locks).map { (id: $0.user.id, username: $0.user.username, locked: $1 != nil) })
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var t = table
        t.layout(height: area.height - 2)
        t.render(into: &canvas, area: Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2))
        if !loaded { canvas.put("Cargando…", x: area.x + 2, y: area.y + 2, style: .hint) }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error) }
        confirm?.render(into: &canvas, area: area)
    }
}
