import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// The agenda screens without a terminal, on the demo sede (Wednesday 18/11/2026, 06:06 in Lima).
@Suite struct AgendaScreenTests {
    func firstPet(_ h: Harness) throws -> (id: String, name: String) {
        try h.model.services.store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT id, name FROM pets WHERE deceased_on IS NULL ORDER BY name LIMIT 1")!
            return (row["id"], row["name"])
        }
    }

    /// A pet with no appointment yet (booking one that has an appointment at the same time asks first).
    func newPet(_ h: Harness, _ name: String) throws -> (id: String, name: String) {
        let store = h.model.services.store
        let ownerID = try #require(try store.read { db in try String.fetchOne(db, sql: "SELECT id FROM owners ORDER BY id LIMIT 1") })
        guard case .saved(let pet) = try store.savePet(PetInput(name: name, species: "perro", sex: "M"), ownerID: ownerID,
                                                       by: try store.trustedSession(username: "recepcion")) else { throw StoreError.invalid("pet") }
        return (pet.id, pet.name)
    }

    func value(_ h: Harness, _ sql: String, _ args: StatementArguments = []) throws -> String? {
        try h.model.services.store.read { db in try String.fetchOne(db, sql: sql, arguments: args) }
    }

    @Test func receptionBooksTheNextFreeSlotChecksInAndTheWaitingRoomShowsIt() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(3))
        var screen = h.screen()
        #expect(screen.contains("Agenda · miércoles 18/11/2026"), "\(screen)")
        #expect(screen.contains("Dr. Carlos Mendoza") && screen.contains("Dra. Milagros Rojas") && screen.contains("libre"), "\(screen)")
        h.type("x")
        #expect(h.screen().contains("Próximo libre (consulta): 18/11/2026"))
        let pet = try newPet(h, "Zafiro")
        h.press(.enter)
        #expect(h.screen().contains("Nueva cita"))
        h.type(pet.name)
        h.press(.enter)
        screen = h.screen()
        #expect(screen.contains("Mascota: \(pet.name)") && screen.contains("◂ Dr. Carlos Mendoza Ríos ▸"), "\(screen)")
        h.press(.ctrl("s"))
        screen = h.screen()
        #expect(screen.contains("Cita reservada: \(pet.name)"), "\(screen)")
        let id = try #require(try value(h, "SELECT a.id FROM appointments a JOIN users u ON u.id = a.created_by WHERE u.username = 'recepcion' AND a.pet_id = ?", [pet.id]))
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "reservada")
        // The grid shows it under the cursor; Enter opens it and L checks it in.
        h.press(.enter)
        #expect(h.screen().contains("Cita · \(pet.name)"))
        h.type("l")
        screen = h.screen()
        #expect(screen.contains("está en la sala de espera") && screen.contains("Al llegar:"), "\(screen)")
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "en_espera")
        h.press(.escape)
        h.type("e")
        screen = h.screen()
        #expect(screen.contains("Sala de espera") && screen.contains(pet.name) && screen.contains("En espera") && screen.contains("1 en espera"), "\(screen)")
    }

    @Test func aTakenSlotIsRefusedInTheFormAndNothingIsSaved() throws {
        var h = try Harness()
        h.login("recepcion")
        let taken = try #require(try value(h, """
            SELECT a.starts_at FROM appointments a JOIN users u ON u.id = a.vet_id
            WHERE u.username = 'veterinario' AND a.status = 'reservada' AND a.starts_at > ? ORDER BY a.starts_at LIMIT 1
            """, [AgendaTime.iso(h.clock.now)]))
        let start = try #require(AgendaTime.parse(taken))
        let before = try value(h, "SELECT count(*) FROM appointments")
        h.press(.function(3))
        // The booking form at the vet's next free slot (the slot under the cursor may be taken).
        h.type("x")
        h.press(.enter)
        let pet = try firstPet(h)
        h.type(pet.name)
        h.press(.enter)
        // Type, vet, day, then the time of the existing appointment.
        h.press(.tab); h.press(.tab); h.press(.tab)
        h.press(.ctrl("u"))
        h.type(LimaTime.clock(start))
        h.press(.ctrl("s"))
        let screen = h.screen()
        #expect(screen.contains("Horario ocupado"), "\(screen)")
        #expect(try value(h, "SELECT count(*) FROM appointments") == before)
    }

    @Test func cancellingAsksForAReasonAndAConfirmation() throws {
        var h = try Harness()
        h.login("recepcion")
        let id = try #require(try value(h, """
            SELECT a.id FROM appointments a JOIN users u ON u.id = a.vet_id
            WHERE u.username = 'veterinario' AND a.status = 'reservada' AND a.starts_at > ? ORDER BY a.starts_at LIMIT 1
            """, [AgendaTime.iso(h.clock.now)]))
        h.model.apply(.push(AppointmentScreen(session: h.model.session!, appointmentID: id)))
        h.type("c")
        h.press(.enter)
        #expect(h.screen().contains("✖ Indique el motivo"))
        h.type("El dueño está de viaje")
        h.press(.enter)
        var screen = h.screen()
        #expect(screen.contains("Cancelar cita") && screen.contains("Motivo: El dueño está de viaje"), "\(screen)")
        h.press(.escape)
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "reservada")
        h.press(.enter)
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("Cita cancelada"), "\(screen)")
        #expect(try value(h, "SELECT status || '|' || cancel_reason FROM appointments WHERE id = ?", [id]) == "cancelada|El dueño está de viaje")
    }

    @Test func theVetCallsInAndMarksAttendedFromTheWaitingRoom() throws {
        var h = try Harness()
        h.login("veterinario")
        let session = h.model.session!
        let store = h.model.services.store
        let pet = try firstPet(h)
        let types = try store.appointmentTypes()
        try store.addWalkIn(petID: pet.id, typeID: types[0].id, reason: "Cojera", by: session)
        h.model.apply(.push(WaitingRoomScreen(session: session)))
        #expect(h.screen().contains(pet.name))
        h.type("k")
        #expect(h.screen().contains("En consulta"))
        h.type("a")
        let screen = h.screen()
        #expect(screen.contains("Atendida") && screen.contains("Nadie en espera"), "\(screen)")
        #expect(try value(h, "SELECT status || '|' || vet_id FROM appointments WHERE pet_id = ? AND walk_in = 1", [pet.id]) == "atendida|\(session.userID)")
    }

    @Test func aChangeFromAnotherTerminalAppearsOnDataChanged() throws {
        var h = try Harness()
        h.login("veterinario")
        h.model.apply(.push(WaitingRoomScreen(session: h.model.session!)))
        #expect(h.screen().contains("Nadie en espera"))
        // Another terminal: a separate store on the same file.
        let other = try SedeStore.open(path: h.dir.file("sede.db"), clock: h.clock)
        let desk = try other.trustedSession(username: "recepcion")
        let pet = try firstPet(h)
        try other.addWalkIn(petID: pet.id, typeID: try other.appointmentTypes()[0].id, reason: "Vómitos", by: desk)
        try other.close()
        h.model.handle(.dataChanged)
        #expect(h.screen().contains(pet.name))
    }
}

@Suite struct AgendaWeekAndListTests {
    @Test func weekViewOfTheSelectedVetAndListOfTheDay() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(3))
        h.type("s")
        var screen = h.screen()
        #expect(screen.contains("Semana · Dr. Carlos Mendoza Ríos · 16/11/2026–22/11/2026"), "\(screen)")
        #expect(screen.contains("lun 16/11") && screen.contains("dom 22/11"), "\(screen)")
        h.press(.pageDown)
        #expect(h.screen().contains("23/11/2026–29/11/2026"))
        h.press(.escape)
        h.type("l")
        screen = h.screen()
        #expect(screen.contains("Agenda · miércoles 18/11/2026 · lista") && screen.contains("Veterinario") && screen.contains("Reservada"), "\(screen)")
    }
}

@Suite struct AgendaSmallTerminalTests {
    /// At 80×24 the day view shows three vets with the arrows to the others, and the booking form fits.
    @Test func dayViewAndBookingFitEightyByTwentyFour() throws {
        var h = try Harness()
        h.login("supervisor")
        h.press(.function(3))
        var screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Dr. Carlos Mendoza") && screen.contains("▸") && !screen.contains("Dra. Milagros Rojas"), "\(screen)")
        for _ in 0..<3 { h.press(.right) }
        screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Dra. Milagros Rojas") && screen.contains("◂"), "\(screen)")
        h.press(.enter)
        h.type(try h.model.services.store.read { db in try String.fetchOne(db, sql: "SELECT name FROM pets ORDER BY name LIMIT 1")! })
        h.press(.enter)
        screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Motivo") && screen.contains("Fuera de horario") && screen.contains("F10 Salir"), "\(screen)")
    }
}
