import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore

@Suite struct LoginTests {
    func setUp(_ dir: TempDir, clock: ManualClock) throws -> (SedeStore, Authenticator) {
        let store = try makeStore(dir, clock: clock)
        try store.addUser(username: "Rosa", fullName: "Rosa Quispe", password: "clave-secreta", roles: [.recepcionista])
        return (store, Authenticator(store: store))
    }

    @Test func rightClaveSignsInWithTheRolesAtThisSede() throws {
        let dir = TempDir()
        let (store, auth) = try setUp(dir, clock: ManualClock(Date()))
        guard case .success(let session) = try auth.login(username: " rosa ", password: "clave-secreta") else {
            Issue.record("login failed"); return
        }
        #expect(session.roles == [.recepcionista] && session.sede.code == "LIM01" && session.fullName == "Rosa Quispe")
        let hash = try store.read { db in try String.fetchOne(db, sql: "SELECT pass_hash FROM users WHERE username = 'rosa'") }
        #expect(hash?.hasPrefix("$2") == true && hash?.contains("clave-secreta") == false)
    }

    @Test func wrongClaveAndUnknownUserSayTheSame() throws {
        let dir = TempDir()
        let (_, auth) = try setUp(dir, clock: ManualClock(Date()))
        #expect(try auth.login(username: "rosa", password: "otra") == .failure("Usuario o clave incorrectos"))
        #expect(try auth.login(username: "nadie", password: "otra") == .failure("Usuario o clave incorrectos"))
    }

    @Test func fiveFailuresLockTheUserForFiveMinutesAndAreJournaled() throws {
        let dir = TempDir()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let (store, auth) = try setUp(dir, clock: clock)
        for _ in 1...4 {
            #expect(try auth.login(username: "rosa", password: "mala") == .failure("Usuario o clave incorrectos"))
            clock.advance(seconds: 1)
        }
        #expect(try auth.login(username: "rosa", password: "mala") == .failure("Usuario bloqueado por 5 minutos tras 5 intentos fallidos"))
        // Locked: even the right clave is refused.
        clock.advance(seconds: 60)
        guard case .failure(let message) = try auth.login(username: "rosa", password: "clave-secreta") else {
            Issue.record("a locked user signed in"); return
        }
        #expect(message == "Usuario bloqueado por intentos fallidos; intente en 4 min")
        clock.advance(seconds: 241)
        guard case .success = try auth.login(username: "rosa", password: "clave-secreta") else {
            Issue.record("the lock did not expire"); return
        }
        let kinds = try store.read { db in
            try String.fetchAll(db, sql: "SELECT json_extract(cols, '$.kind') FROM journal WHERE tbl = 'login_events' ORDER BY seq")
        }
        #expect(kinds == Array(repeating: "login_fail", count: 5) + ["locked", "login_ok"])
    }

    @Test func aSuccessResetsTheFailureCount() throws {
        let dir = TempDir()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let (_, auth) = try setUp(dir, clock: clock)
        for _ in 1...4 { _ = try auth.login(username: "rosa", password: "mala"); clock.advance(seconds: 1) }
        guard case .success = try auth.login(username: "rosa", password: "clave-secreta") else { Issue.record("login failed"); return }
        clock.advance(seconds: 1)
        #expect(try auth.login(username: "rosa", password: "mala") == .failure("Usuario o clave incorrectos"))
    }

    @Test func aUserWithoutARoleHereCannotSignIn() throws {
        let dir = TempDir()
        let (store, auth) = try setUp(dir, clock: ManualClock(Date()))
        let otherSede = store.newID()
        try store.applyingRemote { db in
            try Sede(id: otherSede, code: "AQP01", name: "Arequipa", createdAt: store.nowText).insert(db)
        }
        try store.addUser(username: "lejos", fullName: "De Arequipa", password: "clave-lejos", roles: [.veterinario], sedeID: otherSede)
        #expect(try auth.login(username: "lejos", password: "clave-lejos") == .failure("El usuario no tiene acceso a esta sede"))
    }

    @Test func userNamesAndClavesAreValidated() throws {
        let dir = TempDir()
        let (store, _) = try setUp(dir, clock: ManualClock(Date()))
        // New claves have six characters at least: the demo's 1234 is not one a real sede can set.
        for short in ["12", "1234", "12345"] {
            #expect(throws: StoreError.invalid("La clave debe tener al menos 6 caracteres")) {
                try store.addUser(username: "x", fullName: "X", password: short, roles: [.farmacia])
            }
        }
        #expect(throws: StoreError.conflict("Ya existe el usuario rosa")) {
            try store.addUser(username: "ROSA", fullName: "Otra", password: "123456", roles: [.farmacia])
        }
        #expect(throws: StoreError.invalid("Asigne al menos un rol")) {
            try store.addUser(username: "nuevo", fullName: "N", password: "123456", roles: [])
        }
        // bcrypt at cost 12.
        let hash = try store.read { db in try String.fetchOne(db, sql: "SELECT pass_hash FROM users WHERE username = 'rosa'") }
        #expect(hash?.hasPrefix("$2b$12$") == true, "\(hash ?? "")")
    }
}

