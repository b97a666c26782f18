import Testing
@testable import VetTUI

/// Issue 10 item 10: Home and End from PuTTY and tmux (`ESC[1~`, `ESC[4~`) arrived as Esc and
/// closed forms. What terminals send after Esc, as the key reader decodes it.
@Suite struct EscapeSequenceTests {
    static func codes(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

    @Test(arguments: [
        // PuTTY, tmux/screen, rxvt, xterm (normal and application cursor mode), Linux console.
        ("[1~", Key.home), ("[4~", .end), ("[7~", .home), ("[8~", .end), ("[H", .home), ("[F", .end), ("OH", .home), ("OF", .end),
        ("[2~", nil), ("[3~", .delete), ("[5~", .pageUp), ("[6~", .pageDown),
        ("[A", .up), ("[B", .down), ("[C", .right), ("[D", .left), ("OA", .up), ("OD", .left), ("[1;5C", .right), ("[3;2~", .delete),
        ("[11~", .function(1)), ("[12~", .function(2)), ("[15~", .function(5)), ("[17~", .function(6)), ("[21~", .function(10)),
        ("[24~", .function(12)), ("OP", .function(1)), ("OS", .function(4)), ("[[A", .function(1)), ("[[E", .function(5)),
        ("[Z", .backTab), ("OM", .enter), ("Oq", .char("1")), ("Op", .char("0")), ("Oy", .char("9")), ("On", .char(".")),
    ] as [(String, Key?)])
    func aWholeSequenceIsOneKey(sequence: String, key: Key?) {
        let codes = Self.codes(sequence)
        #expect(EscapeSequence.scan(codes) == .complete(key: key, length: codes.count), "ESC\(sequence)")
        // Every shorter part waits for the rest.
        for n in 0..<codes.count {
            #expect(EscapeSequence.scan(Array(codes.prefix(n))) == .incomplete, "ESC\(sequence.prefix(n))")
        }
    }

    @Test func escFollowedByTextIsEscAndTheText() {
        #expect(EscapeSequence.scan(Self.codes("x")) == .notASequence)
        #expect(EscapeSequence.scan([27]) == .notASequence)
        #expect(EscapeSequence.scan(Self.codes("[1\u{7}")) == .notASequence)
        #expect(EscapeSequence.scan(Self.codes("[" + String(repeating: "1", count: 20))) == .notASequence)
    }

    @Test func aSequenceEndsWhereItsFinalCharacterIs() {
        #expect(EscapeSequence.scan(Self.codes("[4~12")) == .complete(key: .end, length: 3))
    }
}
