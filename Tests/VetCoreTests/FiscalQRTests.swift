import Testing
import VetCore

/// A boleta of S/ 118.00 (S/ 100.00 taxed, S/ 18.00 IGV) to a customer with a DNI, signed.
func sampleBoleta() -> Receipt {
    let date = CivilDate(year: 2025, month: 3, day: 14)!
    let qr = FiscalQR.text(ruc: "20512345678", typeCode: "03", series: "B001", number: 123, igv: Money(centimos: 1800),
                           total: Money(centimos: 11_800), issueDate: date, customerDocType: "1",
                           customerDocNumber: "45678912", digestValue: "pUM2xL0Xk6hnCmX2oK9lUQ3JbIE=")
    return Receipt(
        business: .init(tradeName: "Veterinaria Patitas Felices", legalName: "Servicios Veterinarios Patitas E.I.R.L.",
                        ruc: "20512345678", sedeName: "Sede Miraflores", address: "Av. José Larco 1234, Miraflores, Lima"),
        title: "BOLETA DE VENTA ELECTRÓNICA", documentID: "B001-00000123", saleNumber: "LIM01-000123",
        issuedAt: "14/03/2025 16:05", cashier: "Rosa Quispe Ñahui",
        customer: .init(name: "María José Cárdenas Núñez", document: .init(type: .dni, number: "45678912")),
        lines: [
            .init(description: "Consulta médica general", quantity: 1, unitPrice: Money(centimos: 6000), total: Money(centimos: 6000)),
            .init(description: "Vacuna antirrábica", quantity: 1, unitPrice: Money(centimos: 5800), total: Money(centimos: 5800)),
        ],
        totals: .init(taxed: Money(centimos: 10_000), igv: Money(centimos: 1800), total: Money(centimos: 11_800),
                      amountDue: Money(centimos: 11_800)),
        payments: [.init(method: "Yape", amount: Money(centimos: 11_800))],
        footer: ["Gracias por su visita"],
        electronic: .init(typeCode: "03", representation: Receipt.Electronic.representation(forTypeCode: "03")!,
                          amountInWords: "SON: CIENTO DIECIOCHO CON 00/100 SOLES", digestValue: "pUM2xL0Xk6hnCmX2oK9lUQ3JbIE=",
                          qrText: qr, consultURL: "Consulte en www.sunat.gob.pe"))
}

@Suite struct FiscalQRTests {
    let date = CivilDate(year: 2025, month: 3, day: 14)!

    @Test func boletaToACustomerWithADNI() {
        let text = FiscalQR.text(ruc: "20512345678", typeCode: "03", series: "B001", number: 123, igv: Money(centimos: 1800),
                                 total: Money(centimos: 11_800), issueDate: date, customerDocType: "1",
                                 customerDocNumber: "45678912", digestValue: "pUM2xL0Xk6hnCmX2oK9lUQ3JbIE=")
        #expect(text == "20512345678|03|B001|123|18.00|118.00|2025-03-14|1|45678912|pUM2xL0Xk6hnCmX2oK9lUQ3JbIE=")
    }

    @Test func boletaWithoutACustomerDocumentCarriesZeroAndDash() {
        let text = FiscalQR.text(ruc: "20512345678", typeCode: "03", series: "B002", number: 9, igv: Money(centimos: 76),
                                 total: Money(centimos: 500), issueDate: date, customerDocType: FiscalQR.anonymousDocType,
                                 customerDocNumber: FiscalQR.anonymousDocNumber, digestValue: "abc+/=")
        #expect(text == "20512345678|03|B002|9|0.76|5.00|2025-03-14|0|-|abc+/=")
    }

    @Test func facturaAmountsHaveNoThousandsSeparatorNorCurrency() {
        let text = FiscalQR.text(ruc: "20512345678", typeCode: "01", series: "F001", number: 45_678, igv: Money(centimos: 180_054),
                                 total: Money(centimos: 1_180_354), issueDate: CivilDate(year: 2026, month: 1, day: 2)!,
                                 customerDocType: "6", customerDocNumber: "20100070970",
                                 digestValue: "Xq3mKzN0cJ0mY9bW0lq5y1r8s2Q7dC1vN4pZ6eT8uA0=")
        #expect(text == "20512345678|01|F001|45678|1800.54|11803.54|2026-01-02|6|20100070970|Xq3mKzN0cJ0mY9bW0lq5y1r8s2Q7dC1vN4pZ6eT8uA0=")
        #expect(text.split(separator: "|", omittingEmptySubsequences: false).count == 10)
    }

    @Test func representationLinesOfTheTypesIssued() {
        #expect(Receipt.Electronic.representation(forTypeCode: "01") == "Representación impresa de la Factura Electrónica")
        #expect(Receipt.Electronic.representation(forTypeCode: "03") == "Representación impresa de la Boleta de Venta Electrónica")
        #expect(Receipt.Electronic.representation(forTypeCode: "07") == "Representación impresa de la Nota de Crédito Electrónica")
        #expect(Receipt.Electronic.representation(forTypeCode: "08") == nil)
    }
}
