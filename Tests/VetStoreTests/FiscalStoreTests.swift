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

    static var sunatDir: String {
        if let dir = ProcessInfo.processInfo.environment["VETDESK_SUNAT_DIR"], !dir.isEmpty { return dir }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/sunat").path
    }
}
