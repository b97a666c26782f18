import Crypto
import Foundation
import HummingbirdBcrypt
import VetCore
import VetProtocol

public enum CentralDialect: Sendable { case sqlite, postgres }

/// Central's migrations, embedded from `schema/central/`: `NNNN_*.sql` for both dialects,
/// `NNNN_*.sqlite.sql` or `NNNN_*.postgres.sql` for one.
enum CentralMigrations {
    /// The migration that creates the read model; the storage rebuilds it from the log right after.
    static let readModel = "0006_"
    static func files(for dialect: CentralDialect) -> [(name: String, text: String)] {
        EmbeddedCentralSchema.files.filter { file in
            switch dialect {
            case .sqlite: !file.name.hasSuffix(".postgres.sql")
            case .postgres: !file.name.hasSuffix(".sqlite.sql")
            }
        }.sorted { $0.name < $1.name }
    }
}

/// Admin operations shared by the `vetcentral` subcommands, whatever the storage.
public enum CentralAdmin {
    /// A new sede token: 32 random bytes, hex. Only its SHA-256 is stored.
    public static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return "vdk_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    public static func hashToken(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static let ids = UUIDv7Generator()
    public static func newID() -> String { ids.make(unixMs: UInt64(Date().timeIntervalSince1970 * 1000)) }
    public static var nowText: String { LimaTime.iso8601(Date()) }

    /// What a sede may be: a clinic, or the central warehouse that replenishes the clinics.
    public static let sedeKinds = ["clinica", "almacen"]

    /// Adds a sede and returns its token (shown once).
    public static func addSede(_ storage: any CentralStorage, code: String, name: String, kind: String = "clinica") async throws -> (id: String, token: String) {
        guard (2...10).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw CentralError(422, "invalid_code", "El código de sede tiene de 2 a 10 letras mayúsculas o dígitos (ej. LIM01)")
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CentralError(422, "invalid_name", "El nombre de la sede es obligatorio") }
        let kindText = kind.trimmingCharacters(in: .whitespaces).lowercased()
        guard sedeKinds.contains(kindText) else {
            throw CentralError(422, "invalid_kind", "Tipo de sede desconocido «\(kind)»: use clinica o almacen")
        }
        let token = newToken()
        let id = newID()
        try await storage.addSede(id: id, code: code, name: trimmed, kind: kindText, tokenHash: hashToken(token), nowText: nowText)
        return (id, token)
    }

    /// The sede and the user of a vet's calendar at that sede: the user must hold a role there.
    static func calendarOwner(_ storage: any CentralStorage, sedeCode: String, username: String) async throws -> (sede: CentralSede, user: CentralUser) {
        let code = sedeCode.uppercased(), name = username.lowercased()
        guard let sede = try await storage.listSedes().first(where: { $0.code == code }) else {
            throw CentralError(404, "unknown_sede", "No existe la sede \(code)")
        }
        guard let user = try await storage.listUsers().first(where: { $0.username == name }),
              user.roles.contains(where: { $0.hasPrefix(sede.code + ":") }) else {
            throw CentralError(404, "unknown_vet", "No existe el usuario \(name) en la sede \(sede.code)")
        }
        return (sede, user)
    }

    /// A read-only subscription to one vet's calendar at one sede; returns the path to subscribe to
    /// (`/v1/calendars/SEDE/usuario.ics?token=…`), shown once: only the token's hash is stored.
    public static func addCalendarToken(_ storage: any CentralStorage, sedeCode: String, username: String) async throws -> String {
        let (sede, user) = try await calendarOwner(storage, sedeCode: sedeCode, username: username)
        let token = "vdc_" + newToken().dropFirst("vdk_".count)
        try await storage.addCalendarToken(tokenHash: hashToken(token), sedeID: sede.id, userID: user.id, nowText: nowText)
        return "/v1/calendars/\(sede.code)/\(user.username).ics?token=\(token)"
    }

    /// Ends every calendar subscription of one vet at one sede; returns how many there were.
    public static func revokeCalendarTokens(_ storage: any CentralStorage, sedeCode: String, username: String) async throws -> Int {
        let (sede, user) = try await calendarOwner(storage, sedeCode: sedeCode, username: username)
        return try await storage.revokeCalendarTokens(sedeID: sede.id, userID: user.id, nowText: nowText)
    }

    static let roles: Set<String> = ["recepcionista", "veterinario", "farmacia", "supervisor", "administrador"]

    /// Adds a user with roles given as `SEDE:rol`.
    public static func addUser(_ storage: any CentralStorage, username: String, fullName: String, password: String, roles specs: [String]) async throws -> String {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) else {
            throw CentralError(422, "invalid_username", "El usuario tiene de 1 a 32 letras, dígitos, punto, guion o guion bajo")
        }
        if let problem = Credentials.passwordProblem(password) { throw CentralError(422, "invalid_password", problem) }
        var parsed: [(roleID: String, sedeCode: String, role: String)] = []
        for spec in specs {
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count == 2, roles.contains(parts[1]) else {
                throw CentralError(422, "invalid_role", "Rol inválido \(spec): use SEDE:rol (rol: \(roles.sorted().joined(separator: ", ")))")
            }
            parsed.append((newID(), parts[0], parts[1]))
        }
        guard !parsed.isEmpty else { throw CentralError(422, "invalid_role", "Asigne al menos un rol con --role SEDE:rol") }
        let id = newID()
        try await storage.addUser(id: id, username: name, fullName: fullName, passHash: Bcrypt.hash(password, cost: Credentials.bcryptCost), roles: parsed, nowText: nowText)
        return id
    }

    static func sedeCols(id: String, code: String, name: String, kind: String, createdAt: String) -> [String: SQLValue] {
        ["id": .text(id), "code": .text(code), "name": .text(name), "kind": .text(kind), "district": .null,
         "address": .null, "phone": .null, "active": .int(1), "created_at": .text(createdAt)]
    }

    static func userCols(id: String, username: String, fullName: String, passHash: String, createdAt: String) -> [String: SQLValue] {
        ["id": .text(id), "username": .text(username), "full_name": .text(fullName), "pass_hash": .text(passHash),
         "active": .int(1), "created_at": .text(createdAt)]
    }
}
