import Synchronization

/// Time-ordered identifiers (RFC 9562 version 7) used as primary keys, so rows born at different
/// sedes never collide and sort roughly by creation time.
public final class UUIDv7Generator: Sendable {
    private let state: Mutex<State>

    struct State {
        var rng: SplitMix64
        var lastMs: UInt64 = 0
        var sequence: UInt16 = 0
    }

    /// A generator seeded from the system's entropy.
    public init() {
        var seed: UInt64 = 0
        var system = SystemRandomNumberGenerator()
        seed = system.next()
        state = Mutex(State(rng: SplitMix64(seed: seed)))
    }

    /// A deterministic generator: the same seed and the same millisecond stamps give the same ids.
    public init(seed: UInt64) {
        state = Mutex(State(rng: SplitMix64(seed: seed)))
    }

    /// A new identifier stamped with `unixMs`. Identifiers made in the same millisecond still
    /// increase, through a 12-bit sequence in the `rand_a` field.
    public func make(unixMs: UInt64) -> String {
        state.withLock { s in
            if unixMs == s.lastMs {
                s.sequence &+= 1
            } else {
                s.lastMs = unixMs
                s.sequence = UInt16(truncatingIfNeeded: s.rng.next() & 0x3FF)
            }
            let randA = UInt64(s.sequence & 0x0FFF)
            let high = (unixMs & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | randA
            let low = (s.rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
            return UUIDv7Generator.format(high: high, low: low)
        }
    }

    public func make() -> String { make(unixMs: UInt64(max(0, SystemClock().nowMs))) }

    static func format(high: UInt64, low: UInt64) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for (i, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = i * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int((word >> UInt64(60 - nibble * 4)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` is a canonical lowercase UUID of version 7.
    public static func isValid(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != UInt8(ascii: "-") { return false } ; continue }
            let isHex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102)
            if !isHex { return false }
        }
        return u[14] == UInt8(ascii: "7") && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(u[19])
    }
}

/// A small, fast, seedable generator (Steele et al.), for ids and deterministic demo data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
