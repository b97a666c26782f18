import Foundation

/// A push body (`POST /v1/sync/push`, the wire form of `PushRequest`) written by hand, so each
/// entry's `cols` and `prev` go out exactly as the sede's journal stores them (JSON text).
public struct PushBodyWriter {
    private var entries = ""
    public private(set) var count = 0

    public init(capacity: Int) { entries.reserveCapacity(capacity * 400) }

    /// Appends one journal entry; `colsJSON` and `prevJSON` are JSON objects (or nil), spliced as is.
    public mutating func append(seq: Int64, txID: Int64, hlc: Int64, tbl: String, rowID: String, op: String,
                                colsJSON: String?, userID: String?, dataClass: String?, prevJSON: String?) {
        if count > 0 { entries += "," }
        entries += "{\"seq\":\(seq),\"tx_id\":\(txID),\"hlc\":\(hlc),\"tbl\":\(JSONText.quote(tbl)),"
        entries += "\"row_id\":\(JSONText.quote(rowID)),\"op\":\(JSONText.quote(op)),"
        entries += "\"cols\":\(colsJSON ?? "null"),\"user_id\":\(JSONText.quoteOrNull(userID)),"
        entries += "\"data_class\":\(JSONText.quoteOrNull(dataClass)),\"prev\":\(prevJSON ?? "null")}"
        count += 1
    }

    /// The whole body: the batch's framing and the entries appended.
    public func body(sede: String, epoch: String, fromSeq: Int64, toSeq: Int64, epochStart: Int64?, schemaVersion: Int) -> Data {
        let head = "{\"sede\":\(JSONText.quote(sede)),\"epoch\":\(JSONText.quote(epoch)),\"from_seq\":\(fromSeq),\"to_seq\":\(toSeq),"
            + "\"epoch_start\":\(epochStart.map(String.init) ?? "null"),"
            + "\"schema_version\":\(schemaVersion),\"entries\":["
        return Data((head + entries + "]}").utf8)
    }
}
