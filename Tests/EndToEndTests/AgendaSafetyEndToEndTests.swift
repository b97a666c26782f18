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
        let tomorrow = CivilDate(limaDayOf: Date()).adding(days: 1)
        let from = AgendaTime.iso(AgendaTime.instant(tomorrow, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(tomorrow.adding(days: 1), minute: 0))
        // The day list is ordered by start: the first booked appointment of tomorrow and its row.
        let rows = try AgendaEndToEndTests.rows(db, "SELECT a.id, a.status, p.name FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id", [from, to])
        let index = try #require(rows.firstIndex { $0["status"] as String == "reservada" })
        let id: String = rows[index]["id"], petName: String = rows[index]["name"]

        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        try desk.press("NPage")
        var step = try desk.waitFor(tomorrow.display)
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
