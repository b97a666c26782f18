import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetTestSupport
@testable import VetCentral

/// The `network` data class on central's SQLite storage (migration 0008): rows only their sede
/// writes, like `sede` rows, that every sede pulls.
struct NetworkClassStorageTests {
    static let lima = "01900000-0000-7000-8000-0000000000a1"
    static let arequipa = "01900000-0000-7000-8000-0000000000a2"
    static let cusco = "01900000-0000-7000-8000-0000000000a3"

    static func storage(_ dir: TempDir) async throws -> SQLiteCentralStorage {
        let storage = try SQLiteCentralStorage(path: dir.file("central.db"))
        for (id, code) in [(lima, "LIM01"), (arequipa, "ARE01"), (cusco, "CUS01")] {
            try await storage.addSede(id: id, code: code, name: code, kind: "clinica", tokenHash: "h-\(code)", nowText: "2026-12-01T10:00:00-05:00")
        }
        return storage
    }

    /// A push of `entries` (tbl, row, op, cols JSON) from `sede`, epoch E1, seqs from `from`; its rejects.
    static func push(_ storage: SQLiteCentralStorage, sede: String, from: Int64, _ entries: [(String, String, String, String?)]) async throws -> [PushReject] {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var writer = PushBodyWriter(capacity: entries.count)
        for (i, e) in entries.enumerated() {
            let seq = from + Int64(i)
            writer.append(seq: seq, txID: seq, hlc: (nowMs << 16) + seq, tbl: e.0, rowID: e.1, op: e.2, colsJSON: e.3, userID: nil, dataClass: nil, prevJSON: nil)
        }
        let body = writer.body(sede: sede, epoch: "E1", fromSeq: from, toSeq: from + Int64(entries.count) - 1, epochStart: 1, schemaVersion: 12)
        guard case .stored(let response) = try await storage.push(sede: sede, request: try ReceivedPush.parse(body), nowMs: nowMs) else {
            throw CentralError(500, "test", "push no guardado")
        }
        return response.rejects
    }

    /// What `sede` pulls of the pushed rows, as `tbl:row_id`.
    static func pulled(_ storage: SQLiteCentralStorage, by sede: String) async throws -> [String] {
        let page = try await storage.pull(sede: sede, epoch: "E1", after: 0, check: nil, limit: 1000)
        return page.changes.filter { $0.origin != nil }.map { "\($0.tbl):\($0.rowID)" }
    }

    @Test func networkRowsKeepTheirOwnerAndReachEverySede() async throws {
        let dir = TempDir()
        let storage = try await Self.storage(dir)
        let lima = Self.lima
        #expect(try await Self.push(storage, sede: lima, from: 1, [
            ("sales", "V1", "I", #"{"id":"V1","sede_id":"\#(lima)","number":1,"kind":"venta","total":11800}"#),
            ("payments", "P1", "I", #"{"id":"P1","sede_id":"\#(lima)","sale_id":"V1","method":"yape","amount":11800}"#),
            ("cash_sessions", "C1", "I", #"{"id":"C1","sede_id":"\#(lima)","drawer":"Caja 1","opening_float":20000}"#),
        ]).isEmpty)

        // Arequipa may neither write Lima's rows nor make new ones in Lima's name.
        let rejects = try await Self.push(storage, sede: Self.arequipa, from: 1, [
            ("sales", "V1", "U", #"{"total":1}"#),
            ("payments", "P1", "I", #"{"id":"P1","sede_id":"\#(Self.arequipa)","sale_id":"V1","method":"yape","amount":1}"#),
            ("payments", "P2", "I", #"{"id":"P2","sede_id":"\#(lima)","sale_id":"V1","method":"efectivo","amount":-11800}"#),
            ("sale_lines", "L9", "I", #"{"id":"L9","sale_id":"V1","line_no":9}"#),
            ("payments", "P3", "I", #"{"id":"P3","sede_id":"\#(Self.arequipa)","sale_id":"V1","method":"plin","amount":500}"#),
        ])
        #expect(rejects.map(\.code) == ["other_sede", "other_sede", "other_sede", "unknown_row"])
        #expect(rejects.map(\.seq) == [1, 2, 3, 4])

        // The read model keeps each network row's owner, as for sede rows.
        let sales = try await storage.currentRows(RowQuery(table: "sales", ownerSede: lima))
        #expect(sales.map(\.rowID) == ["V1"] && sales.first?.dataClass == .network && sales.first?.cols["total"] == .int(11800))
        let payments = try await storage.currentRows(RowQuery(table: "payments"))
        #expect(payments.map { "\($0.rowID):\($0.ownerSede ?? "-"):\($0.cols["amount"] ?? .null)" } == ["P1:\(lima):11800", "P3:\(Self.arequipa):500"])
        #expect(try await storage.currentRows(RowQuery(table: "cash_sessions")).map(\.ownerSede) == [lima])

        // Network rows reach every sede; the cash drawer only its own (which never pulls its own changes).
        #expect(try await Self.pulled(storage, by: Self.cusco) == ["sales:V1", "payments:P1", "payments:P3"])
        #expect(try await Self.pulled(storage, by: Self.arequipa) == ["sales:V1", "payments:P1"])
        #expect(try await Self.pulled(storage, by: lima) == ["payments:P3"])
        try await storage.close()
    }

    /// A central from before migration 0008 keeps every class it listed and takes the new ones.
    @Test func migrationRebuildsTheClassListKeepingWhatItHeld() async throws {
        let dir = TempDir()
        let path = dir.file("central.db")
        var storage = try SQLiteCentralStorage(path: path)
        try await storage.close()
        let queue = try DatabaseQueue(path: path)
        let before = try await queue.write { db in
            try db.execute(sql: """
                CREATE TABLE data_classes_old (tbl TEXT PRIMARY KEY, data_class TEXT NOT NULL CHECK (data_class IN ('shared', 'sede', 'central')));
                INSERT INTO data_classes_old SELECT tbl, data_class FROM data_classes WHERE data_class <> 'network';
                DELETE FROM data_classes_old WHERE tbl IN ('charges', 'pagoefectivo_events', 'cash_sessions', 'cash_movements',
                                                           'cash_closes', 'cash_close_notes', 'cash_signoffs');
                DROP TABLE data_classes;
                ALTER TABLE data_classes_old RENAME TO data_classes;
                DELETE FROM central_migrations WHERE name LIKE '0008_%' OR name LIKE '0009_%';
                """)
            #expect(throws: DatabaseError.self) { try db.execute(sql: "INSERT INTO data_classes VALUES ('x', 'network')") }
            return try String.fetchAll(db, sql: "SELECT tbl || ':' || data_class FROM data_classes ORDER BY tbl")
        }
        try queue.close()
        #expect(before.contains("owners:shared") && before.contains("stock_movements:sede") && !before.contains { $0.hasPrefix("sales:") })

        storage = try SQLiteCentralStorage(path: path)
        try await storage.close()
        let reopened = try DatabaseQueue(path: path)
        defer { try? reopened.close() }
        let after = try await reopened.read { db in try String.fetchAll(db, sql: "SELECT tbl || ':' || data_class FROM data_classes ORDER BY tbl") }
        let checkout = ["cash_close_notes:sede", "cash_closes:sede", "cash_movements:sede", "cash_sessions:sede", "cash_signoffs:sede", "charges:sede", "pagoefectivo_cips:network", "pagoefectivo_events:central",
                        "payments:network", "plan_instalments:network", "sale_credits:network", "sale_lines:network", "sales:network"]
        #expect(after == (before + checkout).sorted())
    }
}
