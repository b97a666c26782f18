import Foundation
import GRDB
import VetCore
import VetFiscal

/// A signed SUNAT document as the sede keeps it. Append-only.
public struct FiscalDocumentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "fiscal_documents"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var saleId: String
    public var docType: String
    public var series: String
    public var number: Int64
    public var issueDate: String
    public var issuedAt: String
    public var customerDocType: String
    public var customerDocNumber: String
    public var customerName: String
    public var paymentTerms: String
    public var igv: Int64
    public var total: Int64
    public var referenceId: String?
    public var fileName: String
    public var digest: String
    public var xml: String

    public var type: FiscalDocumentType? { FiscalDocumentType(rawValue: docType) }
    /// «B001-00000123».
    public var printedID: String { FiscalNumbering.printed(series: series, number: number) }
    /// «B001-123».
    public var documentID: String { "\(series)-\(number)" }
}

extension SedeStore {
    /// Catálogo 06 for a customer's document.
    static func sunatDocType(_ type: String?) -> String {
        switch DocumentType(rawValue: type ?? "") {
        case .dni: "1"
        case .ruc: "6"
        case .ce: "4"
        case .pasaporte: "7"
        case nil: "0"
        }
    }

    /// Issues the sale's document in the current transaction once the sale is settled (paid, or
    /// its balance left on credit), or the nota de crédito of a void or a return whose sale had a
    /// document. Returns nil when there is nothing to issue (no fiscal configuration, a sale still
    /// open, an original without document). Throws, so the whole act is undone and no number is
    /// used, when the document cannot be made.
    @discardableResult
    package static func issueFiscalDocument(forSale saleID: String, _ context: FiscalContext?, newID: () -> String,
                                            replacingRejected: Bool = false, _ db: Database) throws -> FiscalDocumentRecord? {
        guard let context else { return nil }
        if let done = try latestDocument(forSale: saleID, db) {
            // A sale has one document in force; only a rejected one, when asked, is replaced.
            guard replacingRejected, case .rechazado = try fiscalState(document: done, db) else { return done }
        }
        guard let summary = try saleStanding(id: saleID, withLines: true, withPlan: true, db) else { return nil }
        let sale = summary.sale
        let config = context.config
        var type: FiscalDocumentType
        var reference: FiscalReference?
        var referencedRecord: FiscalDocumentRecord?
        var series: String
        var payment = FiscalPaymentTerms.contado
        switch Sale.Kind(rawValue: sale.kind) {
        case .venta:
            guard summary.state == .pagada || summary.state == .aCuenta else { return nil }
            type = sale.fiscalDocType == FiscalDocumentType.factura.rawValue ? .factura : .boleta
            series = type == .factura ? config.facturaSeries : config.boletaSeries
            if type == .factura, let credit = summary.credit {
                let cuotas = summary.instalments.compactMap { i in
                    CivilDate(iso: i.dueDate).map { FiscalInstalment(amount: Money(centimos: i.amount), due: $0) }
                }
                let issueDay = CivilDate(limaDayOf: context.now)
                payment = .credito(cuotas.isEmpty ? [FiscalInstalment(amount: Money(centimos: credit.amount), due: issueDay.adding(days: 30))] : cuotas)
            }
        case .anulacion, .devolucion:
            // An anulación whose document goes by baja has no nota de crédito.
            if try FiscalVoidRecord.filter(sql: "sale_id = ?", arguments: [sale.id]).fetchCount(db) > 0 { return nil }
            guard let original = sale.reversesSaleId,
                  let origin = try latestDocument(forSale: original, db),
                  let originType = origin.type else { return nil }
            type = .notaCredito
            referencedRecord = origin
            series = originType == .factura ? config.facturaNoteSeries : config.boletaNoteSeries
            let whole = sale.kind == Sale.Kind.anulacion.rawValue
            reference = FiscalReference(type: originType, id: origin.documentID, reason: whole ? .anulacion : .devolucionItem,
                                        description: String((sale.reason ?? (whole ? "Anulación de la operación" : "Devolución")).prefix(250)))
        case nil:
            return nil
        }
        let customer: FiscalCustomer
        if let number = sale.customerDocNumber, !number.isEmpty {
            customer = FiscalCustomer(docType: sunatDocType(sale.customerDocType), docNumber: number,
                                      name: sale.customerName ?? "", address: sale.customerAddress)
        } else if let origin = referencedRecord, origin.customerDocType != "0" {
            customer = FiscalCustomer(docType: origin.customerDocType, docNumber: origin.customerDocNumber, name: origin.customerName,
                                      address: try String.fetchOne(db, sql: "SELECT customer_address FROM sales WHERE id = ?", arguments: [origin.saleId]))
        } else {
            customer = .anonymous
        }
        var lines: [FiscalLine] = []
        let skus = Dictionary(try Row.fetchAll(db, sql: "SELECT id, sku FROM catalog_items WHERE id IN (SELECT item_id FROM sale_lines WHERE sale_id = ?)",
                                               arguments: [sale.id]).map { ($0["id"] as String, $0["sku"] as String? ?? "") }, uniquingKeysWith: { a, _ in a })
        for line in summary.lines {
            let q = line.quantity.magnitude > UInt64(Int64.max) ? Int64.max : Int64(line.quantity.magnitude)
            let gross = Money(centimos: line.unitPrice &* q)
            let priced = PricedLine(gross: gross, discount: Money(centimos: line.discount.magnitude > UInt64(Int64.max) ? 0 : Int64(line.discount.magnitude)),
                                    total: Money(centimos: Int64(line.total.magnitude)), base: Money(centimos: Int64(line.base.magnitude)),
                                    igv: Money(centimos: Int64(line.igv.magnitude)))
            lines.append(FiscalLine(itemCode: skus[line.itemId] ?? "", description: line.description, unitCode: line.unitCode, quantity: q,
                                    unitPrice: Money(centimos: line.unitPrice), affectation: IGVAffectation(rawValue: line.igvAffectation),
                                    priced: priced))
        }
        let totals = SaleTotals(gravada: Money(centimos: Int64(sale.gravada.magnitude)), exonerada: Money(centimos: Int64(sale.exonerada.magnitude)),
                                inafecta: Money(centimos: Int64(sale.inafecta.magnitude)), igv: Money(centimos: Int64(sale.igv.magnitude)),
                                discount: Money(centimos: Int64(sale.discount.magnitude)), total: Money(centimos: Int64(sale.total.magnitude)))
        let last = try Int64.fetchOne(db, sql: "SELECT max(number) FROM fiscal_documents WHERE doc_type = ? AND series = ?",
                                      arguments: [type.rawValue, series]) ?? 0
        guard last < FiscalNumbering.maxNumber else {
            throw StoreError.refused(.fiscalDocument, "La serie \(series) llegó a su último número: pida una serie nueva")
        }
        let issueDate = CivilDate(limaDayOf: context.now)
        let clock = LimaTime.clockSeconds(context.now)
        let document = FiscalInvoice(type: type, series: series, number: last + 1, issueDate: issueDate,
                                     issueTime: clock, issuer: config.issuer,
                                     customer: customer, lines: lines, totals: totals, payment: payment, reference: reference)
        let xml: String
        do throws(UBLWriter.Problem) { xml = try UBLWriter.invoice(document) } catch {
            throw StoreError.refused(.fiscalDocument, "No se puede emitir la \(type.shortName.lowercased()): \(error.message)")
        }
        let signed: SignedDocument
        do throws(SigningError) { signed = try context.signer.sign(xml) } catch {
            throw StoreError.refused(.fiscalCertificate, "No se pudo firmar el comprobante: \(error.message)")
        }
        let termsText: String = if case .credito = payment { "credito" } else { "contado" }
        let record = FiscalDocumentRecord(
            id: newID(), sedeId: sale.sedeId, saleId: sale.id, docType: type.rawValue, series: series, number: last + 1,
            issueDate: issueDate.iso, issuedAt: LimaTime.iso8601(context.now), customerDocType: customer.docType,
            customerDocNumber: customer.docNumber, customerName: customer.name, paymentTerms: termsText,
            igv: totals.igv.centimos, total: totals.total.centimos, referenceId: referencedRecord?.id,
            fileName: document.fileName, digest: signed.digestValue, xml: String(decoding: signed.xml, as: UTF8.self))
        try record.insert(db)
        return record
    }

