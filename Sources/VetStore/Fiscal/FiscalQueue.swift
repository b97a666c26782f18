import Foundation
import GRDB
import VetCore
import VetFiscal

/// Where a document stands with SUNAT, read from its latest events (and, for a boleta, from the
/// resumen diario that carries it).
public enum FiscalState: Sendable, Equatable {
    /// Not sent yet (or the last attempt got no answer: it is sent again).
    case porEnviar
    /// In a resumen diario whose answer SUNAT has not given yet.
    case enResumen
    case aceptado
    /// Accepted with observations (codes ≥ 4000), kept and shown.
    case observado(String)
    /// Rejected (2000–3999): the number is used up; the sale needs a new document or a note.
    case rechazado(code: Int, message: String)
    /// A fault to fix and send again with the same number (100–1999).
    case porCorregir(code: Int, message: String)
    /// Accepted, then voided by baja (its sale was voided): the comunicación de baja or the resumen
    /// diario that voids it was accepted.
    case anulado
    /// Accepted, and its baja is still on its way (not written, not sent or not answered yet).
    case bajaEnCurso
    /// Accepted, but SUNAT rejected its baja: it stays valid and needs a nota de crédito.
    case bajaRechazada(code: Int, message: String)

    public var label: String {
        switch self {
        case .porEnviar: "Por enviar"
        case .enResumen: "En resumen diario"
        case .aceptado: "Aceptado"
        case .observado: "Aceptado con observaciones"
        case .rechazado(let code, _): "Rechazado (\(code))"
        case .porCorregir(let code, _): "Por corregir (\(code))"
        case .anulado: "Anulado (baja)"
        case .bajaEnCurso: "Baja en curso"
        case .bajaRechazada(let code, _): "Baja rechazada (\(code))"
        }
    }

    /// Accepted, with or without observations, or rejected: nothing more is sent.
    public var isFinal: Bool {
        switch self {
        case .aceptado, .observado, .rechazado, .anulado, .bajaRechazada: true
        default: false
        }
    }
}

/// One row of the sending history.
public struct FiscalEvent: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "fiscal_events"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Kind: String, Sendable { case envio, cdr, ticket, error }

    public var id: String
    public var sedeId: String
    public var subjectId: String
    public var kind: String
    public var code: Int64?
    public var message: String?
    public var notes: String?
    public var ticket: String?
    public var cdr: String?
    public var at: String
}

/// A resumen diario or a comunicación de baja as the sede keeps it.
public struct FiscalSummaryRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "fiscal_summaries"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var kind: String
    public var summaryId: String
    public var referenceDate: String
    public var issueDate: String
    public var fileName: String
    public var xml: String
    public var createdAt: String
}

/// SUNAT's deadlines (rules' Parámetros sheet): a factura and its notes within 3 calendar days of
/// their issue; boletas and their notes reported by resumen diario within 7 days; a baja within 7.
public enum FiscalDeadline {
    public static let facturaDays = 3
    public static let resumenDays = 7
    /// A factura's comunicación de baja and a boleta's ConditionCode 3 within 7 days of the
    /// document's issue (rules 2957).
    public static let bajaDays = 7

    /// The last day the document may reach SUNAT.
    public static func lastDay(type: FiscalDocumentType, series: String, issued: CivilDate) -> CivilDate {
        let viaSummary = type == .boleta || (type == .notaCredito && series.hasPrefix("B"))
        return issued.adding(days: viaSummary ? resumenDays : facturaDays)
    }

    /// Whole days left, counting today (0 = it must go today; negative = the deadline has passed).
    public static func daysLeft(until last: CivilDate, today: CivilDate) -> Int { last.daysSinceEpoch - today.daysSinceEpoch }
}

/// A document with its state and deadline, for the supervisor's screen.
public struct FiscalDocumentStatus: Sendable, Equatable {
    public var document: FiscalDocumentRecord
    public var state: FiscalState
    public var lastDay: CivilDate
    public var daysLeft: Int
    /// The document that replaced this rejected one for its sale («B001-00000124»), if any.
    public var replacedBy: String? = nil
    /// Not final and two days or less left (or past): highlighted.
    public var nearDeadline: Bool { !state.isFinal && daysLeft <= 1 }
    public var missedDeadline: Bool { !state.isFinal && daysLeft < 0 }
    /// SUNAT refused its baja: the document stays valid and its voided sale needs a nota de crédito.
    public var bajaRejected: Bool {
        if case .bajaRechazada = state { return true }
        return false
    }
    /// Rejected and not replaced yet: its sale has no valid document.
    public var needsNewDocument: Bool {
        if case .rechazado = state { return replacedBy == nil }
        return false
    }

