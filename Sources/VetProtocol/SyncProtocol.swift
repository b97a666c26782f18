import Foundation

/// Who may write the rows of a table, and who receives them (DESIGN.md §3).
public enum DataClass: String, Codable, Sendable, CaseIterable {
    /// Any sede writes; every sede receives (per-column last writer wins).
    case shared
    /// The sede its `sede_id` names writes; only that sede and the one it is addressed to receive.
    case sede
    /// Central writes; every sede receives.
    case central
    /// The sede its `sede_id` names writes (as `sede`); every sede receives.
    case network

    /// Whether one sede, named in the row's `sede_id`, owns the row and is its only writer.
    public var isSedeOwned: Bool { self == .sede || self == .network }

    /// A table's name as both sides' lists spell it (lowercase). SQLite matches table names without
    /// regard to ASCII case, so `USERS` or `Sync_Config` name `users` and `sync_config`; other
    /// characters are left alone, as SQLite leaves them.
    public static func canonicalTableName(_ name: String) -> String {
        String(decoding: name.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }
}

/// One column value as SQLite stores it: null, integer, real or text.
public enum SQLValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Text first: it is the common case, and every failed attempt costs a thrown error.
        if c.decodeNil() { self = .null; return }
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        self = .int(try c.decode(Bool.self) ? 1 : 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .text(let s): try c.encode(s)
        }
    }

    public var text: String? { if case .text(let s) = self { s } else { nil } }

    /// The value as JSON text (`null`, `12`, `"abc"`), as stored in `conflict_log`.
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .text(let s): JSONText.quote(s)
        }
    }

    public var description: String { jsonText }
}

/// A journal entry as pushed by a sede: one row change of one local transaction.
public struct JournalEntry: Codable, Sendable, Equatable {
    public var seq: Int64
    public var txID: Int64
    public var hlc: Int64
    public var tbl: String
    public var rowID: String
    /// `I`, `U` or `D`.
    public var op: String
    /// New values: every column for `I`, the changed ones for `U`, nil for `D`.
    public var cols: [String: SQLValue]?
    public var userID: String?
    /// The data class the sede's schema gives the table, for people reading a batch: central
    /// classifies every table from its own list and never reads this.
    public var dataClass: DataClass?

    enum CodingKeys: String, CodingKey {
        case seq, hlc, tbl, op, cols
        case txID = "tx_id", rowID = "row_id", userID = "user_id", dataClass = "data_class"
    }

    public init(seq: Int64, txID: Int64, hlc: Int64, tbl: String, rowID: String, op: String,
                cols: [String: SQLValue]?, userID: String?, dataClass: DataClass?) {
        self.seq = seq; self.txID = txID; self.hlc = hlc; self.tbl = tbl; self.rowID = rowID
        self.op = op; self.cols = cols; self.userID = userID; self.dataClass = dataClass
    }
}

/// `POST /v1/sync/push`. Entries are the sede's journal from `fromSeq` to `toSeq`, whole transactions.
public struct PushRequest: Codable, Sendable, Equatable {
    public var sede: String
    public var epoch: String
    public var fromSeq: Int64
    public var toSeq: Int64
    /// The first seq of `epoch` in the sede's journal. Central that has no record of the epoch
    /// (it was restored from before the epoch's first push) answers `seq_gap` with this seq, so the
    /// sede sends the whole epoch again; absent means 1.
    public var epochStart: Int64?
    public var schemaVersion: Int
    public var entries: [JournalEntry]

    enum CodingKeys: String, CodingKey {
        case sede, epoch, entries
        case fromSeq = "from_seq", toSeq = "to_seq", epochStart = "epoch_start", schemaVersion = "schema_version"
    }

    public init(sede: String, epoch: String, fromSeq: Int64, toSeq: Int64, epochStart: Int64? = nil, schemaVersion: Int, entries: [JournalEntry]) {
        self.sede = sede; self.epoch = epoch; self.fromSeq = fromSeq; self.toSeq = toSeq; self.epochStart = epochStart
        self.schemaVersion = schemaVersion; self.entries = entries
    }

    /// `sede:epoch:from-to`: the same batch always carries the same key.
    public var idempotencyKey: String { "\(sede):\(epoch):\(fromSeq)-\(toSeq)" }
}

/// One journal entry central refused. It is kept by the sede for a supervisor and never retried.
public struct PushReject: Codable, Sendable, Equatable {
    public var seq: Int64
    public var tbl: String
    public var rowID: String
    /// HTTP-like status of the refusal: 403 (not this sede's to write), 422 (invalid).
    public var status: Int
    public var code: String
    public var message: String

