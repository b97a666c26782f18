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
public enum LimaTime {
    public static let zone = TimeZone(identifier: "America/Lima") ?? TimeZone(secondsFromGMT: -5 * 3600)!

    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(secondsFromGMT: 0)
        return f.string(from: date)
    }

    public static func parseISO8601(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    /// `dd/mm/aaaa` in Lima.
    public static func day(_ date: Date) -> String { format(date, "dd/MM/yyyy") }
    /// `HH:mm` in Lima.
    public static func clock(_ date: Date) -> String { format(date, "HH:mm") }
    /// `dd/mm/aaaa HH:mm` in Lima.
    public static func dayAndClock(_ date: Date) -> String { format(date, "dd/MM/yyyy HH:mm") }

    static func format(_ date: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "es_PE")
        f.timeZone = zone
        f.dateFormat = pattern
        return f.string(from: date)
    }
}