    /// «Vence hoy», «Vence en 3 días (05/12)», «Fuera de plazo (02/12)»; «—» once final. A
    /// highlighted deadline starts with «¡».
    public var deadlineText: String {
        if state.isFinal { return "—" }
        switch daysLeft {
        case ..<0: return "¡Fuera de plazo! (\(lastDay.display))"
        case 0: return "¡Vence hoy!"
        case 1: return "¡Vence mañana!"
        default: return "\(daysLeft) días (\(lastDay.display))"
        }
    }
}

/// What the status bar says about SUNAT: documents not accepted yet, those whose deadline is today
/// or tomorrow, those past it, and rejected ones whose sale still needs a document.
public struct FiscalAlerts: Sendable, Equatable {
    public var pending = 0
    public var nearDeadline = 0
    public var missed = 0
    public var rejected = 0

    public init(pending: Int = 0, nearDeadline: Int = 0, missed: Int = 0, rejected: Int = 0) {
        self.pending = pending; self.nearDeadline = nearDeadline; self.missed = missed; self.rejected = rejected
    }

    public init(_ statuses: [FiscalDocumentStatus]) {
        for status in statuses {
            if !status.state.isFinal { pending += 1 }
            if status.missedDeadline { missed += 1 } else if status.nearDeadline { nearDeadline += 1 }
            if status.needsNewDocument || status.bajaRejected { rejected += 1 }
        }
    }

    /// Something a supervisor must act on.
    public var needsAttention: Bool { nearDeadline > 0 || missed > 0 || rejected > 0 }

    /// «SUNAT: 2 rechazados · 3 vencen · 1 fuera de plazo»; compact «SUNAT 2R 3V 1F»; nil when nothing needs attention.
    public func text(compact: Bool = false) -> String? {
        guard needsAttention else { return nil }
        var parts: [String] = []
        if rejected > 0 { parts.append(compact ? "\(rejected)R" : (rejected == 1 ? "1 rechazado" : "\(rejected) rechazados")) }
        if nearDeadline > 0 { parts.append(compact ? "\(nearDeadline)V" : (nearDeadline == 1 ? "1 vence pronto" : "\(nearDeadline) vencen pronto")) }
        if missed > 0 { parts.append(compact ? "\(missed)F" : "\(missed) fuera de plazo") }
        return (compact ? "SUNAT " : "SUNAT: ") + parts.joined(separator: compact ? " " : " · ")
    }
}

extension SedeStore {
    /// Appends to the sending history; the events are the only record of what SUNAT answered.
    @discardableResult
    public func recordFiscalEvent(subjectID: String, kind: FiscalEvent.Kind, code: Int? = nil, message: String? = nil,
                                  notes: String? = nil, ticket: String? = nil, cdr: Data? = nil) throws -> FiscalEvent {
        let event = FiscalEvent(id: newID(), sedeId: try sedeIDForFiscal(), subjectId: subjectID, kind: kind.rawValue,
                                code: code.map(Int64.init), message: message.map { String($0.prefix(1000)) },
                                notes: notes.map { String($0.prefix(4000)) }, ticket: ticket, cdr: cdr?.base64EncodedString(), at: nowText)
        try write(user: nil) { db in try event.insert(db) }
        return event
    }

    func sedeIDForFiscal() throws -> String {
        guard let id = try setting(.sedeID) else { throw StoreError.invalid("La sede no está inicializada") }
        return id
    }

    public func fiscalEvents(subjectID: String) throws -> [FiscalEvent] {
        try read { db in try FiscalEvent.fetchAll(db, sql: "SELECT * FROM fiscal_events WHERE subject_id = ? ORDER BY at, id", arguments: [subjectID]) }
    }

    /// The state of a document or a summary from its own events.
    static func ownState(_ subjectID: String, _ db: Database) throws -> FiscalState {
        let events = try FiscalEvent.fetchAll(db, sql: "SELECT * FROM fiscal_events WHERE subject_id = ? AND kind IN ('cdr', 'error', 'ticket') ORDER BY at DESC, id DESC LIMIT 1",
                                              arguments: [subjectID])
        guard let last = events.first else { return .porEnviar }
        switch FiscalEvent.Kind(rawValue: last.kind) {
        case .cdr:
            let code = Int(last.code ?? 0)
            if code == 0 { return .aceptado }
            if code >= 4000 { return .observado(last.notes ?? last.message ?? "") }
            if code >= 2000 { return .rechazado(code: code, message: last.message ?? "") }
            return .porCorregir(code: code, message: last.message ?? "")
        case .ticket: return .enResumen
        case .error:
            if let code = last.code, code >= 100, code < 2000 { return .porCorregir(code: Int(code), message: last.message ?? "") }
            return .porEnviar
        default: return .porEnviar
        }
    }

