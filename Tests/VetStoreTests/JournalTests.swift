import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore

/// A sede store in a temp dir with one owner-less sede.
func makeStore(_ dir: TempDir, clock: any WallClock = SystemClock()) throws -> SedeStore {
    let store = try SedeStore.create(path: dir.file("sede.db"), clock: clock)
    try store.initializeSede(code: "LIM01", name: "VetDesk Miraflores")
    return store
}

struct JournalRow: Equatable {
    var seq: Int64, txID: Int64, hlc: Int64, tbl: String, rowID: String, op: String, cols: [String: String?]?, userID: String?
}

func journal(_ store: SedeStore, after seq: Int64 = 0) throws -> [JournalRow] {
    try store.read { db in
        try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE seq > ? ORDER BY seq", arguments: [seq]).map { row in
            let colsText: String? = row["cols"]
            let cols = try colsText.map { text -> [String: String?] in
                guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw StoreError.invalid("journal.cols is not a JSON object: \(text)")
                }
                return object.mapValues { value in value is NSNull ? nil : "\(value)" }
            }
            return JournalRow(seq: row["seq"], txID: row["tx_id"], hlc: row["hlc"], tbl: row["tbl"], rowID: row["row_id"],
                              op: row["op"], cols: cols, userID: row["user_id"])
        }
    }
}

func lastSeq(_ store: SedeStore) throws -> Int64 {
    try store.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM journal") ?? 0 }
}

func sqlite3(_ path: String, _ sql: String) throws -> ProcessResult {
    try runProcess("/usr/bin/sqlite3", ["-bail", path, sql])
}

@Suite struct JournalTests {
    @Test func appInsertUpdateDeleteAreJournaledWithOpAndColumns() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        let start = try lastSeq(store)
        let ownerID = store.newID()
        try store.write(user: "u-rosa") { db in
            try Owner(id: ownerID, docType: .dni, docNumber: "45678912", firstNames: "Rosa", lastNames: "Núñez Peña",
                      phone: "987654321", createdAt: store.nowText, updatedAt: store.nowText).insert(db)
            try db.execute(sql: "INSERT INTO pets (id, owner_id, name, species, created_at, updated_at) VALUES (?, ?, 'Firulais', 'perro', 'x', 'x')",
                           arguments: [store.newID(), ownerID])
        }
        try store.write(user: "u-carlos") { db in
            try db.execute(sql: "UPDATE owners SET phone = '912345678', email = 'rosa@example.pe' WHERE id = ?", arguments: [ownerID])
        }
        // An update that changes nothing is not a change.
        try store.write(user: "u-carlos") { db in
            try db.execute(sql: "UPDATE owners SET phone = '912345678' WHERE id = ?", arguments: [ownerID])
        }
        try store.write(user: "u-ana") { db in
            try db.execute(sql: "DELETE FROM pets")
            try db.execute(sql: "DELETE FROM owners WHERE id = ?", arguments: [ownerID])
        }

