import VetCore

/// Signed documents of Servicios Veterinarios Patitas (RUC 20512345678) as the checkout hands them to print.
enum Samples {
    static let ruc = "20512345678"
    static let digest = "pUM2xL0Xk6hnCmX2oK9lUQ3JbIE="
    static let date = CivilDate(year: 2025, month: 3, day: 14)!

    static let business = Receipt.Business(
        tradeName: "Veterinaria Patitas Felices", legalName: "Servicios Veterinarios Patitas E.I.R.L.", ruc: ruc,
        sedeName: "Sede Miraflores", address: "Av. José Larco 1234, Miraflores, Lima", phone: "(01) 445-1234")

    static let lines: [Receipt.Line] = [
        .init(description: "Consulta médica general", quantity: 1, unitPrice: Money(centimos: 6000), total: Money(centimos: 6000),
              unit: "ZZ"),
        .init(description: "Vacuna antirrábica con aplicación y certificado", quantity: 2, unitPrice: Money(centimos: 3400),
              discount: Money(centimos: 1000), total: Money(centimos: 5800), unit: "NIU"),
    ]

    static let totals = Receipt.Totals(taxed: Money(centimos: 10_000), igv: Money(centimos: 1800), discount: Money(centimos: 1000),
                                       total: Money(centimos: 11_800), amountDue: Money(centimos: 11_800))

    static func qr(_ typeCode: String, _ series: String, _ number: Int, docType: String, docNumber: String) -> String {
        FiscalQR.text(ruc: ruc, typeCode: typeCode, series: series, number: number, igv: Money(centimos: 1800),
                      total: Money(centimos: 11_800), issueDate: date, customerDocType: docType, customerDocNumber: docNumber,
                      digestValue: digest)
    }

    static func boleta() -> Receipt {
        Receipt(business: business, title: "BOLETA DE VENTA ELECTRÓNICA", documentID: "B001-00000123", saleNumber: "LIM01-000123",
                issuedAt: "14/03/2025 16:05", cashier: "Rosa Quispe Ñahui",
                customer: .init(name: "María José Cárdenas Núñez", document: .init(type: .dni, number: "45678912")),
                pets: ["Firulais"], lines: lines, totals: totals,
                payments: [.init(method: "Efectivo", amount: Money(centimos: 11_800),
                                 cash: .init(tendered: Money(centimos: 20_000), change: Money(centimos: 8200)))],
                footer: ["Gracias por confiar en nosotros. ¡Cuide a su mascota!"],
                electronic: .init(typeCode: "03", representation: Receipt.Electronic.representation(forTypeCode: "03")!,
                                  amountInWords: "SON: CIENTO DIECIOCHO CON 00/100 SOLES", digestValue: digest,
                                  qrText: qr("03", "B001", 123, docType: "1", docNumber: "45678912"),
                                  consultURL: "Consulte su comprobante en www.sunat.gob.pe"))
    }

    static func factura() -> Receipt {
        Receipt(business: business, title: "FACTURA ELECTRÓNICA", documentID: "F001-00000045", saleNumber: "LIM01-000124",
                issuedAt: "14/03/2025 16:20", cashier: "Rosa Quispe Ñahui",
                customer: .init(name: "Agropecuaria Ñaña S.A.C.", document: .init(type: .ruc, number: "20100070970")),
                lines: lines, totals: totals, payments: [],
                electronic: .init(typeCode: "01", representation: Receipt.Electronic.representation(forTypeCode: "01")!,
                                  amountInWords: "SON: CIENTO DIECIOCHO CON 00/100 SOLES", digestValue: digest,
                                  qrText: qr("01", "F001", 45, docType: "6", docNumber: "20100070970"),
                                  paymentTerms: ["Forma de pago: Crédito", "Cuota 001: S/ 118.00, vence el 14/04/2025"],
                                  customerAddress: "Jr. Las Begonias 456, Lince, Lima",
                                  consultURL: "Consulte su comprobante en www.sunat.gob.pe"))
    }

    static func nota() -> Receipt {
        var receipt = factura()
        receipt.title = "NOTA DE CRÉDITO ELECTRÓNICA"
        receipt.documentID = "FC01-00000003"
        receipt.electronic?.typeCode = "07"
        receipt.electronic?.representation = Receipt.Electronic.representation(forTypeCode: "07")!
        receipt.electronic?.paymentTerms = []
        receipt.electronic?.reference = ["Documento que modifica: F001-00000045", "Motivo: 07 Devolución por ítem"]
        receipt.electronic?.qrText = qr("07", "FC01", 3, docType: "6", docNumber: "20100070970")
        return receipt
    }
}
