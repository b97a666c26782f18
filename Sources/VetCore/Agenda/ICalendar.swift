import Foundation

/// One event of an iCalendar feed.
public struct CalendarEvent: Sendable, Equatable {
    public var uid: String
    public var start: Date
    public var end: Date
    public var summary: String
    public var description: String?
    public var location: String?
    public var cancelled: Bool
    /// When the event last changed (LAST-MODIFIED).
    public var modified: Date?

    public init(uid: String, start: Date, end: Date, summary: String, description: String? = nil, location: String? = nil,
                cancelled: Bool = false, modified: Date? = nil) {
        self.uid = uid; self.start = start; self.end = end; self.summary = summary
        self.description = description; self.location = location; self.cancelled = cancelled; self.modified = modified
    }
}

/// RFC 5545 iCalendar text for a vet's appointments, times in the America/Lima zone (with its
/// VTIMEZONE, so calendar apps need no zone database), lines folded at 75 octets, CRLF endings.
public enum ICalendar {
    public static let zoneID = "America/Lima"

    public static func document(name: String, events: [CalendarEvent], stamp: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//VetDesk//Agenda//ES",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape(name),
            "X-WR-TIMEZONE:" + zoneID,
            "BEGIN:VTIMEZONE",
            "TZID:" + zoneID,
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:-0500",
            "TZOFFSETTO:-0500",
            "TZNAME:-05",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
        for e in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:" + escape(e.uid))
            lines.append("DTSTAMP:" + utc(stamp))
            if let modified = e.modified { lines.append("LAST-MODIFIED:" + utc(modified)) }
            lines.append("DTSTART;TZID=\(zoneID):" + lima(e.start))
            lines.append("DTEND;TZID=\(zoneID):" + lima(e.end))
            lines.append("SUMMARY:" + escape(e.summary))
            if let d = e.description { lines.append("DESCRIPTION:" + escape(d)) }
            if let l = e.location { lines.append("LOCATION:" + escape(l)) }
            lines.append("STATUS:" + (e.cancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("TRANSP:OPAQUE")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT value escaping (RFC 5545 §3.3.11).
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": continue
            default: out.append(ch)
            }
        }
        return out
    }

    /// Splits a content line into lines of at most 75 octets, never inside a UTF-8 character.
    public static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for ch in line {
            let size = String(ch).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(ch)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }

    /// `20261123T143000Z`.
    static func utc(_ date: Date) -> String { stamp(Civil(date)) + "Z" }

    /// `20261123T093000`, the Lima wall time of a `TZID=America/Lima` property.
    static func lima(_ date: Date) -> String { stamp(LimaTime.lima(date)) }

    static func stamp(_ c: Civil) -> String {
        LimaTime.pad(c.year, 4) + LimaTime.pad(c.month, 2) + LimaTime.pad(c.day, 2) + "T" + LimaTime.pad(c.hour, 2) + LimaTime.pad(c.minute, 2)
            + LimaTime.pad(c.second, 2)
    }
}