    /// The document's state: how SUNAT received it and, once accepted, how its baja stands.
    static func fiscalState(document: FiscalDocumentRecord, _ db: Database) throws -> FiscalState {
        let sent = try sentState(document: document, db)
        switch sent {
        case .aceptado, .observado: break
        default: return sent
        }
        guard try FiscalVoidRecord.filter(sql: "document_id = ?", arguments: [document.id]).fetchCount(db) > 0 else { return sent }
        switch try latestBajaSummaryState(document: document.id, db) {
        case .aceptado?, .observado?: return .anulado
        case .rechazado(let code, let message)?: return .bajaRechazada(code: code, message: message)
        default: return .bajaEnCurso
        }
    }

    /// How SUNAT received the document itself (not its baja).
    static func sentState(document: FiscalDocumentRecord, _ db: Database) throws -> FiscalState {
        guard viaSummary(document) else { return try ownState(document.id, db) }
        // A boleta's state is that of the latest resumen that carries it (adding it).
        let summaries = try String.fetchAll(db, sql: """
            SELECT s.id FROM fiscal_summary_lines l JOIN fiscal_summaries s ON s.id = l.summary_id
            WHERE l.document_id = ? AND s.kind = 'RC' AND l.condition = '1' ORDER BY s.created_at DESC
            """, arguments: [document.id])
        guard let latest = summaries.first else { return .porEnviar }
        let state = try ownState(latest, db)
        return state == .porEnviar ? .enResumen : state
    }

    public func fiscalState(documentID: String) throws -> FiscalState {
        try read { db in
            guard let doc = try FiscalDocumentRecord.fetchOne(db, key: documentID) else { throw StoreError.notFound("El comprobante no existe") }
            return try Self.fiscalState(document: doc, db)
        }
    }

    /// Documents of the last `days` days (at least the 8 a deadline can span), newest first, with
    /// their state and deadline.
    public func fiscalDocumentStatuses(days: Int = 14) throws -> [FiscalDocumentStatus] {
        let today = self.today
        return try read { db in
            let docs = try FiscalDocumentRecord.fetchAll(db, sql: """
                SELECT * FROM fiscal_documents WHERE issue_date >= ? ORDER BY issued_at DESC, number DESC
                """, arguments: [today.adding(days: -max(days, 8)).iso])
            var latest: [String: FiscalDocumentRecord] = [:]
            for doc in docs where latest[doc.saleId] == nil { latest[doc.saleId] = doc }
            var out: [FiscalDocumentStatus] = []
            for doc in docs {
                let state = try Self.fiscalState(document: doc, db)
                guard let type = doc.type, let issued = CivilDate(iso: doc.issueDate) else { continue }
                // A baja on its way has the baja's limit; otherwise the document's own deadline.
                let last = state == .bajaEnCurso ? issued.adding(days: FiscalDeadline.bajaDays)
                                                 : FiscalDeadline.lastDay(type: type, series: doc.series, issued: issued)
                // A newer document of the same sale is always in the window too.
                let replacement = latest[doc.saleId].flatMap { $0.id == doc.id ? nil : $0.printedID }
                out.append(FiscalDocumentStatus(document: doc, state: state, lastDay: last,
                                                daysLeft: FiscalDeadline.daysLeft(until: last, today: today), replacedBy: replacement))
            }
            return out
        }
    }

