import Foundation
import Testing
import VetProtocol

/// The byte-level JSON reader behind push bodies (central) and pull pages (sede).
struct JSONReaderTests {
    func scalar(_ text: String) throws -> SQLValue {
        try JSONReader.read(Data(text.utf8)) { try $0.readScalar() }
    }

    func scalar(bytes: [UInt8]) throws -> SQLValue {
        try JSONReader.read(Data(bytes)) { try $0.readScalar() }
    }

    @Test func stringsResolveEveryEscapeAndKeepUnicode() throws {
        #expect(try scalar(#""a\"b\\c\/d\b\f\n\r\t""#) == .text("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try scalar(#""\u00e9\u00F1 ñandú \u0000""#) == .text("éñ ñandú \u{0}"))
        // A surrogate pair is one scalar outside the BMP; raw UTF-8 of four bytes too.
        #expect(try scalar(#""\ud83d\ude00 😀""#) == .text("😀 😀"))
        #expect(try scalar(#""""#) == .text(""))
    }

    @Test func badStringsAreRefused() {
        let bad: [[UInt8]] = [
            Array(#""\ud800""#.utf8),             // high surrogate alone
            Array(#""\udc00""#.utf8),             // low surrogate alone
            Array(#""\ud800\u0041""#.utf8),       // high surrogate with a non-surrogate after it
            Array(#""\x""#.utf8),                 // unknown escape
            Array(#""\u12g4""#.utf8),             // not hexadecimal
            Array(#""\u12""#.utf8),               // escape cut short
            [0x22, 0x61, 0x01, 0x62, 0x22],       // raw control character
            [0x22, 0x0A, 0x22],                   // raw newline
            [0x22, 0xC3, 0x28, 0x22],             // broken two-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],             // overlong "/"
            [0x22, 0xED, 0xA0, 0x80, 0x22],       // surrogate encoded in UTF-8
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // beyond U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],             // three-byte sequence cut short
            Array(#""abc"#.utf8),                 // never closed
        ]
        for bytes in bad {
            #expect(throws: JSONReader.Failure.self, "\(bytes)") { try scalar(bytes: bytes) }
            // Also where strings are only checked, not decoded: columns kept verbatim, skipped values.
            let inObject = Data(Array(#"{"k":"#.utf8) + bytes + [UInt8(ascii: "}")])
            #expect(throws: JSONReader.Failure.self, "\(bytes)") { try JSONReader.read(inObject) { try $0.scalarObjectText(capture: []) } }
            #expect(throws: JSONReader.Failure.self, "\(bytes)") { try JSONReader.read(inObject) { try $0.skipValue() } }
        }
    }

    @Test func numbersBecomeIntegersOrReals() throws {
        #expect(try scalar("0") == .int(0))
        #expect(try scalar("-12") == .int(-12))
        #expect(try scalar("9223372036854775807") == .int(.max))
        #expect(try scalar("-9223372036854775808") == .int(.min))
        #expect(try scalar("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try scalar("1.5") == .double(1.5))
        #expect(try scalar("2.0") == .double(2))
        #expect(try scalar("1e3") == .double(1000))
        #expect(try scalar("-0.25E-2") == .double(-0.0025))
        #expect(try scalar(" true ") == .int(1))
        #expect(try scalar("false") == .int(0))
        #expect(try scalar("null") == .null)
        for text in ["01", "-01", "1.", ".5", "-", "1e", "1e+", "+1", "1e999", "NaN", "Infinity", "0x10", "tru", "nul", "1 2"] {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try scalar(text) }
        }
        #expect(try JSONReader.read(Data("-42".utf8)) { try $0.readInt64() } == -42)
        for text in ["4.0", "1e2", "9223372036854775808", "\"4\""] {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try JSONReader.read(Data(text.utf8)) { try $0.readInt64() } }
        }
    }

    @Test func columnObjectsHoldOnlyScalars() throws {
        let cols = try JSONReader.read(Data(#"{"a":"x","b":2,"c":null,"d":true,"a":"y"}"#.utf8)) { try $0.readScalarObject() }
        #expect(cols == ["a": .text("y"), "b": .int(2), "c": .null, "d": .int(1)])
        for text in [#"{"a":{"b":1}}"#, #"{"a":[1]}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":1"#, "[]", #""{}""#] {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try JSONReader.read(Data(text.utf8)) { try $0.readScalarObject() } }
            #expect(throws: JSONReader.Failure.self, "\(text)") {
                try JSONReader.read(Data(text.utf8)) { try $0.scalarObjectText(capture: []) }
            }
        }
    }

    @Test func scalarObjectTextIsVerbatimAndCapturesKeysEvenEscaped() throws {
        let text = #"{ "sede_id" : "S1", "x":1.50,"to_sede_id":null, "n":"\u00f1" }"#
        let read = try JSONReader.read(Data(("  " + text + "\n").utf8)) { try $0.scalarObjectText(capture: ["sede_id", "to_sede_id", "missing"]) }
        #expect(read.text == text)
        #expect(read.captured == [.text("S1"), .null, nil])
        // A key written with escapes is still the same key.
        let escaped = try JSONReader.read(Data(#"{"sede\u005fid":"S2"}"#.utf8)) { try $0.scalarObjectText(capture: ["sede_id"]) }
        #expect(escaped.captured == [.text("S2")])
    }

    @Test func unknownValuesAreSkippedButStillChecked() throws {
        let ok = #"{"skip":{"a":[1,{"b":null}],"c":"d"},"keep":7}"#
        let kept = try JSONReader.read(Data(ok.utf8)) { r -> Int64? in
            try r.beginObject()
            var found: Int64?
            while let key = try r.nextKey() {
                if key == "keep" { found = try r.readInt64() } else { try r.skipValue() }
            }
            return found
        }
        #expect(kept == 7)
        // Members after a nested value still need their comma.
        let missingComma = #"{"skip":{"a":1}"keep":7}"#
        #expect(throws: JSONReader.Failure.self) {
            try JSONReader.read(Data(missingComma.utf8)) { r in
                try r.beginObject()
                while let key = try r.nextKey() { if key == "keep" { _ = try r.readInt64() } else { try r.skipValue() } }
            }
        }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        for text in [#"{"a":[1,]}"#, #"{"a":[1 2]}"#, #"{"a":{"b"}}"#, deep] {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try JSONReader.read(Data(text.utf8)) { try $0.skipValue() } }
        }
    }

    static let pullPage = #"""
        {"after":10,"next_after":12,"has_more":false,"next_check":99,"acked_through":null,"server_time_ms":1700000000000,"extra":[{"x":1}],
         "changes":[{"cseq":11,"origin":"S1","origin_epoch":"e1","tx_id":3,"hlc":65536,"tbl":"owners","row_id":"r1","op":"I",
                     "cols":{"id":"r1","n":-3,"ratio":2.5,"ok":true,"no":false,"none":null,"name":"Ñuño \"el\" \ud83d\udc36"},"data_class":"shared"},
                    {"cseq":12,"origin":null,"origin_epoch":null,"tx_id":12,"hlc":65537,"tbl":"sedes","row_id":"s1","op":"D","cols":null,"data_class":"central"}]}
        """#

    @Test func pullPagesReadAsJSONDecoderReadsThem() throws {
        let data = Data(Self.pullPage.utf8)
        let page = try PullResponse.parse(data)
        #expect(page == (try JSONDecoder().decode(PullResponse.self, from: data)))
        #expect(page.changes.count == 2)
        #expect(page.changes[0].cols?["name"] == .text("Ñuño \"el\" 🐶"))
        #expect(page.changes[0].cols?["ratio"] == .double(2.5))
        #expect(page.changes[0].cols?["ok"] == .int(1))
        #expect(page.changes[1].origin == nil && page.changes[1].cols == nil && page.changes[1].dataClass == .central)
        #expect(page.nextCheck == 99 && page.ackedThrough == nil)
    }

    @Test func everyTruncationOfAPageOrABatchFails() throws {
        let page = Array(Self.pullPage.utf8)
        for cut in 0..<page.count where !page[cut...].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }) {
            #expect(throws: JSONReader.Failure.self, "corte en \(cut)") { try PullResponse.parse(Data(page[..<cut])) }
        }
        let batch = Array(Self.pushBody.utf8)
        for cut in 0..<batch.count {
            #expect(throws: JSONReader.Failure.self, "corte en \(cut)") { try ReceivedPush.parse(Data(batch[..<cut])) }
        }
        #expect(throws: JSONReader.Failure.self) { try ReceivedPush.parse(Data((Self.pushBody + "x").utf8)) }
        #expect(throws: JSONReader.Failure.self) { try PullResponse.parse(Data(Self.pullPage.replacingOccurrences(of: "\"tx_id\":3,", with: "").utf8)) }
    }

    static let pushBody = #"{"sede":"S1","epoch":"e1","from_seq":5,"to_seq":6,"schema_version":4,"entries":[{"seq":5,"tx_id":2,"hlc":65536,"tbl":"login_events","row_id":"l1","op":"I","cols":{"id":"l1","sede_id":"S1","to_sede_id":"S2","n":1},"user_id":"u1","data_class":"sede"},{"seq":6,"tx_id":2,"hlc":65537,"tbl":"owners","row_id":"o1","op":"D","cols":null,"user_id":null,"data_class":null}]}"#

    @Test func pushBodiesKeepColumnsAsSentAndTheOwnerColumns() throws {
        let push = try ReceivedPush.parse(Data(Self.pushBody.utf8))
        #expect(push.sede == "S1" && push.epoch == "e1" && push.fromSeq == 5 && push.toSeq == 6 && push.schemaVersion == 4)
        #expect(push.idempotencyKey == "S1:e1:5-6")
        #expect(push.entries.map(\.seq) == [5, 6])
        let first = push.entries[0]
        #expect(first.colsJSON == #"{"id":"l1","sede_id":"S1","to_sede_id":"S2","n":1}"#)
        #expect(first.declaredSede == .text("S1") && first.addressedTo == .text("S2"))
        #expect(first.userID == "u1")
        #expect(push.receivedJSON(push.entries[1]) == #"{"seq":6,"tx_id":2,"hlc":65537,"tbl":"owners","row_id":"o1","op":"D","cols":null,"user_id":null,"data_class":null}"#)
        #expect(push.entries[1].colsJSON == nil && push.entries[1].declaredSede == nil)
        // What JSONEncoder writes for PushRequest (keys in any order, nil keys left out) reads the same.
        let request = PushRequest(sede: "S1", epoch: "e1", fromSeq: 1, toSeq: 1, schemaVersion: 4, entries: [
            JournalEntry(seq: 1, txID: 1, hlc: 7, tbl: "owners", rowID: "o/1", op: "U", cols: ["phone": .text("99"), "n": .int(3)], userID: nil, dataClass: .shared)])
        let encoded = try ReceivedPush.parse(JSONEncoder().encode(request))
        #expect(encoded.entries[0].rowID == "o/1" && encoded.entries[0].userID == nil)
        let cols = try JSONReader.read(Data(try #require(encoded.entries[0].colsJSON).utf8)) { try $0.readScalarObject() }
        #expect(cols == ["phone": .text("99"), "n": .int(3)])
        // The class a sede declares is not read at all (central classifies from its own list).
        let declared = try ReceivedPush.parse(Data(Self.pushBody.replacingOccurrences(of: #""data_class":"sede""#, with: #""data_class":"global""#).utf8))
        #expect(declared.entries.map(\.tbl) == ["login_events", "owners"])
        // Nested columns or a missing field make the whole body unreadable.
        for broken in [Self.pushBody.replacingOccurrences(of: #""n":1"#, with: #""n":{"x":1}"#),
                       Self.pushBody.replacingOccurrences(of: #""row_id":"o1","#, with: ""),
                       Self.pushBody.replacingOccurrences(of: #""schema_version":4,"#, with: "")] {
            #expect(throws: JSONReader.Failure.self, "\(broken)") { try ReceivedPush.parse(Data(broken.utf8)) }
        }
    }
}
