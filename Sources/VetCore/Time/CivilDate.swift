import Foundation

/// A calendar day without a time (birth dates, vaccine expiry, next due date). Stored as
/// `aaaa-mm-dd`, shown as `dd/mm/aaaa`. "Today" is the day in Lima.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month), day >= 1,
              day <= CivilDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// `dd/mm/aaaa` as typed in a form.
    public init?(display text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/")
        guard parts.count == 3, parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 4,
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// `aaaa-mm-dd` as stored (a longer ISO-8601 timestamp is cut to its date).
    public init?(iso text: String) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day `date` falls on in Lima.
    public init(limaDayOf date: Date) { self.init(fields: LimaTime.lima(date)) }

    /// The day `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        let d = CivilCalendar.day(days: Int64(days))
        self = CivilDate(year: Int(d.year), month: Int(d.month), day: Int(d.day)) ?? CivilDate.epoch
    }

    /// The day of a moment's calendar fields; 1970-01-01 outside the years a `CivilDate` holds.
    init(fields c: Civil) {
        self = CivilDate(year: Int(c.year), month: Int(c.month), day: Int(c.day)) ?? CivilDate.epoch
    }

    static let epoch = CivilDate(year: 1970, month: 1, day: 1)!

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { Int(CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day))) }

    /// This day moved by whole days.
    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// ISO weekday: 1 = lunes … 7 = domingo.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let r = (daysSinceEpoch + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// The Monday of this day's week.
    public var monday: CivilDate { adding(days: 1 - weekday) }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public var display: String { String(format: "%02d/%02d/%04d", day, month, year) }
    public var description: String { display }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// This day moved by whole months (clamped to the month's last day).
    public func adding(months: Int) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return CivilDate(year: y, month: m, day: min(day, CivilDate.daysIn(month: m, year: y))) ?? self
    }

    /// Whole months from `self` to `later` (negative when `later` is earlier).
    public func months(until later: CivilDate) -> Int {
        var months = (later.year - year) * 12 + (later.month - month)
        if later.day < day { months -= 1 }
        return months
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
