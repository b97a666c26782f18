/// The escape sequences terminals send for special keys, for when ncurses hands them over as Esc
/// followed by plain characters: its terminfo entry need not match the terminal (PuTTY or tmux
/// under `TERM=xterm` send `ESC[1~` for Home, the Linux console `ESC[[A` for F1, an application
/// keypad `ESC Oq` for 1). Covers PuTTY, xterm, rxvt, tmux/screen and the Linux console.
public enum EscapeSequence {
    public enum Scan: Equatable {
        /// More characters may still complete a sequence.
        case incomplete
        /// A whole sequence of `length` characters after the Esc; `key` is nil for one with no
        /// meaning here (Insert, a mouse report…), which is dropped rather than typed.
        case complete(key: Key?, length: Int)
        /// Esc was a key of its own; what follows is typed as it is.
        case notASequence
    }

    /// Longest sequence accepted; longer runs are not sequences.
    static let maxLength = 16

    /// Looks at the characters that came right after an Esc.
    public static func scan(_ following: [UInt32]) -> Scan {
        guard let first = following.first else { return .incomplete }
        switch first {
        case 0x5B: // "[": CSI
            guard following.count >= 2 else { return .incomplete }
            if following[1] == 0x5B { // Linux console F1–F5: ESC [ [ A…E
                guard following.count >= 3 else { return .incomplete }
                let n = Int(following[2]) - 0x41
                return (0...4).contains(n) ? .complete(key: .function(n + 1), length: 3) : .complete(key: nil, length: 3)
            }
            var i = 1
            while i < following.count, (0x20...0x3F).contains(following[i]) { i += 1 }
            guard i < following.count else { return following.count >= maxLength ? .notASequence : .incomplete }
            guard (0x40...0x7E).contains(following[i]) else { return .notASequence }
            let parameters = String(decoding: following[1..<i].compactMap { UInt8(exactly: $0) }, as: UTF8.self)
            return .complete(key: csiKey(parameters: parameters, final: following[i]), length: i + 1)
        case 0x4F: // "O": SS3
            guard following.count >= 2 else { return .incomplete }
            // xterm may put a modifier between (ESC O 5 A): skip digits.
            var i = 1
            while i < following.count, (0x30...0x39).contains(following[i]), i < 4 { i += 1 }
            guard i < following.count else { return .incomplete }
            return .complete(key: ss3Key(following[i]), length: i + 1)
        default:
            return .notASequence
        }
    }

    static func csiKey(parameters: String, final: UInt32) -> Key? {
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let first = numbers.first.flatMap { $0 }
        guard let scalar = UnicodeScalar(final) else { return nil }
        switch Character(scalar) {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "P": return .function(1)
        case "Q": return .function(2)
        case "R": return parameters.isEmpty || first == 1 ? .function(3) : nil // otherwise a cursor position report
        case "S": return .function(4)
        case "~":
            switch first {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case let n? where (11...15).contains(n): return .function(n - 10)
            case let n? where (17...21).contains(n): return .function(n - 11)
            case 23: return .function(11)
            case 24: return .function(12)
            default: return nil
            }
        default: return nil
        }
    }

    static func ss3Key(_ final: UInt32) -> Key? {
        guard let scalar = UnicodeScalar(final) else { return nil }
        switch Character(scalar) {
        case "A", "a": return .up
        case "B", "b": return .down
        case "C", "c": return .right
        case "D", "d": return .left
        case "H": return .home
        case "F": return .end
        case "P": return .function(1)
        case "Q": return .function(2)
        case "R": return .function(3)
        case "S": return .function(4)
        case "M": return .enter
        // The numeric keypad in application mode.
        case let c where ("p"..."y").contains(c): return .char(Character(String(Int(final) - 0x70)))
        case "n": return .char(".")
        case "l": return .char(",")
        case "k": return .char("+")
        case "m": return .char("-")
        case "j": return .char("*")
        case "o": return .char("/")
        case "X": return .char("=")
        default: return nil
        }
    }
}
