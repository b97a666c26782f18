/// A discount on one sale line, as the cashier typed it.
public enum Discount: Sendable, Equatable, Hashable {
    case none
    /// A percent in basis points: 1250 is 12.50 %. At most 10000 (100 %).
    case percent(basisPoints: Int64)
    /// An amount off the line, IGV included.
    case amount(Money)

    /// Parses what is typed in a discount field: `10%`, `12.5 %` (percent), `5`, `S/ 5.50`
    /// (amount), or nothing (no discount).
    public static func parse(_ text: String) -> Result<Discount, CheckoutProblem> {
        let trimmed = text.trimmingSpaces()
        if trimmed.isEmpty { return .success(.none) }
        if trimmed.hasSuffix("%") {
            let number = String(trimmed.dropLast()).trimmingSpaces()
            // A percent with at most two decimals reads like an amount: 12.5 → 1250 basis points.
            guard let hundredths = try? Money.parse(number), hundredths.centimos >= 0 else {
                return .failure(.init(.discount, "Descuento no válido: escriba por ejemplo 10% o 5.50"))
            }
            guard hundredths.centimos <= 10_000 else { return .failure(.init(.discount, "El descuento no puede superar el 100 %")) }
            return .success(hundredths.centimos == 0 ? .none : .percent(basisPoints: hundredths.centimos))
        }
        guard let amount = try? Money.parse(trimmed) else {
            return .failure(.init(.discount, "Descuento no válido: escriba por ejemplo 10% o 5.50"))
        }
        guard amount.centimos >= 0 else { return .failure(.init(.discount, "El descuento no puede ser negativo")) }
        return .success(amount.centimos == 0 ? .none : .amount(amount))
    }

    /// `10 %`, `12.50 %`, `S/ 5.00`, or empty.
    public var display: String {
        switch self {
        case .none: ""
        case .percent(let bp): Money(centimos: bp).plain.replacingSuffix(".00", with: "") + " %"
        case .amount(let money): money.formatted
        }
    }
}

/// What a line is before pricing: quantity, unit price (IGV included, from the price list in force)
/// and how IGV applies.
public struct CartLine: Sendable, Equatable, Hashable {
    public var quantity: Int64
    public var unitPrice: Money
    public var affectation: IGVAffectation
    public var discount: Discount

    public init(quantity: Int64, unitPrice: Money, affectation: IGVAffectation, discount: Discount = .none) {
        self.quantity = quantity; self.unitPrice = unitPrice; self.affectation = affectation; self.discount = discount
    }
}

/// A priced line: `gross = quantity × unitPrice`, `total = gross − discount = base + igv`.
public struct PricedLine: Sendable, Equatable, Hashable {
    public var gross: Money
    public var discount: Money
    public var total: Money
    public var base: Money
    public var igv: Money

    public init(gross: Money, discount: Money, total: Money, base: Money, igv: Money) {
        self.gross = gross; self.discount = discount; self.total = total; self.base = base; self.igv = igv
    }
}

/// A sale's totals, by afectación: op. gravada (the base of the gravado lines), exonerada and
/// inafecta (their totals), IGV, the discounts given, and the total (the sum of the line totals).
public struct SaleTotals: Sendable, Equatable, Hashable, Codable {
    public var gravada: Money
    public var exonerada: Money
    public var inafecta: Money
    public var igv: Money
    public var discount: Money
    public var total: Money

    public init(gravada: Money = .zero, exonerada: Money = .zero, inafecta: Money = .zero, igv: Money = .zero,
                discount: Money = .zero, total: Money = .zero) {
        self.gravada = gravada; self.exonerada = exonerada; self.inafecta = inafecta; self.igv = igv
        self.discount = discount; self.total = total
    }
}

/// What a field of the checkout holds wrong, in Spanish, next to the field it belongs to.
public struct CheckoutProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Field: String, Sendable {
        case quantity, price, discount, amount, tendered, operationNumber, securityCode, card, bank, plan, sale, customer
    }
    public var field: Field
    public var message: String
    public init(_ field: Field, _ message: String) { self.field = field; self.message = message }
    public var description: String { message }
}

/// The arithmetic of a sale: per line, then sums. IGV is computed per line on the line's total
/// (prices include IGV): `base = round_half_up(total × 100 / 118)`, `igv = total − base`.
public enum SaleMath {
    /// The largest quantity a line takes (a safety bound against a barcode read into the quantity).
    public static let maxQuantity: Int64 = 100_000

