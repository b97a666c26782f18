/// Peru's general sales tax (IGV), 18 %, computed per line and rounded half-up to the céntimo.
public enum IGV {
    public static let ratePercent: Int64 = 18

    /// The IGV on a taxable base: `round_half_up(base × 18 / 100)`.
    public static func on(base: Money) -> Money {
        Money(centimos: divideRoundingHalfUp(base.centimos * ratePercent, by: 100))
    }

    /// Splits a price that includes IGV into its base and tax; `base + igv == gross` exactly.
    public static func split(gross: Money) -> (base: Money, igv: Money) {
        let base = divideRoundingHalfUp(gross.centimos * 100, by: 100 + ratePercent)
        return (Money(centimos: base), Money(centimos: gross.centimos - base))
    }

    /// Integer division rounding halves away from zero.
    static func divideRoundingHalfUp(_ numerator: Int64, by denominator: Int64) -> Int64 {
        let q = numerator / denominator
        let r = numerator % denominator
        if r.magnitude * 2 >= denominator.magnitude {
            return q + ((numerator < 0) != (denominator < 0) ? -1 : 1)
        }
        return q
    }
}
