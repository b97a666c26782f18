import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Two terminals on the same sede database, as at a real front desk: the receptionist books and
/// checks in a pet; the vet's waiting room, left alone, shows it; the vet calls it in and marks it
/// `Atendida`.
@Suite struct AgendaEndToEndTests {
    static func query(_ db: String, _ sql: String, _ args: StatementArguments = []) throws -> Row? {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try Row.fetchOne($0, sql: sql, arguments: args) }
    }

    @Test(.timeLimit(.minutes(3))) func deskBooksAndChecksInAndTheVetsWaitingRoomShowsItByItself() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let made = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "200", "--seed", "11"])
        #expect(made.status == 0, "\(made.stderr)")
        // A pet with an alert and a microchip, so the search finds exactly it.
        let pet = try #require(try Self.query(db, """
            SELECT id, name, microchip, alerts FROM pets
            WHERE alerts IS NOT NULL AND microchip IS NOT NULL AND deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1
            """))
        let petID: String = pet["id"], petName: String = pet["name"], chip: String = pet["microchip"], alerts: String = pet["alerts"]
        // The vet works all of today, so the next free slot is today whatever the hour the test runs
        // at (after the demo's working hours it would be tomorrow, and tomorrow's cita is not checked in today).
        let today = CivilDate(limaDayOf: Date())
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO vet_schedules (id, sede_id, vet_id, weekday, start_min, end_min, created_at)
                SELECT lower(hex(randomblob(16))), r.sede_id, u.id, ?, 0, 1440, '2026-01-01T00:00:00Z'
                FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.username = 'veterinario' LIMIT 1
                """, arguments: [today.weekday])
            try db.execute(sql: "DELETE FROM schedule_exceptions WHERE day = ?", arguments: [today.iso])
        }
        try queue.close()

        // The vet opens the waiting room and leaves the keyboard alone.
        let vet = try TmuxSession.signedIn(db: db, user: "veterinario")
        try vet.type("e")
        var step = try vet.waitFor("Sala de espera")
        #expect(step.found, "\(step.screen)")
        #expect(!step.screen.contains(petName + " "), "\(step.screen)")

        // The receptionist books the vet's next free slot for the pet and checks it in.
        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        try desk.press("F3")
        step = try desk.waitFor("Agenda ·")
        #expect(step.found, "\(step.screen)")
        try desk.type("x")
        step = try desk.waitFor("Próximo libre (consulta):")
        #expect(step.found, "\(step.screen)")
        try desk.press("Enter")
        #expect(try desk.waitFor("Nueva cita").found)
        try desk.type(chip)
        step = try desk.waitFor(petName)
        #expect(step.found, "\(step.screen)")
        try desk.press("Enter")
        step = try desk.waitFor("Mascota: \(petName)")
        #expect(step.found, "\(step.screen)")
        #expect(step.screen.contains("ALERTAS"), "\(step.screen)")
        try desk.press("C-s")
        step = try desk.waitFor("Cita reservada: \(petName)")
        #expect(step.found, "\(step.screen)")
        let appointment = try #require(try Self.query(db, "SELECT id, status FROM appointments WHERE pet_id = ? AND created_by IS NOT NULL ORDER BY created_at DESC LIMIT 1", [petID]))
        let appointmentID: String = appointment["id"]
        #expect(appointment["status"] as String == "reservada")
        try desk.press("Enter")
        step = try desk.waitFor("Cita · \(petName)")
        #expect(step.found, "\(step.screen)")
        try desk.type("l")
        step = try desk.waitFor("está en la sala de espera")
        let checkedIn = Date()
        #expect(step.found, "\(step.screen)")
        // The alerts show at check-in.
        let firstAlert = alerts.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? alerts
        #expect(step.screen.contains("Al llegar:") && step.screen.contains(firstAlert), "\(step.screen)")

        // Without a key press, the vet's screen shows the pet waiting.
        step = try vet.waitFor(petName, seconds: 5)
        let latency = Date().timeIntervalSince(checkedIn)
        print("agenda e2e: the waiting room showed the check-in after \(String(format: "%.2f", latency)) s (goal: 1 s)")
        #expect(step.found, "\(step.screen)")
        #expect(step.screen.contains("En espera"), "\(step.screen)")

        // The vet calls it in, then marks it Atendida.
        try vet.type("k")
        step = try vet.waitFor("en consulta")
        #expect(step.found, "\(step.screen)")
        try vet.type("a")
        step = try vet.waitFor("Atendida")
        #expect(step.found, "\(step.screen)")
        #expect(try waitUntil(seconds: 5) {
            (try Self.query(db, "SELECT status FROM appointments WHERE id = ?", [appointmentID])?["status"] as String?) == "atendida"
        })
        let done = try #require(try Self.query(db, """
            SELECT a.status, a.checked_in_at, a.called_at, a.done_at, u.username FROM appointments a JOIN users u ON u.id = a.vet_id WHERE a.id = ?
            """, [appointmentID]))
        #expect(done["username"] as String == "veterinario")
        #expect((done["checked_in_at"] as String?) != nil && (done["called_at"] as String?) != nil && (done["done_at"] as String?) != nil)

        try desk.press("F10")
        try vet.press("F10")
        #expect(try desk.waitForExit() == 0)
        #expect(try vet.waitForExit() == 0)
    }
}
