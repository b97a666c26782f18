/// The signed-in user at this sede, with the roles held here. What the user may do is asked of
/// the permission table (`may`), never of the roles directly.
public struct Session: Sendable, Equatable {
    public var userID: String
    public var username: String
    public var fullName: String
    public var roles: [Role]
    public var sede: Sede

    public init(userID: String, username: String, fullName: String, roles: [Role], sede: Sede) {
        self.userID = userID; self.username = username; self.fullName = fullName; self.roles = roles; self.sede = sede
    }

    /// Whether one of the roles held here grants `permission` in `Permission.table`.
    public func may(_ permission: Permission) -> Bool { roles.contains { permission.roles.contains($0) } }

    /// The permissions this session holds, in the table's order.
    public var permissions: [Permission] { Permission.allCases.filter(may) }

    /// The role shown in the status bar: the highest one held.
    public var mainRole: Role { roles.max { Role.allCases.firstIndex(of: $0)! < Role.allCases.firstIndex(of: $1)! } ?? .recepcionista }
}
