import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetFiscal
import VetTestSupport

/// The checkout fixture with the company configured for SUNAT: a test certificate valid for a
/// year from the fixture's clock, series B001/F001/BC01/FC01.
struct FiscalFixture {
    let c: CheckoutFixture
    let admin: Session
    static let password = "clave-del-pfx"
    static let config = FiscalConfiguration(
        ruc: "20601234565", legalName: "Veterinarias Huellitas S.A.C.", tradeName: "Huellitas", ubigeo: "150122",
        address: "Av. José Larco 1150", district: "MIRAFLORES", province: "LIMA", department: "LIMA", annexCode: "0001",
        boletaSeries: "B001", facturaSeries: "F001", boletaNoteSeries: "BC01", facturaNoteSeries: "FC01")

    var store: SedeStore { c.store }
    var clock: ManualClock { c.ph.p.clock }

    static func certificate(from: Date, days: Double) throws -> Data {
        try FiscalSigner.makeTestCertificate(commonName: "PRUEBAS VETDESK - NO VALIDO ANTE SUNAT", organization: "Huellitas (pruebas)",
                                             password: password, validFrom: from.addingTimeInterval(-86_400), until: from.addingTimeInterval(86_400 * days))
    }

    init(configure: Bool = true) throws {
        c = try CheckoutFixture()
        admin = try PatientFixture.user(c.store, c.reception.sede, "admin", "Ana Torres", [.administrador])
        if configure {
            try c.store.configureFiscal(Self.config, certificate: try Self.certificate(from: c.ph.p.clock.now, days: 365),
                                        certificatePassword: Self.password, solPassword: "moddatos", by: admin)
        }
    }

    func cleanup() { c.cleanup() }

    /// A sale of `lines` (item, quantity, discount) paid in cash, in one transaction.
    @discardableResult
    func paidSale(_ lines: [(CatalogItem, Int64, Discount)], customer: SaleCustomer? = nil, document: String? = nil) throws -> SaleSummary {
        let draft = SaleDraft(id: store.newID(), ownerID: c.owner.id, customer: customer, fiscalDocType: document,
                              lines: lines.map { .init(itemID: $0.0.id, quantity: $0.1, discount: $0.2) }, drawer: CheckoutFixture.drawer)
        let total = try draft.lines.reduce(Int64(0)) { sum, line in
            let item = lines.first { $0.0.id == line.itemID }!.0
            let price = try store.read { db in try SedeStore.price(itemID: item.id, sedeID: c.ph.sedeID, on: store.today, db) }!
            return sum + (try SaleMath.price(CartLine(quantity: line.quantity, unitPrice: price, affectation: item.igv, discount: line.discount))).total.centimos
        }
        return try store.checkout(draft, payments: [PaymentDraft(id: store.newID(), method: .yape, amount: Money(centimos: total),
                                                                 operationNumber: String(UInt64(store.newID().suffix(12), radix: 16) ?? 1))], by: c.reception)
    }

    func documents() throws -> [FiscalDocumentRecord] {
        try store.read { db in try FiscalDocumentRecord.fetchAll(db, sql: "SELECT * FROM fiscal_documents ORDER BY doc_type, series, number") }
    }
}

