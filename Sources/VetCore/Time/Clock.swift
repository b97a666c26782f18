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
