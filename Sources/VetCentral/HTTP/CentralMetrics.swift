import Foundation

/// Counters and a push latency histogram, in Prometheus text format for `GET /metrics`.
public final class CentralMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var pushes = 0
    private var pushEntries = 0
    private var pushRejects = 0
    private var pushConflicts = 0
    private var pulls = 0
    private var pulledChanges = 0
    private var errors: [String: Int] = [:]
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    private var latencyCounts = [Int](repeating: 0, count: CentralMetrics.buckets.count)
    private var latencySum = 0.0
    private var latencyCount = 0

    public init() {}

    func recordPush(entries: Int, rejects: Int, seconds: Double) {
        lock.withLock {
            pushes += 1; pushEntries += entries; pushRejects += rejects
            latencySum += seconds; latencyCount += 1
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { latencyCounts[i] += 1 }
        }
    }

    func recordPull(changes: Int) { lock.withLock { pulls += 1; pulledChanges += changes } }
    func recordError(_ code: String) { lock.withLock { errors[code, default: 0] += 1 } }
    func recordConflict() { lock.withLock { pushConflicts += 1 } }

    func text(logChanges: Int64, storedRejects: Int64) -> String {
        lock.withLock {
            var out = """
            # HELP vetcentral_pushes_total Push requests stored (new or re-acknowledged).
            # TYPE vetcentral_pushes_total counter
            vetcentral_pushes_total \(pushes)
            # HELP vetcentral_push_entries_total Journal entries received in stored pushes.
            # TYPE vetcentral_push_entries_total counter
            vetcentral_push_entries_total \(pushEntries)
            # HELP vetcentral_push_rejects_total Journal entries refused.
            # TYPE vetcentral_push_rejects_total counter
            vetcentral_push_rejects_total \(pushRejects)
            # HELP vetcentral_push_conflicts_total Pushes answered 409 (gap or epoch conflict).
            # TYPE vetcentral_push_conflicts_total counter
            vetcentral_push_conflicts_total \(pushConflicts)
            # HELP vetcentral_pulls_total Pull requests answered.
            # TYPE vetcentral_pulls_total counter
            vetcentral_pulls_total \(pulls)
            # HELP vetcentral_pulled_changes_total Changes sent in pull pages.
            # TYPE vetcentral_pulled_changes_total counter
            vetcentral_pulled_changes_total \(pulledChanges)
            # HELP vetcentral_log_changes Changes in central's log (last cseq).
            # TYPE vetcentral_log_changes gauge
            vetcentral_log_changes \(logChanges)
            # HELP vetcentral_stored_rejects Rejected entries stored.
            # TYPE vetcentral_stored_rejects gauge
            vetcentral_stored_rejects \(storedRejects)
            # HELP vetcentral_push_duration_seconds Time to store one push.
            # TYPE vetcentral_push_duration_seconds histogram

            """
            for (i, bound) in Self.buckets.enumerated() {
                out += "vetcentral_push_duration_seconds_bucket{le=\"\(bound)\"} \(latencyCounts[i])\n"
            }
            out += "vetcentral_push_duration_seconds_bucket{le=\"+Inf\"} \(latencyCount)\n"
            out += "vetcentral_push_duration_seconds_sum \(latencySum)\n"
            out += "vetcentral_push_duration_seconds_count \(latencyCount)\n"
            out += "# HELP vetcentral_errors_total Requests refused, by error code.\n# TYPE vetcentral_errors_total counter\n"
            for (code, n) in errors.sorted(by: { $0.key < $1.key }) { out += "vetcentral_errors_total{code=\"\(code)\"} \(n)\n" }
            return out
        }
    }
}
