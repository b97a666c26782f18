import Foundation
import GRDB
import VetProtocol

/// The read model (`current_rows`) on SQLite.
extension SQLiteCentralStorage {
    static let readModelColumns = "tbl, row_id, cols, hlc, origin, versions, deleted, data_class, owner_sede, cseq"
    /// Rows read per statement when a push's rows are looked up (under SQLite's 999 variables).
    static let readChunk = 400

    static func state(_ row: Row) -> ReadModel.State? {
        guard let dataClass = DataClass(rawValue: row["data_class"]) else { return nil }
        return ReadModel.State(tbl: row["tbl"], rowID: row["row_id"], colsText: row["cols"], versionsText: row["versions"], hlc: row["hlc"],
                               origin: row["origin"], deleted: row["deleted"], dataClass: dataClass, ownerSede: row["owner_sede"], cseq: row["cseq"])
    }

    /// Folds `changes` (just appended to the log, in cseq order) into the read model, in the
    /// caller's transaction: the rows touched are read per table in chunks, then written back with
    /// multi-row upserts.
    static func updateReadModel(_ db: Database, _ changes: [FoldChange]) throws {
        guard !changes.isEmpty else { return }
        var states: [String: ReadModel.State] = [:]
        // The rows touched, read per table in chunks: one statement for many rows.
        var idsByTable: [String: [String]] = [:]
        var seen: Set<String> = []
        for change in changes where seen.insert(ReadModel.key(change.tbl, change.rowID)).inserted {
            idsByTable[change.tbl, default: []].append(change.rowID)
        }
        for (table, ids) in idsByTable {
            var start = 0
            while start < ids.count {
                let chunk = ids[start..<min(start + readChunk, ids.count)]
                let select = try db.cachedStatement(sql: """
                    SELECT \(readModelColumns) FROM current_rows
                    WHERE tbl = ? AND row_id IN (\(repeatElement("?", count: chunk.count).joined(separator: ",")))
                    """)
                for row in try Row.fetchAll(select, arguments: StatementArguments([table] + Array(chunk))) {
                    if let state = state(row) { states[ReadModel.key(state.tbl, state.rowID)] = state }
                }
                start += chunk.count
            }
        }
        let touched = try ReadModel.fold(changes, over: &states)
        try writeStates(db, touched.compactMap { states[$0] })
    }

    static func upsertSQL(rows: Int) -> String {
        """
        INSERT INTO current_rows (\(readModelColumns))
        VALUES \(repeatElement("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ","))
        ON CONFLICT (tbl, row_id) DO UPDATE SET cols = excluded.cols, hlc = excluded.hlc, origin = excluded.origin,
            versions = excluded.versions, deleted = excluded.deleted, data_class = excluded.data_class,
            owner_sede = excluded.owner_sede, cseq = excluded.cseq
        """
    }
    /// The upsert of a full chunk, the common case, written once (not per chunk).
    static let upsertChunkSQL = upsertSQL(rows: appendChunk)

    static func writeStates(_ db: Database, _ states: [ReadModel.State]) throws {
        var start = 0
        while start < states.count {
            let chunk = states[start..<min(start + appendChunk, states.count)]
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * 10)
            for s in chunk {
                values += [s.tbl, s.rowID, s.storedCols, s.hlc, s.origin, s.storedVersions, s.deleted, s.dataClass.rawValue, s.ownerSede, s.cseq]
            }
            let sql = chunk.count == appendChunk ? upsertChunkSQL : upsertSQL(rows: chunk.count)
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
            start += chunk.count
        }
    }

    /// Rebuilds the read model from the whole log over the rows migrations seeded (cseq 0): run
    /// once, by the migration that creates it, for a central that already holds a log.
    static func rebuildReadModel(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM current_rows WHERE cseq > 0")
        var states: [String: ReadModel.State] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT \(readModelColumns) FROM current_rows") {
            if let state = state(row) { states[ReadModel.key(state.tbl, state.rowID)] = state }
        }
        var touched: Set<String> = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT cseq, origin, hlc, tbl, row_id, op, cols, data_class, owner_sede FROM changes ORDER BY cseq")
        var batch: [FoldChange] = []
        while let row = try cursor.next() {
            guard let dataClass = DataClass(rawValue: row["data_class"]) else { continue }
            batch.append(FoldChange(cseq: row["cseq"], origin: row["origin"], hlc: row["hlc"], tbl: row["tbl"], rowID: row["row_id"],
                                    op: row["op"], colsJSON: row["cols"], dataClass: dataClass, ownerSede: row["owner_sede"]))
            if batch.count == 10_000 { touched.formUnion(try ReadModel.fold(batch, over: &states)); batch = [] }
        }
        touched.formUnion(try ReadModel.fold(batch, over: &states))
        try writeStates(db, touched.compactMap { states[$0] })
    }

    public func currentRows(_ query: RowQuery) async throws -> [CurrentRow] {
        var sql = "SELECT \(Self.readModelColumns) FROM current_rows WHERE tbl = ?"
        var arguments: [(any DatabaseValueConvertible)?] = [query.table]
        if !query.includeDeleted { sql += " AND deleted = 0" }
        if let owner = query.ownerSede { sql += " AND owner_sede = ?"; arguments.append(owner) }
        if let ids = query.ids {
            if ids.isEmpty { return [] }
            sql += " AND row_id IN (SELECT value FROM json_each(?))"
            arguments.append(String(decoding: try JSONEncoder().encode(ids), as: UTF8.self))
        }
        for (name, value) in try query.columns() {
            sql += " AND json_extract(cols, '$.\(name)') IS ?"
            arguments.append(value.sqliteValue)
        }
        sql += " ORDER BY row_id"
        let finalSQL = sql, finalArguments = StatementArguments(arguments)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).compactMap { try Self.state($0)?.row() }
        }
    }

    public func log(after: Int64, limit: Int) async throws -> [CentralLogEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT cseq, origin, hlc, tbl, row_id, op, cols, data_class, owner_sede FROM changes WHERE cseq > ? ORDER BY cseq LIMIT ?
                """, arguments: [after, limit]).map {
                CentralLogEntry(cseq: $0["cseq"], origin: $0["origin"], hlc: $0["hlc"], tbl: $0["tbl"], rowID: $0["row_id"], op: $0["op"],
                                colsJSON: $0["cols"], dataClass: $0["data_class"], ownerSede: $0["owner_sede"])
            }
        }
    }
}

extension SQLValue {
    var sqliteValue: (any DatabaseValueConvertible)? {
        switch self {
        case .null: nil
        case .int(let i): i
        case .double(let d): d
        case .text(let s): s
        }
    }
}
