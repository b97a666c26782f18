import Testing
import VetCore

/// A sale with what makes a receipt hard: accents in every field, a description longer than a
/// line, a discount, cash with change, a split payment and a balance left on a plan.
func sampleReceipt() -> Receipt {
    Receipt(
        business: .init(tradeName: "Veterinaria Patitas Felices", legalName: "Servicios Veterinarios Patitas E.I.R.L.",
                        ruc: "20512345678", sedeName: "Sede Miraflores", address: "Av. José Larco 1234, Miraflores, Lima",
                        phone: "(01) 445-1234"),
        title: "NOTA DE VENTA", saleNumber: "LIM01-000123", issuedAt: "14/03/2025 16:05", cashier: "Rosa Quispe Ñahui",
        customer: .init(name: "María José Cárdenas Núñez", document: .init(type: .dni, number: "45678912")),
        pets: ["Firulais", "Michi"],
        lines: [
            .init(description: "Consulta médica general", quantity: 1, unitPrice: Money(centimos: 6000), total: Money(centimos: 6000)),
            .init(description: "Vacuna séxtuple canina Nobivac DHPPi+L con aplicación y certificado de vacunación internacional",
                  quantity: 2, unitPrice: Money(centimos: 8500), discount: Money(centimos: 1700), total: Money(centimos: 15_300)),
            .init(description: "Antipulgas Bravecto 20-40 kg (masticable)", quantity: 1, unitPrice: Money(centimos: 12_000),
                  total: Money(centimos: 12_000)),
        ],
        totals: .init(taxed: Money(centimos: 28_220), igv: Money(centimos: 5080), discount: Money(centimos: 1700),
                      total: Money(centimos: 33_300), amountDue: Money(centimos: 33_300)),
        payments: [
            .init(method: "Efectivo", amount: Money(centimos: 20_000),
                  cash: .init(tendered: Money(centimos: 25_000), change: Money(centimos: 5000))),
            .init(method: "Tarjeta VISA ****1234", amount: Money(centimos: 8300)),
        ],
        balanceDue: Money(centimos: 5000),
        instalments: [.init(number: 1, due: "14/04/2025", amount: Money(centimos: 2500)),
                      .init(number: 2, due: "14/05/2025", amount: Money(centimos: 2500))],
        footer: ["Gracias por confiar en nosotros. ¡Cuide a su mascota!", "Canjee este documento por una boleta o factura."])
}

