import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// The load-state component and the key tables, through a real screen and the whole app.
@Suite struct LoadStateAndBindingsTests {
    /// A load that fails shows its Spanish error in place of the data, with `R Reintentar` on the
    /// hints line; once the cause is gone, R loads the data.
    @Test func aFailedLoadShowsTheErrorAndRRetries() throws {
        var h = try Harness()
        h.login("supervisor")
        let store = h.model.services.store
        try store.pool.write { db in try db.execute(sql: "ALTER TABLE conflict_log RENAME TO conflict_log_away") }
        h.model.apply(.push(SyncScreen()))
        var screen = h.screen()
        #expect(!screen.contains("Cargando…"), "\(screen)")
        #expect(!screen.contains("Sin rechazos ni conflictos."), "\(screen)")
        #expect(screen.contains("R Reintentar"), "\(screen)")
        let hints = screen.split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(hints.contains("R Reintentar") && hints.contains("Esc Volver"), "\(hints)")

        try store.pool.write { db in try db.execute(sql: "ALTER TABLE conflict_log_away RENAME TO conflict_log") }
        h.type("r")
        screen = h.screen()
        #expect(screen.contains("Sin rechazos ni conflictos."), "\(screen)")
        #expect(!screen.contains("R Reintentar"), "\(screen)")
    }

    /// The day agenda's load fails (its schedules table is gone): the Spanish error stands where the
    /// grid goes, the only keys are R and Esc, and R shows the day once the table is back.
    @Test func aFailedAgendaLoadShowsTheErrorInPlaceOfTheGridAndRRetries() throws {
        var h = try Harness()
        let store = h.model.services.store
        try store.pool.write { db in try db.execute(sql: "ALTER TABLE vet_schedules RENAME TO vet_schedules_away") }
        h.login("recepcion")
        var screen = h.screen(width: 240)
        #expect(screen.contains("VetDesk · Agenda"), "\(screen)")
        #expect(screen.contains("respondió con un error inesperado") && !screen.contains("Cargando…"), "\(screen)")
        #expect(!screen.contains("Dr. Carlos Mendoza"), "\(screen)")
        let hints = screen.split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(hints.contains("R Reintentar") && hints.contains("Esc Volver") && !hints.contains("Mover"), "\(hints)")

        try store.pool.write { db in try db.execute(sql: "ALTER TABLE vet_schedules_away RENAME TO vet_schedules") }
        h.type("r")
        screen = h.screen(width: 240)
        #expect(screen.contains("Agenda · miércoles 18/11/2026") && screen.contains("Dr. Carlos Mendoza"), "\(screen)")
        #expect(!screen.contains("error inesperado") && !screen.contains("R Reintentar"), "\(screen)")
    }

