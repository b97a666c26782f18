import Foundation
import GRDB
import VetCore
import VetStore

/// Search-as-you-type on the large demo sede: every keystroke of realistic searches (owner names
/// typed without accents, pet names, document, phone and microchip prefixes) through
/// `SedeStore.searchPatients`, exactly as the search screen runs it, against a `LIKE '%…%'` scan
/// of the same columns for the same keystrokes, measured in the same run.
enum PatientSearchBench {
    /// What people type, one keystroke at a time.
    static let searches = ["quispe", "nunez", "pena rosa", "huaman max", "flores luna", "garcia", "zuniga",
                           "firulais", "michi", "45", "987", "604000", "mamani toby", "chavez"]
    static let rounds = 5

    static let keystroke = Benchmark(name: "patients.search") { context in
        let store = try largeDemoStore(context)
        let prefixes = searches.flatMap { word in (1...word.count).map { String(word.prefix($0)) } }
            .filter { !$0.hasSuffix(" ") }
        // Warm the page cache the way a terminal that has been open a while has it.
        for p in prefixes { _ = try store.searchPatients(p) }
        var samples: [Double] = []
        for _ in 0..<rounds {
            for p in prefixes { samples.append(try Stats.timeMs { _ = try store.searchPatients(p) }) }
        }
        var baseline: [Double] = []
        try store.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT p.id FROM pets p JOIN owners o ON o.id = p.owner_id
                WHERE p.merged_into IS NULL AND (p.name LIKE ?1 OR o.first_names LIKE ?1 OR o.last_names LIKE ?1
                   OR o.doc_number LIKE ?1 OR o.phone LIKE ?1 OR p.microchip LIKE ?1)
                LIMIT 50
                """)
            for p in prefixes {
                // LIKE matches the whole text: the last word is what a scan can look for.
                let word = p.split(separator: " ").last.map(String.init) ?? p
                baseline.append(try Stats.timeMs { _ = try String.fetchAll(statement, arguments: ["%" + word + "%"]) })
            }
        }
        let pets = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") ?? 0 }
        context.log("patients.search: \(prefixes.count) keystrokes × \(rounds) on \(pets) pets")
        try store.close()
        return [BenchResult(name: "patients.search.keystroke_fts", unit: "ms", samples: samples, baselineSamples: baseline,
                            goal: "p99 < 5 ms on \(pets) pets; baseline LIKE scan")]
    }

    /// The demo sede with `context.largePets` pets, built once per work folder and reused.
    static func largeDemoStore(_ context: BenchContext) throws -> SedeStore {
        let path = context.workdir + "/demo-\(context.largePets).db"
        if FileManager.default.fileExists(atPath: path) { return try SedeStore.open(path: path) }
        let building = path + ".building"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + suffix) }
        context.log("building \(path) (\(context.largePets) pets)…")
        let store = try SedeStore.create(path: building)
        var last = 0
        _ = try DemoGenerator.run(store: store, options: .init(pets: context.largePets, seed: 42)) { done in
            if done - last >= 100_000 { context.log("  \(done) pets"); last = done }
        }
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.close()
        try FileManager.default.moveItem(atPath: building, toPath: path)
        return try SedeStore.open(path: path)
    }
}
