import Foundation
import VetCore
import VetStore

/// What one pass of the SUNAT queue did.
public struct FiscalSendReport: Sendable, Equatable {
    public var accepted = 0
    public var observed = 0
    public var rejected = 0
    public var toFix = 0
    public var summariesSent = 0
    public var failures = 0
    public var messages: [String] = []
}

/// The SUNAT queue of a sede: facturas and their notes by `sendBill`, boletas and their notes in a
/// resumen diario by `sendSummary` + `getStatus`, and bajas (comunicación de baja RA, resumen with
/// ConditionCode 3) by `sendSummary` + `getStatus` too. Every attempt is written before the call
/// (`envio`) and every answer after it, so a crash in between sends the document again and
/// SUNAT's duplicate answer (1033: registered before) closes it; nothing accepted is sent again.
/// Failed attempts back off: 30 s, 1, 2, 4 … up to 30 minutes.
public final class FiscalSender: @unchecked Sendable {
    public let store: SedeStore
    public let client: BillServiceClient
    /// Boletas of today go in a resumen only from this Lima hour on (or when asked): a day's
    /// boletas travel together.
    public var summaryHour = 20

    public init(store: SedeStore, client: BillServiceClient) {
        self.store = store
        self.client = client
    }

    /// The sender of a sede whose fiscal configuration names an endpoint and a usuario SOL.
    public static func configured(store: SedeStore, caCertPath: String? = nil) throws -> FiscalSender? {
        guard let config = try store.fiscalConfiguration(), let endpoint = config.endpoint, let user = config.solUser,
              let password = store.solPassword() else { return nil }
        return FiscalSender(store: store, client: BillServiceClient(endpoint: endpoint, username: config.ruc + user, password: password,
                                                                    caCertPath: caCertPath))
    }

    /// Seconds to wait after `failures` failed attempts in a row.
    static func backoff(_ failures: Int) -> TimeInterval { min(1_800, 30 * pow(2, Double(max(0, failures - 1)))) }

    /// Whether a subject's last failures ask to wait still.
    func waiting(_ subjectID: String, now: Date) throws -> Bool {
        let events = try store.fiscalEvents(subjectID: subjectID)
        var failures = 0
        var lastFailure: Date?
        for event in events.reversed() {
            if event.kind == FiscalEvent.Kind.envio.rawValue { continue }
            guard event.kind == FiscalEvent.Kind.error.rawValue, event.code == nil else { break }
            failures += 1
            if lastFailure == nil { lastFailure = LimaTime.parseISO8601(event.at) }
        }
        guard failures > 0, let lastFailure else { return false }
        return now.timeIntervalSince(lastFailure) < Self.backoff(failures)
    }

    /// One pass over the queue. `flushToday` puts today's boletas in a resumen now.
    @discardableResult
    public func runOnce(flushToday: Bool = false) throws -> FiscalSendReport {
        var report = FiscalSendReport()
        let now = store.clock.now
        let today = CivilDate(limaDayOf: now)
        for doc in try store.facturasToSend() where try !waiting(doc.id, now: now) {
            try store.recordFiscalEvent(subjectID: doc.id, kind: .envio)
            let zip = SunatZip.make(entryName: doc.fileName + ".xml", data: Data(doc.xml.utf8))
            let client = self.client
            switch Result(catching: { () throws(BillServiceError) -> CDR in try client.sendBill(fileName: doc.fileName + ".zip", zip: zip) }) {
            case .success(let cdr): try record(cdr, for: doc.id, label: doc.printedID, into: &report)
            case .failure(let error): try record(error, for: doc.id, label: doc.printedID, into: &report)
            }
        }
        let hour = Int(LimaTime.clock(now).prefix(2)) ?? 0
        for (day, docs) in try store.boletasWithoutSummary().sorted(by: { $0.key < $1.key }) where day < today || flushToday || hour >= summaryHour {
            var rest = docs[...]
            while !rest.isEmpty {
                let chunk = Array(rest.prefix(500))
                rest = rest.dropFirst(chunk.count)
                _ = try store.createDailySummary(referenceDate: day, documents: chunk)
            }
        }
        // Bajas of documents SUNAT has accepted: their RA or resumen (ConditionCode 3), sent below.
        // A baja that cannot be written (an expired certificate) does not hold up the rest.
        do { try store.prepareBajas() } catch {
            report.failures += 1
            report.messages.append("No se pudo preparar la baja de comprobantes: \((error as? StoreError)?.message ?? "\(error)")")
        }
        for open in try store.openSummaries() where try !waiting(open.summary.id, now: now) {
            if let ticket = open.ticket {
                let client = self.client
                switch Result(catching: { () throws(BillServiceError) -> SummaryStatus in try client.getStatus(ticket: ticket) }) {
                case .success(.processing): continue
                case .success(.done(let cdr)): try record(cdr, for: open.summary.id, label: open.summary.summaryId, into: &report)
                case .failure(let error): try record(error, for: open.summary.id, label: open.summary.summaryId, into: &report)
                }
            } else {
                try store.recordFiscalEvent(subjectID: open.summary.id, kind: .envio)
                let zip = SunatZip.make(entryName: open.summary.fileName + ".xml", data: Data(open.summary.xml.utf8))
                let client = self.client, name = open.summary.fileName + ".zip"
                switch Result(catching: { () throws(BillServiceError) -> String in try client.sendSummary(fileName: name, zip: zip) }) {
                case .success(let ticket):
                    try store.recordFiscalEvent(subjectID: open.summary.id, kind: .ticket, ticket: ticket)
                    report.summariesSent += 1
                case .failure(let error): try record(error, for: open.summary.id, label: open.summary.summaryId, into: &report)
                }
            }
        }
        return report
    }

    private func record(_ cdr: CDR, for subject: String, label: String, into report: inout FiscalSendReport) throws {
        let notes = cdr.notes.map { "\($0.code) - \($0.text)" }.joined(separator: "\n")
        let code = cdr.responseCode == 0 && !cdr.notes.isEmpty ? (cdr.notes.map(\.code).max() ?? 0) : cdr.responseCode
        try store.recordFiscalEvent(subjectID: subject, kind: .cdr, code: code, message: cdr.description,
                                    notes: notes.isEmpty ? nil : notes, cdr: cdr.zip)
        switch SunatOutcome.of(cdr) {
        case .accepted: report.accepted += 1
        case .acceptedWithObservations: report.observed += 1
        case .rejected:
            report.rejected += 1
            report.messages.append("\(label) rechazado por SUNAT (\(cdr.responseCode)): \(cdr.description)")
        case .fixAndResend, .retryLater: report.toFix += 1
        }
    }

    private func record(_ error: BillServiceError, for subject: String, label: String, into report: inout FiscalSendReport) throws {
        if case .fault(let code, let message) = error, code == 1033 {
            // SUNAT has it registered already: an earlier attempt was accepted but its answer was lost.
            try store.recordFiscalEvent(subjectID: subject, kind: .cdr, code: 0,
                                        message: "Aceptado: SUNAT ya lo tenía registrado (1033, \(message))")
            report.accepted += 1
            return
        }
        switch SunatOutcome.of(error) {
        case .fixAndResend:
            if case .fault(let code, let message) = error {
                try store.recordFiscalEvent(subjectID: subject, kind: .error, code: code, message: message)
                report.toFix += 1
                report.messages.append("\(label): SUNAT pide corregir (\(code)): \(message)")
            }
        default:
            try store.recordFiscalEvent(subjectID: subject, kind: .error, message: error.message)
            report.failures += 1
        }
    }
}
