import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Issue 10, item 7, as the desk sees it: «Llegó» on tomorrow's appointment is refused and the
/// pet does not reach today's waiting room.
@Suite struct AgendaSafetyEndToEndTests {
    @Test(.timeLimit(.minutes(3))) func arrivalOnTomorrowsAppointmentIsRefusedAtTheDesk() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let made = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "200", "--seed", "11"])
        #expect(made.status == 0, "\(made.stderr)")
        // The next day with a booked appointment (the demo's vets may not work on Sundays), and in
        // its list, ordered by start, the row of the first booked one.
        var found: (offset: Int, day: CivilDate, rows: [Row], index: Int)?
        for offset in 1...7 where found == nil {
            let day = CivilDate(limaDayOf: Date()).adding(days: offset)
            let from = AgendaTime.iso(AgendaTime.instant(day, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(day.adding(days: 1), minute: 0))
            let rows = try AgendaEndToEndTests.rows(db, """
                SELECT a.id, a.status, p.name FROM appointments a JOIN pets p ON p.id = a.pet_id
                WHERE a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id
                """, [from, to])
            if let index = rows.firstIndex(where: { $0["status"] as String == "reservada" }) { found = (offset, day, rows, index) }
        }
        let target = try #require(found)
        let id: String = target.rows[target.index]["id"], petName: String = target.rows[target.index]["name"]
        let index = target.index

        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        for _ in 0..<target.offset { try desk.press("NPage") }
        var step = try desk.waitFor("Agenda · " + AgendaTime.weekdayName(target.day.weekday) + " " + target.day.display)
        #expect(step.found, "\(step.screen)")
        try desk.type("l")
        #expect(try desk.waitFor("· lista").found)
        for _ in 0..<index { try desk.press("Down") }
        try desk.press("Enter")
        step = try desk.waitFor("Cita · \(petName)")
        #expect(step.found, "\(step.screen)")
        try desk.type("l")
        step = try desk.waitFor("no de hoy: no se registra la llegada")
        #expect(step.found, "\(step.screen)")
        #expect(!step.screen.contains("está en la sala de espera"), "\(step.screen)")
        #expect(try AgendaEndToEndTests.query(db, "SELECT status FROM appointments WHERE id = ?", [id])?["status"] as String? == "reservada")
        try desk.press("F10")
        #expect(try desk.waitForExit() == 0)
    }
}

extension AgendaEndToEndTests {
    static func rows(_ db: String, _ sql: String, _ args: StatementArguments = []) throws -> [Row] {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try Row.fetchAll($0, sql: sql, arguments: args) }
    }
}