    /// A sale's document in force (the latest: a rejected one may have been replaced), if it has one.
    public func fiscalDocument(saleID: String) throws -> FiscalDocumentRecord? {
        try read { db in try Self.latestDocument(forSale: saleID, db) }
    }

    static func latestDocument(forSale saleID: String, _ db: Database) throws -> FiscalDocumentRecord? {
        try FiscalDocumentRecord.fetchOne(db, sql: "SELECT * FROM fiscal_documents WHERE sale_id = ? ORDER BY issued_at DESC, id DESC LIMIT 1",
                                          arguments: [saleID])
    }

    /// A new document, with the next number of its series, for the sale of a document SUNAT
    /// rejected (its number stays used up and kept). Refused unless the document is the sale's
    /// latest and is rejected.
    public func reissueFiscalDocument(documentID: String, by session: Session) throws -> FiscalDocumentRecord {
        try session.require(.superviseFiscal, "Solo un supervisor emite de nuevo un comprobante rechazado")
        let context = try fiscalContext()
        guard let context else { throw StoreError.refused(.fiscalDocument, "La facturación electrónica no está configurada en esta sede") }
        return try write(user: session.userID) { db in
            guard let rejected = try FiscalDocumentRecord.fetchOne(db, key: documentID) else {
                throw StoreError.notFound("El comprobante no existe")
            }
            guard case .rechazado = try Self.fiscalState(document: rejected, db) else {
                throw StoreError.refused(.fiscalDocument, "\(rejected.printedID) no fue rechazado por SUNAT: no se emite otro")
            }
            guard try Self.latestDocument(forSale: rejected.saleId, db)?.id == rejected.id else {
                throw StoreError.refused(.fiscalDocument, "La venta de \(rejected.printedID) ya tiene un comprobante nuevo")
            }
            guard let issued = try Self.issueFiscalDocument(forSale: rejected.saleId, context, newID: newID, replacingRejected: true, db),
                  issued.id != rejected.id else {
                throw StoreError.refused(.fiscalDocument, "No se pudo emitir un comprobante nuevo para la venta de \(rejected.printedID)")
            }
            return issued
        }
    }

    /// Documents issued between two Lima days, inclusive, in number order.
    public func fiscalDocuments(from: CivilDate, to: CivilDate) throws -> [FiscalDocumentRecord] {
        try read { db in
            try FiscalDocumentRecord.fetchAll(db, sql: """
                SELECT * FROM fiscal_documents WHERE issue_date BETWEEN ? AND ? ORDER BY doc_type, series, number
                """, arguments: [from.iso, to.iso])
        }
    }
}
