import Foundation

/// The agenda's times of day: minutes after midnight in Lima, as typed and shown. Days and instants
/// come from `LimaTime` and `CivilDate`.
public enum AgendaTime {
    /// The instant `minute` minutes after midnight of `day` in Lima.
    public static func instant(_ day: CivilDate, minute: Int) -> Date {
        Date(timeIntervalSince1970: Double(Int64(day.daysSinceEpoch) * 86_400 + Int64(minute) * 60 - LimaTime.offsetSeconds))
    }

    /// The Lima day and minute of the day of `date` (seconds dropped).
    public static func dayAndMinute(_ date: Date) -> (day: CivilDate, minute: Int) {
        let c = LimaTime.lima(date)
        return (CivilDate(fields: c), Int(c.hour * 60 + c.minute))
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

extension AgendaTime {
    /// The stored form of an instant, `2026-11-21T14:00:00.000Z` (stored times compare as text).
    public static func iso(_ date: Date) -> String { LimaTime.iso8601(date) }

    /// Reads a stored instant; `nil` otherwise.
    public static func parse(_ text: String) -> Date? { LimaTime.parseISO8601(text) }
}
