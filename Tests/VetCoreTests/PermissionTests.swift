import Testing
@testable import VetCore

/// Issue 11, item 1: the permission table, and a session asks it.
@Suite struct PermissionTests {
    /// The table as it was agreed (and as the role checks it replaced decided), written out here so
    /// a change to a row is a change someone meant.
    @Test func theTableGrantsWhatEachRoleDid() {
        let desk: Set<Role> = [.recepcionista, .veterinario, .supervisor, .administrador]
        let expected: [Permission: Set<Role>] = [
            .searchPatients: Set(Role.allCases), .viewAgenda: desk, .bookAppointments: desk, .checkIn: desk,
            .attendPatients: [.veterinario, .supervisor], .takeUnassignedPatients: [.veterinario],
            .overrideSchedule: [.supervisor], .checkInOtherDay: [.supervisor],
            .configureRooms: [.supervisor, .administrador], .editSchedules: [.supervisor, .administrador],
            .recordScheduleExceptions: [.supervisor, .administrador], .editPatients: desk,
            .writeClinicalRecords: [.veterinario], .mergePatients: [.supervisor],
            .manageUsers: [.supervisor, .administrador], .unlockUsers: [.supervisor, .administrador],
            .reviewSync: [.supervisor, .administrador], .lockTerminal: Set(Role.allCases),
            // Issue 12: reception sees stock read-only; farmacia and supervisor manage it; vets dispense.
            .viewStock: Set(Role.allCases), .manageStock: [.farmacia, .supervisor],
            .dispense: [.veterinario, .farmacia, .supervisor], .approveStocktake: [.supervisor],
            .witnessControlled: [.veterinario, .farmacia, .supervisor],
            // Issue 13: vets, reception and farmacia add charges; reception and supervisor charge and
            // open the drawer; only a supervisor authorises discounts over the limit, voids, returns and credit.
            .addCharges: [.recepcionista, .veterinario, .farmacia, .supervisor], .editCharges: [.recepcionista, .supervisor],
            .charge: [.recepcionista, .supervisor], .openCashDrawer: [.recepcionista, .supervisor], .authorizeCheckout: [.supervisor],
            .superviseCash: [.supervisor],
            .configureFiscal: [.administrador],
            .superviseFiscal: [.supervisor, .administrador],
        ]
        #expect(Set(expected.keys) == Set(Permission.allCases))
        for permission in Permission.allCases { #expect(permission.roles == expected[permission], "\(permission)") }
        #expect(Role.farmacia.permissions == [.searchPatients, .lockTerminal, .viewStock, .manageStock, .dispense, .witnessControlled, .addCharges])
    }

    @Test func aSessionMayWhatAnyOfItsRolesMay() {
        let sede = Sede(id: "s", code: "LIM01", name: "Miraflores", createdAt: "2026-11-21T12:00:00Z")
        let vetAndPharmacy = Session(userID: "u", username: "u", fullName: "U", roles: [.farmacia, .veterinario], sede: sede)
        #expect(vetAndPharmacy.may(.writeClinicalRecords) && vetAndPharmacy.may(.bookAppointments))
        #expect(!vetAndPharmacy.may(.mergePatients) && !vetAndPharmacy.may(.unlockUsers))
        let none = Session(userID: "u", username: "u", fullName: "U", roles: [], sede: sede)
        #expect(none.permissions.isEmpty)
    }
}
