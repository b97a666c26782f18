import Foundation

/// One page of central's log for one sede, with each change's columns as stored (JSON text),
/// written out by hand: the wire form of `PullResponse`.
public struct PullPage: Sendable {
    public struct Change: Sendable {
        public var cseq: Int64
        public var origin: String?
        public var originEpoch: String?
        public var txID: Int64
        public var hlc: Int64
        public var tbl: String
        public var rowID: String
        public var op: String
        /// The columns as stored: JSON text central vouched for when it took the push.
        public var colsJSON: String?
        public var dataClass: String
        public var prevJSON: String?

        public init(cseq: Int64, origin: String?, originEpoch: String?, txID: Int64, hlc: Int64, tbl: String, rowID: String,
                    op: String, colsJSON: String?, dataClass: String, prevJSON: String?) {
            self.cseq = cseq; self.origin = origin; self.originEpoch = originEpoch; self.txID = txID; self.hlc = hlc
            self.tbl = tbl; self.rowID = rowID; self.op = op; self.colsJSON = colsJSON; self.dataClass = dataClass; self.prevJSON = prevJSON
        }
    }
    public var after: Int64
    public var nextAfter: Int64
    public var hasMore: Bool
    public var changes: [Change]
    /// HLC of the change at `nextAfter`.
    public var nextCheck: Int64?
    /// What central holds of the sede's journal in its epoch.
    public var ackedThrough: Int64?

    public init(after: Int64, nextAfter: Int64, hasMore: Bool, changes: [Change], nextCheck: Int64?, ackedThrough: Int64?) {
        self.after = after; self.nextAfter = nextAfter; self.hasMore = hasMore; self.changes = changes
        self.nextCheck = nextCheck; self.ackedThrough = ackedThrough
    }

    public func json(serverTimeMs: Int64) -> Data {
        var out = "{\"after\":\(after),\"next_after\":\(nextAfter),\"has_more\":\(hasMore),\"next_check\":\(nextCheck.map(String.init) ?? "null"),\"acked_through\":\(ackedThrough.map(String.init) ?? "null"),\"server_time_ms\":\(serverTimeMs),\"changes\":["
        out.reserveCapacity(changes.count * 420)
        for (i, c) in changes.enumerated() {
            if i > 0 { out += "," }
            out += "{\"cseq\":\(c.cseq),\"origin\":\(JSONText.quoteOrNull(c.origin)),\"origin_epoch\":\(JSONText.quoteOrNull(c.originEpoch)),"
            out += "\"tx_id\":\(c.txID),\"hlc\":\(c.hlc),\"tbl\":\(JSONText.quote(c.tbl)),\"row_id\":\(JSONText.quote(c.rowID)),"
            out += "\"op\":\(JSONText.quote(c.op)),\"cols\":\(c.colsJSON ?? "null"),\"data_class\":\(JSONText.quote(c.dataClass)),\"prev\":\(c.prevJSON ?? "null")}"
        }
        out += "]}"
        return Data(out.utf8)
    }
}
