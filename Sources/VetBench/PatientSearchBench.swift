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
        let store = try SedeStore.open(path: try BenchFixtures.largeDemo(context))
        let prefixes = searches.flatMap { word in (1...word.count).map { String(word.prefix($0)) } }
            .filter { !$0.hasSuffix(" ") }
        // Warm the page cache the way a terminal that has been open a while has it.
        for p in prefixes { _ = try store.searchPatients(p) }
        var samples: [Double] = []
        var cpuSamples: [Double] = []
        var byPrefix: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for p in prefixes {
                var cpu = 0.0
                let ms = try Stats.timeMs { cpu = try Stats.cpuTimeMs { _ = try store.searchPatients(p) } }
                samples.append(ms)
                cpuSamples.append(cpu)
                byPrefix[p, default: []].append(ms)
            }
        }
        let slowest = byPrefix.map { ($0.key, Stats.median($0.value)) }.sorted { $0.1 > $1.1 }.prefix(6)
        context.log("patients.search slowest keystrokes (median ms): " + slowest.map { "«\($0.0)» \(String(format: "%.2f", $0.1))" }.joined(separator: ", "))
        var baseline: [Double] = []
        var baselineCPU: [Double] = []
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
                var cpu = 0.0
                baseline.append(try Stats.timeMs { cpu = try Stats.cpuTimeMs { _ = try String.fetchAll(statement, arguments: ["%" + word + "%"]) } })
                baselineCPU.append(cpu)
            }
        }
        let pets = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") ?? 0 }
        context.log("patients.search: \(prefixes.count) keystrokes × \(rounds) on \(pets) pets")
        try store.close()
        // Wall time is what the user waits; CPU time is the same work without the machine's other load.
        return [BenchResult(name: "patients.search.keystroke_fts", unit: "ms", samples: samples, baselineSamples: baseline,
                            goal: "p99 < 5 ms on \(pets) pets; baseline LIKE scan"),
                BenchResult(name: "patients.search.keystroke_fts_cpu", unit: "ms cpu", samples: cpuSamples, baselineSamples: baselineCPU,
                            goal: "same keystrokes, process CPU time")]
    }
}
