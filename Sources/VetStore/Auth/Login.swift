import Foundation
import GRDB
import VetCore

/// Sign-in with lockout: five failures in a row lock the user for five minutes at this sede,
/// unless a supervisor unlocks them sooner. Every attempt on a known user is a row of
/// `login_events` (journaled, sede-owned).
///
/// Guarantees: the lockout is checked and the attempt recorded in one write transaction, so
/// attempts made at once from several terminals count one by one and none gets past a lock; an
/// unknown user costs the same bcrypt check as a known one, so the answer's delay does not tell
/// whether a user exists.
public struct Authenticator: Sendable {
    public let store: SedeStore
    /// Checks a clave against a bcrypt hash.
    let verify: @Sendable (_ password: String, _ hash: String) -> Bool

    public init(store: SedeStore) { self.init(store: store, verify: { PasswordHasher.verify($0, hash: $1) }) }

    init(store: SedeStore, verify: @escaping @Sendable (_ password: String, _ hash: String) -> Bool) {
        self.store = store
        self.verify = verify
    }

    public enum Outcome: Sendable, Equatable {
        case success(Session)
        case failure(String)
    }

    public static let wrongCredentials = "Usuario o clave incorrectos"

    public func login(username: String, password: String) throws -> Outcome {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty else { return .failure("Ingrese el usuario") }
        guard !password.isEmpty else { return .failure("Ingrese la clave") }
        let sede = try store.localSede()
        let user = try store.read { db in
            try User.filter(sql: "username = ? AND active = 1", arguments: [name]).fetchOne(db)
        }
        // bcrypt runs outside the transaction (it takes a good part of a second) and runs for an
        // unknown user too, against a hash of the same cost.
        let matches = verify(password, user?.passHash ?? PasswordHasher.unknownUserHash)
        guard let user else { return .failure(Self.wrongCredentials) }
        return try store.write(user: user.id) { db -> Outcome in
            if let minutes = try lockedMinutesLeft(userID: user.id, db) {
                return .failure("Usuario bloqueado por intentos fallidos; intente en \(minutes) min")
            }
            guard matches else {
                try record(.fail, user: user.id, sede: sede.id, db)
                guard try consecutiveFailures(userID: user.id, db) >= Credentials.maxFailures else { return .failure(Self.wrongCredentials) }
                try record(.locked, user: user.id, sede: sede.id, db)
                return .failure("Usuario bloqueado por 5 minutos tras 5 intentos fallidos")
            }
            let roles = try String.fetchAll(db, sql: "SELECT role FROM user_roles WHERE user_id = ? AND sede_id = ?", arguments: [user.id, sede.id])
                .compactMap(Role.init(rawValue:))
            guard !roles.isEmpty else { return .failure("El usuario no tiene acceso a esta sede") }
            try record(.ok, user: user.id, sede: sede.id, db)
            return .success(Session(userID: user.id, username: user.username, fullName: user.fullName,
                                    roles: Role.allCases.filter(roles.contains), sede: sede))
        }
    }

    /// Checks the clave of the signed-in user to unlock an idle terminal.
    public func unlock(session: Session, password: String) throws -> Outcome {
        try login(username: session.username, password: password)
    }

    public func recordIdleLock(session: Session) throws {
        try store.write(user: session.userID) { db in try record(.idleLock, user: session.userID, sede: session.sede.id, db) }
    }

    public func recordLogout(session: Session) throws {
        try store.write(user: session.userID) { db in try record(.logout, user: session.userID, sede: session.sede.id, db) }
    }

    /// A supervisor (or administrator) of this sede lifts a user's lockout at once; works offline.
    public func unlockUser(userID: String, by session: Session) throws {
        try session.require(.unlockUsers, "Solo un supervisor desbloquea usuarios")
        guard try lockedMinutesLeft(userID: userID) != nil else { throw StoreError.conflict("El usuario no está bloqueado") }
        try store.write(user: session.userID) { db in try record(.unlocked, user: userID, sede: session.sede.id, db) }
    }

    /// Whole minutes left on a lockout, or `nil` when the user is not locked (or was unlocked since).
    public func lockedMinutesLeft(userID: String) throws -> Int? {
        try store.read { db in try lockedMinutesLeft(userID: userID, db) }
    }

    func lockedMinutesLeft(userID: String, _ db: Database) throws -> Int? {
        let since = LimaTime.iso8601(store.clock.now.addingTimeInterval(-Double(Credentials.lockoutSeconds)))
        guard let lockedAt = try String.fetchOne(db, sql: """
            SELECT max(l.at) FROM login_events l WHERE l.user_id = ? AND l.kind = 'locked' AND l.at > ?
              AND NOT EXISTS (SELECT 1 FROM login_events u WHERE u.user_id = l.user_id AND u.kind = 'unlocked' AND u.at >= l.at)
            """, arguments: [userID, since]),
              let date = LimaTime.parseISO8601(lockedAt) else { return nil }
        let left = Double(Credentials.lockoutSeconds) - store.clock.now.timeIntervalSince(date)
        return max(1, Int((left / 60).rounded(.up)))
    }

    enum EventKind: String { case ok = "login_ok", fail = "login_fail", locked, logout, idleLock = "idle_lock", unlocked }

    func record(_ kind: EventKind, user: String, sede: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO login_events (id, sede_id, user_id, kind, at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [store.newID(), sede, user, kind.rawValue, store.nowText])
    }

    /// Failures since the last success, lockout or unlock.
    func consecutiveFailures(userID: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM login_events
            WHERE user_id = ? AND kind = 'login_fail'
              AND at > coalesce((SELECT max(at) FROM login_events WHERE user_id = ? AND kind IN ('login_ok', 'locked', 'unlocked')), '')
            """, arguments: [userID, userID]) ?? 0
    }
}
