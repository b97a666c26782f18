import Foundation
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 11, item 1: the home menu of each role is what the permission table grants it.
@Suite struct PermissionMenuTests {
    @Test func eachRolesHomeMenuListsExactlyTheEntriesItsPermissionsOpen() throws {
        for role in Role.allCases {
            var h = try Harness()
            let store = h.model.services.store
            // A user holding only this role.
            let username = "solo." + role.rawValue
            try store.addUser(username: username, fullName: "Solo \(role.label)", password: "solo-1234", roles: [role])
            h.login(username, "solo-1234")
            #expect(h.model.session?.roles == [role], "\(role)")
            // Whatever screen the role lands on, Esc goes back to its home menu.
            if !h.screen().contains("Puede abrir:") { h.press(.escape) }
            let screen = h.screen()
            #expect(screen.contains("Inicio · \(role.label)"), "\(role):\n\(screen)")
            for entry in Catalog.entries {
                let granted = entry.permission.roles.contains(role)
                let key = entry.functionKey.map { "F\($0)" } ?? String(entry.letter).uppercased()
                let listed = screen.split(separator: "\n").contains { $0.contains(" " + key + " ") && $0.contains(entry.title) }
                #expect(listed == granted, "\(role) · \(entry.title) (\(entry.permission.rawValue)):\n\(screen)")
            }
            // A function key of an entry the role may not open does nothing.
            for entry in Catalog.entries where !entry.permission.roles.contains(role) {
                guard let n = entry.functionKey else { continue }
                h.press(.function(n))
                #expect(h.screen().contains("Puede abrir:"), "\(role) F\(n)")
            }
        }
    }

    /// Which roles see what, as the product decided it (not read back from the table): the
    /// pharmacist has no agenda; only supervisors and administrators see users and sync.
    @Test func theMenuMatchesTheAgreedRoles() {
        func roles(_ id: String) -> Set<Role> { Catalog.entries.first { $0.id == id }.map(\.permission.roles) ?? [] }
        #expect(roles("agenda") == [.recepcionista, .veterinario, .supervisor, .administrador])
        #expect(roles("waiting") == [.recepcionista, .veterinario, .supervisor, .administrador])
        #expect(roles("users") == [.supervisor, .administrador])
        #expect(roles("sync") == [.supervisor, .administrador])
        #expect(roles("search") == Set(Role.allCases) && roles("lock") == Set(Role.allCases))
    }
}
