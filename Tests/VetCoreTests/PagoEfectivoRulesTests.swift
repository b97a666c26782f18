import Foundation
import Testing
import VetCore

/// PagoEfectivo's amounts and times as its JSON writes them, read exactly.
@Suite struct PagoEfectivoRulesTests {
    @Test(arguments: [
        ("10.50", 1050), ("10.5", 1050), ("10", 1000), ("0.01", 1), ("10.500", 1050), ("-3.20", -320), ("1234567.89", 123_456_789),
    ] as [(String, Int64)])
    func readsAmountsOfSolesExactly(text: String, centimos: Int64) {
        #expect(Money(solesDecimal: text) == Money(centimos: centimos))
    }

    @Test(arguments: ["", "-", ".5", "10.", "10.505", "1e2", "1E2", "+5", "1,50", " 10", "10.5.0", "S/ 10", "0x10", "99999999999999999999", "--1"])
    func refusesWhatIsNotAnExactAmount(text: String) {
        #expect(Money(solesDecimal: text) == nil)
    }

    @Test func writesLimaTimeWithItsOffsetAndReadsItBack() {
        let instant = Date(timeIntervalSince1970: 2_000_000_000)  // 2033-05-18T03:33:20Z
        #expect(PagoEfectivoTime.text(instant) == "2033-05-17T22:33:20-05:00")
        for text in ["2033-05-17T22:33:20-05:00", "2033-05-17 22:33:20-05:00", "2033-05-18T03:33:20Z", "2033-05-18T03:33:20+00:00",
                     "2033-05-17T22:33:20", "2033-05-17T22:33:20.000-05:00"] {
            #expect(PagoEfectivoTime.parse(text) == instant, "\(text)")
        }
        for text in ["", "mañana", "2033-05-17", "2033-13-17T22:33:20-05:00", "2033-05-17T22:33:20-5", "2033-05-17T22:33:20+99:00"] {
            #expect(PagoEfectivoTime.parse(text) == nil, "\(text)")
        }
    }
}
