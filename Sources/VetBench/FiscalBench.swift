import Foundation
import VetCore
import VetFiscal

/// A boleta of 5 lines (gravado with a discount, exonerado, inafecto) built as UBL 2.1 and signed
/// with a 2048-bit RSA test certificate through libxmlsec1 — what a sale's transaction does —
/// against building the same XML unsigned.
enum FiscalBench {
    static let documents = 400

    static let boleta = Benchmark(name: "fiscal") { context in
        let now = Date()
        let pfx = try FiscalSigner.makeTestCertificate(commonName: "BENCH VETDESK - NO VALIDO ANTE SUNAT", organization: "Bench",
                                                       password: "bench", validFrom: now.addingTimeInterval(-86_400),
                                                       until: now.addingTimeInterval(86_400 * 30))
        let signer = try FiscalSigner(pkcs12: pfx, password: "bench")
        let issuer = FiscalIssuer(ruc: "20601234565", legalName: "Veterinarias Bench S.A.C.", tradeName: "Bench",
                                  address: FiscalAddress(ubigeo: "150122", line: "Av. Larco 1150", district: "MIRAFLORES",
                                                         province: "LIMA", department: "LIMA"))
        let carts: [(Int64, Int64, IGVAffectation, Discount)] = [(1, 8_000, .gravado, .none), (2, 15_490, .gravado, .percent(basisPoints: 1_000)),
                                                                  (1, 2_500, .exonerado, .none), (1, 1_500, .inafecto, .none), (12, 137, .gravado, .none)]
        var lines: [FiscalLine] = []
        for (i, c) in carts.enumerated() {
            let priced = try SaleMath.price(CartLine(quantity: c.0, unitPrice: Money(centimos: c.1), affectation: c.2, discount: c.3))
            lines.append(FiscalLine(itemCode: "SKU-\(i)", description: "Producto \(i)", unitCode: "NIU", quantity: c.0,
                                    unitPrice: Money(centimos: c.1), affectation: c.2, priced: priced))
        }
        let totals = try SaleMath.totals(lines.map { ($0.priced, $0.affectation) })
        func document(_ n: Int) -> FiscalInvoice {
            FiscalInvoice(type: .boleta, series: "B001", number: Int64(n + 1), issueDate: CivilDate(limaDayOf: now), issueTime: "12:00:00",
                          issuer: issuer, customer: FiscalCustomer(docType: "1", docNumber: "45678912", name: "María Quispe"),
                          lines: lines, totals: totals)
        }
        context.log("fiscal: \(documents) boletas built and signed…")
        for n in 0..<20 { _ = try signer.sign(try UBLWriter.invoice(document(n))) }
        var signed: [Double] = []
        var unsigned: [Double] = []
        for n in 0..<documents {
            let doc = document(n)
            signed.append(try Stats.timeMs { _ = try signer.sign(try UBLWriter.invoice(doc)) })
            unsigned.append(try Stats.timeMs { _ = try UBLWriter.invoice(doc) })
        }
        return [
            BenchResult(name: "fiscal.build_and_sign_boleta", unit: "ms", samples: signed, baselineSamples: unsigned,
                        goal: "p99 < 20 ms (UBL 2.1, XMLDSig RSA-SHA256 by libxmlsec1); baseline: the same XML unsigned"),
        ]
    }
}
