import Foundation
import VetCore
import VetSync

/// A sede as central knows it (central data, pulled by every sede).
public struct CentralSede: Sendable, Equatable, Codable {
    public var id: String
    public var code: String
    public var name: String
    public var active: Bool
    public var revoked: Bool
}

/// A central user with roles per sede.
public struct CentralUser: Sendable, Equatable, Codable {
    public var id: String
    public var username: String
    public var fullName: String
    public var roles: [String]
}

/// The outcome of one push, as the route answers it.
public enum PushOutcome: Sendable {
    case stored(PushResponse)
    /// 409: the batch starts after what central holds; `expected` is the first seq it needs.
    case gap(expected: Int64)
    /// 409: central holds other entries under these seqs (the sede was restored without a new epoch).
    case epochConflict
}

/// Why a central operation failed; `message` is Spanish.
public struct CentralError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public init(_ status: Int, _ code: String, _ message: String) { self.status = status; self.code = code; self.message = message }
    public var description: String { message }
}

/// Central's storage: the same operations on embedded SQLite or on a shared PostgreSQL.
///
/// Guarantees of every backend: `cseq` is gapless and a change with a higher `cseq` is never
/// visible before a lower one; a sede's pushes are serialized; a push is stored whole or not at all.
public protocol CentralStorage: Sendable {
    /// The sede the token belongs to, or nil if unknown or revoked.
    func authenticate(tokenHash: String) async throws -> CentralSede?
    func push(sede: String, request: ReceivedPush, nowMs: Int64) async throws -> PushOutcome
    /// Throws `cursor_mismatch` (409) when `check` is given and the change at `after` is not the
    /// one the sede saw there (central was restored from a backup).
    func pull(sede: String, epoch: String, after: Int64, check: Int64?, limit: Int) async throws -> PullPage

    func addSede(id: String, code: String, name: String, tokenHash: String, nowText: String) async throws
    func listSedes() async throws -> [CentralSede]
    func revokeSede(code: String, nowText: String) async throws
    func addUser(id: String, username: String, fullName: String, passHash: String, roles: [(roleID: String, sedeCode: String, role: String)], nowText: String) async throws
    func listUsers() async throws -> [CentralUser]
    /// The log rows a sede's calendar feed folds, in cseq order: that sede's `appointments` and
    /// `rooms`, every `pets` and `owners` change, and any `appointment_types` change central made.
    func calendarChanges(sedeID: String) async throws -> [CalendarLogRow]
    /// Stores a read-only calendar subscription token (its hash) for one user at one sede.
    func addCalendarToken(tokenHash: String, sedeID: String, userID: String, nowText: String) async throws
    /// The sede and user a calendar token reads, or nil if unknown, revoked or its sede inactive.
    func calendarSubscription(tokenHash: String) async throws -> (sedeID: String, userID: String)?
    /// Revokes every calendar token of one user at one sede; returns how many were active.
    func revokeCalendarTokens(sedeID: String, userID: String, nowText: String) async throws -> Int
    /// Counts for `/metrics`: changes in the log and push rejects stored.
    func counts() async throws -> (changes: Int64, rejects: Int64)
    func close() async throws
}

/// One change of central's log as the calendar feed reads it.
public struct CalendarLogRow: Sendable, Equatable {
    public var tbl: String
    public var rowID: String
    public var op: String
    public var colsJSON: String?
    public var hlc: Int64
    public var origin: String?
    public init(tbl: String, rowID: String, op: String, colsJSON: String?, hlc: Int64, origin: String?) {
        self.tbl = tbl; self.rowID = rowID; self.op = op; self.colsJSON = colsJSON; self.hlc = hlc; self.origin = origin
    }
}

/// Shared helpers for both backends.
enum CentralRules {
    static let sharedClasses: [String: DataClass] = [
        "sedes": .central, "users": .central, "user_roles": .central,
        "login_events": .sede, "owners": .shared, "pets": .shared,
    ]

    static let cursorMismatch = CentralError(409, "cursor_mismatch",
        "La central no tiene el cambio en el que quedó esta sede (fue restaurada desde un respaldo): la sede debe volver a traer el registro completo")

    /// Same text on SQLite and PostgreSQL; the one argument is the sede id.
    static let calendarChangesSQL = """
        SELECT tbl, row_id, op, cols, hlc, origin FROM changes
        WHERE (tbl IN ('appointments', 'rooms') AND owner_sede = $1)
           OR tbl IN ('pets', 'owners') OR (tbl = 'appointment_types' AND origin IS NULL)
        ORDER BY cseq
        """

    static func ownerKey(_ tbl: String, _ rowID: String) -> String { tbl + "\u{1}" + rowID }

    /// Central's own writes (admin commands) as log entries.
    static func centralChange(tbl: String, rowID: String, op: String, cols: [String: SQLValue]?, hlc: Int64) -> LoggedChange {
        LoggedChange(origin: nil, originEpoch: nil, originSeq: nil, txID: 0, hlc: hlc, tbl: tbl, rowID: rowID, op: op,
                            colsJSON: cols.map(JSONText.object), userID: nil, dataClass: .central, ownerSede: nil, addressedTo: nil)
    }


}

/// One page of central's log for one sede, with each change's columns as stored (JSON text),
/// written out by hand: the wire form of `PullResponse`.
public struct PullPage: Sendable {
    public struct Change: Sendable {
        var cseq: Int64
        var origin: String?
        var originEpoch: String?
        var txID: Int64
        var hlc: Int64
        var tbl: String
        var rowID: String
        var op: String
        var colsJSON: String?
        var dataClass: String
        var prevJSON: String?
    }
    public var after: Int64
    public var nextAfter: Int64
    public var hasMore: Bool
    public var changes: [Change]
    /// HLC of the change at `nextAfter`.
    public var nextCheck: Int64?
    /// What central holds of the sede's journal in its epoch.
    public var ackedThrough: Int64?

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
