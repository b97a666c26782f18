import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a benchmark may use: a scratch folder, the size of the large database, the path of the
/// vetdesk executable (for whole-process measurements), and a log for progress lines.
public struct BenchContext: Sendable {
    public var workdir: String
    public var largePets: Int
    public var executable: String
    public var log: @Sendable (String) -> Void

    public init(workdir: String, largePets: Int, executable: String, log: @escaping @Sendable (String) -> Void) {
        self.workdir = workdir; self.largePets = largePets; self.executable = executable; self.log = log
    }
}

/// One line of the report: the measured value and the baseline measured in the same run.
public struct BenchResult: Sendable, Codable, Equatable {
    public var name: String
    public var unit: String
    public var median: Double
    public var p99: Double
    public var baseline: Double
    /// `median / baseline`.
    public var ratio: Double
    public var goal: String?

    public init(name: String, unit: String, samples: [Double], baselineSamples: [Double], goal: String? = nil) {
        self.name = name
        self.unit = unit
        self.median = Stats.median(samples)
        self.p99 = Stats.percentile(samples, 99)
        self.baseline = Stats.median(baselineSamples)
        self.ratio = baseline == 0 ? 0 : median / baseline
        self.goal = goal
    }
}

public struct Benchmark: Sendable {
    public var name: String
    public var run: @Sendable (BenchContext) throws -> [BenchResult]
    public init(name: String, run: @escaping @Sendable (BenchContext) throws -> [BenchResult]) { self.name = name; self.run = run }
}

public enum BenchSuite {
    /// Every benchmark, in report order. Feature folders add theirs here.
    public static let all: [Benchmark] = [
        JournalBench.captureCost,
        StartupBench.coldStart,
        AgendaBench.dayView,
        PatientSearchBench.keystroke,
        SyncBench.ingest,
        PharmacyBench.reads,
        CheckoutBench.till,
        FiscalBench.boleta,
        WriteContentionBench.contention,
    ]

    public static func run(only: String?, context: BenchContext) throws -> [BenchResult] {
        try FileManager.default.createDirectory(atPath: context.workdir, withIntermediateDirectories: true)
        var results: [BenchResult] = []
        for bench in all where only.map({ bench.name.hasPrefix($0) }) ?? true {
            context.log("bench: \(bench.name)…")
            results += try bench.run(context)
        }
        return results
    }

    public static func json(_ results: [BenchResult]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(["results": results])) ?? Data("{\"results\":[]}".utf8)
        return String(decoding: body, as: UTF8.self)
    }

    public static func table(_ results: [BenchResult]) -> String {
        var lines = ["benchmark".padding(toLength: 44, withPad: " ", startingAt: 0) + "unit".padding(toLength: 12, withPad: " ", startingAt: 0)
                     + "    median        p99   baseline   ratio  goal"]
        for r in results {
            lines.append(r.name.padding(toLength: 42, withPad: " ", startingAt: 0) + "  "
                + r.unit.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%10.3f %10.3f %10.3f %7.2f  ", r.median, r.p99, r.baseline, r.ratio) + (r.goal ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

public enum Stats {
    public static func median(_ xs: [Double]) -> Double { percentile(xs, 50) }

    /// Nearest-rank percentile.
    public static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let sorted = xs.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Milliseconds of CPU this process spent in `body`: a cost measure that other load on the
    /// machine does not inflate.
    public static func cpuTimeMs(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
        }
        let start = now()
        try body()
        return now() - start
    }

    /// Milliseconds spent in `body`.
    public static func timeMs(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }
}