    enum CodingKeys: String, CodingKey {
        case seq, tbl, status, code, message
        case rowID = "row_id"
    }

    public init(seq: Int64, tbl: String, rowID: String, status: Int, code: String, message: String) {
        self.seq = seq; self.tbl = tbl; self.rowID = rowID; self.status = status; self.code = code; self.message = message
    }
}

public struct PushResponse: Codable, Sendable, Equatable {
    public var ackedThrough: Int64
    public var rejects: [PushReject]
    public var serverTimeMs: Int64

    enum CodingKeys: String, CodingKey {
        case rejects
        case ackedThrough = "acked_through", serverTimeMs = "server_time_ms"
    }

    public init(ackedThrough: Int64, rejects: [PushReject], serverTimeMs: Int64) {
        self.ackedThrough = ackedThrough; self.rejects = rejects; self.serverTimeMs = serverTimeMs
    }
}

/// One change in central's log, as a sede pulls it.
public struct PulledChange: Codable, Sendable, Equatable {
    /// Central's gapless sequence: the pull cursor.
    public var cseq: Int64
    /// The sede that wrote it; nil for central's own writes.
    public var origin: String?
    public var originEpoch: String?
    public var txID: Int64
    public var hlc: Int64
    public var tbl: String
    public var rowID: String
    public var op: String
    public var cols: [String: SQLValue]?
    public var dataClass: DataClass
    /// What the writer had seen when it wrote: for each column it overwrote, the HLC of the
    /// version it held (a delete: the row's newest, key ""). Nil when unknown.
    public var prev: [String: Int64]?

    enum CodingKeys: String, CodingKey {
        case cseq, origin, hlc, tbl, op, cols, prev
        case originEpoch = "origin_epoch", txID = "tx_id", rowID = "row_id", dataClass = "data_class"
    }

    public init(cseq: Int64, origin: String?, originEpoch: String?, txID: Int64, hlc: Int64, tbl: String, rowID: String,
                op: String, cols: [String: SQLValue]?, dataClass: DataClass, prev: [String: Int64]? = nil) {
        self.cseq = cseq; self.origin = origin; self.originEpoch = originEpoch; self.txID = txID; self.hlc = hlc
        self.tbl = tbl; self.rowID = rowID; self.op = op; self.cols = cols; self.dataClass = dataClass; self.prev = prev
    }
}

/// `GET /v1/sync/pull?after=N&epoch=E`: the changes after cursor `after` this sede may see.
/// `nextAfter` is the cursor to save with the page; it may pass changes the sede is not sent.
public struct PullResponse: Codable, Sendable, Equatable {
    public var after: Int64
    public var nextAfter: Int64
    public var hasMore: Bool
    public var changes: [PulledChange]
    public var serverTimeMs: Int64
    /// The HLC of central's change at `nextAfter`, to send back as `check` with the next pull.
    public var nextCheck: Int64?
    /// What central holds of this sede's journal in the epoch given; a sede that believes it
    /// pushed more (central was restored) pushes again from here.
    public var ackedThrough: Int64?

    enum CodingKeys: String, CodingKey {
        case after, changes
        case nextAfter = "next_after", hasMore = "has_more", serverTimeMs = "server_time_ms", nextCheck = "next_check"
        case ackedThrough = "acked_through"
    }

    public init(after: Int64, nextAfter: Int64, hasMore: Bool, changes: [PulledChange], serverTimeMs: Int64, nextCheck: Int64? = nil) {
        self.after = after; self.nextAfter = nextAfter; self.hasMore = hasMore; self.changes = changes
        self.serverTimeMs = serverTimeMs; self.nextCheck = nextCheck
    }
}

