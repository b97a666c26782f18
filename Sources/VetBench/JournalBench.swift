import Foundation
import GRDB
import VetCore
import VetStore

/// Journal capture cost: inserting owners through the app's write helper into a sede store whose
/// triggers journal every row, against the same inserts into an identical table without triggers.
/// Measured in process CPU time, so the ratio is the cost of capture, not the machine's other load.
enum JournalBench {
    static let rowsPerTransaction = 100
    static let transactions = 60

    static let captureCost = Benchmark(name: "journal.capture") { context in
        let path = context.workdir + "/journal-capture.db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SedeStore.create(path: path)
        try store.initializeSede(code: "BENCH", name: "Bench")
        // The same table, constraints and indexes, without the journal triggers.
        try store.pool.write { db in
            let ddl = try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master WHERE tbl_name = 'owners' AND type IN ('table', 'index') AND sql IS NOT NULL
                ORDER BY type DESC
                """)
            for statement in ddl {
                try db.execute(sql: statement.replacingOccurrences(of: "owners", with: "owners_plain"))
            }
        }
        var withTriggers: [Double] = []
        var without: [Double] = []
        var n = 0
        func batch(_ table: String) throws -> Double {
            try Stats.cpuTimeMs {
                try store.write(user: "bench") { db in
                    let statement = try db.makeStatement(sql: """
                        INSERT INTO \(table) (id, doc_type, doc_number, first_names, last_names, phone, email, district, address, created_at, updated_at)
                        VALUES (?, 'dni', ?, 'María Elena', 'Quispe Huamán', '987654321', 'maria@example.pe', 'Miraflores', 'Av. Larco 345', ?, ?)
                        """)
                    for _ in 0..<rowsPerTransaction {
                        n += 1
                        let now = store.nowText
                        try statement.execute(arguments: [store.newID(), String(format: "%08d", n), now, now])
                    }
                }
            } / Double(rowsPerTransaction) * 1000
        }
        // Warm up, then alternate so both sides see the same cache and file growth.
        _ = try batch("owners"); _ = try batch("owners_plain")
        for _ in 0..<transactions {
            withTriggers.append(try batch("owners"))
            without.append(try batch("owners_plain"))
        }
        try store.close()
        return [BenchResult(name: "journal.capture.insert_with_triggers", unit: "us/row cpu", samples: withTriggers,
                            baselineSamples: without, goal: "ratio <= 1.5 (cr-sqlite: 2.5)")]
    }
}
