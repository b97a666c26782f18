import Foundation
import Testing
@testable import VetCore

@Suite struct IdentityDocumentTests {
    @Test(arguments: ["12345678", "00000001", "45678912"])
    func validDNI(_ number: String) { #expect(DocumentValidation.problem(type: .dni, number: number) == nil) }

    @Test(arguments: ["1234567", "123456789", "1234567a", "", "１２３４５６７８"])
    func invalidDNI(_ number: String) {
        #expect(DocumentValidation.problem(type: .dni, number: number) == "El DNI tiene 8 dígitos")
    }

    @Test(arguments: ["20100070970", "20131312955", "10456789124", "20601030013"])
    func validRUC(_ number: String) { #expect(DocumentValidation.problem(type: .ruc, number: number) == nil) }

    @Test func rucCheckDigitFollowsSUNATsWeights() {
        // 2·5+0·4+1·3+0·2+0·7+0·6+7·5+0·4+9·3+7·2 = 89; 89 mod 11 = 1; 11 − 1 = 10 → 0.
        #expect(DocumentValidation.rucCheckDigit("2010007097") == 0)
        // A remainder of 0 gives 11, which becomes 1.
        let firstTen = (0..<10_000).lazy.map { String(format: "20%08d", $0) }.first { candidate in
            let w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
            return zip(candidate.compactMap(\.wholeNumberValue), w).reduce(0) { $0 + $1.0 * $1.1 } % 11 == 0
        }!
        #expect(DocumentValidation.rucCheckDigit(firstTen) == 1)
    }

    @Test func invalidRUC() {
        #expect(DocumentValidation.rucProblem("20100070971") == "RUC no válido (dígito verificador)")
        #expect(DocumentValidation.rucProblem("30100070970") == "El RUC debe empezar con 10, 15, 16, 17 o 20")
        #expect(DocumentValidation.rucProblem("2010007097") == "El RUC tiene 11 dígitos")
        #expect(DocumentValidation.rucProblem("2010007097X") == "El RUC tiene 11 dígitos")
    }

    @Test func foreignerCard() {
        #expect(DocumentValidation.ceProblem("001234567") == nil)
        #expect(DocumentValidation.ceProblem("AB12345678CD") == nil)
        #expect(DocumentValidation.ceProblem("AB12345678CDE") != nil)
        #expect(DocumentValidation.ceProblem("12-345") != nil)
        #expect(DocumentValidation.ceProblem("") != nil)
    }
}

@Suite struct UUIDv7Tests {
    @Test func identifiersAreVersion7AndOrderedByTime() {
        let generator = UUIDv7Generator()
        var previous = ""
        for ms in stride(from: UInt64(1_700_000_000_000), to: 1_700_000_000_050, by: 1) {
            for _ in 0..<5 {
                let id = generator.make(unixMs: ms)
                #expect(UUIDv7Generator.isValid(id), "\(id)")
                #expect(id > previous)
                previous = id
            }
        }
    }

    @Test func timestampIsInTheFirst48Bits() {
        let id = UUIDv7Generator().make(unixMs: 0x0123_4567_89AB)
        #expect(id.hasPrefix("01234567-89ab-7"))
    }

    @Test func sameSeedSameIdentifiers() {
        let a = UUIDv7Generator(seed: 7), b = UUIDv7Generator(seed: 7), c = UUIDv7Generator(seed: 8)
        let xs = (0..<20).map { a.make(unixMs: 1_000 + UInt64($0 / 3)) }
        let ys = (0..<20).map { b.make(unixMs: 1_000 + UInt64($0 / 3)) }
        let zs = (0..<20).map { c.make(unixMs: 1_000 + UInt64($0 / 3)) }
        #expect(xs == ys)
        #expect(xs != zs)
        #expect(Set(xs).count == 20)
    }

    @Test func refusesWhatIsNotAUUIDv7() {
        #expect(!UUIDv7Generator.isValid("not-a-uuid"))
        #expect(!UUIDv7Generator.isValid("01234567-89ab-4def-8123-456789abcdef"))
        #expect(!UUIDv7Generator.isValid("01234567-89AB-7DEF-8123-456789ABCDEF"))
    }
}

@Suite struct HybridLogicalClockTests {
    @Test func tickIsStrictlyIncreasingAndFollowsTheWallClock() {
        var last = HLC(raw: 0)
        let now: Int64 = 1_700_000_000_000
        let first = HLC.tick(last: last, nowMs: now)
        #expect(first == HLC(ms: now, counter: 0))
        last = first
        // Same millisecond: the counter moves.
        let second = HLC.tick(last: last, nowMs: now)
        #expect(second == HLC(ms: now, counter: 1))
        // Wall clock went backwards: still increasing.
        let third = HLC.tick(last: second, nowMs: now - 5_000)
        #expect(third > second && third.ms == now)
        // Wall clock moved on: counter resets.
        #expect(HLC.tick(last: third, nowMs: now + 1) == HLC(ms: now + 1, counter: 0))
    }

    @Test func receiveTakesTheLatestAndRefusesTheFarFuture() throws {
        let now: Int64 = 1_700_000_000_000
        let local = HLC(ms: now, counter: 3)
        let remote = HLC(ms: now + 30_000, counter: 9)
        let merged = try HLC.receive(last: local, remote: remote, nowMs: now)
        #expect(merged > remote && merged > local)
        #expect(throws: HLC.ReceiveError.tooFarInFuture(remoteMs: now + 61_000, localMs: now)) {
            try HLC.receive(last: local, remote: HLC(ms: now + 61_000, counter: 0), nowMs: now)
        }
        #expect(try HLC.receive(last: local, remote: HLC(ms: now - 3_600_000, counter: 0), nowMs: now) > local)
    }

    @Test func packedLayoutIs48BitsOfMillisecondsAnd16OfCounter() {
        let h = HLC(ms: 1_700_000_000_123, counter: 65_535)
        #expect(h.ms == 1_700_000_000_123 && h.counter == 65_535)
        #expect(h.raw == 1_700_000_000_123 << 16 | 0xFFFF)
    }
}

@Suite struct LimaTimeTests {
    @Test func showsLimaTimeFromUTC() {
        let date = LimaTime.parseISO8601("2026-11-21T03:30:00.000Z")!
        #expect(LimaTime.dayAndClock(date) == "20/11/2026 22:30")
        #expect(LimaTime.iso8601(date) == "2026-11-21T03:30:00.000Z")
    }
}

@Suite struct CivilCalendarTests {
    @Test func formattingAgreesWithFoundationAcrossCenturies() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let ms = Int64(rng.next() % 8_000_000_000_000) - 2_000_000_000_000
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            #expect(LimaTime.iso8601(ms: ms) == f.string(from: date))
            #expect(LimaTime.parseISO8601(LimaTime.iso8601(ms: ms)).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == ms)
        }
    }

    @Test func parsingRefusesWhatIsNotUTCISO8601() {
        for bad in ["", "2026-11-21", "2026-11-21T25:00:00Z", "2026-13-01T00:00:00Z", "2026-11-21T10:00:00+05:00", "21/11/2026 10:00"] {
            #expect(LimaTime.parseISO8601(bad) == nil, "\(bad)")
        }
        #expect(LimaTime.parseISO8601("2026-11-21T10:00:00Z") != nil)
        #expect(LimaTime.day(LimaTime.parseISO8601("2026-01-01T04:59:59.999Z")!) == "31/12/2025")
    }
}