extension PullResponse {
    /// Reads a pull page with `JSONReader`: the same values `JSONDecoder` gives (required keys,
    /// unknown keys ignored), with each change's `cols` read as an object of scalars.
    public static func parse(_ data: Data) throws -> PullResponse {
        try JSONReader.read(data) { r in
            var after: Int64?, nextAfter: Int64?, hasMore: Bool?, changes: [PulledChange]?, serverTimeMs: Int64?
            var nextCheck: Int64?, ackedThrough: Int64?
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "after": after = try r.readInt64()
                case "next_after": nextAfter = try r.readInt64()
                case "has_more": hasMore = try r.readBool()
                case "server_time_ms": serverTimeMs = try r.readInt64()
                case "next_check": nextCheck = try r.readInt64OrNull()
                case "acked_through": ackedThrough = try r.readInt64OrNull()
                case "changes": changes = try readChanges(&r)
                default: try r.skipValue()
                }
            }
            guard let after, let nextAfter, let hasMore, let changes, let serverTimeMs else {
                throw JSONReader.Failure(message: "faltan campos de la página", offset: r.offset)
            }
            var page = PullResponse(after: after, nextAfter: nextAfter, hasMore: hasMore, changes: changes, serverTimeMs: serverTimeMs, nextCheck: nextCheck)
            page.ackedThrough = ackedThrough
            return page
        }
    }

    static func readChanges(_ r: inout JSONReader) throws -> [PulledChange] {
        var changes: [PulledChange] = []
        try r.beginArray()
        while try r.nextElement() {
            var cseq: Int64?, origin: String?, originEpoch: String?, txID: Int64?, hlc: Int64?, tbl: String?, rowID: String?, op: String?
            var cols: [String: SQLValue]?, dataClass: DataClass?, prev: [String: Int64]?
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "cseq": cseq = try r.readInt64()
                case "origin": origin = try r.readStringOrNull()
                case "origin_epoch": originEpoch = try r.readStringOrNull()
                case "tx_id": txID = try r.readInt64()
                case "hlc": hlc = try r.readInt64()
                case "tbl": tbl = try r.readString()
                case "row_id": rowID = try r.readString()
                case "op": op = try r.readString()
                case "cols": cols = try r.readNull() ? nil : try r.readScalarObject()
                case "prev":
                    prev = try r.readNull() ? nil : try r.readScalarObject().compactMapValues { if case .int(let i) = $0 { i } else { nil } }
                case "data_class":
                    let name = try r.readString()
                    guard let known = DataClass(rawValue: name) else { throw JSONReader.Failure(message: "data_class desconocida", offset: r.offset) }
                    dataClass = known
                default: try r.skipValue()
                }
            }
            guard let cseq, let txID, let hlc, let tbl, let rowID, let op, let dataClass else {
                throw JSONReader.Failure(message: "faltan campos del cambio", offset: r.offset)
            }
            changes.append(PulledChange(cseq: cseq, origin: origin, originEpoch: originEpoch, txID: txID, hlc: hlc, tbl: tbl, rowID: rowID,
                                        op: op, cols: cols, dataClass: dataClass, prev: prev))
        }
        return changes
    }
}

/// `GET /v1/sync/hello`: who the token belongs to, as central knows it.
public struct HelloResponse: Codable, Sendable, Equatable {
    public var sedeID: String
    public var code: String
    public var name: String
    public var serverTimeMs: Int64

    enum CodingKeys: String, CodingKey {
        case code, name
        case sedeID = "sede_id", serverTimeMs = "server_time_ms"
    }

    public init(sedeID: String, code: String, name: String, serverTimeMs: Int64) {
        self.sedeID = sedeID; self.code = code; self.name = name; self.serverTimeMs = serverTimeMs
    }
}

/// Every error body central sends: a stable `code` and a Spanish `message` to show as is.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    /// On 409 `seq_gap`: the first seq central expects.
    public var expectedSeq: Int64?

    enum CodingKeys: String, CodingKey {
        case code, message
        case expectedSeq = "expected_seq"
    }

    public init(code: String, message: String, expectedSeq: Int64? = nil) {
        self.code = code; self.message = message; self.expectedSeq = expectedSeq
    }
}

public enum SyncCoding {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }
    public static func decoder() -> JSONDecoder { JSONDecoder() }
}

/// Hand-written JSON for the hot paths (batches and pages of thousands of entries).
public enum JSONText {
    /// `s` as a JSON string literal.
    public static func quote(_ s: String) -> String {
        // Most texts (ids, names, dates) need no escape: copy them whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    public static func quoteOrNull(_ s: String?) -> String { s.map { quote($0) } ?? "null" }

    /// Column values as a JSON object, keys sorted.
    public static func object(_ cols: [String: SQLValue]) -> String {
        "{" + cols.keys.sorted().map { quote($0) + ":" + value(cols[$0]!) }.joined(separator: ",") + "}"
    }

    static func value(_ v: SQLValue) -> String {
        switch v {
        case .null: "null"
        case .int(let i): String(i)
        case .double(let d): d.isFinite ? String(d) : "null"
        case .text(let s): quote(s)
        }
    }
}
