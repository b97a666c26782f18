import Foundation
import GRDB
import HummingbirdBcrypt
import VetCore

public struct User: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "users"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var username: String
    public var fullName: String
    public var passHash: String
    public var active: Bool = true
    public var createdAt: String
    /// A vet's number in the Colegio Médico Veterinario del Perú (printed on prescriptions).
    public var cmvp: String? = nil
}

public enum PasswordHasher {
    /// bcrypt cost of new claves (`Credentials.bcryptCost`): a few tenths of a second per check.
    public static let cost: UInt8 = Credentials.bcryptCost
    public static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }
    public static func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }
    /// A hash no clave matches, of the same cost as a real one: checked for unknown users.
    static let unknownUserHash = Bcrypt.hash(UUID().uuidString + UUID().uuidString, cost: cost)
}

extension SedeStore {
    /// Adds a user with roles at this store's sede. Users are central data: written as received
    /// from central, so not journaled (central owns them once sync is configured).
    @discardableResult
    public func addUser(username: String, fullName: String, password: String, roles: [Role], sedeID: String? = nil,
                        cmvp: String? = nil) throws -> User {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) else {
            throw StoreError.invalid("El usuario tiene de 1 a 32 letras, dígitos, punto, guion o guion bajo")
        }
        if let problem = Credentials.passwordProblem(password) { throw StoreError.invalid(problem) }
        guard !roles.isEmpty else { throw StoreError.invalid("Asigne al menos un rol") }
        let cmvp = cmvp?.trimmingCharacters(in: .whitespaces)
        if let cmvp, !cmvp.isEmpty, !(cmvp.count <= 10 && cmvp.allSatisfy({ $0.isASCII && $0.isNumber })) {
            throw StoreError.invalid("El número de CMVP tiene solo dígitos (hasta 10)")
        }
        let sede = try sedeID ?? localSede().id
        let user = User(id: newID(), username: name, fullName: fullName, passHash: PasswordHasher.hash(password), createdAt: nowText,
                        cmvp: cmvp?.isEmpty == false ? cmvp : nil)
        try applyingRemote { db in
            if try User.filter(sql: "username = ?", arguments: [name]).fetchCount(db) > 0 {
                throw StoreError.conflict("Ya existe el usuario \(name)")
            }
            try user.insert(db)
            for role in roles {
                try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)",
                               arguments: [newID(), user.id, sede, role.rawValue])
            }
        }
        return user
    }

    /// Users with their roles at this sede, by username.
    public func usersWithRoles() throws -> [(user: User, roles: [Role])] {
        let sede = try localSede()
        return try read { db in
            let users = try User.order(sql: "username").fetchAll(db)
            return try users.map { user in
                let roles = try String.fetchAll(db, sql: "SELECT role FROM user_roles WHERE user_id = ? AND sede_id = ?", arguments: [user.id, sede.id])
                    .compactMap(Role.init(rawValue:))
                return (user, Role.allCases.filter(roles.contains))
            }
        }
    }
}
