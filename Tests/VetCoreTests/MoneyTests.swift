import Foundation
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

    @Test func igvIsEighteenPercentRoundedHalfUpPerLine() throws {
        #expect(try IGV.on(base: Money(centimos: 1000)) == Money(centimos: 180))
        // 0.25 × 0.18 = 0.045 → 0.05 (half up); 0.24 × 0.18 = 0.0432 → 0.04
        #expect(try IGV.on(base: Money(centimos: 25)) == Money(centimos: 5))
        #expect(try IGV.on(base: Money(centimos: 24)) == Money(centimos: 4))
        #expect(try IGV.on(base: Money(centimos: -25)) == Money(centimos: -5))
        #expect(try IGV.on(base: Money(centimos: 0)) == .zero)
    }

    @Test func splittingAGrossPriceKeepsEveryCentimo() throws {
        let (base, igv) = try IGV.split(gross: Money(centimos: 11_800))
        #expect(base == Money(centimos: 10_000) && igv == Money(centimos: 1_800))
        for gross: Int64 in stride(from: 1, through: 5_000, by: 7) {
            let parts = try IGV.split(gross: Money(centimos: gross))
            #expect(try parts.base.adding(parts.igv) == Money(centimos: gross))
            #expect(abs(try IGV.on(base: parts.base).centimos - parts.igv.centimos) <= 1)
        }
    }

    @Test func arithmeticThatLeavesInt64IsAnErrorNotATrap() throws {
        let big = Money(centimos: .max)
        #expect(throws: MoneyOverflow()) { try big.adding(Money(centimos: 1)) }
        #expect(throws: MoneyOverflow()) { try Money(centimos: .min).subtracting(Money(centimos: 1)) }
        #expect(throws: MoneyOverflow()) { try Money(centimos: .min).negated() }
        #expect(throws: MoneyOverflow()) { try Money(centimos: Int64.max / 2 + 1).multiplied(by: 2) }
        #expect(throws: MoneyOverflow()) { try Money(soles: Int64.max / 100 + 1) }
        #expect(throws: MoneyOverflow()) { try Money.sum([big, Money(centimos: 1), Money(centimos: -5)]) }
        #expect(throws: MoneyOverflow()) { try IGV.on(base: big) }
        #expect(throws: MoneyOverflow()) { try IGV.split(gross: big) }
        // Up to the edge, exact.
        #expect(try big.subtracting(Money(centimos: 1)).adding(Money(centimos: 1)) == big)
        #expect(try Money(centimos: 1_250).multiplied(by: 3) == Money(centimos: 3_750))
        #expect(try Money(centimos: 1_250).negated() == Money(centimos: -1_250))
        #expect(try Money.sum([Money(centimos: 100), Money(centimos: 250), Money(centimos: -50)]) == Money(centimos: 300))
        #expect(try Money(soles: 12) == Money(centimos: 1_200))
        #expect(MoneyOverflow().description == "Monto demasiado grande")
    }

    @Test func encodesAsThePlainIntegerOfCentimos() throws {
        struct Line: Codable, Equatable { var price: Money }
        let data = try JSONEncoder().encode(Line(price: Money(centimos: 1_250)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"price":1250}"#)
        #expect(try JSONDecoder().decode(Line.self, from: Data(#"{"price":-7}"#.utf8)) == Line(price: Money(centimos: -7)))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Line.self, from: Data(#"{"price":12.5}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Line.self, from: Data(#"{"price":"12.50"}"#.utf8)) }
    }
}
