import Foundation
import GRDB
import VetCore
import VetStore

/// Applies one pulled page to the sede store, in one transaction with the new cursor.
///
/// Central and sede-owned rows are taken as they come (one writer each). Shared rows are merged
/// per column, last writer wins on (HLC, sede): a column changes only if the incoming version is
/// newer than both the last pulled version (`col_versions`) and the last local write (the
/// journal). When the value that loses was written by another sede than the winner, it goes to
/// `conflict_log`. A change that cannot be applied (unknown table, broken reference) is kept in
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
    /// and sede-owned rows come from the sede that owns them and are this sede's own or addressed
    /// to it. Anything else throws the reason, to be kept in `sync_rejects`.
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
        case .sede:
            let other = ApplyProblem(code: "other_sede", message: "La fila \(table.name) \(change.rowID) es de otra sede")
            guard let origin = change.origin else { throw other }
            let current = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(table.name.quotedDatabaseIdentifier) WHERE id = ?"),
                                           arguments: [change.rowID])
            let ownerColumn = "sede_id", addressColumn = "to_sede_id"
            if let current, current[ownerColumn] as String? != origin { throw other }
            if let declared = change.cols?[ownerColumn], declared != .text(origin) { throw other }
            if current == nil && change.cols?[ownerColumn] == nil && change.op != "D" { throw other }
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

    struct Version: Comparable {
        var hlc: Int64
        var sede: String
        static func < (a: Version, b: Version) -> Bool { (a.hlc, a.sede) < (b.hlc, b.sede) }
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

    /// Shared rows: per-column last writer wins on (HLC, sede).
    func applyShared(_ change: PulledChange, db: Database, localSede: String) throws {
        let table = change.tbl.quotedDatabaseIdentifier
        let incoming = Version(hlc: change.hlc, sede: change.origin ?? "")
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
        let tombstone = versions["*"]
        if change.op == "D" {
            guard let current else { try setVersion(change, col: "*", incoming, db: db); return }
            let newest = versions.values.max()
            if let newest, newest > incoming {
                try logConflict(change, col: "*", kept: "fila vigente", keptVersion: newest, lost: "borrado", lostVersion: incoming, db: db)
                return
            }
            let lostText = String(decoding: try JSONSerialization.data(withJSONObject: rowDictionary(current)), as: UTF8.self)
            try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [change.rowID])
            try setVersion(change, col: "*", incoming, db: db)
            if newest?.sede != incoming.sede {
                try logConflict(change, col: "*", kept: "borrado", keptVersion: incoming, lost: lostText, lostVersion: newest ?? incoming, db: db)
            }
            return
        }
        if let tombstone, tombstone > incoming { return }
        guard let current else {
            guard change.op == "I" else {
                throw ApplyProblem(code: "missing_row", message: "Se recibió un cambio de \(change.tbl) \(change.rowID) que no existe aquí")
            }
            var cols = change.cols ?? [:]
            cols["id"] = .text(change.rowID)
            try insert(table: table, cols: cols, db: db)
            try setVersion(change, col: "", incoming, db: db)
            return
        }
        let base = versions[""]
        var winners: [String: SQLValue] = [:]
        for (col, value) in change.cols ?? [:] where col != "id" {
            let local = max(versions[col] ?? base ?? Version(hlc: 0, sede: ""), base ?? Version(hlc: 0, sede: ""))
            let currentValue = SQLValue(databaseValue: current[col] as DatabaseValue? ?? .null)
            if incoming > local {
                winners[col] = value
                try setVersion(change, col: col, incoming, db: db)
                if currentValue != value && local.sede != incoming.sede && local.hlc > 0 {
                    try logConflict(change, col: col, kept: value.jsonText, keptVersion: incoming, lost: currentValue.jsonText, lostVersion: local, db: db)
                }
            } else if incoming < local && currentValue != value && local.sede != incoming.sede {
                try logConflict(change, col: col, kept: currentValue.jsonText, keptVersion: local, lost: value.jsonText, lostVersion: incoming, db: db)
            }
        }
        if !winners.isEmpty { try update(table: table, rowID: change.rowID, cols: winners, db: db) }
    }

    /// The version of each column of a row here: the newest of the last pulled version and the
    /// last local write. Key "" is the version of a pulled insert (every column), "*" a delete.
    func currentVersions(_ tbl: String, _ rowID: String, db: Database, localSede: String) throws -> [String: Version] {
        var versions: [String: Version] = [:]
        func offer(_ col: String, _ v: Version) { if versions[col].map({ v > $0 }) ?? true { versions[col] = v } }
        for row in try Row.fetchAll(db, sql: "SELECT col, hlc, sede FROM col_versions WHERE tbl = ? AND row_id = ?", arguments: [tbl, rowID]) {
            offer(row["col"], Version(hlc: row["hlc"], sede: row["sede"]))
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT k.key AS col, max(j.hlc) AS hlc FROM journal j, json_each(j.cols) k
            WHERE j.tbl = ? AND j.row_id = ? AND j.op IN ('I', 'U') GROUP BY k.key
            """, arguments: [tbl, rowID]) {
            offer(row["col"], Version(hlc: row["hlc"], sede: localSede))
        }
        if let deleted = try Int64.fetchOne(db, sql: "SELECT max(hlc) FROM journal WHERE tbl = ? AND row_id = ? AND op = 'D'", arguments: [tbl, rowID]) {
            offer("*", Version(hlc: deleted, sede: localSede))
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
            INSERT INTO col_versions (tbl, row_id, col, hlc, sede) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tbl, row_id, col) DO UPDATE SET hlc = excluded.hlc, sede = excluded.sede
            """).execute(arguments: [change.tbl, change.rowID, col, v.hlc, v.sede])
    }

    func logConflict(_ change: PulledChange, col: String, kept: String, keptVersion: Version, lost: String, lostVersion: Version, db: Database) throws {
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
