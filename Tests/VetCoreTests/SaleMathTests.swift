import Foundation
import Testing
@testable import VetCore

/// The sale arithmetic against an independent computation in Foundation's `Decimal` (base-10,
/// rounded with `NSDecimalNumber`'s half-up "plain" mode), over random carts.
@Suite struct SaleMathTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func decimal(_ money: Money) -> Decimal { Decimal(money.centimos) / 100 }

    static func roundHalfUp(_ value: Decimal) -> Decimal {
        var input = value
        var out = Decimal()
        NSDecimalRound(&out, &input, 2, .plain)
        return out
    }

    /// The expected line in soles, computed without VetCore: gross, discount, total, base, igv.
    static func expected(_ line: CartLine) -> (discount: Decimal, total: Decimal, base: Decimal, igv: Decimal) {
        let gross = decimal(line.unitPrice) * Decimal(line.quantity)
        let discount: Decimal
        switch line.discount {
        case .none: discount = 0
        case .percent(let bp): discount = roundHalfUp(gross * Decimal(bp) / 10_000)
        case .amount(let money): discount = decimal(money)
        }
        let total = gross - discount
        if line.affectation == .gravado {
            let base = roundHalfUp(total / Decimal(string: "1.18")!)
            return (discount, total, base, total - base)
        }
        return (discount, total, total, 0)
    }

    @Test func tenThousandRandomCartsAgreeWithDecimalArithmetic() throws {
        var rng = SplitMix(state: 20261201)
        let affectations: [IGVAffectation] = [.gravado, .gravado, .exonerado, .inafecto]
        for cart in 0..<10_000 {
            let count = Int.random(in: 1...12, using: &rng)
            var lines: [CartLine] = []
            for _ in 0..<count {
                let price = Money(centimos: Int64.random(in: 0...250_000, using: &rng))
                let quantity = Int64.random(in: 1...(Bool.random(using: &rng) ? 3 : 500), using: &rng)
                let gross = price.centimos * quantity
                let discount: Discount
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: discount = .percent(basisPoints: Int64.random(in: 1...10_000, using: &rng))
                case 1: discount = .amount(Money(centimos: Int64.random(in: 0...gross, using: &rng)))
                default: discount = .none
                }
                lines.append(CartLine(quantity: quantity, unitPrice: price, affectation: affectations.randomElement(using: &rng)!, discount: discount))
            }
            let (priced, totals) = try SaleMath.totals(of: lines)

            var gravada: Decimal = 0, exonerada: Decimal = 0, inafecta: Decimal = 0, igv: Decimal = 0, discount: Decimal = 0, total: Decimal = 0
            for (line, got) in zip(lines, priced) {
                let want = Self.expected(line)
                #expect(Self.decimal(got.discount) == want.discount, "cart \(cart): discount of \(line)")
                #expect(Self.decimal(got.total) == want.total, "cart \(cart): total of \(line)")
                #expect(Self.decimal(got.base) == want.base, "cart \(cart): base of \(line)")
                #expect(Self.decimal(got.igv) == want.igv, "cart \(cart): igv of \(line)")
                switch line.affectation {
                case .gravado: gravada += want.base
                case .exonerado: exonerada += want.total
                default: inafecta += want.total
                }
                igv += want.igv; discount += want.discount; total += want.total
            }
            #expect(Self.decimal(totals.gravada) == gravada, "cart \(cart)")
            #expect(Self.decimal(totals.exonerada) == exonerada, "cart \(cart)")
            #expect(Self.decimal(totals.inafecta) == inafecta, "cart \(cart)")
            #expect(Self.decimal(totals.igv) == igv, "cart \(cart)")
            #expect(Self.decimal(totals.discount) == discount, "cart \(cart)")
            #expect(Self.decimal(totals.total) == total, "cart \(cart)")
            #expect(totals.gravada.centimos + totals.exonerada.centimos + totals.inafecta.centimos + totals.igv.centimos == totals.total.centimos)
        }
    }

    @Test func aKnownReceiptAddsUp() throws {
        // Consulta S/ 80.00 gravada, 2 × Meloxicam S/ 12.35 gravado with 10 %, a book exonerado S/ 30.
        let (lines, totals) = try SaleMath.totals(of: [
            CartLine(quantity: 1, unitPrice: Money(centimos: 8_000), affectation: .gravado),
            CartLine(quantity: 2, unitPrice: Money(centimos: 1_235), affectation: .gravado, discount: .percent(basisPoints: 1_000)),
            CartLine(quantity: 1, unitPrice: Money(centimos: 3_000), affectation: .exonerado),
        ])
        #expect(lines[0].base == Money(centimos: 6_780) && lines[0].igv == Money(centimos: 1_220))
        #expect(lines[1].discount == Money(centimos: 247) && lines[1].total == Money(centimos: 2_223))
        #expect(lines[1].base == Money(centimos: 1_884) && lines[1].igv == Money(centimos: 339))
        #expect(totals == SaleTotals(gravada: Money(centimos: 8_664), exonerada: Money(centimos: 3_000), inafecta: .zero,
                                     igv: Money(centimos: 1_559), discount: Money(centimos: 247), total: Money(centimos: 13_223)))
    }

    @Test func badLinesAreRefusedWithTheirField() {
        #expect(throws: CheckoutProblem(.quantity, "La cantidad debe ser mayor que cero")) {
            try SaleMath.price(CartLine(quantity: -1, unitPrice: Money(centimos: 100), affectation: .gravado))
        }
        #expect(throws: CheckoutProblem(.discount, "El descuento no puede superar el 100 %")) {
            try SaleMath.price(CartLine(quantity: 1, unitPrice: Money(centimos: 100), affectation: .gravado, discount: .percent(basisPoints: 10_001)))
        }
        #expect((try? SaleMath.price(CartLine(quantity: 1, unitPrice: Money(centimos: 100), affectation: .gravado,
                                             discount: .amount(Money(centimos: 101))))) == nil)
        #expect((try? SaleMath.price(CartLine(quantity: 100_000, unitPrice: Money(centimos: .max / 10), affectation: .gravado))) == nil)
        #expect(Discount.parse("150%") == .failure(CheckoutProblem(.discount, "El descuento no puede superar el 100 %")))
        #expect(Discount.parse("12.5%") == .success(.percent(basisPoints: 1_250)))
        #expect(Discount.parse("5,50") == .success(.amount(Money(centimos: 550))))
        #expect(Discount.parse("") == .success(.none))
        if case .success = Discount.parse("diez") { Issue.record("letters in a discount must be refused") }
    }

    @Test func cashRoundsDownToTenCentimosOnly() {
        #expect(CashRounding.waived(on: Money(centimos: 4_537)) == Money(centimos: 7))
        #expect(CashRounding.roundedDown(Money(centimos: 4_537)) == Money(centimos: 4_530))
        #expect(CashRounding.waived(on: Money(centimos: 4_530)) == .zero)
        #expect(CashRounding.waived(on: Money(centimos: -3)) == .zero)
        #expect(CashRounding.isPayable(Money(centimos: 5_000)) && !CashRounding.isPayable(Money(centimos: 5_005)))
    }

    @Test func paymentDetailsAreCheckedPerMethod() throws {
        #expect(throws: CheckoutProblem(.tendered, "El monto recibido (S/ 40.00) es menor que el monto a pagar (S/ 45.30)")) {
            try PaymentRules.check(method: .efectivo, amount: Money(centimos: 4_530), tendered: Money(centimos: 4_000),
                                   card: nil, operationNumber: nil, securityCode: nil, bank: nil)
        }
        #expect(throws: CheckoutProblem(.operationNumber, "El número de operación de Yape tiene solo números (hasta 20)")) {
            try PaymentRules.check(method: .yape, amount: Money(centimos: 100), tendered: nil, card: nil,
                                   operationNumber: "12ab", securityCode: nil, bank: nil)
        }
        let card = try PaymentRules.check(method: .tarjeta, amount: Money(centimos: 100), tendered: nil,
                                          card: CardDetails(brand: " visa", last4: "4242", authCode: "a1b2c3", terminal: "T01", batch: "12"),
                                          operationNumber: nil, securityCode: nil, bank: nil).card
        #expect(card?.brand == "VISA" && card?.authCode == "A1B2C3")
        #expect(throws: CheckoutProblem.self) {
            try PaymentRules.check(method: .tarjeta, amount: Money(centimos: 100), tendered: nil,
                                   card: CardDetails(brand: "VISA", last4: "42a2", authCode: "1"), operationNumber: nil, securityCode: nil, bank: nil)
        }
    }

    @Test func plansMustAddUpToTheBalance() throws {
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let plan = PaymentPlanRules.even(balance: Money(centimos: 10_000), count: 3, first: today.adding(days: 30))
        #expect(plan.map(\.amount.centimos) == [3_333, 3_333, 3_334])
        try PaymentPlanRules.check(plan, balance: Money(centimos: 10_000), today: today)
        #expect(throws: CheckoutProblem(.plan, "Las cuotas suman S/ 99.99 y el saldo es S/ 100.00: deben ser iguales")) {
            var short = plan
            short[2].amount = Money(centimos: 3_333)
            try PaymentPlanRules.check(short, balance: Money(centimos: 10_000), today: today)
        }
        #expect(throws: CheckoutProblem.self) {
            try PaymentPlanRules.check([Instalment(dueDate: today, amount: Money(centimos: 10_000))], balance: Money(centimos: 10_000), today: today)
        }
    }

    @Test func floatsAreCountedByDenomination() throws {
        #expect(try Denomination.total([10_000: 2, 1_000: 5, 50: 4]) == Money(centimos: 25_200))
        #expect(throws: CheckoutProblem.self) { try Denomination.total([700: 1]) }
        #expect(throws: CheckoutProblem.self) { try Denomination.total([100: -1]) }
    }
}
