/// Peru's general sales tax (IGV), 18 %, computed per line and rounded half-up to the céntimo.
public enum IGV {
    public static let ratePercent: Int64 = 18

    /// The IGV on a taxable base: `round_half_up(base × 18 / 100)`; `MoneyOverflow` when the base
    /// is too large to multiply.
    public static func on(base: Money) throws(MoneyOverflow) -> Money {
        let (scaled, overflow) = base.centimos.multipliedReportingOverflow(by: ratePercent)
        if overflow { throw MoneyOverflow() }
        return Money(centimos: divideRoundingHalfUp(scaled, by: 100))
    }

    /// Splits a price that includes IGV into its base and tax; `base + igv == gross` exactly.
    /// `MoneyOverflow` when the gross is too large to multiply.
    public static func split(gross: Money) throws(MoneyOverflow) -> (base: Money, igv: Money) {
        let (scaled, overflow) = gross.centimos.multipliedReportingOverflow(by: 100)
        if overflow { throw MoneyOverflow() }
        let base = Money(centimos: divideRoundingHalfUp(scaled, by: 100 + ratePercent))
        return (base, try gross.subtracting(base))
    }

    /// Integer division rounding halves away from zero.
    public static func divideRoundingHalfUp(_ numerator: Int64, by denominator: Int64) -> Int64 {
        let q = numerator / denominator
        let r = numerator % denominator
        if r.magnitude * 2 >= denominator.magnitude {
            return q + ((numerator < 0) != (denominator < 0) ? -1 : 1)
        }
        return q
    }
}