    /// Prices one line; a problem for a quantity that is not positive, a discount over 100 % or
    /// over the line, or amounts too large.
    public static func price(_ line: CartLine) throws(CheckoutProblem) -> PricedLine {
        guard line.quantity > 0 else { throw .init(.quantity, "La cantidad debe ser mayor que cero") }
        guard line.quantity <= maxQuantity else { throw .init(.quantity, "La cantidad máxima por línea es \(maxQuantity)") }
        guard line.unitPrice.centimos >= 0 else { throw .init(.price, "El precio no puede ser negativo") }
        let tooLarge = CheckoutProblem(.price, "Monto demasiado grande")
        let gross: Money
        do { gross = try line.unitPrice.multiplied(by: line.quantity) } catch { throw tooLarge }
        let discount: Money
        switch line.discount {
        case .none:
            discount = .zero
        case .percent(let bp):
            guard bp >= 0 else { throw .init(.discount, "El descuento no puede ser negativo") }
            guard bp <= 10_000 else { throw .init(.discount, "El descuento no puede superar el 100 %") }
            let (scaled, overflow) = gross.centimos.multipliedReportingOverflow(by: bp)
            if overflow { throw tooLarge }
            discount = Money(centimos: IGV.divideRoundingHalfUp(scaled, by: 10_000))
        case .amount(let amount):
            guard amount.centimos >= 0 else { throw .init(.discount, "El descuento no puede ser negativo") }
            guard amount <= gross else { throw .init(.discount, "El descuento (\(amount.formatted)) supera el importe de la línea (\(gross.formatted))") }
            discount = amount
        }
        let total = Money(centimos: gross.centimos - discount.centimos)
        switch line.affectation {
        case .gravado:
            let split: (base: Money, igv: Money)
            do { split = try IGV.split(gross: total) } catch { throw tooLarge }
            return PricedLine(gross: gross, discount: discount, total: total, base: split.base, igv: split.igv)
        case .exonerado, .inafecto:
            return PricedLine(gross: gross, discount: discount, total: total, base: total, igv: .zero)
        case .unknown(let code):
            throw .init(.sale, "Afectación de IGV desconocida (\(code)): actualice vetdesk")
        }
    }

    /// The sale's totals from its priced lines and their afectación.
    public static func totals(_ lines: [(PricedLine, IGVAffectation)]) throws(CheckoutProblem) -> SaleTotals {
        var totals = SaleTotals()
        do {
            for (line, affectation) in lines {
                switch affectation {
                case .gravado: totals.gravada = try totals.gravada.adding(line.base)
                case .exonerado: totals.exonerada = try totals.exonerada.adding(line.total)
                case .inafecto: totals.inafecta = try totals.inafecta.adding(line.total)
                case .unknown(let code): throw CheckoutProblem(.sale, "Afectación de IGV desconocida (\(code)): actualice vetdesk")
                }
                totals.igv = try totals.igv.adding(line.igv)
                totals.discount = try totals.discount.adding(line.discount)
                totals.total = try totals.total.adding(line.total)
            }
        } catch let problem as CheckoutProblem {
            throw problem
        } catch {
            throw CheckoutProblem(.sale, "Monto demasiado grande")
        }
        return totals
    }

    /// Prices every line and sums them.
    public static func totals(of cart: [CartLine]) throws(CheckoutProblem) -> (lines: [PricedLine], totals: SaleTotals) {
        var priced: [PricedLine] = []
        priced.reserveCapacity(cart.count)
        for line in cart { priced.append(try price(line)) }
        return (priced, try totals(Array(zip(priced, cart.map(\.affectation)))))
    }

    /// The discount as a share of the gross, in basis points (rounded up, so a limit is never
    /// passed by rounding): what the per-role discount limit is checked against.
    public static func discountBasisPoints(_ line: PricedLine) -> Int64 {
        guard line.gross.centimos > 0, line.discount.centimos > 0 else { return 0 }
        let (scaled, overflow) = line.discount.centimos.multipliedReportingOverflow(by: 10_000)
        if overflow { return 10_000 }
        return (scaled + line.gross.centimos - 1) / line.gross.centimos
    }
}

/// Cash rounding (Ley 29571, art. 44): coins under S/ 0.10 are out of circulation, so a sale paid
/// wholly in cash is rounded down to the ten céntimos in the customer's favour. Other methods are exact.
public enum CashRounding {
    /// What is waived on `due` when it is paid wholly in cash: `due mod 10` céntimos (0 for a due
    /// that is not positive).
    public static func waived(on due: Money) -> Money {
        due.centimos > 0 ? Money(centimos: due.centimos % 10) : .zero
    }

    /// `due` rounded down to ten céntimos.
    public static func roundedDown(_ due: Money) -> Money {
        Money(centimos: due.centimos - waived(on: due).centimos)
    }

    /// Whether a cash amount can be handed over (multiples of S/ 0.10).
    public static func isPayable(_ amount: Money) -> Bool { amount.centimos % 10 == 0 }
}

/// How far each role may discount a line without a supervisor's clave (basis points).
public enum DiscountPolicy {
    public static func limit(for roles: [Role]) -> Int64 {
        roles.map { role -> Int64 in
            switch role {
            case .supervisor, .administrador: 10_000
            case .recepcionista, .veterinario: 1_000
            case .farmacia: 500
            }
        }.max() ?? 0
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
