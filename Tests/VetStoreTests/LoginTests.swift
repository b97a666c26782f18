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
        try store.addUser(username: "lejos", fullName: "De Arequipa", password: "1234", roles: [.veterinario], sedeID: otherSede)
        #expect(try auth.login(username: "lejos", password: "1234") == .failure("El usuario no tiene acceso a esta sede"))
    }

    @Test func userNamesAndClavesAreValidated() throws {
        let dir = TempDir()
        let (store, _) = try setUp(dir, clock: ManualClock(Date()))
        #expect(throws: StoreError.invalid("La clave debe tener al menos 4 caracteres")) {
            try store.addUser(username: "x", fullName: "X", password: "12", roles: [.farmacia])
        }
        #expect(throws: StoreError.invalid("Ya existe el usuario rosa")) {
            try store.addUser(username: "ROSA", fullName: "Otra", password: "1234", roles: [.farmacia])
        }
        #expect(throws: StoreError.invalid("Asigne al menos un rol")) {
            try store.addUser(username: "nuevo", fullName: "N", password: "1234", roles: [])
        }
    }
}
