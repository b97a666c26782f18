import GRDB
import VetCore

/// A journal entry central refused (or a pulled change this sede could not apply), for review.
public struct SyncRejectRow: Sendable, Equatable {
    public var at: String
    public var tbl: String
    public var rowID: String
    public var code: String
    public var message: String
}

/// A value that lost a last-writer-wins merge, kept in `conflict_log`.
public struct ConflictRow: Sendable, Equatable {
    public var at: String
    public var tbl: String
    public var rowID: String
    public var col: String
    public var keptValue: String?
    public var lostValue: String?
}

extension SedeStore {
    /// Newest first, at most `limit`.
    public func syncRejects(limit: Int = 500) throws -> [SyncRejectRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT at, tbl, row_id, code, message FROM sync_rejects ORDER BY at DESC LIMIT ?", arguments: [limit]).map {
                SyncRejectRow(at: $0["at"], tbl: $0["tbl"], rowID: $0["row_id"], code: $0["code"], message: $0["message"])
            }
        }
    }

    /// Newest first, at most `limit`.
    public func conflicts(limit: Int = 500) throws -> [ConflictRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT at, tbl, row_id, col, kept_value, lost_value FROM conflict_log ORDER BY at DESC LIMIT ?", arguments: [limit]).map {
                ConflictRow(at: $0["at"], tbl: $0["tbl"], rowID: $0["row_id"], col: $0["col"], keptValue: $0["kept_value"], lostValue: $0["lost_value"])
            }
        }
    }
}
