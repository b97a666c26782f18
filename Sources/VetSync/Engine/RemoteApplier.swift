import Foundation
import GRDB
import VetCore
import VetProtocol
import VetStore

/// Applies one pulled page to the sede store, in one transaction with the new cursor.
///
/// Central and sede-owned rows are taken as they come (one writer each). Shared rows are merged
/// per column, last writer wins on (HLC, sede), against both the last pulled version
/// (`col_versions`) and the last local write (the journal); a delete wins over any update (see
/// `applyShared`). A value that loses to a concurrent write (neither writer had seen the other's)
/// goes to `conflict_log`. A change that cannot be applied (unknown table, broken reference) is kept in
/// `sync_rejects` and skipped, so one bad change never blocks the ones after it.
///
/// Only tables this sede lists in `synced_tables` are ever written, under their canonical name and
/// with the class that list gives them (see `admitted`): a local-only table (`settings`,
/// `sync_config`, `sync_state`, `journal`, …) is never touched by a pulled change.
struct RemoteApplier {
    let store: SedeStore

    /// Applies `page` if it starts at the saved cursor; returns how many changes it applied.
    ///
    /// Runs of inserts of rows this sede does not have (the bulk of a catch-up) go in as one
    /// multi-row INSERT per table: each statement inside a transaction makes FTS5 write its
    /// pending terms out, so row-at-a-time inserts into searchable tables cost a new index
    /// segment per row. If a run fails, it is rolled back and applied change by change, so a bad
    /// change is still rejected alone.
    func apply(_ page: PullResponse) throws -> Int {
        let now = store.clock.nowMs
        let localSede = try store.localSede().id
        return try store.applyingRemote { db in
            let cursor = try Int64.fetchOne(db, sql: "SELECT pull_cursor FROM sync_state WHERE id = 1") ?? 0
            guard cursor == page.after else { return 0 }
            var columnsCache: [String: Set<String>] = [:]
            let synced = try Self.syncedTables(db)
            var applied = 0
            var maxHLC: Int64 = 0
            var run = InsertRun()
            func flush() throws {
                applied += try flushRun(&run, db: db, localSede: localSede)
            }
            for pulled in page.changes {
                maxHLC = max(maxHLC, pulled.hlc)
                let change: PulledChange
                let columns: Set<String>
                do {
                    change = try admitted(pulled, synced: synced, localSede: localSede, db: db)
                    columns = try knownColumns(change, db: db, cache: &columnsCache)
                } catch let problem as ApplyProblem {
                    try flush()
                    try recordReject(pulled, problem, db: db)
                    continue
                }
                if let cols = try freshInsert(change, columns: columns, db: db) {
                    if !run.accepts(table: change.tbl, names: cols.keys.sorted()) { try flush() }
                    run.add(change, cols)
                    continue
                }
                try flush()
                if try applyOne(change, db: db, localSede: localSede) { applied += 1 }
            }
            try flush()
            // Merge the clock, unless the remote clock is too far ahead: one bad clock must not drag this sede.
            if maxHLC > 0 && (maxHLC >> 16) - now <= HLC.maxDriftMs {
                try db.execute(sql: "UPDATE sync_state SET hlc = max(hlc, ?) WHERE id = 1", arguments: [maxHLC + 1])
            }
            try db.execute(sql: "UPDATE sync_state SET pull_cursor = ?, pull_check = ? WHERE id = 1", arguments: [page.nextAfter, page.nextCheck])
            return applied
        }
    }

    /// This sede's synced tables by canonical name: (name, class).
    static func syncedTables(_ db: Database) throws -> [String: (name: String, dataClass: DataClass)] {
        var out: [String: (name: String, dataClass: DataClass)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, data_class FROM synced_tables") {
            let name: String = row["name"]
            if let dataClass = DataClass(rawValue: row["data_class"]) { out[DataClass.canonicalTableName(name)] = (name, dataClass) }
        }
        return out
    }

