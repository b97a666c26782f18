import Foundation
import VetDemo
import VetStore

/// Twenty terminals writing to one sede at once, as separate `vetdesk load` processes: committed
/// writes per second and how long a write waits for the lock (median, p99), against one terminal
/// writing alone in the same run. Any process that fails is counted in the goal column.
enum WriteContentionBench {
    static let writers = 20
    static let seconds = 20.0

    static let contention = Benchmark(name: "store.write_contention") { context in
        let dir = context.workdir + "/contention"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/sede.db"
        let store = try SedeStore.create(path: path)
        _ = try store.initializeSede(code: "LIM01", name: "Bench")
        try store.close()
        let alone = try load(context, path: path, writers: 1, seconds: seconds / 4)
        let many = try load(context, path: path, writers: writers, seconds: seconds)
        return [
            BenchResult(name: "store.write_contention.writes", unit: "writes/s", samples: [many.rate], baselineSamples: [alone.rate],
                        goal: "\(writers) writers, \(many.failures) failed (goal 0); baseline: 1 writer"),
            BenchResult(name: "store.write_contention.wait", unit: "ms", samples: many.waits, baselineSamples: alone.waits,
                        goal: "wait for the write lock, \(writers) writers; baseline: 1 writer"),
        ]
    }

    struct Outcome { var rate: Double; var waits: [Double]; var failures: Int }

    static func load(_ context: BenchContext, path: String, writers: Int, seconds: Double) throws -> Outcome {
        let results = Results()
        let group = DispatchGroup()
        for n in 1...writers {
            group.enter()
            Thread {
                let run = try? BenchProcess.run(context.executable, ["load", "--db", path, "--seconds", String(seconds), "--writer", "b\(n)"])
                results.add(run.flatMap { $0.status == 0 ? try? JSONDecoder().decode(LoadGenerator.Report.self, from: Data($0.stdout.utf8)) : nil })
                group.leave()
            }.start()
        }
        // Writers still running well past their time count as failed.
        _ = group.wait(timeout: .now() + seconds + 180)
        let reports = results.reports
        let transactions = reports.reduce(0) { $0 + $1.transactions }
        return Outcome(rate: Double(transactions) / seconds, waits: reports.flatMap(\.waitsMs), failures: writers - reports.count)
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [LoadGenerator.Report] = []
        func add(_ report: LoadGenerator.Report?) {
            lock.withLock { if let report { collected.append(report) } }
        }
        var reports: [LoadGenerator.Report] { lock.withLock { collected } }
    }
}
