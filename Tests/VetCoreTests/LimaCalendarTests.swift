import Foundation
import Testing
@testable import VetCore

/// The one time module: Lima days, minutes, instants and iCalendar stamps from the same calendar
/// arithmetic, checked against Foundation's Gregorian calendar in a fixed UTC−5 zone.
@Suite struct LimaCalendarTests {
    static let foundation: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Lima")!
        return calendar
    }()

    /// From 1995 (Peru's last daylight saving ended in 1994) to 2150.
    @Test func limaDayMinuteAndInstantAgreeWithFoundation() {
        var rng = SplitMix64(seed: 5)
        let from: Int64 = 788_918_400_000, span: Int64 = 4_890_000_000_000
        for _ in 0..<2_000 {
            let ms = from + Int64(rng.next() % UInt64(span))
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let c = LimaCalendarTests.foundation.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            let expectedDay = CivilDate(year: c.year!, month: c.month!, day: c.day!)!
            let (day, minute) = AgendaTime.dayAndMinute(date)
            #expect(day == expectedDay && minute == c.hour! * 60 + c.minute!, "\(LimaTime.iso8601(ms: ms))")
            #expect(CivilDate(limaDayOf: date) == expectedDay)
            #expect(LimaTime.day(date) == expectedDay.display && LimaTime.clock(date) == AgendaTime.clock(minute: minute))
            // Foundation's weekday: 1 = Sunday; ours: 1 = lunes … 7 = domingo.
            #expect(day.weekday == (c.weekday! + 5) % 7 + 1)
            let start = LimaCalendarTests.foundation.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute))!
            #expect(AgendaTime.instant(day, minute: minute) == start)
            #expect(CivilDate(daysSinceEpoch: day.daysSinceEpoch) == day)
            #expect(day.adding(days: 1) == CivilDate(limaDayOf: start.addingTimeInterval(86_400)))
        }
    }

    @Test func midnightInLimaIsFiveInTheMorningUTC() {
        let newYear = CivilDate(year: 2026, month: 1, day: 1)!
        #expect(AgendaTime.iso(AgendaTime.instant(newYear, minute: 0)) == "2026-01-01T05:00:00.000Z")
        #expect(CivilDate(limaDayOf: LimaTime.parseISO8601("2026-01-01T04:59:59.999Z")!) == CivilDate(year: 2025, month: 12, day: 31)!)
        #expect(CivilDate(limaDayOf: LimaTime.parseISO8601("2026-01-01T05:00:00.000Z")!) == newYear)
        #expect(LimaTime.offsetSeconds == -18_000)
    }

    @Test func iCalendarStampsInUTCAndInLima() {
        let date = LimaTime.parseISO8601("2026-11-23T14:30:07.250Z")!
        #expect(ICalendar.utc(date) == "20261123T143007Z")
        #expect(ICalendar.lima(date) == "20261123T093007")
        let beforeEpoch = LimaTime.parseISO8601("1969-12-31T23:59:58.000Z")!
        #expect(ICalendar.utc(beforeEpoch) == "19691231T235958Z")
        #expect(ICalendar.lima(beforeEpoch) == "19691231T185958")
    }
}