@Suite struct FiscalStoreTests {
    @Test func eachPaidSaleGetsItsSignedBoletaWithGaplessNumbers() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        for i in 0..<5 { try f.paidSale([(g.consult, 1, .none), (g.gauze, Int64(i + 1), .percent(basisPoints: 500))]) }
        let docs = try f.documents()
        #expect(docs.map(\.documentID) == ["B001-1", "B001-2", "B001-3", "B001-4", "B001-5"])
        #expect(docs.allSatisfy { $0.docType == "03" && $0.fileName == "20601234565-03-\($0.documentID)" })
        for doc in docs {
            #expect(FiscalSigner.verify(Data(doc.xml.utf8)) == nil)
            #expect(FiscalSigner.digestValue(in: Data(doc.xml.utf8)) == doc.digest)
            let sale = try #require(try f.store.read { db in try Sale.fetchOne(db, key: doc.saleId) })
            #expect(doc.total == sale.total && doc.igv == sale.igv)
        }
        // An open sale (not yet paid) has no document yet; paying it issues the next number.
        let open = try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.c.owner.id, lines: [.init(itemID: g.consult.id, quantity: 1)],
                                                    drawer: CheckoutFixture.drawer), by: f.c.reception)
        #expect(try f.store.fiscalDocument(saleID: open.sale.id) == nil)
        _ = try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 8_000), tendered: Money(centimos: 10_000)),
                                      saleID: open.sale.id, drawer: CheckoutFixture.drawer, by: f.c.reception)
        #expect(try f.store.fiscalDocument(saleID: open.sale.id)?.documentID == "B001-6")
        // The ticket of the first sale prints as the boleta, and its QR (drawn from the printer's
        // own command, read back from an image) carries the document's fields and hash.
        let first = docs[0]
        let receipt = try #require(try f.store.receipt(saleID: first.saleId))
        #expect(receipt.title == "BOLETA DE VENTA ELECTRÓNICA" && receipt.documentID == "B001-00000001")
        let printout = try VirtualPrinter.print(EscPos.encode(ReceiptLayout(columns: .narrow).lines(for: receipt)))
        #expect(printout.lines.joined().replacingOccurrences(of: " ", with: "").contains("Hash:" + first.digest))
        let scratch = TempDir()
        let png = scratch.file("boleta-qr.png")
        try QRImages.render(try #require(printout.qrCodes.first), to: png)
        let fields = try #require(try QRImages.decode(png).first).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(fields == ["20601234565", "03", "B001", "1", Money(centimos: first.igv).plain, Money(centimos: first.total).plain,
                           f.store.today.iso, "0", "-", first.digest])
        // The database refuses to change or delete a document.
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "UPDATE fiscal_documents SET total = 1") } }
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM fiscal_documents") } }
    }

    @Test func facturaNeedsAValidRucAndAFiscalAddressAndUsesNoNumberWhenRefused() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let before = try f.c.count("SELECT count(*) FROM sales")
        let badRUC = f.c.code { try f.paidSale([(g.consult, 1, .none)], customer: SaleCustomer(docType: "ruc", docNumber: "20100070971", name: "Supermercados Peruanos S.A.", address: "Calle Morelli 181"), document: "01") }
        #expect(badRUC == "invalid")
        do {
            try f.paidSale([(g.consult, 1, .none)], customer: SaleCustomer(docType: "ruc", docNumber: "20100070970", name: "Supermercados Peruanos S.A."), document: "01")
            Issue.record("a factura without address was issued")
        } catch let error as StoreError { #expect(error.message == "La factura necesita la dirección fiscal del cliente") }
        #expect(try f.c.count("SELECT count(*) FROM sales") == before)
        #expect(try f.documents().isEmpty)
        let ok = try f.paidSale([(g.consult, 1, .none)], customer: SaleCustomer(docType: "ruc", docNumber: "20100070970", name: "Supermercados Peruanos S.A.",
                                                                              address: "Calle Morelli 181, San Borja"), document: "01")
        let doc = try #require(try f.store.fiscalDocument(saleID: ok.sale.id))
        #expect(doc.documentID == "F001-1" && doc.customerDocType == "6" && doc.customerDocNumber == "20100070970")
        #expect(doc.xml.contains("Calle Morelli 181, San Borja"))
    }

    @Test func wrongPasswordAndExpiredCertificateStopTheSaleBeforeANumber() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        // Configuring with the wrong password changes nothing.
        do {
            try f.store.configureFiscal(FiscalFixture.config, certificate: try FiscalFixture.certificate(from: f.clock.now, days: 30),
                                        certificatePassword: "otra", by: f.admin)
            Issue.record("a wrong password was accepted")
        } catch let error as StoreError { #expect(error.message == "La contraseña del certificado digital no es correcta") }
        // Only an administrator configures.
        #expect(f.c.code { try f.store.configureFiscal(FiscalFixture.config, by: f.c.supervisor) } == "forbidden")
        try f.paidSale([(g.consult, 1, .none)])
        // A year and two days later the certificate has expired: the sale is refused with the reason.
        f.clock.advance(seconds: 86_400 * 367)
        let sales = try f.c.count("SELECT count(*) FROM sales")
        do { try f.paidSale([(g.consult, 1, .none)]); Issue.record("sold with an expired certificate") } catch let error as StoreError {
            #expect(error.code == .fiscalCertificate)
            #expect(error.message.hasPrefix("El certificado digital venció el"))
        }
        #expect(try f.c.count("SELECT count(*) FROM sales") == sales)
        #expect(try f.documents().map(\.documentID) == ["B001-1"])
        // Files holding the certificate and the claves are the owner's only.
        for name in ["certificado.pfx", "certificado.clave", "sol.clave"] {
            let attrs = try FileManager.default.attributesOfItem(atPath: f.store.fiscalFolder + "/" + name)
            #expect((attrs[.posixPermissions] as? Int ?? 0o777) & 0o077 == 0, "\(name)")
        }
        #expect(try f.store.setting(.fiscalConfig)?.contains("clave") == false)
    }

    /// The central's assignment arrives by pull, so it is a peer's value: one that breaks SUNAT's
    /// rules stops the sale with the reason instead of numbering in any series; a good one after it wins.
    @Test func seriesAssignedByTheCentralWinAndUnusableOnesStopTheSale() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        func assign(boleta: String) throws {
            try f.store.applyingRemote { db in
                try db.execute(sql: """
                    INSERT INTO fiscal_series (id, sede_id, annex_code, boleta_series, factura_series, boleta_note_series, factura_note_series, assigned_at)
                    VALUES (?, ?, '0007', ?, 'F007', 'BC07', 'FC07', ?)
                    """, arguments: [f.store.newID(), g.sedeID, boleta, f.store.nowText])
            }
        }
        try f.paidSale([(g.consult, 1, .none)])
        try assign(boleta: "B7")
        let sales = try f.c.count("SELECT count(*) FROM sales")
        do { try f.paidSale([(g.consult, 1, .none)]); Issue.record("sold with an unusable series") } catch let error as StoreError {
            #expect(error.code == .fiscalDocument)
            #expect(error.message.hasPrefix("Las series que la central asignó a esta sede no sirven (La serie «B7» debe tener 4 caracteres"), "\(error.message)")
        }
        #expect(try f.c.count("SELECT count(*) FROM sales") == sales)
        // Receipts and the queue keep the local values meanwhile.
        #expect(try f.store.fiscalConfiguration()?.boletaSeries == "B001")
        try assign(boleta: "B007")
        try f.paidSale([(g.consult, 1, .none)])
        #expect(try f.documents().map(\.documentID) == ["B001-1", "B007-1"])
        #expect(try f.documents().last?.xml.contains(">0007</cbc:AddressTypeCode>") == true)
        #expect(try f.store.fiscalConfiguration()?.annexCode == "0007")
    }

    @Test func returnsAndVoidsBecomeNotasDeCreditoThatSunatAccepts() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let sale = try f.paidSale([(g.consult, 1, .none), (g.gauze, 4, .percent(basisPoints: 1000))])
        let gauzeLine = try #require(try f.store.saleSummary(id: sale.sale.id)?.lines.first { $0.itemId == g.gauze.id })
        _ = try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: sale.sale.id, lines: [gauzeLine.id: 1],
                                                  reason: "Gasa con empaque abierto", refundID: f.store.newID(), refundMethod: .efectivo,
                                                  drawer: CheckoutFixture.drawer), by: f.c.supervisor)
        let other = try f.paidSale([(g.consult, 1, .none)])
        _ = try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: other.sale.id, reason: "Cobro duplicado", refundID: f.store.newID(),
                                                  refundMethod: .efectivo, drawer: CheckoutFixture.drawer), by: f.c.supervisor)
        let docs = try f.documents()
        #expect(docs.map(\.documentID) == ["B001-1", "B001-2", "BC01-1", "BC01-2"])
        let notes = docs.filter { $0.docType == "07" }
        #expect(notes[0].referenceId == docs[0].id && notes[0].xml.contains("<cbc:ResponseCode") && notes[0].xml.contains(">07</cbc:ResponseCode>"))
        #expect(notes[1].xml.contains(">01</cbc:ResponseCode>"))
        // SUNAT's own checks on what the store signed: the boleta with a discount and the partial return.
        let dir = TempDir()
        for doc in [docs[0], notes[0]] {
            let path = dir.file(doc.fileName + ".xml")
            try Data(doc.xml.utf8).write(to: URL(fileURLWithPath: path))
            let result = try runProcess("/bin/bash", [FiscalStoreTests.sunatDir + "/validate", path, doc.fileName], timeout: 180)
            #expect(result.status == 0, "\(doc.fileName): \(result.stdout)\(result.stderr)")
        }
    }

    @Test func boletaAboveSevenHundredSolesNeedsTheBuyersDocumentBeforeAnyNumber() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let sales = try f.c.count("SELECT count(*) FROM sales"), moves = try f.c.count("SELECT count(*) FROM stock_movements")
        // 9 consultations: S/ 720.00 to a consumer who gave no document, paid or left open.
        do {
            try f.paidSale([(g.consult, 9, .none)])
            Issue.record("a boleta of S/ 720.00 without the buyer's document was issued")
        } catch let error as StoreError {
            #expect(error.code.rawValue == "fiscal_document")
            #expect(error.message.contains("más de S/ 700.00 necesita el documento del cliente") && error.message.contains("S/ 720.00"), "\(error.message)")
        }
        #expect(f.c.code {
            try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.c.owner.id, fiscalDocType: "03",
                                             lines: [.init(itemID: g.consult.id, quantity: 9)], drawer: CheckoutFixture.drawer), by: f.c.reception)
        } == "fiscal_document")
        // Nothing was written and no number was used up.
        #expect(try f.c.count("SELECT count(*) FROM sales") == sales && f.c.count("SELECT count(*) FROM stock_movements") == moves)
        #expect(try f.c.count("SELECT count(*) FROM payments") == 0)
        #expect(try f.documents().isEmpty)
        // S/ 640.00 needs no document; S/ 720.00 with the buyer's DNI is issued with the next number.
        try f.paidSale([(g.consult, 8, .none)])
        let named = try f.paidSale([(g.consult, 9, .none)], customer: SaleCustomer(docType: "dni", docNumber: "45678912", name: "Rosa Quispe"))
        #expect(try f.documents().map(\.documentID) == ["B001-1", "B001-2"])
        #expect(try f.store.fiscalDocument(saleID: named.sale.id)?.customerDocNumber == "45678912")
        // Where SUNAT is not configured there is no boleta and no such rule.
        let plain = try FiscalFixture(configure: false)
        defer { plain.cleanup() }
        #expect(plain.c.code { try plain.paidSale([(plain.c.ph.consult, 9, .none)]) } == nil)
    }

    /// Voids `sale` entirely, asking for its document to go by baja.
    static func voidByBaja(_ f: FiscalFixture, _ sale: SaleSummary, id: String? = nil, reason: String = "Error en los datos del cliente") throws -> SaleSummary {
        try f.store.reverseSale(ReversalDraft(id: id ?? f.store.newID(), saleID: sale.sale.id, reason: reason, refundID: f.store.newID(),
                                              refundMethod: .efectivo, drawer: CheckoutFixture.drawer, fiscalVoid: .baja), by: f.c.supervisor)
    }

    @Test func anAcceptedFacturaVoidedByBajaGoesInAComunicacionDeBajaAndNoNoteIsIssued() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let company = SaleCustomer(docType: "ruc", docNumber: "20100070970", name: "Supermercados Peruanos S.A.", address: "Calle Morelli 181")
        let sale = try f.paidSale([(g.consult, 1, .none), (g.gauze, 2, .none)], customer: company, document: "01")
        let factura = try #require(try f.store.fiscalDocument(saleID: sale.sale.id))
        #expect(try f.store.fiscalBajaOption(saleID: sale.sale.id) == .available(document: "F001-00000001", lastDay: f.store.today.adding(days: 7)))
        try f.store.recordFiscalEvent(subjectID: factura.id, kind: .cdr, code: 0, message: "La Factura numero F001-1, ha sido aceptada")
        let stock = try f.c.count("SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE item_id = ?", [g.gauze.id])
        let voidID = f.store.newID()
        let voided = try Self.voidByBaja(f, sale, id: voidID)
        // Money and stock are reversed as by any anulación; no nota de crédito is issued.
        #expect(voided.sale.kind == "anulacion" && voided.sale.total == -sale.sale.total)
        #expect(try f.store.saleSummary(id: sale.sale.id)?.state == .anulada)
        #expect(try f.c.count("SELECT count(*) FROM payments WHERE sale_id = ? AND amount = ?", [sale.sale.id, -sale.sale.total]) == 1)
        #expect(try f.c.count("SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE item_id = ?", [g.gauze.id]) == stock + 2)
        #expect(try f.documents().map(\.documentID) == ["F001-1"])
        // The RA is written at once (the factura is accepted), with its line and reason.
        let summaries = try f.store.read { db in try FiscalSummaryRecord.fetchAll(db, sql: "SELECT * FROM fiscal_summaries") }
        #expect(summaries.map(\.kind) == ["RA"] && summaries.first?.summaryId == "RA-\(FiscalNumbering.compact(f.store.today))-1")
        #expect(summaries.first?.referenceDate == factura.issueDate)
        let ra = try #require(summaries.first)
        #expect(FiscalSigner.verify(Data(ra.xml.utf8)) == nil)
        #expect(ra.xml.contains("<sac:DocumentSerialID>F001</sac:DocumentSerialID>") && ra.xml.contains("<sac:DocumentNumberID>1</sac:DocumentNumberID>"))
        #expect(ra.xml.contains("<sac:VoidReasonDescription>Error en los datos del cliente</sac:VoidReasonDescription>"))
        #expect(try f.c.count("SELECT count(*) FROM fiscal_summary_lines WHERE summary_id = ? AND document_id = ? AND condition = '3' AND reason = ?",
                              [ra.id, factura.id, "Error en los datos del cliente"]) == 1)
        #expect(try f.store.fiscalState(documentID: factura.id) == .bajaEnCurso)
        // A retry of the same act changes nothing.
        _ = try Self.voidByBaja(f, sale, id: voidID)
        #expect(try f.c.count("SELECT count(*) FROM fiscal_voids") == 1 && f.c.count("SELECT count(*) FROM fiscal_summaries") == 1)
        #expect(try f.documents().count == 1 && f.store.prepareBajas().isEmpty)
        // SUNAT accepts the RA: the factura reads as voided.
        try f.store.recordFiscalEvent(subjectID: ra.id, kind: .cdr, code: 0, message: "La Comunicacion de baja RA, ha sido aceptada")
        #expect(try f.store.fiscalState(documentID: factura.id) == .anulado)
        #expect(FiscalState.anulado.label == "Anulado (baja)" && FiscalState.anulado.isFinal)
        // The baja and its summary are ledgers too.
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "UPDATE fiscal_voids SET reason = 'x'") } }
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM fiscal_voids") } }
    }

    @Test func aBoletaVoidedByBajaWaitsForItsResumenThenGoesWithConditionCode3() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let sale = try f.paidSale([(g.consult, 1, .none)])
        let boleta = try #require(try f.store.fiscalDocument(saleID: sale.sale.id))
        _ = try Self.voidByBaja(f, sale, reason: "Cobro duplicado")
        // Not reported yet: it goes first in the day's resumen (adding it), and no baja is written.
        #expect(try f.store.prepareBajas().isEmpty)
        #expect(try f.store.boletasWithoutSummary().values.flatMap { $0 }.map(\.id) == [boleta.id])
        let rc = try f.store.createDailySummary(referenceDate: f.store.today, documents: [boleta])
        #expect(try f.store.fiscalState(documentID: boleta.id) == .enResumen)
        try f.store.recordFiscalEvent(subjectID: rc.id, kind: .cdr, code: 0, message: "El Resumen diario RC, ha sido aceptado")
        #expect(try f.store.fiscalState(documentID: boleta.id) == .bajaEnCurso)
        let written = try f.store.prepareBajas()
        #expect(written.map(\.kind) == ["RC"] && written.first?.summaryId == "RC-\(FiscalNumbering.compact(f.store.today))-2")
        let void = try #require(written.first)
        #expect(void.xml.contains("<cbc:ID>\(boleta.documentID)</cbc:ID>") && void.xml.contains("<cbc:ConditionCode>3</cbc:ConditionCode>"))
        #expect(!void.xml.contains("<cbc:ConditionCode>1</cbc:ConditionCode>"))
        #expect(try f.store.boletasWithoutSummary().isEmpty && f.store.prepareBajas().isEmpty)
        #expect(try f.documents().map(\.documentID) == ["B001-1"])
        try f.store.recordFiscalEvent(subjectID: void.id, kind: .cdr, code: 0)
        #expect(try f.store.fiscalState(documentID: boleta.id) == .anulado)
        // Both resúmenes pass SUNAT's own checks.
        let dir = TempDir()
        for summary in [rc, void] {
            let path = dir.file(summary.fileName + ".xml")
            try Data(summary.xml.utf8).write(to: URL(fileURLWithPath: path))
            let result = try runProcess("/bin/bash", [FiscalStoreTests.sunatDir + "/validate", path, summary.fileName], timeout: 180)
            #expect(result.status == 0, "\(summary.fileName): \(result.stdout)\(result.stderr)")
        }
    }

    @Test func aBajaPastItsLimitOrOfAReturnIsRefusedAndNothingIsWritten() throws {
        let f = try FiscalFixture()
        defer { f.cleanup() }
        let g = f.c.ph
        let company = SaleCustomer(docType: "ruc", docNumber: "20100070970", name: "Supermercados Peruanos S.A.", address: "Calle Morelli 181")
        let old = try f.paidSale([(g.consult, 1, .none)], customer: company, document: "01")
        let returned = try f.paidSale([(g.consult, 1, .none), (g.gauze, 2, .none)])
        let gauzeLine = try #require(try f.store.saleSummary(id: returned.sale.id)?.lines.first { $0.itemId == g.gauze.id })
        _ = try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: returned.sale.id, lines: [gauzeLine.id: 1], reason: "Gasa abierta",
                                                  refundID: f.store.newID(), refundMethod: .efectivo, drawer: CheckoutFixture.drawer), by: f.c.supervisor)
        f.clock.advance(seconds: 86_400 * 8)
        let sales = try f.c.count("SELECT count(*) FROM sales"), payments = try f.c.count("SELECT count(*) FROM payments")
        let documents = try f.documents().count
        do {
            _ = try Self.voidByBaja(f, old)
            Issue.record("a baja 8 days after the factura was accepted")
        } catch let error as StoreError {
            #expect(error.code.rawValue == "fiscal_document")
            #expect(error.message.contains("El plazo para dar de baja la factura F001-00000001 venció") && error.message.contains("nota de crédito"),
                    "\(error.message)")
        }
        guard case .unavailable(let why) = try f.store.fiscalBajaOption(saleID: old.sale.id) else { Issue.record("baja offered past its limit"); return }
        #expect(why.contains("nota de crédito"))
        // A sale with a return already has a note: the rest is voided with a note too.
        #expect(f.c.code { _ = try Self.voidByBaja(f, returned) } == "fiscal_document")
        #expect(try f.c.count("SELECT count(*) FROM sales") == sales && f.c.count("SELECT count(*) FROM payments") == payments)
        #expect(try f.documents().count == documents && f.c.count("SELECT count(*) FROM fiscal_voids") == 0)
        // Hostile reasons: whitespace and control characters become one line of SUNAT's length.
        #expect(SedeStore.bajaReason("Error\n\tde  RUC") == "Error de RUC")
        #expect(SedeStore.bajaReason(" x\n") == "Anulación de la operación")
        #expect(SedeStore.bajaReason(String(repeating: "x ", count: 80)).count == 100)
        // The nota de crédito is still the way: it is issued.
        _ = try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: old.sale.id, reason: "Anulación fuera de plazo", refundID: f.store.newID(),
                                                  refundMethod: .efectivo, drawer: CheckoutFixture.drawer), by: f.c.supervisor)
        #expect(try f.documents().map(\.documentID).contains("FC01-1"))
    }

    static var sunatDir: String {
        if let dir = ProcessInfo.processInfo.environment["VETDESK_SUNAT_DIR"], !dir.isEmpty { return dir }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/sunat").path
    }
}
