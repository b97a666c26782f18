import Foundation

/// Where the current time comes from; tests inject a fixed or stepping clock.
public protocol WallClock: Sendable {
    var now: Date { get }
}

extension WallClock {
    /// Milliseconds since the Unix epoch.
    public var nowMs: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) }
}

public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that reads whatever time a test sets.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    public init(_ start: Date) { current = start }
    public var now: Date { lock.withLock { current } }
    public func advance(seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    public func set(_ date: Date) { lock.withLock { current = date } }
}

/// Display and storage formats: UTC ISO-8601 in storage, America/Lima (UTC−5, no DST) on screen.
/// Formatting is integer arithmetic on the civil calendar: fast, and the same on every machine.
public enum LimaTime {
    public static let zone = TimeZone(secondsFromGMT: -5 * 3600)!
    static let offsetSeconds: Int64 = -5 * 3600

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
        let days = Civil.daysFromCivil(year: y, month: mo, day: d)
        let total = ((days * 24 + h) * 60 + mi) * 60 + s
        return Date(timeIntervalSince1970: Double(total) + Double(ms) / 1000)
    }

    /// `dd/mm/aaaa` in Lima.
    public static func day(_ date: Date) -> String {
        let c = lima(date)
        return "\(pad(c.day, 2))/\(pad(c.month, 2))/\(pad(c.year, 4))"
    }

    /// `HH:mm` in Lima.
    public static func clock(_ date: Date) -> String {
        let c = lima(date)
        return "\(pad(c.hour, 2)):\(pad(c.minute, 2))"
    }

    /// `dd/mm/aaaa HH:mm` in Lima.
    public static func dayAndClock(_ date: Date) -> String { day(date) + " " + clock(date) }

    static func lima(_ date: Date) -> Civil {
        Civil(ms: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) + offsetSeconds * 1000)
    }

    static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// `n` in decimal, zero-padded to `width` digits.
    public static func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return n < 0 ? "-" + padded : padded
    }
}

/// A moment broken into proleptic Gregorian calendar fields (Howard Hinnant's algorithms).
struct Civil {
    var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, millisecond: Int64

    init(ms: Int64) {
        var days = ms / 86_400_000
        var rest = ms % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hour = rest / 3_600_000
        minute = rest / 60_000 % 60
        second = rest / 1000 % 60
        millisecond = rest % 1000
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
