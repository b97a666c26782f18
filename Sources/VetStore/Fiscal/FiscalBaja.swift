import Foundation
import GRDB
import VetCore
import VetFiscal

/// How the anulación of a sale voids the sale's document with SUNAT. Money, stock and cash are
/// reversed the same way in both; only the fiscal document differs.
public enum FiscalVoidMethod: String, Sendable, Equatable {
    /// A nota de crédito (07) that reverses the document: always possible.
    case notaCredito
    /// The document itself is given de baja: a factura (or a note on one) by comunicación de baja
    /// (RA), a boleta through the resumen diario with ConditionCode 3. Only for the anulación of the
    /// whole sale, within SUNAT's 7 days from the document's issue (rules 2957), and no number is
    /// taken.
    case baja
}

/// A document voided by baja, as the sede keeps it: which anulación voided it and why. Append-only;
/// the RA or RC that carries it is written once SUNAT has accepted the document.
public struct FiscalVoidRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "fiscal_voids"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var documentId: String
    /// The anulación sale.
    public var saleId: String
    public var reason: String
    public var userId: String?
    public var at: String
}

/// Whether a sale's document can be voided by baja today (for the void form).
public enum FiscalBajaOption: Sendable, Equatable {
    /// «F001-00000012» may go by baja until `lastDay` included.
    case available(document: String, lastDay: CivilDate)
    /// Why not, in Spanish.
    case unavailable(String)
}

extension SedeStore {
    /// Whether the anulación of `saleID` could void its document by baja now.
    public func fiscalBajaOption(saleID: String) throws -> FiscalBajaOption {
        guard try setting(.fiscalConfig) != nil else { return .unavailable("La facturación electrónica no está configurada en esta sede") }
        let today = self.today
        return try read { db in
            do {
                let doc = try Self.bajaCandidate(saleID: saleID, excluding: nil, today: today, db)
                let issued = CivilDate(iso: doc.issueDate) ?? today
                return .available(document: doc.printedID, lastDay: issued.adding(days: FiscalDeadline.bajaDays))
            } catch let error as StoreError {
                return .unavailable(error.message)
            }
        }
    }

