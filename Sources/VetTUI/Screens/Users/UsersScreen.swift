import VetCore
import VetStore

/// Staff of this sede with their roles (users are central data: read here, managed centrally).
public struct UsersScreen: Screen {
    var table = Table(columns: [Table.Column("Usuario", width: 14), Table.Column("Nombre", width: 30),
                                Table.Column("Roles", width: 30), Table.Column("Estado", width: 8)])
    var loaded = false
    var message: String?

    public init() {}

    public var title: String { "Usuarios y roles" }
    public var hints: [(key: String, label: String)] { [("↑↓", "Mover"), ("Esc", "Volver")] }

    struct Loaded { let rows: [[String]] }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .dataChanged:
            return load()
        case .key(let key):
            return table.update(key) ? .none : .ignored
        case .message(let result as Loaded):
            loaded = true
            table.setRows(result.rows)
            return .none
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
            Loaded(rows: try services.store.usersWithRoles().map { entry in
                [entry.user.username, entry.user.fullName,
                 entry.roles.isEmpty ? "(sin rol en esta sede)" : entry.roles.map(\.label).joined(separator: ", "),
                 entry.user.active ? "Activo" : "Inactivo"]
            })
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var t = table
        t.layout(height: area.height - 2)
        t.render(into: &canvas, area: Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2))
        if !loaded { canvas.put("Cargando…", x: area.x + 2, y: area.y + 2, style: .hint) }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error) }
    }
}
