import Foundation
import VetProtocol

/// One row of central's read model (`current_rows`): a synced row as every sede holds it once it
/// has pulled the whole log, kept up to date inside each push transaction.
public struct CurrentRow: Sendable, Equatable {
    public var tbl: String
    public var rowID: String
    /// The row's columns (the last values it had, for a deleted row).
    public var cols: [String: SQLValue]
    /// The newest write the row took: its HLC and sede (nil: central).
    public var hlc: Int64
    public var origin: String?
    public var deleted: Bool
    public var dataClass: DataClass
    /// The sede a sede-owned row belongs to.
    public var ownerSede: String?
    /// The log position of the last change the row took (0: seeded by a migration).
    public var cseq: Int64

    public init(tbl: String, rowID: String, cols: [String: SQLValue], hlc: Int64, origin: String?, deleted: Bool,
                dataClass: DataClass, ownerSede: String?, cseq: Int64) {
        self.tbl = tbl; self.rowID = rowID; self.cols = cols; self.hlc = hlc; self.origin = origin; self.deleted = deleted
        self.dataClass = dataClass; self.ownerSede = ownerSede; self.cseq = cseq
    }
}

/// Which current rows to read: one table, optionally some ids, one owner sede and column values
/// (`cols[column] == value`, a missing column reading as null). Deleted rows only when asked.
public struct RowQuery: Sendable {
    public var table: String
    public var ids: [String]?
    public var ownerSede: String?
    public var equals: [String: SQLValue]
    public var includeDeleted: Bool

    public init(table: String, ids: [String]? = nil, ownerSede: String? = nil, equals: [String: SQLValue] = [:], includeDeleted: Bool = false) {
        self.table = table; self.ids = ids; self.ownerSede = ownerSede; self.equals = equals; self.includeDeleted = includeDeleted
    }

    /// The `equals` columns in a stable order, after checking each is a plain column name (they
    /// end up in a JSON path).
    func columns() throws -> [(name: String, value: SQLValue)] {
        try equals.keys.sorted().map { name in
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }) else {
                throw CentralError(400, "invalid_column", "Nombre de columna inválido: \(name)")
            }
            return (name, equals[name]!)
        }
    }
}

/// One change of the log as the read model folds it.
struct FoldChange: Sendable {
    var cseq: Int64
    var origin: String?
    var hlc: Int64
    var tbl: String
    var rowID: String
    var op: String
    var colsJSON: String?
    var dataClass: DataClass
    var ownerSede: String?
}

/// The read model's fold: the rule every sede applies to pulled changes (`RemoteApplier`,
/// DESIGN.md §3), so the current rows equal what a sede holds after pulling the whole log.
///
/// - Central and sede-owned rows (one writer each) take each change as it comes: an insert
///   creates the row (or overwrites the columns it names), an update overwrites the columns it
///   names of a live row, a delete removes it. An update of a row that is not there is ignored
///   (a sede rejects it).
/// - Shared rows merge per column, last writer wins on (HLC, sede), an equal version taking the
///   newer value (the later write of one transaction). A delete wins over every update, whatever
///   its HLC, and a deleted shared row takes no further change (ids are never reused).
/// - `id` is taken only from the insert that creates a row.
enum ReadModel {
    struct Version: Comparable {
        var hlc: Int64
        var sede: String
        static func < (a: Version, b: Version) -> Bool { (a.hlc, a.sede) < (b.hlc, b.sede) }
    }

    /// A row being folded: columns and versions stay as stored text until a change needs them.
    struct State {
        var tbl: String
        var rowID: String
        var colsText: String?
        var parsedCols: [String: SQLValue]?
        /// Shared rows: each column's version; "" is the creating insert's (every column it named),
        /// "*" the delete's. Stored as `{"col":[hlc,"sede"],…}`.
        var versionsText: String?
        var parsedVersions: [String: Version]?
        var hlc: Int64
        var origin: String?
        var deleted: Bool
        var dataClass: DataClass
        var ownerSede: String?
        var cseq: Int64

        mutating func cols() throws -> [String: SQLValue] {
            if let parsedCols { return parsedCols }
            let parsed = try colsText.map(ReadModel.parseCols) ?? [:]
            parsedCols = parsed
            return parsed
        }

        mutating func versions() throws -> [String: Version] {
            if let parsedVersions { return parsedVersions }
            let parsed = try versionsText.map(ReadModel.parseVersions) ?? [:]
            parsedVersions = parsed
            return parsed
        }

        /// The columns as JSON text to store.
        var storedCols: String { parsedCols.map(JSONText.object) ?? colsText ?? "{}" }
        var storedVersions: String? { parsedVersions.map(ReadModel.versionsJSON) ?? versionsText }

        mutating func stamp(_ change: FoldChange) {
            hlc = change.hlc
            origin = change.origin
            cseq = change.cseq
            if let owner = change.ownerSede { ownerSede = owner }
        }