    /// A document's sending history, oldest first: its own events and, for a boleta or its note,
    /// those of the resúmenes diarios that carried it (`via` names the resumen).
    public func fiscalHistory(documentID: String) throws -> [(event: FiscalEvent, via: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.*, s.summary_id AS via FROM fiscal_events e LEFT JOIN fiscal_summaries s ON s.id = e.subject_id
                WHERE e.subject_id = ? OR e.subject_id IN (SELECT summary_id FROM fiscal_summary_lines WHERE document_id = ?)
                ORDER BY e.at, e.id
                """, arguments: [documentID, documentID]).map { row in (try FiscalEvent(row: row), row["via"] as String?) }
        }
    }

    /// The status bar's SUNAT figures over the last month; nil where SUNAT is not configured.
    /// Every terminal asks every few seconds: the figures are worked out again only when a
    /// document, a resumen or an answer was added (the tables are append-only) or the day changed.
    public func fiscalAlerts() throws -> FiscalAlerts? {
        guard try setting(.fiscalConfig) != nil else { return nil }
        let key = try read { db in
            try Row.fetchOne(db, sql: """
                SELECT (SELECT max(rowid) FROM fiscal_documents) AS d, (SELECT max(rowid) FROM fiscal_summaries) AS s,
                       (SELECT max(rowid) FROM fiscal_events) AS e
                """).map { row in "\(row["d"] as Int64? ?? 0)/\(row["s"] as Int64? ?? 0)/\(row["e"] as Int64? ?? 0)" } ?? ""
        } + "/" + today.iso
        if let cached = FiscalAlertsCache.shared.get(path: path, key: key) { return cached }
        let alerts = FiscalAlerts(try fiscalDocumentStatuses(days: 31))
        FiscalAlertsCache.shared.set(path: path, key: key, alerts)
        return alerts
    }

    /// Facturas and their notes still to send, oldest first.
    public func facturasToSend() throws -> [FiscalDocumentRecord] {
        try read { db in
            let docs = try FiscalDocumentRecord.fetchAll(db, sql: """
                SELECT * FROM fiscal_documents WHERE doc_type = '01' OR (doc_type = '07' AND series LIKE 'F%') ORDER BY issued_at, number
                """)
            return try docs.filter { doc in
                switch try Self.ownState(doc.id, db) {
                case .porEnviar: true
                default: false
                }
            }
        }
    }

    /// Boletas and their notes not yet in a resumen, by issue day (the day of the resumen's
    /// ReferenceDate).
    public func boletasWithoutSummary() throws -> [CivilDate: [FiscalDocumentRecord]] {
        try read { db in
            let docs = try FiscalDocumentRecord.fetchAll(db, sql: """
                SELECT * FROM fiscal_documents d WHERE (d.doc_type = '03' OR (d.doc_type = '07' AND d.series LIKE 'B%'))
                AND NOT EXISTS (SELECT 1 FROM fiscal_summary_lines l JOIN fiscal_summaries s ON s.id = l.summary_id
                                WHERE l.document_id = d.id AND s.kind = 'RC' AND l.condition = '1'
                                AND NOT EXISTS (SELECT 1 FROM fiscal_events e WHERE e.subject_id = s.id AND e.kind = 'cdr' AND e.code BETWEEN 100 AND 3999))
                ORDER BY d.issued_at, d.number
                """)
            return Dictionary(grouping: docs) { CivilDate(iso: $0.issueDate) ?? CivilDate(year: 2000, month: 1, day: 1)! }
        }
    }

    /// The next correlative of a resumen (RC) or a baja (RA) issued on `issueDate`: SUNAT numbers
    /// them per issue day (`RC-20261130-1`, `-2`…).
    static func nextSummarySequence(_ kind: String, on issueDate: CivilDate, _ db: Database) throws -> Int {
        (try Int.fetchOne(db, sql: "SELECT count(*) FROM fiscal_summaries WHERE kind = ? AND issue_date = ?",
                          arguments: [kind, issueDate.iso]) ?? 0) + 1
    }

    /// Writes and signs the resumen diario (RC) reporting `documents` (boletas of one day and their
    /// notes), numbered per issue day. One transaction.
    public func createDailySummary(referenceDate: CivilDate, documents: [FiscalDocumentRecord]) throws -> FiscalSummaryRecord {
        guard let context = try fiscalContext() else { throw StoreError.invalid(CertificateProblem.notConfigured.message) }
        let issueDate = CivilDate(limaDayOf: context.now)
        return try write(user: nil) { db in
            let sequence = try Self.nextSummarySequence("RC", on: issueDate, db)
            let lines = try documents.prefix(500).compactMap { doc in try Self.summaryLine(doc, condition: .adicionar, db) }
            let summary = FiscalSummary(issuer: context.config.issuer, referenceDate: referenceDate, issueDate: issueDate, sequence: sequence, lines: lines)
            let xml: String
            do throws(UBLWriter.Problem) { xml = try UBLWriter.summary(summary) } catch { throw StoreError.invalid(error.message) }
            let signed: SignedDocument
            do throws(SigningError) { signed = try context.signer.sign(xml) } catch { throw StoreError.invalid(error.message) }
            let record = FiscalSummaryRecord(id: newID(), sedeId: try Self.setting(.sedeID, db) ?? "", kind: "RC", summaryId: summary.id,
                                             referenceDate: referenceDate.iso, issueDate: issueDate.iso, fileName: summary.fileName,
                                             xml: String(decoding: signed.xml, as: UTF8.self), createdAt: LimaTime.iso8601(context.now))
            try record.insert(db)
            for doc in documents.prefix(500) {
                try db.execute(sql: "INSERT INTO fiscal_summary_lines (id, sede_id, summary_id, document_id, condition) VALUES (?, ?, ?, ?, '1')",
                               arguments: [newID(), record.sedeId, record.id, doc.id])
            }
            return record
        }
    }

    /// A boleta's (or its note's) line in a resumen diario, with its sale's amounts.
    static func summaryLine(_ doc: FiscalDocumentRecord, condition: SummaryCondition, _ db: Database) throws -> SummaryLine? {
        guard let type = doc.type else { return nil }
        let sale = try Sale.fetchOne(db, key: doc.saleId)
        let totals = sale.map { s in
            SaleTotals(gravada: Money(centimos: Int64(s.gravada.magnitude)), exonerada: Money(centimos: Int64(s.exonerada.magnitude)),
                       inafecta: Money(centimos: Int64(s.inafecta.magnitude)), igv: Money(centimos: Int64(s.igv.magnitude)),
                       total: Money(centimos: Int64(s.total.magnitude)))
        } ?? SaleTotals(igv: Money(centimos: doc.igv), total: Money(centimos: doc.total))
        let reference = try doc.referenceId.flatMap { try FiscalDocumentRecord.fetchOne(db, key: $0)?.documentID }
        return SummaryLine(type: type, id: doc.documentID, customerDocType: doc.customerDocType, customerDocNumber: doc.customerDocNumber,
                           condition: condition, totals: totals, reference: reference)
    }

    /// Summaries waiting for SUNAT's answer (sent, with a ticket, no final CDR), or never sent.
    public func openSummaries() throws -> [(summary: FiscalSummaryRecord, state: FiscalState, ticket: String?)] {
        try read { db in
            let all = try FiscalSummaryRecord.fetchAll(db, sql: "SELECT * FROM fiscal_summaries ORDER BY created_at")
            var out: [(FiscalSummaryRecord, FiscalState, String?)] = []
            for s in all {
                let state = try Self.ownState(s.id, db)
                if state.isFinal { continue }
                if case .porCorregir = state { continue }
                let ticket = try String.fetchOne(db, sql: "SELECT ticket FROM fiscal_events WHERE subject_id = ? AND kind = 'ticket' ORDER BY at DESC, id DESC LIMIT 1",
                                                 arguments: [s.id])
                out.append((s, state, ticket))
            }
            return out
        }
    }

    /// Writes every document's signed XML, and its CDR when SUNAT gave one, into `folder`:
    /// `RUC-TT-SERIE-NUMERO.xml` and `R-RUC-TT-SERIE-NUMERO.zip`, as an accountant keeps them.
    public func exportFiscal(from: CivilDate, to: CivilDate, into folder: String) throws -> (documents: Int, summaries: Int, cdrs: Int) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let docs = try fiscalDocuments(from: from, to: to)
        let summaries = try read { db in
            try FiscalSummaryRecord.fetchAll(db, sql: "SELECT * FROM fiscal_summaries WHERE reference_date BETWEEN ? AND ? ORDER BY created_at",
                                             arguments: [from.iso, to.iso])
        }
        var cdrs = 0
        func write(_ data: Data, _ name: String) throws {
            let path = folder + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o640]) else {
                throw StoreError.invalid("No se pudo escribir \(path) (¿disco lleno o sin permiso?)")
            }
        }
        for (id, fileName, xml) in docs.map({ ($0.id, $0.fileName, $0.xml) }) + summaries.map({ ($0.id, $0.fileName, $0.xml) }) {
            try write(Data(xml.utf8), fileName + ".xml")
            let cdr = try read { db in
                try String.fetchOne(db, sql: "SELECT cdr FROM fiscal_events WHERE subject_id = ? AND kind = 'cdr' AND cdr IS NOT NULL ORDER BY at DESC LIMIT 1",
                                    arguments: [id])
            }
            if let cdr, let data = Data(base64Encoded: cdr) { try write(data, "R-" + fileName + ".zip"); cdrs += 1 }
        }
        return (docs.count, summaries.count, cdrs)
    }
}

/// The last figures per store file, with what they were worked out from.
private final class FiscalAlertsCache: @unchecked Sendable {
    static let shared = FiscalAlertsCache()
    private let lock = NSLock()
    private var entries: [String: (key: String, alerts: FiscalAlerts)] = [:]

    func get(path: String, key: String) -> FiscalAlerts? {
        lock.withLock { entries[path].flatMap { $0.key == key ? $0.alerts : nil } }
    }

    func set(path: String, key: String, _ alerts: FiscalAlerts) {
        lock.withLock { entries[path] = (key, alerts) }
    }
}
