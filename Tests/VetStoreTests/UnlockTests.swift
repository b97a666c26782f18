import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore

/// Issue 10, minor item: the supervisor unlocks a locked user at the sede, offline.
@Suite struct UnlockTests {
    @Test func aSupervisorUnlocksALockedUserAtOnce() throws {
        let dir = TempDir()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let store = try makeStore(dir, clock: clock)
        let rosa = try store.addUser(username: "rosa", fullName: "Rosa Quispe", password: "clave-secreta", roles: [.recepcionista])
        try store.addUser(username: "jorge", fullName: "Jorge Vargas", password: "clave-jefe", roles: [.supervisor])
        let auth = Authenticator(store: store)
        guard case .success(let desk) = try auth.login(username: "rosa", password: "clave-secreta"),
              case .success(let supervisor) = try auth.login(username: "jorge", password: "clave-jefe") else { Issue.record("login"); return }
        #expect(throws: StoreError.conflict("El usuario no está bloqueado")) { try auth.unlockUser(userID: rosa.id, by: supervisor) }
        clock.advance(seconds: 1)
        for _ in 1...5 { _ = try auth.login(username: "rosa", password: "mala"); clock.advance(seconds: 1) }
        #expect(try auth.lockedMinutesLeft(userID: rosa.id) == 5)
        #expect(throws: StoreError.forbidden("Solo un supervisor desbloquea usuarios")) { try auth.unlockUser(userID: rosa.id, by: desk) }
        try auth.unlockUser(userID: rosa.id, by: supervisor)
        #expect(try auth.lockedMinutesLeft(userID: rosa.id) == nil)
        // The failures before the unlock no longer count: four more do not lock again.
        for _ in 1...4 { #expect(try auth.login(username: "rosa", password: "mala") == .failure("Usuario o clave incorrectos")) }
        guard case .success = try auth.login(username: "rosa", password: "clave-secreta") else { Issue.record("still locked"); return }
        // Journaled, by the supervisor.
        #expect(try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'login_events' AND cols LIKE '%unlocked%' AND user_id = ?",
                             arguments: [supervisor.userID])
        } == 1)
    }
}