        func row() throws -> CurrentRow {
            var copy = self
            return CurrentRow(tbl: tbl, rowID: rowID, cols: try copy.cols(), hlc: hlc, origin: origin, deleted: deleted,
                              dataClass: dataClass, ownerSede: ownerSede, cseq: cseq)
        }
    }

    static func key(_ tbl: String, _ rowID: String) -> String { tbl + "\u{1}" + rowID }

    /// Applies one change to a row's state (nil: never seen). Returns whether the state changed.
    static func apply(_ change: FoldChange, to state: inout State?) throws -> Bool {
        let incoming = Version(hlc: change.hlc, sede: change.origin ?? "")
        let shared = change.dataClass == .shared
        if change.op == "D" {
            guard var current = state else {
                state = State(tbl: change.tbl, rowID: change.rowID, colsText: "{}", versionsText: shared ? versionsJSON(["*": incoming]) : nil, hlc: change.hlc, origin: change.origin,
                              deleted: true, dataClass: change.dataClass, ownerSede: change.ownerSede, cseq: change.cseq)
                return true
            }
            if shared {
                var versions = try current.versions()
                if current.deleted {
                    // A second delete: the tombstone keeps the newest.
                    guard let held = versions["*"], incoming > held else { return false }
                }
                versions["*"] = incoming
                current.parsedVersions = versions
            } else if current.deleted {
                return false
            }
            current.deleted = true
            current.stamp(change)
            state = current
            return true
        }
        guard var current = state, !(current.deleted && !shared && change.op == "I") else {
            // A row new here (or, for one-writer rows, created again after a delete).
            guard change.op == "I" else { return false }
            state = State(tbl: change.tbl, rowID: change.rowID, colsText: change.colsJSON ?? "{}", versionsText: shared ? versionsJSON(["": incoming]) : nil, hlc: change.hlc,
                          origin: change.origin, deleted: false, dataClass: change.dataClass, ownerSede: change.ownerSede ?? state?.ownerSede,
                          cseq: change.cseq)
            return true
        }
        if current.deleted { return false }
        let cols = try change.colsJSON.map(parseCols) ?? [:]
        var values = try current.cols()
        var changed = false
        if shared {
            var versions = try current.versions()
            let zero = Version(hlc: 0, sede: "")
            let base = versions[""] ?? zero
            for (column, value) in cols where column != "id" {
                let held = max(versions[column] ?? base, base)
                if incoming >= held {
                    values[column] = value
                    versions[column] = incoming
                    changed = true
                }
            }
            current.parsedVersions = versions
        } else {
            for (column, value) in cols where column != "id" {
                values[column] = value
                changed = true
            }
        }
        guard changed else { return false }
        current.parsedCols = values
        if shared {
            // The row's version is the newest it took.
            if incoming >= Version(hlc: current.hlc, sede: current.origin ?? "") { current.stamp(change) } else { current.cseq = change.cseq }
        } else {
            current.stamp(change)
        }
        state = current
        return true
    }

    /// Folds `changes` (in cseq order) over `states` (the rows they touch as stored, by `key`);
    /// returns the states that changed, by key.
    static func fold(_ changes: [FoldChange], over states: inout [String: State]) throws -> Set<String> {
        var touched: Set<String> = []
        for change in changes {
            let k = key(change.tbl, change.rowID)
            var state = states[k]
            if try apply(change, to: &state) {
                states[k] = state
                touched.insert(k)
            }
        }
        return touched
    }

    static func parseCols(_ text: String) throws -> [String: SQLValue] {
        try JSONReader.read(Data(text.utf8)) { try $0.readScalarObject() }
    }

    static func parseVersions(_ text: String) throws -> [String: Version] {
        try JSONReader.read(Data(text.utf8)) { r in
            var out: [String: Version] = [:]
            try r.beginObject()
            while let column = try r.nextKey() {
                try r.beginArray()
                guard try r.nextElement() else { throw JSONReader.Failure(message: "versión vacía", offset: r.offset) }
                let hlc = try r.readInt64()
                guard try r.nextElement() else { throw JSONReader.Failure(message: "versión sin sede", offset: r.offset) }
                let sede = try r.readString()
                guard try !r.nextElement() else { throw JSONReader.Failure(message: "versión con datos de más", offset: r.offset) }
                out[column] = Version(hlc: hlc, sede: sede)
            }
            return out
        }
    }

    static func versionsJSON(_ versions: [String: Version]) -> String {
        "{" + versions.keys.sorted().map { k in
            let v = versions[k]!
            return JSONText.quote(k) + ":[\(v.hlc)," + JSONText.quote(v.sede) + "]"
        }.joined(separator: ",") + "}"
    }

    /// The log changes `accepted` as folded, with the cseqs `append` gives them.
    static func foldChanges(_ accepted: [LoggedChange], firstCseq: Int64) -> [FoldChange] {
        accepted.enumerated().map { i, c in
            FoldChange(cseq: firstCseq + Int64(i), origin: c.origin, hlc: c.hlc, tbl: c.tbl, rowID: c.rowID, op: c.op,
                       colsJSON: c.colsJSON, dataClass: c.dataClass, ownerSede: c.ownerSede)
        }
    }
}
