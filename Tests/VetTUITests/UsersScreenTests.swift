import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10, minor item: the supervisor unlocks a locked user from «Usuarios y roles» (demo sede).
@Suite struct UsersScreenTests {
    @Test func theSupervisorSeesTheLockAndUnlocksWithD() throws {
        var h = try Harness()
        let store = h.model.services.store
        let auth = Authenticator(store: store)
        for _ in 1...5 { _ = try auth.login(username: "recepcion", password: "9999") }
        let users = try store.usersWithRoles()
        let row = try #require(users.firstIndex { $0.user.username == "recepcion" })
        let recepcionID = users[row].user.id
        #expect(try auth.lockedMinutesLeft(userID: recepcionID) == 5)

        h.login("supervisor")
        h.model.apply(.push(UsersScreen()))
        for _ in 0..<row { h.press(.down) }
        var screen = h.screen()
        #expect(screen.contains("Bloqueado (5 min)") && screen.contains("D Desbloquear"), "\(screen)")
        h.type("d")
        screen = h.screen()
        #expect(screen.contains("¿Desbloquear a recepcion?"), "\(screen)")
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("recepcion desbloqueado") && !screen.contains("Bloqueado ("), "\(screen)")
        #expect(try auth.lockedMinutesLeft(userID: recepcionID) == nil)
        guard case .success = try auth.login(username: "recepcion", password: "1234") else { Issue.record("still locked"); return }
    }
}
