import Foundation

/// The proleptic Gregorian calendar as day numbers (Howard Hinnant's `days_from_civil` and
/// `civil_from_days`): the one place VetDesk turns a calendar day into a count of days and back.
/// Integer arithmetic only, so it is exact, fast and the same on every machine.
enum CivilCalendar {
    /// Days from 1970-01-01 to the given day (negative before).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `days` days after 1970-01-01.
    static func day(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// A moment broken into calendar fields, at UTC or at an offset from it.
struct Civil {
    var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, millisecond: Int64

    /// The fields of the moment `ms` milliseconds after the epoch, read at `offsetSeconds` from UTC.
    init(ms: Int64, offsetSeconds: Int64 = 0) {
        let local = ms + offsetSeconds * 1000
        var days = local / 86_400_000
        var rest = local % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let date = CivilCalendar.day(days: days)
        year = date.year
        month = date.month
        day = date.day
        hour = rest / 3_600_000
        minute = rest / 60_000 % 60
        second = rest / 1000 % 60
        millisecond = rest % 1000
    }

    init(_ date: Date, offsetSeconds: Int64 = 0) {
        self.init(ms: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), offsetSeconds: offsetSeconds)
    }
}