        let rows = try journal(store, after: start)
        #expect(rows.map(\.op) == ["I", "I", "U", "D", "D"])
        #expect(rows.map(\.tbl) == ["owners", "pets", "owners", "pets", "owners"])
        let insert = rows[0]
        #expect(insert.rowID == ownerID)
        #expect(insert.cols?["first_names"] == "Rosa")
        #expect(insert.cols?["last_names"] == "Núñez Peña")
        #expect(insert.cols?["doc_number"] == "45678912")
        #expect(insert.cols?["email"] == .some(nil))
        #expect(insert.cols?.count == (try store.read { db in try db.columns(in: "owners").count }))
        #expect(insert.userID == "u-rosa")
        // One user action, one transaction id; the next action a new one.
        #expect(rows[0].txID == rows[1].txID)
        #expect(rows[2].txID > rows[1].txID)
        // The update carries only what changed.
        #expect(rows[2].cols == ["phone": "912345678", "email": "rosa@example.pe"])
        #expect(rows[2].userID == "u-carlos")
        #expect(rows[4].cols == nil && rows[4].rowID == ownerID && rows[4].userID == "u-ana")
        // seq is gapless and the clock never goes back.
        #expect(rows.map(\.seq) == Array((start + 1)...(start + 5)))
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.hlc <= $1.hlc })
        #expect(rows[2].hlc > rows[1].hlc)
    }

    @Test func writesFromTheSqlite3ShellAreJournaledToo() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        let start = try lastSeq(store)
        let before = try store.read { db in try Int64.fetchOne(db, sql: "SELECT hlc FROM sync_state") ?? 0 }
        let r1 = try sqlite3(store.path, """
            INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at)
            VALUES ('shell-owner-1', 'dni', '12345678', 'Juan', 'Pérez', 'now', 'now');
            """)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(try sqlite3(store.path, "UPDATE owners SET last_names = 'Pérez Quispe' WHERE id = 'shell-owner-1';").status == 0)
        #expect(try sqlite3(store.path, "DELETE FROM owners WHERE id = 'shell-owner-1';").status == 0)

        let rows = try journal(store, after: start)
        #expect(rows.map(\.op) == ["I", "U", "D"])
        #expect(rows.allSatisfy { $0.tbl == "owners" && $0.rowID == "shell-owner-1" && $0.userID == nil })
        #expect(rows[0].cols?["first_names"] == "Juan")
        #expect(rows[1].cols == ["last_names": "Pérez Quispe"])
        // Each shell statement got its own transaction id and a fresh clock tick.
        #expect(Set(rows.map(\.txID)).count == 3)
        #expect(rows[0].hlc > before && rows[1].hlc > rows[0].hlc && rows[2].hlc > rows[1].hlc)
        let wallMs = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(HLC(raw: rows[0].hlc).ms - wallMs) < 60_000)
    }

    @Test func changesAppliedFromCentralAreNotEchoed() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        let start = try lastSeq(store)
        try store.applyingRemote { db in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at)
                VALUES ('remote-1', 'dni', '87654321', 'Lucía', 'Flores', 'now', 'now')
                """)
            try db.execute(sql: "UPDATE owners SET phone = '999888777' WHERE id = 'remote-1'")
        }
        #expect(try journal(store, after: start).isEmpty)
        // The flag does not outlive the transaction: the next local write is journaled.
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sync_ctx") } == 0)
        try store.write(user: "u") { db in try db.execute(sql: "UPDATE owners SET phone = '911111111' WHERE id = 'remote-1'") }
        #expect(try journal(store, after: start).map(\.op) == ["U"])
    }

    @Test func everySyncedTableHasItsThreeTriggers() throws {
        // Written out from what travels between sede and central (DESIGN.md): adding a synced table
        // is a decision, made here too.
        let expected = ["appointment_types", "appointments", "attachments", "cash_close_notes", "cash_closes",
                        "cash_movements", "cash_sessions", "cash_signoffs", "catalog_barcodes",
                        "catalog_items", "catalog_prices", "charges", "consultation_addenda", "consultations", "dispensations",
                        "fiscal_documents", "fiscal_events", "fiscal_series", "fiscal_summaries", "fiscal_summary_lines",
                        "fiscal_voids",
                        "login_events", "outbox", "owners", "pagoefectivo_cips", "pagoefectivo_events", "patient_merges", "payments",
                        "pet_owner_changes", "pet_weights", "pets", "plan_instalments", "prescription_items", "prescriptions",
                        "replenishment_lines", "replenishment_requests", "rooms", "sale_credits", "sale_lines", "sales",
                        "schedule_exceptions", "sedes", "stock_levels", "stock_movements", "stock_transfer_receipts", "stock_transfers",
                        "stocktake_counts", "stocktakes", "user_roles", "users", "vaccinations", "vet_schedules"]
        let dir = TempDir()
        let store = try makeStore(dir)
        let (tables, triggers) = try store.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM synced_tables ORDER BY name"),
             try Row.fetchAll(db, sql: "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'journal\\_%' ESCAPE '\\' ORDER BY name")
                .map { (name: $0["name"] as String, table: $0["tbl_name"] as String, sql: $0["sql"] as String) })
        }
        #expect(tables == expected)
        for table in expected {
            let found = triggers.filter { $0.table == table }
            #expect(found.map(\.name) == ["journal_\(table)_del", "journal_\(table)_ins", "journal_\(table)_upd"], "\(table)")
            for (suffix, event) in [("ins", "AFTER INSERT ON"), ("upd", "AFTER UPDATE ON"), ("del", "AFTER DELETE ON")] {
                let sql = found.first { $0.name == "journal_\(table)_\(suffix)" }?.sql ?? ""
                #expect(sql.contains(event) && sql.contains("INSERT INTO journal"), "journal_\(table)_\(suffix): \(sql)")
            }
        }
        // A table that stays at the sede (clinical_recovery, settings, the stock_balances cache…) has no journal trigger.
        #expect(triggers.filter { !expected.contains($0.table) }.map(\.name).isEmpty)
    }

    @Test func aFailedActionLeavesNoJournalRowsAndNoGap() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        let start = try lastSeq(store)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write(user: "u") { db in
                try db.execute(sql: "INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at) VALUES ('a', 'dni', '11111111', 'A', 'B', 'n', 'n')")
                throw Boom()
            }
        }
        try store.write(user: "u") { db in
            try db.execute(sql: "INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at) VALUES ('b', 'dni', '22222222', 'A', 'B', 'n', 'n')")
        }
        let rows = try journal(store, after: start)
        #expect(rows.map(\.rowID) == ["b"])
        #expect(rows.first?.seq == start + 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT app_tx FROM sync_state") } == 0)
    }
}

/// Migration 0005 rebuilds the journal table; a sede upgraded from 0004 keeps every entry and its
/// seq counter, and its writes are journaled as before.
struct JournalRebuildTests {
    @Test func upgradingFrom0004KeepsEveryEntryAndTheSeqCounter() throws {
        let dir = try TempDir()
        let path = dir.file("old.db")
        let pool = try DatabasePool(path: path)
        try SedeMigrations.migrator.migrate(pool, upTo: "0004_sync")
        let before: [[String?]] = try pool.write { db in
            for i in 0..<3 {
                try db.execute(sql: """
                    INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at)
                    VALUES (?, 'dni', ?, 'Rosa', 'Quispe', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
                    """, arguments: ["owner-\(i)", "5000000\(i)"])
            }
            try db.execute(sql: "DELETE FROM owners WHERE id = 'owner-2'")
            return try Row.fetchAll(db, sql: "SELECT CAST(seq AS TEXT), CAST(tx_id AS TEXT), CAST(hlc AS TEXT), tbl, row_id, op, cols FROM journal ORDER BY seq").map { row in
                (0..<row.count).map { row[$0] as String? }
            }
        }
        #expect(before.count == 4)
        try pool.close()

        let store = try SedeStore.open(path: path)
        try store.read { db in
            let after = try Row.fetchAll(db, sql: "SELECT CAST(seq AS TEXT), CAST(tx_id AS TEXT), CAST(hlc AS TEXT), tbl, row_id, op, cols FROM journal ORDER BY seq").map { row in
                (0..<row.count).map { row[$0] as String? }
            }
            #expect(after == before)
            #expect(try Int.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'journal'") == 4)
            #expect(try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'journal_row')") == true)
        }
        // Triggers are back: the next write is journaled with the next seq, and op stays checked.
        try store.write(user: nil) { db in
            try db.execute(sql: "UPDATE owners SET phone = '987654321' WHERE id = 'owner-0'")
        }
        let last = try journal(store, after: 4)
        #expect(last.map(\.seq) == [5])
        #expect(last.first?.op == "U")
        let refused = #expect(throws: DatabaseError.self) {
            try store.pool.write { db in
                try db.execute(sql: "INSERT INTO journal (tx_id, hlc, tbl, row_id, op) VALUES (1, 1, 'owners', 'x', 'X')")
            }
        }
        #expect(refused?.extendedResultCode == .SQLITE_CONSTRAINT_CHECK, "\(String(describing: refused))")
    }
}
