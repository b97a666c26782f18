/// A hybrid logical clock timestamp (Kulkarni et al. 2014) packed in 64 bits:
/// 48 bits of Unix milliseconds and a 16-bit logical counter. Ordering is integer ordering.
public struct HLC: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var raw: Int64

    public init(raw: Int64) { self.raw = raw }
    public init(ms: Int64, counter: Int64) { raw = ms << 16 | (counter & 0xFFFF) }

    public var ms: Int64 { raw >> 16 }
    public var counter: Int64 { raw & 0xFFFF }

    public static func < (a: HLC, b: HLC) -> Bool { a.raw < b.raw }
    public var description: String { "\(ms).\(counter)" }

    /// The next local timestamp after `last` at wall time `nowMs`: strictly greater than `last`,
    /// and never behind the wall clock.
    public static func tick(last: HLC, nowMs: Int64) -> HLC {
        HLC(raw: max(last.raw + 1, nowMs << 16))
    }

    /// How far ahead of local time a remote timestamp may be before it is refused.
    public static let maxDriftMs: Int64 = 60_000

    public enum ReceiveError: Error, Equatable, Sendable {
        case tooFarInFuture(remoteMs: Int64, localMs: Int64)
    }

    /// Merges a remote timestamp into the local clock; refuses one more than 60 s ahead of `nowMs`.
    public static func receive(last: HLC, remote: HLC, nowMs: Int64) throws(ReceiveError) -> HLC {
        guard remote.ms - nowMs <= maxDriftMs else { throw .tooFarInFuture(remoteMs: remote.ms, localMs: nowMs) }
        return HLC(raw: max(last.raw + 1, remote.raw + 1, nowMs << 16))
    }
}
