import Testing
@testable import VetCore

@Suite struct MoneyTests {
    @Test(arguments: [
        ("12", 1200), ("12.5", 1250), ("12,50", 1250), ("12.05", 1205), ("0,5", 50), (",5", 50),
        ("1,234.50", 123_450), ("1.234,50", 123_450), ("1,234", 123_400), ("1,234,567", 123_456_700),
        ("S/ 12", 1200), ("S/12.30", 1230), ("  7  ", 700), ("-3", -300), ("-S/ 3,10", -310), ("0", 0),
    ] as [(String, Int64)])
    func parsesWhatCashiersType(input: String, centimos: Int64) throws {
        #expect(try Money.parse(input) == Money(centimos: centimos))
    }

    @Test(arguments: [
        ("", MoneyParseError.empty), ("   ", .empty), ("abc", .invalid), ("12.345", .tooManyDecimals),
        ("1,2,3", .invalid), ("12..5", .invalid), ("1.2.3", .invalid), (".", .invalid), ("12a", .invalid),
        ("99999999999999", .tooLarge),
    ] as [(String, MoneyParseError)])
    func refusesWhatIsNotAnAmount(input: String, error: MoneyParseError) {
        #expect(throws: error) { try Money.parse(input) }
    }

    @Test func formatsAsPeruvianSoles() {
        #expect(Money(centimos: 123_450).formatted == "S/ 1,234.50")
        #expect(Money(centimos: 5).formatted == "S/ 0.05")
        #expect(Money(centimos: 0).formatted == "S/ 0.00")
        #expect(Money(centimos: 100_000_000).formatted == "S/ 1,000,000.00")
        #expect(Money(centimos: -1050).formatted == "-S/ 10.50")
        #expect(Money(centimos: 123_450).plain == "1234.50")
    }

    @Test func formattedAmountsParseBack() throws {
        for c: Int64 in [0, 1, 99, 100, 12_345, 9_999_999, 123_456_789] {
            #expect(try Money.parse(Money(centimos: c).formatted) == Money(centimos: c))
        }
    }

    @Test func igvIsEighteenPercentRoundedHalfUpPerLine() {
        #expect(IGV.on(base: Money(centimos: 1000)) == Money(centimos: 180))
        // 0.25 × 0.18 = 0.045 → 0.05 (half up); 0.24 × 0.18 = 0.0432 → 0.04
        #expect(IGV.on(base: Money(centimos: 25)) == Money(centimos: 5))
        #expect(IGV.on(base: Money(centimos: 24)) == Money(centimos: 4))
        #expect(IGV.on(base: Money(centimos: -25)) == Money(centimos: -5))
        #expect(IGV.on(base: Money(centimos: 0)) == .zero)
    }

    @Test func splittingAGrossPriceKeepsEveryCentimo() {
        let (base, igv) = IGV.split(gross: Money(centimos: 11_800))
        #expect(base == Money(centimos: 10_000) && igv == Money(centimos: 1_800))
        for gross: Int64 in stride(from: 1, through: 5_000, by: 7) {
            let parts = IGV.split(gross: Money(centimos: gross))
            #expect(parts.base + parts.igv == Money(centimos: gross))
            #expect(abs(IGV.on(base: parts.base).centimos - parts.igv.centimos) <= 1)
        }
    }
}