/// Attempts made at once, from as many terminals, and what bcrypt is asked for each.
@Suite struct LoginRaceTests {
    final class Log<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [T] = []
        func append(_ item: T) { lock.withLock { items.append(item) } }
        var all: [T] { lock.withLock { items } }
    }

    /// Holds threads until `open`, so they start at once.
    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var isOpen = false
        func wait() { condition.lock(); while !isOpen { condition.wait() }; condition.unlock() }
        func open() { condition.lock(); isOpen = true; condition.broadcast(); condition.unlock() }
    }

    /// Twelve wrong claves sent at the same moment: five are counted, the fifth locks the user,
    /// and the other seven are refused as locked without being counted.
    @Test(.timeLimit(.minutes(2))) func attemptsMadeAtOnceCannotGetPastTheLockout() throws {
        let dir = TempDir()
        let store = try makeStore(dir, clock: ManualClock(Date(timeIntervalSince1970: 1_790_000_000)))
        try store.addUser(username: "rosa", fullName: "Rosa Quispe", password: "clave-secreta", roles: [.recepcionista])
        let auth = Authenticator(store: store)
        let attempts = 12
        let outcomes = Log<Authenticator.Outcome>()
        let errors = Log<String>()
        let gate = Gate()
        let threads = (0..<attempts).map { _ in
            Thread {
                gate.wait()
                do { outcomes.append(try auth.login(username: "rosa", password: "mala")) } catch { errors.append("\(error)") }
            }
        }
        for thread in threads { thread.start() }
        gate.open()
        #expect(waitUntil(seconds: 90) { outcomes.all.count + errors.all.count == attempts })
        #expect(errors.all.isEmpty, "\(errors.all)")

        let messages = outcomes.all.map { outcome -> String in
            if case .failure(let message) = outcome { return message }
            return "entró"
        }
        #expect(messages.filter { $0 == Authenticator.wrongCredentials }.count == 4, "\(messages)")
        #expect(messages.filter { $0 == "Usuario bloqueado por 5 minutos tras 5 intentos fallidos" }.count == 1, "\(messages)")
        #expect(messages.filter { $0.hasPrefix("Usuario bloqueado por intentos fallidos") }.count == 7, "\(messages)")
        let kinds = try store.read { db in
            try String.fetchAll(db, sql: "SELECT kind FROM login_events ORDER BY at, rowid")
        }
        #expect(kinds == Array(repeating: "login_fail", count: 5) + ["locked"])
        // Still locked for the right clave.
        guard case .failure(let message) = try auth.login(username: "rosa", password: "clave-secreta") else {
            Issue.record("a locked user signed in"); return
        }
        #expect(message.hasPrefix("Usuario bloqueado por intentos fallidos"))
    }

    /// An unknown user costs one bcrypt check at the cost of real claves, as a known one does, so
    /// the time of the answer does not tell whether the user exists.
    @Test func anUnknownUserCostsTheSameBcryptCheckAsAKnownOne() throws {
        let dir = TempDir()
        let store = try makeStore(dir, clock: ManualClock(Date()))
        try store.addUser(username: "rosa", fullName: "Rosa Quispe", password: "clave-secreta", roles: [.recepcionista])
        let checked = Log<String>()
        let auth = Authenticator(store: store, verify: { password, hash in
            checked.append(hash)
            return PasswordHasher.verify(password, hash: hash)
        })
        #expect(try auth.login(username: "rosa", password: "mala") == .failure(Authenticator.wrongCredentials))
        #expect(try auth.login(username: "nadie", password: "mala") == .failure(Authenticator.wrongCredentials))
        #expect(try auth.login(username: "otro.mas", password: "clave-secreta") == .failure(Authenticator.wrongCredentials))
        let hashes = checked.all
        #expect(hashes.count == 3, "one bcrypt check per attempt: \(hashes)")
        #expect(hashes.allSatisfy { $0.hasPrefix("$2b$12$") }, "\(hashes)")
        #expect(hashes[1] == hashes[2] && hashes[1] != hashes[0])
    }
}
