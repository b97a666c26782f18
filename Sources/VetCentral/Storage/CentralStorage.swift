import Foundation
import VetCore
import VetProtocol

/// A sede as central knows it (central data, pulled by every sede).
public struct CentralSede: Sendable, Equatable, Codable {
    public var id: String
    public var code: String
    public var name: String
    public var active: Bool
    public var revoked: Bool
    /// `clinica`, or `almacen` for the central warehouse that replenishes the clinics.
    public var kind: String = "clinica"
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

    func addSede(id: String, code: String, name: String, kind: String, tokenHash: String, nowText: String) async throws
    func listSedes() async throws -> [CentralSede]
    func revokeSede(code: String, nowText: String) async throws
    func addUser(id: String, username: String, fullName: String, passHash: String, roles: [(roleID: String, sedeCode: String, role: String)], nowText: String) async throws
    func listUsers() async throws -> [CentralUser]
    /// Appends central's own writes (admin commands) to the log as one transaction with one HLC
    /// tick, folding them into the read model in the same database transaction. Every table must be
    /// of class central (`not_central_data`, 400, otherwise). With `unchangedSince`, nothing is
    /// written and `central_data_changed` (409) is thrown if any row of those tables changed after
    /// that version: a command that read, decided and then lost a race to another writes nothing.
    func appendCentral(_ writes: [CentralWrite], nowText: String, unchangedSince: ReadVersion?) async throws
    /// The read model's version of `tables`: the log position of the newest change any of their
    /// rows took (0: none yet).
    func readVersion(_ tables: [String]) async throws -> ReadVersion
    /// Current rows of one table from the read model (`current_rows`, a fold of the log kept in
    /// each push transaction), by `row_id`.
    func currentRows(_ query: RowQuery) async throws -> [CurrentRow]
    /// The log from `after` on, in cseq order, at most `limit` changes.
    func log(after: Int64, limit: Int) async throws -> [CentralLogEntry]
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

/// One write of central data by an admin command: an insert (every column), an update (the
/// columns that change) or a delete of one row.
public struct CentralWrite: Sendable, Equatable {
    public enum Operation: String, Sendable { case insert = "I", update = "U", delete = "D" }
    public var table: String
    public var rowID: String
    public var operation: Operation
    public var cols: [String: SQLValue]?

    public static func insert(_ table: String, _ cols: [String: SQLValue]) -> CentralWrite {
        CentralWrite(table: table, rowID: cols["id"]?.text ?? "", operation: .insert, cols: cols)
    }
    public static func update(_ table: String, id: String, _ cols: [String: SQLValue]) -> CentralWrite {
        CentralWrite(table: table, rowID: id, operation: .update, cols: cols)
    }
    public static func delete(_ table: String, id: String) -> CentralWrite {
        CentralWrite(table: table, rowID: id, operation: .delete, cols: nil)
    }
}

/// Some tables of the read model as of one log position (see `CentralStorage.readVersion`).
public struct ReadVersion: Sendable, Equatable {
    public var tables: [String]
    public var cseq: Int64
    public init(tables: [String], cseq: Int64) { self.tables = tables; self.cseq = cseq }
}

/// One change of central's log.
public struct CentralLogEntry: Sendable, Equatable {
    public var cseq: Int64
    public var origin: String?
    public var hlc: Int64
    public var tbl: String
    public var rowID: String
    public var op: String
    public var colsJSON: String?
    public var dataClass: String
    public var ownerSede: String?
}

/// Shared helpers for both backends.
enum CentralRules {
    static let sharedClasses: [String: DataClass] = [
        "sedes": .central, "users": .central, "user_roles": .central,
        "login_events": .sede, "owners": .shared, "pets": .shared,
    ]

    static let cursorMismatch = CentralError(409, "cursor_mismatch",
        "La central no tiene el cambio en el que quedó esta sede (fue restaurada desde un respaldo): la sede debe volver a traer el registro completo")

    static func ownerKey(_ tbl: String, _ rowID: String) -> String { tbl + "\u{1}" + rowID }

    /// Central's own writes (admin commands) as log entries.
    static func centralChange(tbl: String, rowID: String, op: String, cols: [String: SQLValue]?, hlc: Int64) -> LoggedChange {
        LoggedChange(origin: nil, originEpoch: nil, originSeq: nil, txID: 0, hlc: hlc, tbl: tbl, rowID: rowID, op: op,
                            colsJSON: cols.map(JSONText.object), userID: nil, dataClass: .central, ownerSede: nil, addressedTo: nil)
    }

    static let centralDataChanged = CentralError(409, "central_data_changed",
        "Los datos centrales cambiaron mientras se preparaba esta operación (otra persona los modificó): vuelva a ejecutarla")

    /// `writes` as log changes, after checking each is a well-formed write of a central table.
    static func centralChanges(_ writes: [CentralWrite], classes: [String: DataClass], hlc: Int64) throws -> [LoggedChange] {
        try writes.map { write in
            guard classes[write.table] == .central else {
                throw CentralError(400, "not_central_data", "La tabla \(write.table) no es de datos centrales: la central no la escribe")
            }
            guard !write.rowID.isEmpty, write.operation == .delete || write.cols != nil else {
                throw CentralError(400, "invalid_write", "Escritura central sin id o sin columnas en \(write.table)")
            }
            return centralChange(tbl: write.table, rowID: write.rowID, op: write.operation.rawValue, cols: write.cols, hlc: hlc)
        }
    }
}
