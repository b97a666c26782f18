import Foundation

/// Time as VetDesk stores and shows it: UTC ISO-8601 in storage, America/Lima on screen. Lima is
/// UTC−5 all year (Peru has had no daylight saving since 1994), so local time is one fixed offset
/// and all of it is integer arithmetic on the civil calendar (`CivilCalendar`): fast, and the same
/// on every machine whatever its time zone database says.
public enum LimaTime {
    /// Lima's offset from UTC, in seconds. The only place it is written.
    public static let offsetSeconds: Int64 = -5 * 3600

    /// `2026-11-21T03:30:00.000Z`.
    public static func iso8601(_ date: Date) -> String {
        iso8601(ms: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public static func iso8601(ms: Int64) -> String {
        let c = Civil(ms: ms)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2)).\(pad(c.millisecond, 3))Z"
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC); `nil` for anything else.
    public static func parseISO8601(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20, u.last == UInt8(ascii: "Z"), u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int64(u[i] - 48)
            }
            return v
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let s = number(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var ms: Int64 = 0
        if u.count > 20 {
            guard u[19] == 46 else { return nil }
            let digits = u.count - 21
            guard digits >= 1, digits <= 9, let f = number(20, digits) else { return nil }
            ms = digits >= 3 ? f / Int64(pow10(digits - 3)) : f * Int64(pow10(3 - digits))
        } else if u.count != 20 {
            return nil
        }
        let days = CivilCalendar.days(year: y, month: mo, day: d)
        let total = ((days * 24 + h) * 60 + mi) * 60 + s
        return Date(timeIntervalSince1970: Double(total) + Double(ms) / 1000)
    }

    /// `dd/mm/aaaa` in Lima.
    public static func day(_ date: Date) -> String {
        let c = lima(date)
        return "\(pad(c.day, 2))/\(pad(c.month, 2))/\(pad(c.year, 4))"
    }

    /// `HH:mm` in Lima.
    /// `HH:mm:ss` in Lima.
    public static func clockSeconds(_ date: Date) -> String {
        let c = lima(date)
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }

    public static func clock(_ date: Date) -> String {
        let c = lima(date)
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2))"
    }

    /// `dd/mm/aaaa HH:mm` in Lima.
    public static func dayAndClock(_ date: Date) -> String { day(date) + " " + clock(date) }

    /// The calendar fields of `date` in Lima.
    static func lima(_ date: Date) -> Civil { Civil(date, offsetSeconds: offsetSeconds) }

    static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// `n` in decimal, zero-padded to `width` digits.
    public static func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return n < 0 ? "-" + padded : padded
    }
}
