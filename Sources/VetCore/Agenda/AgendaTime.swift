import Foundation

/// Calendar arithmetic of the agenda in Lima (UTC−5 all year: Peru has had no daylight saving
/// since 1994), without Foundation calendars, so it is exact and fast.
public enum AgendaTime {
    /// Lima's offset from UTC in seconds.
    public static let limaOffsetSeconds = -5 * 3600

    /// The instant `minute` minutes after midnight of `day` in Lima.
    public static func instant(_ day: CivilDate, minute: Int) -> Date {
        let seconds = day.daysSinceEpoch * 86_400 + minute * 60 - limaOffsetSeconds
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// The Lima day and minute of the day of `date` (seconds dropped).
    public static func dayAndMinute(_ date: Date) -> (day: CivilDate, minute: Int) {
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + limaOffsetSeconds
        let days = Int((Double(local) / 86_400).rounded(.down))
        let minute = (local - days * 86_400) / 60
        return (CivilDate(daysSinceEpoch: days), minute)
    }

    /// `HH:MM` for a minute of the day.
    public static func clock(minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    /// A minute of the day from `HH:MM` or `HHMM` (`9:30`, `0930`); `nil` when it is not a time.
    public static func minute(parsing text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: ":")
        let h: Int?, m: Int?
        if parts.count == 2 {
            h = Int(parts[0]); m = Int(parts[1])
        } else if parts.count == 1, (3...4).contains(t.count), t.allSatisfy(\.isNumber) {
            h = Int(t.dropLast(2)); m = Int(t.suffix(2))
        } else {
            return nil
        }
        guard let h, let m, (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }

    static let weekdayNames = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]

    /// `lunes`… for an ISO weekday (1 = lunes).
    public static func weekdayName(_ weekday: Int) -> String { weekdayNames[(weekday - 1) % 7] }
}

extension CivilDate {
    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self = CivilDate(year: y, month: m, day: d) ?? CivilDate(year: 1970, month: 1, day: 1)!
    }

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
}

extension AgendaTime {
    /// The stored form of an instant, `2026-11-21T14:00:00.000Z` (stored times compare as text).
    public static func iso(_ date: Date) -> String { LimaTime.iso8601(date) }

    /// Reads a stored instant; `nil` otherwise.
    public static func parse(_ text: String) -> Date? { LimaTime.parseISO8601(text) }
}
