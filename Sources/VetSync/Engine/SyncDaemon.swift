import Foundation

/// `vetdesk sync run`: syncs on a timer; after a failure waits with jittered exponential
/// backoff; SIGTERM or SIGINT stop it between steps. Each cycle first asks PagoEfectivo for the
/// CIPs payments are waiting for (when `cips` is given and PagoEfectivo is configured), so a CIP
/// recorded goes out in the same cycle; a failure there leaves them waiting for the next cycle.
public final class SyncDaemon: @unchecked Sendable {
    let engine: SyncEngine
    let cips: CIPRequester?
    /// The SUNAT queue, when the sede's fiscal configuration names SUNAT's endpoint.
    let fiscal: FiscalSender?
    let interval: Double
    let maxBackoff: Double
    let log: (String) -> Void
    /// The last PagoEfectivo problems logged (payment and code): the same ones are not logged again every cycle.
    var lastCIPProblems: [String] = []

    public init(engine: SyncEngine, interval: Double, maxBackoff: Double, cips: CIPRequester? = nil, fiscal: FiscalSender? = nil,
                log: @escaping (String) -> Void) {
        self.engine = engine; self.interval = interval; self.maxBackoff = maxBackoff; self.cips = cips; self.fiscal = fiscal; self.log = log
    }

    /// One pass of the SUNAT queue; what SUNAT rejected is logged (and shows on the supervisor's
    /// screen, read from the events).
    func sendFiscal() {
        guard let fiscal else { return }
        do {
            let report = try fiscal.runOnce()
            if report.accepted + report.observed > 0 { log("SUNAT: \(report.accepted + report.observed) aceptados") }
            for message in report.messages { log("SUNAT: " + message) }
        } catch {
            log("SUNAT: \(error)")
        }
    }

    /// One round of CIP requests, logging what was generated and each problem once.
    func requestCIPs() {
        guard let cips else { return }
        var problems: [(key: String, message: String)] = []
        do {
            let round = try cips.requestPending()
            if round.generated > 0 { log("PagoEfectivo: \(round.generated == 1 ? "1 CIP generado" : "\(round.generated) CIP generados")") }
            problems = round.failures.map { ($0.paymentID + ":" + $0.code, $0.message) }
        } catch let error as PagoEfectivoError {
            problems = [(error.code, error.message)]
        } catch {
            problems = [("error", "\(error)")]
        }
        for problem in problems where !lastCIPProblems.contains(problem.key) { log("PagoEfectivo: " + problem.message) }
        lastCIPProblems = problems.map(\.key)
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
            requestCIPs()
            sendFiscal()
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
