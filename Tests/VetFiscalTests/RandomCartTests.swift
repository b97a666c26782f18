import Foundation
import Testing
import VetCore

/// IGV and totals of random carts, checked line by line against an independent decimal
/// computation (Foundation's Decimal, not VetCore's integer arithmetic) and against SUNAT's
/// tolerances on the XML each cart becomes: 3103 (line IGV = 18 % × base ± 1 céntimo), 4288
/// (valor de venta = cantidad × valor unitario − descuento ± 1), 4287 (precio unitario =
/// (valor de venta + IGV) / cantidad ± 1) and the document's sums.
@Suite struct RandomCartTests {
    static func dec(_ centimos: Int64) -> Decimal { Decimal(centimos) / 100 }
    static func round2(_ d: Decimal) -> Decimal {
        var value = d, out = Decimal()
        NSDecimalRound(&out, &value, 2, .plain)
        return out
    }
    /// A decimal as the XML writes it («118.00», «0.8474576271»), read without Foundation's parser.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Decimal {
        var significand: Int64 = 0
        var exponent = 0
        var afterDot = false
        for b in bytes {
            if b == UInt8(ascii: ".") { afterDot = true; continue }
            significand = significand * 10 + Int64(b - 48)
            if afterDot { exponent -= 1 }
        }
        return Decimal(sign: .plus, exponent: exponent, significand: Decimal(significand))
    }

    /// Where `needle` starts in `hay` at or after `from` (memchr and memcmp: this test reads 70,000 lines).
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard from < hay.count else { return nil }
        return hay.withUnsafeBytes { h in
            needle.withUnsafeBytes { n -> Int? in
                guard let base = h.baseAddress, let nb = n.baseAddress else { return nil }
                var at = from
                while at + n.count <= h.count {
                    guard let hit = memchr(base + at, Int32(needle[0]), h.count - at) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if index + n.count > h.count { return nil }
                    if memcmp(base + index, nb, n.count) == 0 { return index }
                    at = index + 1
                }
                return nil
            }
        }
    }

    /// The text of the first `<tag ...>value</tag>` at or after `from`.
    static func value(_ tag: String, in xml: [UInt8], from: Int) -> ArraySlice<UInt8>? {
        guard let open = find(Array("<\(tag)".utf8), in: xml, from: from) else { return nil }
        guard let gt = xml[open...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        guard let close = find(Array("</\(tag)>".utf8), in: xml, from: gt + 1) else { return nil }
        return xml[(gt + 1)..<close]
    }

    @Test func tenThousandCartsAgreeWithDecimalArithmeticAndSunatTolerances() throws {
        var rng = SplitMix64(seed: 0x5EED_0015)
        let issuer = FiscalIssuer(ruc: "20601234565", legalName: "Huellitas S.A.C.", tradeName: "Huellitas",
                                  address: FiscalAddress(ubigeo: "150122", line: "Av. Larco 1150", district: "MIRAFLORES",
                                                         province: "LIMA", department: "LIMA"))
        let day = CivilDate(year: 2026, month: 12, day: 1)!
        let oneCentimo = Decimal(string: "0.01")!
        let lineTag = Array("<cac:InvoiceLine>".utf8)
        var checkedLines = 0
        var failures: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok && failures.count < 20 { failures.append(what()) } }
        for cartNumber in 0..<10_000 {
            let count = Int.random(in: 1...12, using: &rng)
            var lines: [FiscalLine] = []
            for i in 0..<count {
                let affectation: IGVAffectation = [.gravado, .gravado, .gravado, .exonerado, .inafecto].randomElement(using: &rng)!
                let qty = Int64.random(in: 1...(Bool.random(using: &rng) ? 3 : 250), using: &rng)
                let price = Int64.random(in: 1...(Bool.random(using: &rng) ? 5_000 : 2_500_000), using: &rng)
                let discount: Discount
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: discount = .percent(basisPoints: Int64.random(in: 1...10_000, using: &rng))
                case 1: discount = .amount(Money(centimos: Int64.random(in: 0...(qty * price), using: &rng)))
                default: discount = .none
                }
                let cart = CartLine(quantity: qty, unitPrice: Money(centimos: price), affectation: affectation, discount: discount)
                let priced = try SaleMath.price(cart)
                if priced.total.centimos == 0 { continue }   // a line given away whole is not invoiced as a sale
                // Independent computation, in decimal soles.
                let total = Self.dec(qty * price) - Self.dec(priced.discount.centimos)
                check(Self.dec(priced.total.centimos) == total, "total \(cartNumber)")
                if affectation == .gravado {
                    let base = Self.round2(total / Decimal(string: "1.18")!)
                    check(Self.dec(priced.base.centimos) == base, "cart \(cartNumber) line \(i)")
                    check(Self.dec(priced.igv.centimos) == total - base, "cart \(cartNumber) line \(i)")
                } else {
                    check(priced.igv == .zero, "igv \(cartNumber)")
                    check(priced.base == priced.total, "base \(cartNumber)")
                }
                lines.append(FiscalLine(itemCode: "IT\(i)", description: "Ítem \(i)", unitCode: "NIU", quantity: qty,
                                        unitPrice: Money(centimos: price), affectation: affectation, priced: priced))
            }
            if lines.isEmpty { continue }
            let totals = try SaleMath.totals(lines.map { ($0.priced, $0.affectation) })
            let doc = FiscalInvoice(type: .boleta, series: "B001", number: Int64(cartNumber + 1), issueDate: day, issueTime: "12:00:00",
                                    issuer: issuer, customer: .anonymous, lines: lines, totals: totals)
            let xml = try UBLWriter.invoice(doc)

            // The document's sums, read back from the XML.
            let bytes = Array(xml.utf8)
            var sumBase = Decimal(0), sumIGV = Decimal(0), sumTotal = Decimal(0)
            var starts: [Int] = []
            var at = 0
            while let next = Self.find(lineTag, in: bytes, from: at) { starts.append(next); at = next + lineTag.count }
            check(starts.count == lines.count, "lines \(cartNumber)")
            for (k, begin) in starts.enumerated() {
                let end = k + 1 < starts.count ? starts[k + 1] : bytes.count
                let block = Array(bytes[begin..<end])
                let qty = Self.parse(Self.value("cbc:InvoicedQuantity", in: block, from: 0)!)
                let lineBase = Self.parse(Self.value("cbc:LineExtensionAmount", in: block, from: 0)!)
                let taxAt = Self.find(Array("<cac:TaxTotal>".utf8), in: block, from: 0)!
                let igv = Self.parse(Self.value("cbc:TaxAmount", in: block, from: taxAt)!)
                let percent = Self.parse(Self.value("cbc:Percent", in: block, from: taxAt)!)
                let priceAt = Self.find(Array("<cac:Price>".utf8), in: block, from: 0)!
                let unitValue = Self.parse(Self.value("cbc:PriceAmount", in: block, from: priceAt)!)
                let unitPrice = Self.parse(Self.value("cbc:PriceAmount", in: block, from: 0)!)
                var allowance = Decimal(0)
                if let ac = Self.find(Array("<cac:AllowanceCharge>".utf8), in: block, from: 0) {
                    allowance = Self.parse(Self.value("cbc:Amount", in: block, from: ac)!)
                }
                // 3103 (ERROR): line IGV is the rate times the base, ± 1 céntimo.
                let expectedIGV = lineBase * percent / 100
                check(abs(igv - expectedIGV) <= oneCentimo, "3103 in cart \(cartNumber): \(igv) vs \(expectedIGV)")
                // 4288: valor de venta = cantidad × valor unitario − descuento, ± 1.
                check(abs(lineBase - (qty * unitValue - allowance)) <= oneCentimo, "4288 in cart \(cartNumber)")
                // 4287: precio unitario = (valor de venta + IGV) / cantidad, ± 1.
                check(abs(unitPrice - (lineBase + igv) / qty) <= oneCentimo, "4287 in cart \(cartNumber)")
                sumBase += lineBase; sumIGV += igv; sumTotal += lineBase + igv
                checkedLines += 1
            }
            let header = Self.find(Array("<cac:LegalMonetaryTotal>".utf8), in: bytes, from: 0)!
            check(Self.parse(Self.value("cbc:LineExtensionAmount", in: bytes, from: header)!) == sumBase, "sum base \(cartNumber)")
            check(Self.parse(Self.value("cbc:PayableAmount", in: bytes, from: header)!) == sumTotal, "payable \(cartNumber)")
            let taxHeader = Self.find(Array("<cac:TaxTotal>".utf8), in: bytes, from: 0)!
            check(Self.parse(Self.value("cbc:TaxAmount", in: bytes, from: taxHeader)!) == sumIGV, "igv sum \(cartNumber)")
            check(Self.dec(totals.total.centimos) == sumTotal, "total sum \(cartNumber)")
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(checkedLines > 50_000)
    }
}
