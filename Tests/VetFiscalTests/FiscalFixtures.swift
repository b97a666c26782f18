import Foundation
import VetCore
import VetFiscal
import VetTestSupport

/// Documents and a certificate for the fiscal tests, and SUNAT's own validator.
enum FiscalFixtures {
    static let issuer = FiscalIssuer(
        ruc: "20601234565", legalName: "Veterinarias Huellitas S.A.C.", tradeName: "Huellitas",
        address: FiscalAddress(ubigeo: "150122", line: "Av. José Larco 1150", district: "MIRAFLORES", province: "LIMA",
                               department: "LIMA", annexCode: "0001"))

    static let day = CivilDate(year: 2026, month: 11, day: 30)!

    static func line(_ code: String, _ description: String, qty: Int64, price: Int64, _ affectation: IGVAffectation,
                     discount: Discount = .none, unit: String = "NIU") throws -> FiscalLine {
        let cart = CartLine(quantity: qty, unitPrice: Money(centimos: price), affectation: affectation, discount: discount)
        let priced = try SaleMath.price(cart)
        return FiscalLine(itemCode: code, description: description, unitCode: unit, quantity: qty, unitPrice: Money(centimos: price),
                          affectation: affectation, priced: priced)
    }

    static func totals(_ lines: [FiscalLine]) throws -> SaleTotals {
        try SaleMath.totals(lines.map { ($0.priced, $0.affectation) })
    }

    /// A boleta with gravado, exonerado and inafecto lines and a discount, to a DNI.
    static func boleta() throws -> FiscalInvoice {
        let lines = try [
            line("SRV-CONS", "Consulta general", qty: 1, price: 6000, .gravado, unit: "ZZ"),
            line("MED-0031", "Bravecto 20-40 kg comprimido", qty: 2, price: 15490, .gravado, discount: .percent(basisPoints: 1000)),
            line("VAC-RAB", "Vacuna antirrábica (campaña)", qty: 1, price: 2500, .exonerado),
            line("SRV-CERT", "Certificado de salud <tramite> & sello", qty: 1, price: 1500, .inafecto, unit: "ZZ"),
        ]
        return FiscalInvoice(type: .boleta, series: "B001", number: 123, issueDate: day, issueTime: "16:05:00", issuer: issuer,
                             customer: FiscalCustomer(docType: "1", docNumber: "45678912", name: "María Fernanda Quispe Huamán"),
                             lines: lines, totals: try totals(lines))
    }

    /// A factura on credit in three cuotas.
    static func facturaCredito() throws -> FiscalInvoice {
        let lines = try [
            line("SRV-CIR", "Cirugía: esterilización canina", qty: 1, price: 45000, .gravado, unit: "ZZ"),
            line("MED-0102", "Meloxicam 2 mg x 10", qty: 3, price: 1890, .gravado),
        ]
        let t = try totals(lines)
        let third = t.total.centimos / 3
        let cuotas = [FiscalInstalment(amount: Money(centimos: third), due: day.adding(days: 30)),
                      FiscalInstalment(amount: Money(centimos: third), due: day.adding(days: 60)),
                      FiscalInstalment(amount: Money(centimos: t.total.centimos - 2 * third), due: day.adding(days: 90))]
        return FiscalInvoice(type: .factura, series: "F001", number: 45, issueDate: day, issueTime: "10:30:00", issuer: issuer,
                             customer: FiscalCustomer(docType: "6", docNumber: "20100070970", name: "Supermercados Peruanos S.A.",
                                                      address: "Calle Morelli 181, San Borja, Lima"),
                             lines: lines, totals: t, payment: .credito(cuotas))
    }

    /// A nota de crédito returning one of the two Bravecto of the boleta.
    static func notaCredito() throws -> FiscalInvoice {
        let boleta = try boleta()
        let original = boleta.lines[1]
        let perUnit = Money(centimos: original.priced.total.centimos / 2)
        let l = try line("MED-0031", "Bravecto 20-40 kg comprimido", qty: 1, price: perUnit.centimos, .gravado)
        return FiscalInvoice(type: .notaCredito, series: "B001", number: 7, issueDate: day, issueTime: "18:00:00", issuer: issuer,
                             customer: boleta.customer, lines: [l], totals: try totals([l]),
                             reference: FiscalReference(type: .boleta, id: "B001-123", reason: .devolucionItem,
                                                        description: "Devolución de un comprimido sin abrir"))
    }

    static func resumen() throws -> FiscalSummary {
        let b = try boleta()
        let n = try notaCredito()
        return FiscalSummary(issuer: issuer, referenceDate: day, issueDate: day.adding(days: 1), sequence: 1, lines: [
            SummaryLine(type: .boleta, id: b.id, customerDocType: "1", customerDocNumber: "45678912", condition: .adicionar, totals: b.totals),
            SummaryLine(type: .notaCredito, id: n.id, customerDocType: "1", customerDocNumber: "45678912", condition: .adicionar,
                        totals: n.totals, reference: b.id),
            SummaryLine(type: .boleta, id: "B001-124", customerDocType: "0", customerDocNumber: "-", condition: .anular, totals: b.totals),
        ])
    }

    static func baja() throws -> FiscalVoided {
        FiscalVoided(issuer: issuer, referenceDate: day, issueDate: day.adding(days: 2), sequence: 1,
                     lines: [VoidedLine(type: .factura, series: "F001", number: 45, reason: "Error en el RUC del cliente")])
    }

    static let password = "clave-de-prueba"

    /// A test certificate valid around today, and its signer: made once per test process. A failure
    /// is thrown to the test that asked (and to each later one), never a trap of the runner.
    private static let made: Result<(pfx: Data, signer: FiscalSigner), CertificateProblem> = {
        let now = Date()
        return Result { () throws(CertificateProblem) -> (pfx: Data, signer: FiscalSigner) in
            let pfx = try FiscalSigner.makeTestCertificate(commonName: "PRUEBAS VETDESK - NO VALIDO ANTE SUNAT", organization: "Huellitas (pruebas)",
                                                           password: password, validFrom: now.addingTimeInterval(-86_400 * 30),
                                                           until: now.addingTimeInterval(86_400 * 365))
            return (pfx, try FiscalSigner(pkcs12: pfx, password: password))
        }
    }()

    static func certificate() throws -> Data { try made.get().pfx }
    static func signer() throws -> FiscalSigner { try made.get().signer }

    /// `shared/sunat` beside the repository, or `VETDESK_SUNAT_DIR`.
    static var sunatDir: String {
        if let dir = ProcessInfo.processInfo.environment["VETDESK_SUNAT_DIR"], !dir.isEmpty { return dir }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/sunat").path
    }

    /// Runs SUNAT's validator on a signed document: (passed, output).
    static func validate(_ xml: Data, name: String, in dir: TempDir) throws -> (ok: Bool, output: String) {
        let path = dir.file(name + ".xml")
        try xml.write(to: URL(fileURLWithPath: path))
        let result = try runProcess("/bin/bash", [sunatDir + "/validate", path, name], timeout: 180)
        return (result.status == 0, result.stdout + result.stderr)
    }
}
