import Foundation
import GRDB
import VetCore
import VetStore

/// Journal capture cost: inserting owner-shaped rows through the app's write helper into a table whose
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
        // Two tables shaped like `owners` (same columns, constraints and indexes) and nothing else on
        // them: one journaled like any synced table, one not. Owners itself also feeds the patients
        // search index, which is not the journal's cost.
        try store.pool.write { db in
            let ddl = try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master WHERE tbl_name = 'owners' AND type IN ('table', 'index') AND sql IS NOT NULL
                ORDER BY type DESC
                """)
            for table in ["bench_journaled", "bench_plain"] {
                for statement in ddl { try db.execute(sql: statement.replacingOccurrences(of: "owners", with: table)) }
            }
            try db.execute(sql: "INSERT INTO synced_tables (name, data_class) VALUES ('bench_journaled', 'shared')")
        }
        try store.regenerateJournalTriggers()
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
        _ = try batch("bench_journaled"); _ = try batch("bench_plain")
        for _ in 0..<transactions {
            withTriggers.append(try batch("bench_journaled"))
            without.append(try batch("bench_plain"))
        }
        try store.close()
        return [BenchResult(name: "journal.capture.insert_with_triggers", unit: "us/row cpu", samples: withTriggers,
                            baselineSamples: without, goal: "ratio <= 1.5 (cr-sqlite: 2.5)")]
    }
}