    /// An appointment whose load fails (the day's schedules cannot be read) shows the Spanish error
    /// in place of the appointment, with R and Esc only; R shows it once the cause is gone.
    @Test func aFailedAppointmentLoadShowsTheErrorAndRRetries() throws {
        var h = try Harness()
        h.login("recepcion")
        let store = h.model.services.store
        let row = try #require(try store.read { db in
            try Row.fetchOne(db, sql: "SELECT a.id, p.name FROM appointments a JOIN pets p ON p.id = a.pet_id ORDER BY a.starts_at, a.id LIMIT 1")
        })
        let id: String = row["id"], pet: String = row["name"]
        try store.pool.write { db in try db.execute(sql: "ALTER TABLE vet_schedules RENAME TO vet_schedules_away") }
        h.model.apply(.push(AppointmentScreen(session: try #require(h.model.session), appointmentID: id)))
        var screen = h.screen(width: 240)
        #expect(screen.contains("respondió con un error inesperado") && !screen.contains("Cargando…"), "\(screen)")
        #expect(!screen.contains("Propietario"), "\(screen)")
        let hints = screen.split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(hints.contains("R Reintentar") && hints.contains("Esc Volver") && !hints.contains("Historia"), "\(hints)")

        try store.pool.write { db in try db.execute(sql: "ALTER TABLE vet_schedules_away RENAME TO vet_schedules") }
        h.type("r")
        screen = h.screen(width: 240)
        #expect(screen.contains("Cita · \(pet)") && screen.contains("Propietario") && screen.contains("H Historia"), "\(screen)")
        #expect(!screen.contains("error inesperado") && !screen.contains("R Reintentar"), "\(screen)")
    }

    /// The booking form offers the sede's rooms once they are loaded; when they cannot be read, the
    /// Spanish error is on the message line and the booking goes on with `Automático` alone.
    @Test func bookingOffersTheLoadedRoomsOrSaysWhyNot() throws {
        var h = try Harness()
        h.login("recepcion")
        let store = h.model.services.store
        let session = try #require(h.model.session)
        let vets = try store.dayAgenda(day: store.today, sedeID: session.sede.id).vets
        let types = try store.appointmentTypes()
        let pet = try #require(try store.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY name LIMIT 1")
        })
        let start = AgendaTime.instant(store.today, minute: 600)
        /// Opens a booking, picks the pet and turns the `Ambiente` choice once.
        func bookAndTurnTheRoom() -> (search: String, form: String) {
            h.model.apply(.push(BookingScreen(session: session, types: types, vets: vets, vetID: vets.first?.id, start: start)))
            h.type(pet)
            let search = h.screen(width: 240)
            h.press(.enter)
            for _ in 0..<4 { h.press(.tab) }
            h.press(.right)
            return (search, h.screen(width: 240))
        }

        var shown = bookAndTurnTheRoom()
        #expect(!shown.search.contains("error inesperado"), "\(shown.search)")
        #expect(shown.form.contains("◂ Consultorio 1 ▸"), "\(shown.form)")

        try store.pool.write { db in try db.execute(sql: "ALTER TABLE rooms RENAME TO rooms_away") }
        shown = bookAndTurnTheRoom()
        #expect(shown.search.contains("Nueva cita") && shown.search.contains("respondió con un error inesperado"), "\(shown.search)")
        #expect(shown.form.contains("◂ Automático ▸") && !shown.form.contains("Consultorio"), "\(shown.form)")
    }

    /// The reason of the pet's appointment today cannot be read: the new consultation says why on its
    /// message line and stays empty, and what is typed goes in (the error goes with the first edit).
    @Test func aConsultationWhoseAppointmentReasonFailsSaysSoAndTakesTyping() throws {
        var h = try Harness()
        h.login("veterinario")
        let store = h.model.services.store
        let session = try #require(h.model.session)
        let petID = try #require(try store.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1")
        })
        try store.addWalkIn(petID: petID, typeID: try store.appointmentTypes()[0].id, reason: "Cojera del miembro posterior", by: session)
        let pet = try #require(try store.pet(id: petID))
        try store.pool.write { db in try db.execute(sql: "ALTER TABLE appointments RENAME TO appointments_away") }
        h.model.apply(.push(ClinicalFormScreen(session: session, pet: pet, kind: .consultation)))
        var screen = h.screen(width: 240)
        #expect(screen.contains("Nueva consulta") && screen.contains("respondió con un error inesperado"), "\(screen)")
        #expect(!screen.contains("Cojera"), "\(screen)")
        h.type("Tos seca")
        screen = h.screen(width: 240)
        #expect(screen.contains("Tos seca") && !screen.contains("error inesperado"), "\(screen)")
    }

    /// The hints line shows a key exactly when the key acts: on the waiting room a receptionist sees
    /// no `K`, and K answers with why, while the vet sees `K En consulta`.
    @Test func hintsFollowTheKeyTable() throws {
        var h = try Harness()
        h.login("recepcion")
        h.model.apply(.push(WaitingRoomScreen(session: try #require(h.model.session))))
        var screen = h.screen()
        #expect(!screen.contains("K En consulta") && screen.contains("H Historia"), "\(screen)")
        h.type("k")
        #expect(h.screen().contains("Solo un veterinario llama al paciente"), "\(h.screen())")
        h.signOut()
        h.login("veterinario")
        h.model.apply(.push(WaitingRoomScreen(session: try #require(h.model.session))))
        screen = h.screen()
        #expect(screen.contains("K En consulta") && screen.contains("A Atendida"), "\(screen)")
    }
}
