import Foundation
import Testing
import VetProtocol

/// Every hand-written codec of the sync protocol against the Codable reference types: what one
/// side writes by hand the other reads with `JSONDecoder`, and the reverse, with hostile values.
/// A new message type with a hand-written codec adds its round trip here.
struct CodecRoundTripTests {
    static let texts = ["", "José Ñúñez", "perro 🐶 y gato 🐈", "comillas \" barra \\ y /", "control \u{01}\u{1F}\t\n\r fin",
                        "\u{2028}\u{2029}\u{FEFF}\u{FFFF}", "{\"cols\":null}", "😀\u{0301}"]
    static let scalars: [SQLValue] = [.null, .int(0), .int(-1), .int(Int64.max), .int(Int64.min), .int(1 << 53), .double(0.5),
                                      .double(-1.25e-7), .double(1e300)] + texts.map(SQLValue.text)

    /// Column sets: empty, every hostile value under hostile keys, and a typical row.
    static let colSets: [[String: SQLValue]?] = [
        nil, [:],
        Dictionary(uniqueKeysWithValues: scalars.enumerated().map { i, v in ("c\(i)" + (i % 3 == 0 ? texts[i % texts.count] : ""), v) }),
        ["id": .text("O1"), "first_names": .text("Ana"), "phone": .null, "visits": .int(3)],
    ]

    static var journalEntries: [JournalEntry] {
        colSets.enumerated().map { i, cols in
            JournalEntry(seq: Int64(i + 1), txID: i < 2 ? 1 : Int64(i), hlc: [0, 1, Int64.max, 1 << 62][i], tbl: texts[(i + 1) % texts.count],
                         rowID: texts[(i + 2) % texts.count], op: ["I", "U", "D", "I"][i], cols: cols, userID: i % 2 == 0 ? nil : texts[i],
                         dataClass: [nil, .shared, .sede, .central][i])
        }
    }

    static var pushRequest: PushRequest {
        PushRequest(sede: "S-ñ\"1", epoch: "épocha\n", fromSeq: 1, toSeq: 4, epochStart: 1, schemaVersion: 10, entries: journalEntries)
    }

    static func prev(_ i: Int) -> [String: Int64]? { i == 0 ? nil : ["": Int64(i), "phone": Int64.max, "ñ \"x\"": -5] }

    static func decodeCols(_ text: String?) throws -> [String: SQLValue]? {
        try text.map { try SyncCoding.decoder().decode([String: SQLValue].self, from: Data($0.utf8)) }
    }

    /// The push body as the sede writes it (`PushBodyWriter`).
    static func handWrittenPush(_ request: PushRequest) throws -> Data {
        var writer = PushBodyWriter(capacity: request.entries.count)
        for (i, e) in request.entries.enumerated() {
            let prevJSON = try prev(i).map { String(decoding: try SyncCoding.encoder().encode($0), as: UTF8.self) }
            writer.append(seq: e.seq, txID: e.txID, hlc: e.hlc, tbl: e.tbl, rowID: e.rowID, op: e.op, colsJSON: e.cols.map(JSONText.object),
                          userID: e.userID, dataClass: e.dataClass?.rawValue, prevJSON: prevJSON)
        }
        return writer.body(sede: request.sede, epoch: request.epoch, fromSeq: request.fromSeq, toSeq: request.toSeq,
                           epochStart: request.epochStart, schemaVersion: request.schemaVersion)
    }

    @Test func pushBatchWrittenByHandReadsBackWithCodable() throws {
        let request = Self.pushRequest
        let decoded = try SyncCoding.decoder().decode(PushRequest.self, from: try Self.handWrittenPush(request))
        #expect(decoded == request)
        var noStart = request
        noStart.epochStart = nil
        #expect(try SyncCoding.decoder().decode(PushRequest.self, from: try Self.handWrittenPush(noStart)) == noStart)
    }

