import Foundation

/// `vetdesk sync run`: syncs on a timer; after a failure waits with jittered exponential
/// backoff; SIGTERM or SIGINT stop it between steps.
public final class SyncDaemon: @unchecked Sendable {
    let engine: SyncEngine
    let interval: Double
    let maxBackoff: Double
    let log: (String) -> Void

    public init(engine: SyncEngine, interval: Double, maxBackoff: Double, log: @escaping (String) -> Void) {
        self.engine = engine; self.interval = interval; self.maxBackoff = maxBackoff; self.log = log
    }

    /// The wait after `failures` consecutive failures: full jitter over min(max, 1 s · 2^n).
    public static func backoff(failures: Int, maxBackoff: Double, random: Double) -> Double {
        let ceiling = min(maxBackoff, pow(2, Double(min(failures, 30))))
        return max(0.2, ceiling * random)
    }

    public func runUntilTerminated() {
        let stop = DispatchSemaphore(value: 0)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        var failures = 0
        log("iniciado")
        while true {
            do {
                let summary = try engine.syncOnce()
                failures = 0
                if summary.pushed + summary.pulled + summary.rejected > 0 {
                    log("\(summary.pushed) enviados, \(summary.rejected) rechazados, \(summary.pulled) recibidos")
                }
            } catch {
                failures += 1
                log("\(error)")
            }
            let wait = failures == 0 ? interval : Self.backoff(failures: failures, maxBackoff: maxBackoff, random: Double.random(in: 0...1))
            if stop.wait(timeout: .now() + wait) == .success { break }
        }
        sources.forEach { $0.cancel() }
        log("detenido")
    }
}
