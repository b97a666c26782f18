import Foundation

/// A push body (`POST /v1/sync/push`, the wire form of `PushRequest`) as central reads it: the
/// framing decoded, each entry's `cols` kept as the exact JSON text received, after checking it is
/// an object of scalars, so central stores it and splices it into pull pages as is.
public struct ReceivedPush: Sendable {
    public struct Entry: Sendable {
        public var seq: Int64
        public var txID: Int64
        public var hlc: Int64
        public var tbl: String
        public var rowID: String
        public var op: String
        /// `cols` as received; nil when absent or null.
        public var colsJSON: String?
        public var userID: String?
        /// `cols.sede_id`: the sede a sede-owned row says it belongs to.
        public var declaredSede: SQLValue?
        /// `cols.to_sede_id` (`addressColumn`).
        public var addressedTo: SQLValue?
        /// `prev` as received (an object of HLCs: what the writer had seen of each column it overwrote); nil when absent.
        public var prevJSON: String?
        /// Where the entry's text lies in the body.
        var span: Range<Int>
    }

    public var sede: String
    public var epoch: String
    public var fromSeq: Int64
    public var toSeq: Int64
    /// The first seq of this epoch at the sede (`epoch_start`; 1 when absent): where central that
    /// has no record of the epoch asks the sede to start, so nothing it pushed before is assumed stored.
    public var epochStart: Int64?
    public var schemaVersion: Int
    public var entries: [Entry]
    let body: Data

    /// `sede:epoch:from-to`, as `PushRequest.idempotencyKey`.
    public var idempotencyKey: String { "\(sede):\(epoch):\(fromSeq)-\(toSeq)" }

    /// The entry's JSON exactly as the sede sent it.
    public func receivedJSON(_ entry: Entry) -> String {
        String(decoding: body[body.startIndex + entry.span.lowerBound..<body.startIndex + entry.span.upperBound], as: UTF8.self)
    }

    /// Reads a body with the same rules `JSONDecoder` applies to `PushRequest` (required keys,
    /// unknown keys ignored), except that `cols` must be an object of scalars. An entry's
    /// `data_class` is not read: central classifies tables from its own list only.
    public static func parse(_ body: Data) throws -> ReceivedPush {
        try JSONReader.read(body) { r in
            var sede: String?, epoch: String?, fromSeq: Int64?, toSeq: Int64?, epochStart: Int64?, schemaVersion: Int64?, entries: [Entry]?
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "sede": sede = try r.readString()
                case "epoch": epoch = try r.readString()
                case "from_seq": fromSeq = try r.readInt64()
                case "to_seq": toSeq = try r.readInt64()
                case "epoch_start": epochStart = try r.readInt64OrNull()
                case "schema_version": schemaVersion = try r.readInt64()
                case "entries": entries = try readEntries(&r)
                default: try r.skipValue()
                }
            }
            guard let sede, let epoch, let fromSeq, let toSeq, let schemaVersion, let entries,
                  let version = Int(exactly: schemaVersion) else {
                throw JSONReader.Failure(message: "faltan campos del lote", offset: r.offset)
            }
            return ReceivedPush(sede: sede, epoch: epoch, fromSeq: fromSeq, toSeq: toSeq, epochStart: epochStart, schemaVersion: version, entries: entries, body: body)
        }
    }

    /// The column a sede-owned row names its sede in.
    public static let ownerColumn = "sede_id"
    /// Sede-owned rows addressed to another sede name it in this column.
    public static let addressColumn = "to_sede_id"
    static let captured = [ownerColumn, addressColumn]

    static func readEntries(_ r: inout JSONReader) throws -> [Entry] {
        var entries: [Entry] = []
        try r.beginArray()
        while try r.nextElement() {
            let start = r.offset
            var seq: Int64?, txID: Int64?, hlc: Int64?, tbl: String?, rowID: String?, op: String?
            var cols: (text: String, captured: [SQLValue?])?, userID: String?, prev: String?
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "seq": seq = try r.readInt64()
                case "tx_id": txID = try r.readInt64()
                case "hlc": hlc = try r.readInt64()
                case "tbl": tbl = try r.readString()
                case "row_id": rowID = try r.readString()
                case "op": op = try r.readString()
                case "cols": cols = try r.readNull() ? nil : try r.scalarObjectText(capture: captured)
                case "user_id": userID = try r.readStringOrNull()
                case "prev": prev = try r.readNull() ? nil : try r.scalarObjectText(capture: []).text
                default: try r.skipValue()
                }
            }
            guard let seq, let txID, let hlc, let tbl, let rowID, let op else {
                throw JSONReader.Failure(message: "faltan campos de la entrada", offset: r.offset)
            }
            entries.append(Entry(seq: seq, txID: txID, hlc: hlc, tbl: tbl, rowID: rowID, op: op, colsJSON: cols?.text, userID: userID,
                                 declaredSede: cols?.captured[0], addressedTo: cols?.captured[1], prevJSON: prev, span: start..<r.offset))
        }
        return entries
    }
}
