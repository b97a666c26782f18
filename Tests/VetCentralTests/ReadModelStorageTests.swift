import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetTestSupport
@testable import VetCentral

/// The read model on central's SQLite storage: kept in the push transaction, queried with
/// `currentRows`, and rebuilt from the log by migration 0006 for a central that predates it.
struct ReadModelStorageTests {
    static let sede = "01900000-0000-7000-8000-0000000000a1"

    /// A push of `entries` (tbl, row, op, cols JSON) from `sede`, seqs from `from`, one transaction each.
    static func push(_ storage: SQLiteCentralStorage, from: Int64, _ entries: [(String, String, String, String?)], nowMs: Int64) async throws {
        var writer = PushBodyWriter(capacity: entries.count)
        for (i, e) in entries.enumerated() {
            let seq = from + Int64(i)
            writer.append(seq: seq, txID: seq, hlc: (nowMs << 16) + seq, tbl: e.0, rowID: e.1, op: e.2, colsJSON: e.3, userID: nil, dataClass: nil, prevJSON: nil)
        }
        let body = writer.body(sede: sede, epoch: "E1", fromSeq: from, toSeq: from + Int64(entries.count) - 1, epochStart: 1, schemaVersion: 10)
        let outcome = try await storage.push(sede: sede, request: try ReceivedPush.parse(body), nowMs: nowMs)
        guard case .stored(let response) = outcome else { throw CentralError(500, "test", "push no guardado: \(outcome)") }
        #expect(response.rejects.isEmpty, "\(response.rejects)")
    }

    static func everyRow(_ storage: SQLiteCentralStorage) async throws -> [CurrentRow] {
        var out: [CurrentRow] = []
        for table in ["sedes", "owners", "pets", "appointments", "appointment_types"] {
            out += try await storage.currentRows(RowQuery(table: table, includeDeleted: true))
        }
        return out
    }

    @Test func pushesKeepCurrentRowsAndQueriesFilterThem() async throws {
        let dir = TempDir()
        let storage = try SQLiteCentralStorage(path: dir.file("central.db"))
        try await storage.addSede(id: Self.sede, code: "LIM01", name: "Miraflores", kind: "clinica", tokenHash: "h", nowText: "2026-12-01T10:00:00-05:00")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await Self.push(storage, from: 1, [
            ("owners", "O1", "I", #"{"id":"O1","first_names":"José \"Pepe\"","phone":"987654321","district":null}"#),
            ("owners", "O2", "I", #"{"id":"O2","first_names":"Ñusta","phone":"912345678"}"#),
            ("pets", "P1", "I", #"{"id":"P1","owner_id":"O1","name":"Max","weight_g":-12}"#),
            ("appointments", "A1", "I", #"{"id":"A1","sede_id":"\#(Self.sede)","vet_id":"V1","pet_id":"P1","status":"reservada"}"#),
        ], nowMs: now)
        try await Self.push(storage, from: 5, [
            ("owners", "O1", "U", #"{"phone":"900000000"}"#),
            ("pets", "P1", "D", nil),
            ("appointments", "A1", "U", #"{"status":"atendida"}"#),
        ], nowMs: now)

        let owners = try await storage.currentRows(RowQuery(table: "owners"))
        #expect(owners.map(\.rowID) == ["O1", "O2"])
        #expect(owners.first?.cols == ["id": .text("O1"), "first_names": .text("José \"Pepe\""), "phone": .text("900000000"), "district": .null])
        #expect(owners.first?.origin == Self.sede)
        #expect(owners.first?.cseq == 6, "sede 1, then the push's seven changes: O1's update is the sixth")
        #expect(try await storage.currentRows(RowQuery(table: "owners", equals: ["phone": .text("912345678")])).map(\.rowID) == ["O2"])
        #expect(try await storage.currentRows(RowQuery(table: "owners", equals: ["district": .null])).map(\.rowID) == ["O1", "O2"])
        #expect(try await storage.currentRows(RowQuery(table: "owners", ids: ["O2", "nada"])).map(\.rowID) == ["O2"])
        #expect(try await storage.currentRows(RowQuery(table: "owners", ids: [])).isEmpty)
        // A deleted row is left out unless asked for; it keeps its last values.
        #expect(try await storage.currentRows(RowQuery(table: "pets")).isEmpty)
        let pet = try #require(try await storage.currentRows(RowQuery(table: "pets", includeDeleted: true)).first)
        #expect(pet.deleted && pet.cols["weight_g"] == .int(-12))
        let appointment = try await storage.currentRows(RowQuery(table: "appointments", ownerSede: Self.sede, equals: ["vet_id": .text("V1")]))
        #expect(appointment.map { $0.cols["status"] } == [.text("atendida")])
        #expect(try await storage.currentRows(RowQuery(table: "appointments", ownerSede: "otra")).isEmpty)
        // Central's own writes and the seeded types are there too.
        #expect(try await storage.currentRows(RowQuery(table: "sedes")).map { $0.cols["code"] } == [.text("LIM01")])
        let types = try await storage.currentRows(RowQuery(table: "appointment_types"))
        #expect(types.count == 6 && types.first?.cols["name"] == .text("Consulta"))
        // A column name is checked before it reaches SQL.
        await #expect(throws: CentralError.self) { try await storage.currentRows(RowQuery(table: "owners", equals: ["x') OR 1 --": .null])) }
        try await storage.close()
    }

    @Test func migrationRebuildsTheReadModelFromTheLog() async throws {
        let dir = TempDir()
        let path = dir.file("central.db")
        var storage = try SQLiteCentralStorage(path: path)
        try await storage.addSede(id: Self.sede, code: "LIM01", name: "Miraflores", kind: "clinica", tokenHash: "h", nowText: "2026-12-01T10:00:00-05:00")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await Self.push(storage, from: 1, [
            ("owners", "O1", "I", #"{"id":"O1","first_names":"Ana","phone":"1"}"#),
            ("owners", "O1", "U", #"{"phone":"2"}"#),
            ("owners", "O2", "I", #"{"id":"O2","first_names":"Luz"}"#),
            ("owners", "O2", "D", nil),
            ("appointments", "A1", "I", #"{"id":"A1","sede_id":"\#(Self.sede)","status":"reservada"}"#),
        ], nowMs: now)
        let kept = try await Self.everyRow(storage)
        #expect(kept.count == 10, "sede, 2 owners, 1 appointment, 6 types")
        try await storage.close()
        // A central from before migration 0006: no read model.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE current_rows")
            try db.execute(sql: "DELETE FROM central_migrations WHERE name LIKE '0006_%'")
        }
        try queue.close()
        storage = try SQLiteCentralStorage(path: path)
        #expect(try await Self.everyRow(storage) == kept)
        try await storage.close()
    }
}
