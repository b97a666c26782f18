import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10: what the appointment and booking screens must not let slip (demo sede, Wednesday
/// 18/11/2026, 06:06 in Lima).
@Suite struct AgendaSafetyTests {
    func value(_ h: Harness, _ sql: String, _ args: StatementArguments = []) throws -> String? {
        try h.model.services.store.read { db in try String.fetchOne(db, sql: sql, arguments: args) }
    }

    /// A booked appointment of tomorrow with the `veterinario` login.
    func tomorrowsAppointment(_ h: Harness) throws -> String {
        let tomorrow = AgendaTime.iso(AgendaTime.instant(CivilDate(limaDayOf: h.clock.now).adding(days: 1), minute: 0))
        return try #require(try value(h, """
            SELECT a.id FROM appointments a JOIN users u ON u.id = a.vet_id
            WHERE u.username = 'veterinario' AND a.status = 'reservada' AND a.starts_at > ? ORDER BY a.starts_at LIMIT 1
            """, [tomorrow]))
    }

    /// Item 7: `Llegó` on tomorrow's appointment is refused at the desk; a supervisor is asked,
    /// and the arrival can be undone with `U`.
    @Test func arrivalOnAnotherDayIsRefusedAskedOfASupervisorAndUndone() throws {
        var h = try Harness()
        h.login("recepcion")
        let id = try tomorrowsAppointment(h)
        h.model.apply(.push(AppointmentScreen(session: h.model.session!, appointmentID: id)))
        h.type("l")
        var screen = h.screen()
        #expect(screen.contains("no de hoy: no se registra la llegada"), "\(screen)")
        #expect(!screen.contains("sala de espera"), "\(screen)")
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "reservada")

        h.signOut()
        h.login("supervisor")
        h.model.apply(.push(AppointmentScreen(session: h.model.session!, appointmentID: id)))
        h.type("l")
        screen = h.screen()
        #expect(screen.contains("Llegada de otro día") && screen.contains("no de hoy"), "\(screen)")
        h.type("n")
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "reservada")
        h.type("l")
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("está en la sala de espera") && screen.contains("U Deshacer llegada"), "\(screen)")
        #expect(!screen.contains("L Llegó"), "\(screen)")
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "en_espera")
        h.type("u")
        screen = h.screen()
        #expect(screen.contains("¿Deshacer la llegada"), "\(screen)")
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("Llegada deshecha") && screen.contains("L Llegó"), "\(screen)")
        #expect(try value(h, "SELECT status || '|' || coalesce(checked_in_at, '-') FROM appointments WHERE id = ?", [id]) == "reservada|-")
    }

    /// Minor items: the hints show only what the state allows, and `No asistió` on an appointment
    /// that has not started says why instead of asking.
    @Test func hintsFollowTheStateAndNoShowBeforeTheTimeSaysWhy() throws {
        var h = try Harness()
        h.login("recepcion")
        let id = try tomorrowsAppointment(h)
        h.model.apply(.push(AppointmentScreen(session: h.model.session!, appointmentID: id)))
        var screen = h.screen()
        #expect(screen.contains("L Llegó") && screen.contains("N No asistió") && screen.contains("M Mover"), "\(screen)")
        h.type("n")
        screen = h.screen()
        #expect(screen.contains("La cita aún no empieza") && !screen.contains("¿Marcar que"), "\(screen)")
        try h.model.services.store.cancel(appointmentID: id, reason: "Viaje", by: h.model.session!)
        h.model.handle(.dataChanged)
        screen = h.screen()
        #expect(screen.contains("Cancelada"), "\(screen)")
        for hint in ["L Llegó", "M Mover", "C Cancelar", "N No asistió", "U Deshacer"] { #expect(!screen.contains(hint), "\(hint)\n\(screen)") }
        h.type("l")
        #expect(try value(h, "SELECT status FROM appointments WHERE id = ?", [id]) == "cancelada")
    }

    /// Item 8: booking a pet that already has an appointment at that time (with another vet) shows
    /// the clash and books only when confirmed.
    @Test func bookingThePetAtATimeItIsAlreadyBookedAsksFirst() throws {
        var h = try Harness()
        h.login("recepcion")
        let store = h.model.services.store
        let session = h.model.session!
        let day = CivilDate(limaDayOf: h.clock.now).adding(days: 1)
        // A quiet day: tomorrow's appointments are cancelled, so both vets and the rooms are free.
        try store.write(user: session.userID) { db in
            try db.execute(sql: "UPDATE appointments SET status = 'cancelada', cancel_reason = 'prueba' WHERE starts_at >= ? AND status = 'reservada'",
                           arguments: [AgendaTime.iso(AgendaTime.instant(day, minute: 0))])
        }
        let vets = try store.agendaVets(sedeID: session.sede.id)
        let types = try store.appointmentTypes()
        let consulta = try #require(types.first { $0.code == "consulta" })
        let first = try #require(vets.first { $0.username == "veterinario" })
        let other = try #require(vets.first { $0.id != first.id })
        let slot = try #require(try store.nextFreeSlot(typeID: consulta.id, vetID: other.id, sedeID: session.sede.id,
                                                       after: AgendaTime.instant(day, minute: 0)))
        let pet = try #require(try h.model.services.store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT min(id) AS id, name FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL
                GROUP BY name HAVING count(*) = 1 ORDER BY name LIMIT 1
                """)
        })
        let petID: String = pet["id"], petName: String = pet["name"]
        try store.book(BookingRequest(petID: petID, typeID: consulta.id, vetID: first.id, start: slot.start, overrideSchedule: true),
                       by: try store.trustedSession(username: "supervisor"))

        h.model.apply(.push(BookingScreen(session: session, types: types, vets: vets, vetID: other.id, start: slot.start, typeID: consulta.id)))
        h.type(petName)
        h.press(.enter)
        h.press(.ctrl("s"))
        var screen = h.screen()
        #expect(screen.contains("Misma mascota a la misma hora") && screen.contains("\(petName) ya tiene cita") && screen.contains(first.fullName),
                "\(screen)")
        h.type("n")
        let atSlot = "SELECT count(*) FROM appointments WHERE pet_id = ? AND starts_at = ? AND status = 'reservada'"
        #expect(try value(h, atSlot, [petID, AgendaTime.iso(slot.start)]) == "1")
        h.press(.ctrl("s"))
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("Cita reservada: \(petName)"), "\(screen)")
        #expect(try value(h, atSlot, [petID, AgendaTime.iso(slot.start)]) == "2")
    }

    /// Minor item: a walk-in registered just after midnight does not start the day grid at 00:00.
    @Test func aWalkInAtMidnightDoesNotStartTheGridAtMidnight() throws {
        var h = try Harness()
        h.login("recepcion")
        let today = CivilDate(limaDayOf: h.clock.now)
        h.clock.set(AgendaTime.instant(today, minute: 5))
        let store = h.model.services.store
        let petID = try #require(try value(h, "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1"))
        try store.addWalkIn(petID: petID, typeID: try store.appointmentTypes()[0].id, reason: "Emergencia nocturna", by: h.model.session!)
        h.press(.function(3))
        h.press(.char("h"))
        let screen = h.screen()
        let rows = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rows.contains { $0.hasPrefix("08:00") }, "\(screen)")
        #expect(!rows.contains { $0.hasPrefix("00:00") || $0.hasPrefix("00:15") }, "\(screen)")
        h.type("l")
        #expect(h.screen().contains("00:05–00:35") && h.screen().contains("En espera"), "\(h.screen())")
    }

    /// Minor item: F1 explains how the screen is worked, not only its keys.
    @Test func helpExplainsTheAgendasWorkflowAndMarks() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(3))
        h.press(.function(1))
        var screen = h.screen()
        #expect(screen.contains("Cómo se trabaja en «Agenda") && screen.contains("Enter sobre un espacio libre reserva una cita"), "\(screen)")
        #expect(screen.contains("◷ llegó y espera") && screen.contains("Salir de VetDesk"), "\(screen)")
        h.press(.escape)
        h.press(.function(2))
        h.press(.function(1))
        screen = h.screen(width: 80, height: 24)
        // Read as a person reads wrapped text: line after line.
        let text = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(text.contains("Ctrl+N registra un propietario nuevo") && text.contains("sin importar tildes ni mayúsculas"), "\(screen)")
    }
}