    /// `ReceivedPush.parse` (central) reads both the hand-written body and the Codable one alike.
    @Test func receivedPushReadsHandWrittenAndCodableBodies() throws {
        let request = Self.pushRequest
        for (name, body) in [("a mano", try Self.handWrittenPush(request)), ("Codable", try SyncCoding.encoder().encode(request))] {
            let push = try ReceivedPush.parse(body)
            #expect(push.sede == request.sede && push.epoch == request.epoch, "\(name)")
            #expect(push.fromSeq == request.fromSeq && push.toSeq == request.toSeq && push.epochStart == request.epochStart, "\(name)")
            #expect(push.schemaVersion == request.schemaVersion, "\(name)")
            #expect(push.entries.count == request.entries.count, "\(name)")
            for (got, sent) in zip(push.entries, request.entries) {
                #expect(got.seq == sent.seq && got.txID == sent.txID && got.hlc == sent.hlc, "\(name) \(sent.seq)")
                #expect(got.tbl == sent.tbl && got.rowID == sent.rowID && got.op == sent.op && got.userID == sent.userID, "\(name) \(sent.seq)")
                #expect(try Self.decodeCols(got.colsJSON) == sent.cols, "\(name) \(sent.seq)")
                #expect(got.declaredSede == sent.cols?["sede_id"], "\(name) \(sent.seq)")
                // The entry's text as received is itself a JSON entry with the same values.
                let again = try SyncCoding.decoder().decode(JournalEntry.self, from: Data(push.receivedJSON(got).utf8))
                #expect(again == sent, "\(name) \(sent.seq)")
            }
            if name == "a mano" {
                for (i, got) in push.entries.enumerated() {
                    #expect(try got.prevJSON.map { try SyncCoding.decoder().decode([String: Int64].self, from: Data($0.utf8)) } == Self.prev(i))
                }
            }
        }
    }

    static var pullResponse: PullResponse {
        let changes = journalEntries.enumerated().map { i, e in
            PulledChange(cseq: Int64(i) + 41, origin: i == 0 ? nil : Self.texts[i], originEpoch: i == 0 ? nil : "e\(i)", txID: e.txID, hlc: e.hlc,
                         tbl: e.tbl, rowID: e.rowID, op: e.op, cols: e.cols, dataClass: e.dataClass ?? .shared, prev: prev(i))
        }
        var page = PullResponse(after: 40, nextAfter: 44, hasMore: true, changes: changes, serverTimeMs: Int64.max, nextCheck: Int64.min)
        page.ackedThrough = 7
        return page
    }

    /// The page as central writes it (`PullPage.json`).
    static func handWrittenPage(_ page: PullResponse) throws -> Data {
        let changes = try page.changes.map { c in
            PullPage.Change(cseq: c.cseq, origin: c.origin, originEpoch: c.originEpoch, txID: c.txID, hlc: c.hlc, tbl: c.tbl, rowID: c.rowID,
                            op: c.op, colsJSON: c.cols.map(JSONText.object), dataClass: c.dataClass.rawValue,
                            prevJSON: try c.prev.map { String(decoding: try SyncCoding.encoder().encode($0), as: UTF8.self) })
        }
        return PullPage(after: page.after, nextAfter: page.nextAfter, hasMore: page.hasMore, changes: changes, nextCheck: page.nextCheck,
                        ackedThrough: page.ackedThrough).json(serverTimeMs: page.serverTimeMs)
    }

    @Test func pullPageWrittenByHandReadsBackWithCodableAndWithParse() throws {
        let page = Self.pullResponse
        let body = try Self.handWrittenPage(page)
        #expect(try SyncCoding.decoder().decode(PullResponse.self, from: body) == page)
        #expect(try PullResponse.parse(body) == page)
        var empty = PullResponse(after: 0, nextAfter: 0, hasMore: false, changes: [], serverTimeMs: -1, nextCheck: nil)
        empty.ackedThrough = nil
        #expect(try PullResponse.parse(try Self.handWrittenPage(empty)) == empty)
        #expect(try SyncCoding.decoder().decode(PullResponse.self, from: try Self.handWrittenPage(empty)) == empty)
    }

    /// `PullResponse.parse` (the sede) reads what `JSONEncoder` writes as `JSONDecoder` does.
    @Test func pullResponseParseReadsCodableBodies() throws {
        let page = Self.pullResponse
        let body = try SyncCoding.encoder().encode(page)
        #expect(try PullResponse.parse(body) == page)
        #expect(try PullResponse.parse(body) == SyncCoding.decoder().decode(PullResponse.self, from: body))
    }

    /// Each hostile scalar alone, written by `JSONText` and read by both readers.
    @Test func everyScalarRoundTripsThroughJSONText() throws {
        for value in Self.scalars {
            let text = JSONText.object(["v": value])
            #expect(try SyncCoding.decoder().decode([String: SQLValue].self, from: Data(text.utf8)) == ["v": value], "\(text)")
            #expect(try JSONReader.read(Data(text.utf8)) { try $0.readScalarObject() } == ["v": value], "\(text)")
        }
    }
}