@Suite struct ReceiptLayoutTests {
    @Test func fullReceiptAt42Columns() {
        let lines = ReceiptLayout(columns: .narrow).lines(for: sampleReceipt())
        #expect(lines.map(\.text) == [
            "       Veterinaria Patitas Felices",
            " Servicios Veterinarios Patitas E.I.R.L.",
            "             RUC 20512345678",
            "             Sede Miraflores",
            "  Av. José Larco 1234, Miraflores, Lima",
            "            Tel. (01) 445-1234",
            "------------------------------------------",
            "              NOTA DE VENTA",
            "------------------------------------------",
            "Venta Nº: LIM01-000123",
            "Fecha: 14/03/2025 16:05",
            "Cajero: Rosa Quispe Ñahui",
            "Cliente: María José Cárdenas Núñez",
            "DNI: 45678912",
            "Mascotas: Firulais, Michi",
            "------------------------------------------",
            "Consulta médica general",
            "  1 x S/ 60.00                    S/ 60.00",
            "Vacuna séxtuple canina Nobivac DHPPi+L con",
            "aplicación y certificado de vacunación",
            "internacional",
            "  2 x S/ 85.00 - Dscto. S/ 17.00",
            "                                 S/ 153.00",
            "Antipulgas Bravecto 20-40 kg (masticable)",
            "  1 x S/ 120.00                  S/ 120.00",
            "------------------------------------------",
            "              Op. gravada        S/ 282.20",
            "              Op. exonerada        S/ 0.00",
            "              Op. inafecta         S/ 0.00",
            "              IGV 18%             S/ 50.80",
            "              Descuentos         -S/ 17.00",
            "              TOTAL              S/ 333.00",
            "------------------------------------------",
            "Pagos",
            "  Efectivo                       S/ 200.00",
            "    Recibido                     S/ 250.00",
            "    Vuelto                        S/ 50.00",
            "  Tarjeta VISA ****1234           S/ 83.00",
            "------------------------------------------",
            "Saldo pendiente                   S/ 50.00",
            "Plan de pagos",
            "  Cuota 1, vence 14/04/2025       S/ 25.00",
            "  Cuota 2, vence 14/05/2025       S/ 25.00",
            "------------------------------------------",
            "Gracias por confiar en nosotros. ¡Cuide a",
            "               su mascota!",
            "  Canjee este documento por una boleta o",
            "                 factura.",
        ])
        #expect(lines.first { $0.text.contains("NOTA DE VENTA") }?.emphasis == .large)
        #expect(lines.first { $0.text.contains("TOTAL") }?.emphasis == .large)
        #expect(lines.first { $0.text.hasPrefix("Saldo pendiente") }?.emphasis == .bold)
        #expect(lines.filter { $0.emphasis != .normal }.count == 4)
    }

    @Test func at48ColumnsTheDiscountFitsOnTheQuantityLine() {
        let lines = ReceiptLayout(columns: .wide).lines(for: sampleReceipt()).map(\.text)
        #expect(lines.contains("  2 x S/ 85.00 - Dscto. S/ 17.00       S/ 153.00"))
        #expect(lines.contains("                    TOTAL              S/ 333.00"))
        #expect(lines.contains("    Vuelto                              S/ 50.00"))
        #expect(lines.contains("Saldo pendiente                         S/ 50.00"))
        #expect(lines.contains(String(repeating: "-", count: 48)))
        #expect(lines.allSatisfy { TextCells.width(of: $0) <= 48 })
        #expect(lines.contains { TextCells.width(of: $0) == 48 })
    }

    @Test func aReprintSaysSoUnderTheTitleAndTheDocumentNumber() {
        var receipt = sampleReceipt()
        receipt.title = "BOLETA DE VENTA ELECTRÓNICA"
        receipt.documentID = "B001-00000123"
        receipt.reprint = true
        let lines = ReceiptLayout(columns: .narrow).lines(for: receipt)
        let title = lines.firstIndex { $0.text.contains("BOLETA") }!
        #expect(Array(lines[title...].prefix(3)) == [
            ReceiptLine("       BOLETA DE VENTA ELECTRÓNICA", .large),
            ReceiptLine("              B001-00000123", .large),
            ReceiptLine("           *** REIMPRESIÓN ***", .bold),
        ])
    }

    @Test func cashRoundingShowsTheRedondeoAndTheAmountToPay() {
        var receipt = sampleReceipt()
        receipt.totals = .init(taxed: Money(centimos: 12_963), igv: Money(centimos: 2334), total: Money(centimos: 15_297),
                               rounding: Money(centimos: -7), amountDue: Money(centimos: 15_290))
        receipt.payments = [.init(method: "Efectivo", amount: Money(centimos: 15_290),
                                  cash: .init(tendered: Money(centimos: 20_000), change: Money(centimos: 4710)))]
        receipt.balanceDue = .zero
        receipt.instalments = []
        let lines = ReceiptLayout(columns: .narrow).lines(for: receipt)
        let totals = lines.drop { !$0.text.contains("TOTAL") }.prefix(3)
        #expect(Array(totals) == [
            ReceiptLine("              TOTAL              S/ 152.97", .large),
            ReceiptLine("              Redondeo            -S/ 0.07"),
            ReceiptLine("              A PAGAR            S/ 152.90", .large),
        ])
        #expect(lines.contains(ReceiptLine("    Vuelto                        S/ 47.10")))
        #expect(!lines.contains { $0.text.contains("Descuentos") || $0.text.contains("Saldo") || $0.text.contains("Cuota") })
    }

    @Test(arguments: ReceiptColumns.allCases)
    func hostileTextStillFitsEveryLine(columns: ReceiptColumns) {
        let longWord = String(repeating: "Desparasitación", count: 5)
        var receipt = sampleReceipt()
        receipt.customer = .init(name: "Zhāng 張偉\tcon\nsalto \u{1B}[2J y 🐶🐶🐶 " + String(repeating: "漢", count: 40))
        receipt.lines[0].description = longWord + " final"
        receipt.payments[1].method = "Transferencia Banco de Crédito del Perú operación 0012345678901234"
        let lines = ReceiptLayout(columns: columns).lines(for: receipt).map(\.text)
        for line in lines {
            #expect(TextCells.width(of: line) <= columns.rawValue, "\(line)")
            #expect(!line.hasSuffix(" "), "\(line)")
            #expect(!line.contains { $0.isWhitespace && $0 != " " }, "\(line)")
        }
        // The word longer than a line is cut, not lost: its pieces are whole lines.
        let start = lines.firstIndex { $0.hasPrefix("Desparasitación") }!
        let pieces = lines[start...].prefix { !$0.hasSuffix(" final") && !$0.hasPrefix("  1 x") }
        #expect((pieces.joined() + lines[start + pieces.count].dropLast(6)) == longWord)
        #expect(lines.contains { $0.contains("?[2J") })
        #expect(lines.contains { $0.hasSuffix("S/ 83.00") })
    }

    @Test func anElectronicBoletaPrintsItsLeyendaRepresentationHashAndQRCode() throws {
        let receipt = sampleBoleta()
        let lines = ReceiptLayout(columns: .narrow).lines(for: receipt)
        let totalIndex = try #require(lines.firstIndex { $0.text.contains("TOTAL") })
        #expect(lines[totalIndex + 1] == ReceiptLine("SON: CIENTO DIECIOCHO CON 00/100 SOLES"))
        #expect(Array(lines.suffix(8)) == [
            ReceiptLine("------------------------------------------"),
            ReceiptLine("  Representación impresa de la Boleta de"),
            ReceiptLine("            Venta Electrónica"),
            ReceiptLine("Hash: pUM2xL0Xk6hnCmX2oK9lUQ3JbIE="),
            .qrCode(receipt.electronic!.qrText, columns: .narrow),
            ReceiptLine("       Consulte en www.sunat.gob.pe"),
            ReceiptLine("------------------------------------------"),
            ReceiptLine("          Gracias por su visita"),
        ])
        let qr = try #require(lines.first { $0.qrCode != nil })
        #expect(qr.qrCode == "20512345678|03|B001|123|18.00|118.00|2025-03-14|1|45678912|pUM2xL0Xk6hnCmX2oK9lUQ3JbIE=")
        #expect(qr.text == "               [código QR]")
        #expect(lines.filter { $0.qrCode != nil }.count == 1)
    }

    @Test func aNotaPrintsWhatItModifiesAndAFacturaItsPaymentTerms() throws {
        var receipt = sampleBoleta()
        receipt.electronic?.reference = ["Documento que modifica: B001-00000012", "Motivo: 07 Devolución por ítem"]
        receipt.electronic?.paymentTerms = ["Forma de pago: Crédito", "Cuota 001: S/ 118.00 vence 14/04/2025"]
        receipt.electronic?.customerAddress = "Jr. Las Begonias 456, Lince"
        let lines = ReceiptLayout(columns: .wide).lines(for: receipt).map(\.text)
        let customer = try #require(lines.firstIndex(of: "DNI: 45678912"))
        #expect(Array(lines[(customer + 1)...].prefix(3)) == [
            "Dirección: Jr. Las Begonias 456, Lince",
            "Documento que modifica: B001-00000012",
            "Motivo: 07 Devolución por ítem",
        ])
        let terms = try #require(lines.firstIndex(of: "Forma de pago: Crédito"))
        #expect(lines[terms + 1] == "Cuota 001: S/ 118.00 vence 14/04/2025")
        #expect(terms < lines.firstIndex { $0.contains("Representación impresa") }!)
    }

    @Test func aQRCodeThePrinterCannotPrintSaysSoInThePreview() {
        #expect(ReceiptLine.qrCode("Ñandú|1", columns: .narrow).text == "            [QR no imprimible]")
        #expect(ReceiptLine.qrCode(String(repeating: "9", count: EscPos.maxQRBytes + 1), columns: .narrow).text.contains("no imprimible"))
        #expect(ReceiptLine.qrCode(String(repeating: "9", count: EscPos.maxQRBytes), columns: .wide).text
            == String(repeating: " ", count: 18) + "[código QR]")
    }
}
