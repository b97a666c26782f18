import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// Issue 11, item 3: statuses are enums stored as text; a status from a newer sede is kept, shown
/// as unknown and never booked, called in or attended; money is stored as whole céntimos.
@Suite struct TypedColumnsTests {
    /// Writes `status` as a newer sede would have (this version's CHECK does not know it).
    func setStatus(_ a: AgendaFixture, _ id: String, _ status: String) throws {
        try a.f.store.write(user: a.f.supervisor.userID) { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
            try db.execute(sql: "UPDATE appointments SET status = ? WHERE id = ?", arguments: [status, id])
        }
    }

    @Test func anUnknownStatusIsShownAsUnknownAndRefusesEveryStep() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        let booked = try a.f.store.book(a.request(9), by: a.f.reception)
        try setStatus(a, booked.id, "en_triaje")
        let read = try #require(try a.f.store.appointment(id: booked.id))
        #expect(read.status == .unknown("en_triaje"))
        let item = try #require(try a.f.store.dayAgenda(day: a.today, sedeID: a.f.vet.sede.id).items.first { $0.id == booked.id })
        #expect(item.status.label == "Desconocido (en_triaje)")
        // Not bookable, not arrived, not called in, not attended, not moved, not a no-show.
        #expect(storeErrorCode { _ = try a.f.store.checkIn(appointmentID: booked.id, by: a.f.reception) } == .conflict)
        #expect(storeErrorCode { try a.f.store.callIn(appointmentID: booked.id, by: a.f.vet) } == .conflict)
        #expect(storeErrorCode { try a.f.store.markAttended(appointmentID: booked.id, by: a.f.vet) } == .conflict)
        #expect(storeErrorCode { try a.f.store.move(appointmentID: booked.id, to: a.at(11), by: a.f.reception) } == .conflict)
        #expect(storeErrorCode { try a.f.store.markNoShow(appointmentID: booked.id, by: a.f.reception) } == .conflict)
        #expect(storeErrorCode { try a.f.store.cancel(appointmentID: booked.id, reason: "Viaje", by: a.f.reception) } == .conflict)
        // Its time stays taken.
        #expect(storeErrorCode { _ = try a.f.store.book(a.request(9, pet: a.toby), by: a.f.reception) } == .appointmentOverlap)
        // Saved again, the row keeps the newer sede's text.
        try a.f.store.write(user: a.f.supervisor.userID) { db in
            var row = try #require(try Appointment.fetchOne(db, key: booked.id))
            row.reason = "Control (corregido)"
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
            try row.update(db)
        }
        #expect(try a.f.store.read { db in try String.fetchOne(db, sql: "SELECT status FROM appointments WHERE id = ?", arguments: [booked.id]) }
                == "en_triaje")
    }

    @Test func theReminderIsPendingThenCancelledWithItsAppointment() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        let booked = try a.f.store.book(a.request(10, day: 3), by: a.f.reception)
        let reminder = { try a.f.store.read { db in try OutboxMessage.filter(sql: "appointment_id = ?", arguments: [booked.id]).fetchOne(db) } }
        #expect(try reminder()?.state == .pendiente)
        try a.f.store.cancel(appointmentID: booked.id, reason: "Viaje", by: a.f.reception)
        #expect(try reminder()?.state == .cancelado)
        #expect(try a.f.store.read { db in try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE appointment_id = ?", arguments: [booked.id]) }
                == "cancelado")
    }

    @Test func moneyIsAnIntegerColumnOfCentimos() throws {
        struct Line: Codable, FetchableRecord, PersistableRecord {
            static let databaseTableName = "line"
            var id: Int64
            var price: Money
        }
        let db = try DatabaseQueue()
        try db.write { db in
            try db.execute(sql: "CREATE TABLE line (id INTEGER PRIMARY KEY, price INTEGER NOT NULL)")
            try Line(id: 1, price: Money(centimos: 1_250)).insert(db)
            try Line(id: 2, price: Money(centimos: .min)).insert(db)
            try db.execute(sql: "INSERT INTO line (id, price) VALUES (3, ?)", arguments: [Money(centimos: -7)])
        }
        let types = try db.read { db in try String.fetchAll(db, sql: "SELECT typeof(price) FROM line ORDER BY id") }
        let raw = try db.read { db in try Int64.fetchAll(db, sql: "SELECT price FROM line ORDER BY id") }
        let lines = try db.read { db in try Line.fetchAll(db, sql: "SELECT * FROM line ORDER BY id") }
        let total = try db.read { db in try Money.fetchOne(db, sql: "SELECT sum(price) FROM line WHERE id != 2") }
        #expect(types == ["integer", "integer", "integer"])
        #expect(raw == [1_250, .min, -7])
        #expect(lines.map(\.price) == [Money(centimos: 1_250), Money(centimos: .min), Money(centimos: -7)])
        #expect(total == Money(centimos: 1_243))
    }
}