    /// The change under its table's canonical name, if this sede may apply it (DESIGN.md §3): the
    /// table is in `synced_tables` (never a local-only one, whatever the letter case), the class
    /// central sent is the class this sede's list gives it, central rows come from central only,
    /// sede-owned rows (`sede` and `network`) come from the sede that owns them, and `sede` rows
    /// are besides this sede's own or addressed to it (`network` rows are every sede's to see).
    /// Anything else throws the reason, to be kept in `sync_rejects`.
    func admitted(_ pulled: PulledChange, synced: [String: (name: String, dataClass: DataClass)], localSede: String, db: Database) throws -> PulledChange {
        guard let table = synced[DataClass.canonicalTableName(pulled.tbl)] else {
            if try db.tableExists(pulled.tbl) {
                throw ApplyProblem(code: "local_table", message: "La tabla \(pulled.tbl) es solo de esta sede: no se acepta un cambio recibido")
            }
            throw ApplyProblem(code: "unknown_table", message: "Esta versión no conoce la tabla \(pulled.tbl); actualice vetdesk")
        }
        guard pulled.dataClass == table.dataClass else {
            throw ApplyProblem(code: "class_mismatch", message: """
                La central envía \(table.name) como \(pulled.dataClass.rawValue) y esta sede la tiene como \(table.dataClass.rawValue)
                """)
        }
        var change = pulled
        change.tbl = table.name
        switch table.dataClass {
        case .shared:
            break
        case .central:
            guard change.origin == nil else {
                throw ApplyProblem(code: "central_data", message: "Solo la central modifica \(table.name); el cambio viene de una sede")
            }
        case .sede, .network:
            // Written by its owner only: the sede the row names (and, if it is here, already named).
            let other = ApplyProblem(code: "other_sede", message: "La fila \(table.name) \(change.rowID) es de otra sede")
            guard let origin = change.origin else { throw other }
            let current = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(table.name.quotedDatabaseIdentifier) WHERE id = ?"),
                                           arguments: [change.rowID])
            let ownerColumn = "sede_id", addressColumn = "to_sede_id"
            if let current, current[ownerColumn] as String? != origin { throw other }
            if let declared = change.cols?[ownerColumn], declared != .text(origin) { throw other }
            if current == nil && change.cols?[ownerColumn] == nil && change.op != "D" { throw other }
            guard table.dataClass == .sede else { break }
            // A `sede` row reaches only its owner and the sede it is addressed to.
            let addressedHere: String? = current.flatMap { $0[addressColumn] }
            let addressed = change.cols?[addressColumn]?.text ?? addressedHere
            guard origin == localSede || addressed == localSede else { throw other }
        }
        return change
    }

    /// The table's columns, after checking the change names no table or column this version lacks.
    func knownColumns(_ change: PulledChange, db: Database, cache: inout [String: Set<String>]) throws -> Set<String> {
        let columns: Set<String>
        if let cached = cache[change.tbl] {
            columns = cached
        } else {
            guard try db.tableExists(change.tbl) else {
                throw ApplyProblem(code: "unknown_table", message: "Esta versión no conoce la tabla \(change.tbl); actualice vetdesk")
            }
            columns = Set(try db.columns(in: change.tbl).map(\.name))
            cache[change.tbl] = columns
        }
        if let cols = change.cols, let unknown = cols.keys.first(where: { !columns.contains($0) }) {
            throw ApplyProblem(code: "unknown_column", message: "Esta versión no conoce la columna \(change.tbl).\(unknown); actualice vetdesk")
        }
        return columns
    }

    /// The columns to insert when `change` inserts a row this sede has never had (no row, and for
    /// shared rows no tombstone): then there is nothing to merge and the values go in as they are.
    func freshInsert(_ change: PulledChange, columns: Set<String>, db: Database) throws -> [String: SQLValue]? {
        guard change.op == "I", columns.contains("id") else { return nil }
        let table = change.tbl.quotedDatabaseIdentifier
        let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)"), arguments: [change.rowID]) ?? false
        if exists { return nil }
        if change.dataClass == .shared, try hasTombstone(change.tbl, change.rowID, db: db) { return nil }
        var cols = change.cols ?? [:]
        cols["id"] = .text(change.rowID)
        return cols
    }

    /// Consecutive fresh inserts into one table with the same columns.
    struct InsertRun {
        var table = ""
        var names: [String] = []
        var changes: [PulledChange] = []
        var rows: [[String: SQLValue]] = []

        func accepts(table: String, names: [String]) -> Bool { changes.isEmpty || (table == self.table && names == self.names) }

        mutating func add(_ change: PulledChange, _ cols: [String: SQLValue]) {
            if changes.isEmpty { table = change.tbl; names = cols.keys.sorted() }
            changes.append(change)
            rows.append(cols)
        }
    }

    /// Inserts the run's rows with multi-row statements, or change by change if that fails.
    /// Returns how many changes were applied.
    func flushRun(_ run: inout InsertRun, db: Database, localSede: String) throws -> Int {
        guard !run.changes.isEmpty else { return 0 }
        defer { run = InsertRun() }
        try db.cachedStatement(sql: "SAVEPOINT apply_run").execute()
        do {
            try db.insertRows(into: run.table, columns: run.names, rows: run.rows.map { row in run.names.map { row[$0]!.databaseValue } })
            for change in run.changes where change.dataClass == .shared {
                try setVersion(change, col: "", Version(hlc: change.hlc, sede: change.origin ?? ""), db: db)
            }
            try db.cachedStatement(sql: "RELEASE apply_run").execute()
            return run.changes.count
        } catch {
            try db.execute(sql: "ROLLBACK TO apply_run")
            try db.execute(sql: "RELEASE apply_run")
        }
        var applied = 0
        for change in run.changes where try applyOne(change, db: db, localSede: localSede) { applied += 1 }
        return applied
    }

    /// Applies one change in a savepoint; a change that fails is recorded in `sync_rejects` and
    /// skipped. Returns whether it was applied.
    func applyOne(_ change: PulledChange, db: Database, localSede: String) throws -> Bool {
        try db.cachedStatement(sql: "SAVEPOINT apply_change").execute()
        do {
            if change.dataClass == .shared {
                try applyShared(change, db: db, localSede: localSede)
            } else {
                try applyAsIs(change, db: db)
            }
            try db.cachedStatement(sql: "RELEASE apply_change").execute()
            return true
        } catch {
            try db.execute(sql: "ROLLBACK TO apply_change")
            try db.execute(sql: "RELEASE apply_change")
            let problem = error as? ApplyProblem
                ?? ApplyProblem(code: "apply_failed", message: "No se pudo aplicar el cambio recibido: \((error as? DatabaseError)?.message ?? "\(error)")")
            try recordReject(change, problem, db: db)
            return false
        }
    }

    struct ApplyProblem: Error { var code: String; var message: String }

    /// A column's version: (HLC, writer sede) orders writes; `prev` is what that writer had seen
    /// of the column when it wrote (the HLC of the version it held), nil when unknown.
    struct Version: Comparable {
        var hlc: Int64
        var sede: String
        var prev: Int64? = nil
        static func < (a: Version, b: Version) -> Bool { (a.hlc, a.sede) < (b.hlc, b.sede) }
        static func == (a: Version, b: Version) -> Bool { (a.hlc, a.sede) == (b.hlc, b.sede) }

        /// Whether `write`, arriving now, and this version held here were made without either
        /// writer having seen the other's: only then is the loser a conflict worth a supervisor's
        /// look (an edit made over a version its writer had seen is just the next edit). A
        /// version this sede wrote itself (`localSede`) cannot have seen a change delivered now
        /// (pages come once, in order), so there only the incoming side is asked.
        func isConcurrent(with write: Version, localSede: String) -> Bool {
            guard sede != write.sede else { return false }
            let writeSawThis = (write.prev ?? -1) >= hlc
            return sede == localSede ? !writeSawThis : !writeSawThis && (prev ?? -1) < write.hlc
        }
    }

    /// Central and sede-owned rows: the incoming values replace what is there.
    func applyAsIs(_ change: PulledChange, db: Database) throws {
        let table = change.tbl.quotedDatabaseIdentifier
        switch change.op {
        case "D":
            try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [change.rowID])
        default:
            var cols = change.cols ?? [:]
            cols["id"] = .text(change.rowID)
            let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)"), arguments: [change.rowID]) ?? false
            if exists {
                try update(table: table, rowID: change.rowID, cols: cols.filter { $0.key != "id" }, db: db)
            } else if change.op == "I" {
                try insert(table: table, cols: cols, db: db)
            } else {
                throw ApplyProblem(code: "missing_row", message: "Se recibió un cambio de \(change.tbl) \(change.rowID) que no existe aquí")
            }
        }
    }

    /// Shared rows: per-column last writer wins on (HLC, sede), and a delete wins over any update.
    ///
    /// Rules every sede applies alike, so all converge whatever order changes arrive in:
    /// - A column takes the incoming value when its version is newer than or equal to the one held.
    ///   Equal means the same write of the same sede's transaction (one HLC): pages keep each
    ///   transaction's order, so the later write of a transaction wins at every sede.
    /// - Delete wins: a delete removes the row whatever the HLCs of updates it races, and a row
    ///   deleted here takes no further update or insert (rows are never brought back; ids are never
    ///   reused). An update the delete overtook is kept in `conflict_log`.
    /// - A loser goes to `conflict_log` only when the two writes were concurrent: neither writer
    ///   had seen the other's version (`Version.isConcurrent`).
    func applyShared(_ change: PulledChange, db: Database, localSede: String) throws {
        let table = change.tbl.quotedDatabaseIdentifier
        let incoming = Version(hlc: change.hlc, sede: change.origin ?? "")
        func incomingVersion(_ col: String) -> Version {
            var v = incoming
            v.prev = change.prev?[col]
            return v
        }
        let current = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(table) WHERE id = ?"), arguments: [change.rowID])
        if try current == nil && change.op == "I" && !hasTombstone(change.tbl, change.rowID, db: db) {
            // A row new here (the common case of a catch-up): no versions to compare.
            var cols = change.cols ?? [:]
            cols["id"] = .text(change.rowID)
            try insert(table: table, cols: cols, db: db)
            try setVersion(change, col: "", incoming, db: db)
            return
        }
        let versions = try currentVersions(change.tbl, change.rowID, db: db, localSede: localSede)
        if change.op == "D" {
            let delete = incomingVersion("*")
            guard let current else { try setVersion(change, col: "*", max(delete, versions["*"] ?? delete), db: db); return }
            let lostText = String(decoding: try JSONSerialization.data(withJSONObject: rowDictionary(current)), as: UTF8.self)
            try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [change.rowID])
            try setVersion(change, col: "*", delete, db: db)
            // The row held writes the deleter had not seen: they are lost with it.
            if let unseen = versions.filter({ $0.key != "*" && $0.value.isConcurrent(with: delete, localSede: localSede) }).values.max() {
                try logConflict(change, col: "*", kept: "borrado", keptVersion: delete, lost: lostText, lostVersion: unseen, db: db)
            }
            return
        }
        if let tombstone = versions["*"] {
            // Deleted here: the row stays deleted; updates the deleter had not seen are kept in the
            // log (an insert it always had: a row is deleted where it exists).
            for (col, value) in change.cols ?? [:] where change.op == "U" && col != "id"
                && tombstone.isConcurrent(with: incomingVersion(col), localSede: localSede) {
                try logConflict(change, col: col, kept: "borrado", keptVersion: tombstone, lost: value.jsonText, lostVersion: incoming, db: db)
            }
            return
        }
        guard let current else {
            throw ApplyProblem(code: "missing_row", message: "Se recibió un cambio de \(change.tbl) \(change.rowID) que no existe aquí")
        }
        let base = versions[""]
        var winners: [String: SQLValue] = [:]
        for (col, value) in change.cols ?? [:] where col != "id" {
            let local = max(versions[col] ?? base ?? Version(hlc: 0, sede: ""), base ?? Version(hlc: 0, sede: ""))
            let write = incomingVersion(col)
            let currentValue = SQLValue(databaseValue: current[col] as DatabaseValue? ?? .null)
            if write >= local {
                winners[col] = value
                try setVersion(change, col: col, write, db: db)
                if currentValue != value && local.hlc > 0 && local.isConcurrent(with: write, localSede: localSede) {
                    try logConflict(change, col: col, kept: value.jsonText, keptVersion: write, lost: currentValue.jsonText, lostVersion: local, db: db)
                }
            } else if currentValue != value && local.isConcurrent(with: write, localSede: localSede) {
                try logConflict(change, col: col, kept: currentValue.jsonText, keptVersion: local, lost: value.jsonText, lostVersion: write, db: db)
            }
        }
        if !winners.isEmpty { try update(table: table, rowID: change.rowID, cols: winners, db: db) }
    }

    /// The version of each column of a row here: the newest of the last pulled version and the
    /// last local write. Key "" is the version of a pulled insert (every column), "*" a delete.
    func currentVersions(_ tbl: String, _ rowID: String, db: Database, localSede: String) throws -> [String: Version] {
        var versions: [String: Version] = [:]
        func offer(_ col: String, _ v: Version) { if versions[col].map({ v > $0 }) ?? true { versions[col] = v } }
        for row in try Row.fetchAll(db, sql: "SELECT col, hlc, sede, prev FROM col_versions WHERE tbl = ? AND row_id = ?", arguments: [tbl, rowID]) {
            offer(row["col"], Version(hlc: row["hlc"], sede: row["sede"], prev: row["prev"]))
        }
        // SQLite takes the bare column `prev` from the row holding max(hlc).
        for row in try Row.fetchAll(db, sql: """
            SELECT k.key AS col, max(j.hlc) AS hlc, json_extract(j.prev, '$."' || k.key || '"') AS prev FROM journal j, json_each(j.cols) k
            WHERE j.tbl = ? AND j.row_id = ? AND j.op IN ('I', 'U') GROUP BY k.key
            """, arguments: [tbl, rowID]) {
            offer(row["col"], Version(hlc: row["hlc"], sede: localSede, prev: row["prev"]))
        }
        if let deleted = try Row.fetchOne(db, sql: """
            SELECT max(hlc) AS hlc, json_extract(prev, '$."*"') AS prev FROM journal WHERE tbl = ? AND row_id = ? AND op = 'D'
            """, arguments: [tbl, rowID]), let hlc: Int64 = deleted["hlc"] {
            offer("*", Version(hlc: hlc, sede: localSede, prev: deleted["prev"]))
        }
        return versions
    }

    /// Whether the row was deleted here or by a pulled delete.
    func hasTombstone(_ tbl: String, _ rowID: String, db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM col_versions WHERE tbl = ? AND row_id = ? AND col = '*')
                OR EXISTS (SELECT 1 FROM journal WHERE tbl = ? AND row_id = ? AND op = 'D')
            """), arguments: [tbl, rowID, tbl, rowID]) ?? false
    }

    func setVersion(_ change: PulledChange, col: String, _ v: Version, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO col_versions (tbl, row_id, col, hlc, sede, prev) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tbl, row_id, col) DO UPDATE SET hlc = excluded.hlc, sede = excluded.sede, prev = excluded.prev
            """).execute(arguments: [change.tbl, change.rowID, col, v.hlc, v.sede, v.prev])
    }

    /// Records a concurrent loser, once: the same pair met again (a page pulled twice) adds nothing.
    func logConflict(_ change: PulledChange, col: String, kept: String, keptVersion: Version, lost: String, lostVersion: Version, db: Database) throws {
        let known = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM conflict_log WHERE tbl = ? AND row_id = ? AND col = ? AND kept_hlc = ? AND kept_sede IS ?
                AND lost_hlc = ? AND lost_sede IS ?)
            """, arguments: [change.tbl, change.rowID, col, keptVersion.hlc, keptVersion.sede, lostVersion.hlc, lostVersion.sede]) ?? false
        if known { return }
        try db.execute(sql: """
            INSERT INTO conflict_log (id, tbl, row_id, col, kept_value, kept_hlc, kept_sede, lost_value, lost_hlc, lost_sede, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [store.newID(), change.tbl, change.rowID, col, kept, keptVersion.hlc, keptVersion.sede,
                             lost, lostVersion.hlc, lostVersion.sede, store.nowText])
    }

    func recordReject(_ change: PulledChange, _ problem: ApplyProblem, db: Database) throws {
        let entry = String(decoding: (try? SyncCoding.encoder().encode(change)) ?? Data(), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO sync_rejects (id, seq, tbl, row_id, code, message, entry, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [store.newID(), -change.cseq, change.tbl, change.rowID, problem.code, problem.message, entry, store.nowText])
    }

    func insert(table: String, cols: [String: SQLValue], db: Database) throws {
        let names = cols.keys.sorted()
        try db.cachedStatement(sql: "INSERT INTO \(table) (\(names.map(\.quotedDatabaseIdentifier).joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: names.count)))")
            .execute(arguments: StatementArguments(names.map { cols[$0]!.databaseValue }))
    }

    func update(table: String, rowID: String, cols: [String: SQLValue], db: Database) throws {
        guard !cols.isEmpty else { return }
        let names = cols.keys.sorted()
        try db.cachedStatement(sql: "UPDATE \(table) SET \(names.map { "\($0.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")) WHERE id = ?")
            .execute(arguments: StatementArguments(names.map { cols[$0]!.databaseValue } + [rowID.databaseValue]))
    }

    func rowDictionary(_ row: Row) -> [String: Any] {
        var out: [String: Any] = [:]
        for (name, value) in row {
            switch value.storage {
            case .null: out[name] = NSNull()
            case .int64(let i): out[name] = i
            case .double(let d): out[name] = d
            case .string(let s): out[name] = s
            case .blob(let b): out[name] = b.base64EncodedString()
            }
        }
        return out
    }
}

extension SQLValue {
    init(databaseValue: DatabaseValue) {
        switch databaseValue.storage {
        case .null: self = .null
        case .int64(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .text(b.base64EncodedString())
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .int(let i): i.databaseValue
        case .double(let d): d.databaseValue
        case .text(let s): s.databaseValue
        }
    }
}