    /// The sale's document when it can be voided by baja `today`; otherwise the reason, in Spanish,
    /// as a `fiscal_document` refusal. `excluding` is the anulación being written.
    static func bajaCandidate(saleID: String, excluding reversalID: String?, today: CivilDate, _ db: Database) throws -> FiscalDocumentRecord {
        guard let doc = try latestDocument(forSale: saleID, db), let type = doc.type, let issued = CivilDate(iso: doc.issueDate) else {
            throw StoreError.refused(.fiscalDocument, "La venta no tiene comprobante electrónico que dar de baja")
        }
        let name = "\(type == .factura ? "la factura" : type == .boleta ? "la boleta" : "la nota de crédito") \(doc.printedID)"
        let returned = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sales WHERE reverses_sale_id = ? AND id IS NOT ?)",
                                         arguments: [saleID, reversalID]) ?? false
        if returned {
            throw StoreError.refused(.fiscalDocument, "La venta ya tiene devoluciones con nota de crédito: anule con nota de crédito")
        }
        if try FiscalVoidRecord.filter(sql: "document_id = ?", arguments: [doc.id]).fetchCount(db) > 0 {
            throw StoreError.refused(.fiscalDocument, "Ya se pidió la baja de \(name)")
        }
        if case .rechazado = try sentState(document: doc, db) {
            throw StoreError.refused(.fiscalDocument, "SUNAT rechazó \(name): no hay nada que dar de baja")
        }
        let last = issued.adding(days: FiscalDeadline.bajaDays)
        guard today <= last else {
            throw StoreError.refused(.fiscalDocument, """
                El plazo para dar de baja \(name) venció el \(last.display) (\(FiscalDeadline.bajaDays) días desde su emisión): \
                anule con nota de crédito
                """)
        }
        return doc
    }

    /// Records, in the anulación's transaction, that its sale's document goes by baja instead of
    /// a nota de crédito, and writes the RA or RC at once when SUNAT already accepted the document.
    /// Refused (and with it the whole anulación) unless the reversal voids the whole sale and the
    /// document is within its limit.
    static func voidByBaja(reversalID: String, reason: String, context: FiscalContext?, session: Session,
                           newID: () -> String, _ db: Database) throws {
        guard let context else {
            throw StoreError.refused(.fiscalDocument, "La facturación electrónica no está configurada en esta sede: no hay comprobante que dar de baja")
        }
        guard let reversal = try Sale.fetchOne(db, key: reversalID), let original = reversal.reversesSaleId else {
            throw StoreError.notFound("La anulación no existe")
        }
        guard reversal.kind == Sale.Kind.anulacion.rawValue else {
            throw StoreError.refused(.fiscalDocument, "Solo la anulación de toda la venta se comunica de baja: una devolución lleva nota de crédito")
        }
        let doc = try bajaCandidate(saleID: original, excluding: reversalID, today: CivilDate(limaDayOf: context.now), db)
        try FiscalVoidRecord(id: newID(), sedeId: reversal.sedeId, documentId: doc.id, saleId: reversalID, reason: bajaReason(reason),
                             userId: session.userID, at: LimaTime.iso8601(context.now)).insert(db)
        _ = try writeBajaSummaries(context, newID: newID, db)
    }

    /// SUNAT's VoidReasonDescription: one line of 3 to 100 characters.
    static func bajaReason(_ reason: String) -> String {
        let oneLine = reason.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        return oneLine.count >= 3 ? String(oneLine.prefix(100)) : "Anulación de la operación"
    }

    /// Writes the comunicaciones de baja (RA, one per issue day of the facturas) and resúmenes
    /// diarios with ConditionCode 3 (one per issue day of the boletas) for every baja whose
    /// document SUNAT has accepted and that no live summary carries yet. Called by the sending
    /// queue; returns what it wrote. Needs the certificate only when some baja waits for its summary.
    @discardableResult
    public func prepareBajas() throws -> [FiscalSummaryRecord] {
        let since = today.adding(days: -FiscalDeadline.bajaDays).iso
        // Bajas with no summary yet, or whose last one SUNAT asked to fix.
        let waiting = try read { db in
            try String.fetchAll(db, sql: """
                SELECT v.document_id FROM fiscal_voids v JOIN fiscal_documents d ON d.id = v.document_id WHERE d.issue_date >= ?
                """, arguments: [since]).contains { try Self.latestBajaSummaryState(document: $0, db) == nil }
        }
        guard waiting, let context = try fiscalContext() else { return [] }
        return try write(user: nil) { db in try Self.writeBajaSummaries(context, newID: newID, db) }
    }

    static func writeBajaSummaries(_ context: FiscalContext, newID: () -> String, _ db: Database) throws -> [FiscalSummaryRecord] {
        let today = CivilDate(limaDayOf: context.now)
        let voids = try FiscalVoidRecord.fetchAll(db, sql: """
            SELECT v.* FROM fiscal_voids v JOIN fiscal_documents d ON d.id = v.document_id
            WHERE d.issue_date >= ? ORDER BY v.at, v.id
            """, arguments: [today.adding(days: -FiscalDeadline.bajaDays).iso])
        var groups: [String: [(FiscalVoidRecord, FiscalDocumentRecord)]] = [:]
        for void in voids {
            guard let doc = try FiscalDocumentRecord.fetchOne(db, key: void.documentId), let issued = CivilDate(iso: doc.issueDate),
                  today <= issued.adding(days: FiscalDeadline.bajaDays), try latestBajaSummaryState(document: doc.id, db) == nil else { continue }
            switch try sentState(document: doc, db) {
            case .aceptado, .observado: break
            default: continue
            }
            let kind = viaSummary(doc) ? "RC" : "RA"
            groups[kind + " " + doc.issueDate, default: []].append((void, doc))
        }
        var written: [FiscalSummaryRecord] = []
        for key in groups.keys.sorted() {
            let items = groups[key]!
            guard let day = CivilDate(iso: items[0].1.issueDate) else { continue }
            var start = 0
            while start < items.count {
                let chunk = Array(items[start..<min(items.count, start + 500)])
                start += chunk.count
                written.append(key.hasPrefix("RA") ? try writeVoided(chunk, day: day, context, newID: newID, db)
                                                   : try writeVoidSummary(chunk, day: day, context, newID: newID, db))
            }
        }
        return written
    }

    private static func writeVoided(_ items: [(FiscalVoidRecord, FiscalDocumentRecord)], day: CivilDate, _ context: FiscalContext,
                                    newID: () -> String, _ db: Database) throws -> FiscalSummaryRecord {
        let issueDate = CivilDate(limaDayOf: context.now)
        let sequence = try nextSummarySequence("RA", on: issueDate, db)
        let lines = items.compactMap { void, doc in
            doc.type.map { VoidedLine(type: $0, series: doc.series, number: doc.number, reason: void.reason) }
        }
        let voided = FiscalVoided(issuer: context.config.issuer, referenceDate: day, issueDate: issueDate, sequence: sequence, lines: lines)
        let xml: String
        do throws(UBLWriter.Problem) { xml = try UBLWriter.voided(voided) } catch {
            throw StoreError.refused(.fiscalDocument, "No se puede escribir la comunicación de baja: \(error.message)")
        }
        return try insertSummary(kind: "RA", id: voided.id, fileName: voided.fileName, xml: xml, day: day, issueDate: issueDate,
                                 items: items, context, newID: newID, db)
    }

    private static func writeVoidSummary(_ items: [(FiscalVoidRecord, FiscalDocumentRecord)], day: CivilDate, _ context: FiscalContext,
                                         newID: () -> String, _ db: Database) throws -> FiscalSummaryRecord {
        let issueDate = CivilDate(limaDayOf: context.now)
        let sequence = try nextSummarySequence("RC", on: issueDate, db)
        let lines = try items.compactMap { _, doc in try summaryLine(doc, condition: .anular, db) }
        let summary = FiscalSummary(issuer: context.config.issuer, referenceDate: day, issueDate: issueDate, sequence: sequence, lines: lines)
        let xml: String
        do throws(UBLWriter.Problem) { xml = try UBLWriter.summary(summary) } catch {
            throw StoreError.refused(.fiscalDocument, "No se puede escribir el resumen diario de bajas: \(error.message)")
        }
        return try insertSummary(kind: "RC", id: summary.id, fileName: summary.fileName, xml: xml, day: day, issueDate: issueDate,
                                 items: items, context, newID: newID, db)
    }

    private static func insertSummary(kind: String, id: String, fileName: String, xml: String, day: CivilDate, issueDate: CivilDate,
                                      items: [(FiscalVoidRecord, FiscalDocumentRecord)], _ context: FiscalContext,
                                      newID: () -> String, _ db: Database) throws -> FiscalSummaryRecord {
        let signed: SignedDocument
        do throws(SigningError) { signed = try context.signer.sign(xml) } catch {
            throw StoreError.refused(.fiscalCertificate, "No se pudo firmar \(id): \(error.message)")
        }
        let record = FiscalSummaryRecord(id: newID(), sedeId: try setting(.sedeID, db) ?? "", kind: kind, summaryId: id,
                                         referenceDate: day.iso, issueDate: issueDate.iso, fileName: fileName,
                                         xml: String(decoding: signed.xml, as: UTF8.self), createdAt: LimaTime.iso8601(context.now))
        try record.insert(db)
        for (void, doc) in items {
            try db.execute(sql: "INSERT INTO fiscal_summary_lines (id, sede_id, summary_id, document_id, condition, reason) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [newID(), record.sedeId, record.id, doc.id, SummaryCondition.anular.rawValue, void.reason])
        }
        return record
    }

    /// The state of the latest RA or RC (ConditionCode 3) that carries the document's baja, or nil
    /// when none does yet or the last one must be written again (SUNAT asked to fix it: 100–1999).
    static func latestBajaSummaryState(document documentID: String, _ db: Database) throws -> FiscalState? {
        let latest = try String.fetchOne(db, sql: """
            SELECT s.id FROM fiscal_summary_lines l JOIN fiscal_summaries s ON s.id = l.summary_id
            WHERE l.document_id = ? AND l.condition = '3' ORDER BY s.created_at DESC, s.id DESC LIMIT 1
            """, arguments: [documentID])
        guard let latest else { return nil }
        let state = try ownState(latest, db)
        if case .porCorregir = state { return nil }
        return state
    }

    /// Whether the document reaches SUNAT in a resumen diario (a boleta or a note on one).
    static func viaSummary(_ doc: FiscalDocumentRecord) -> Bool {
        doc.docType == FiscalDocumentType.boleta.rawValue || (doc.docType == FiscalDocumentType.notaCredito.rawValue && doc.series.hasPrefix("B"))
    }
}
