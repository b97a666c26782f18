import Foundation
import Logging
import PostgresNIO
import VetProtocol

/// The read model (`current_rows`) on PostgreSQL.
extension PostgresCentralStorage {
    static let readModelColumns = "tbl, row_id, cols, hlc, origin, versions, deleted, data_class, owner_sede, cseq"
    typealias StoredRow = (String, String, String, Int64, String?, String?, Int, String, String?, Int64)

    static func state(_ r: StoredRow) -> ReadModel.State? {
        guard let dataClass = DataClass(rawValue: r.7) else { return nil }
        return ReadModel.State(tbl: r.0, rowID: r.1, colsText: r.2, versionsText: r.5, hlc: r.3, origin: r.4, deleted: r.6 != 0,
                               dataClass: dataClass, ownerSede: r.8, cseq: r.9)
    }

    /// Folds `changes` (just appended to the log, in cseq order) into the read model, in the
    /// caller's transaction (which holds the `central_state` lock): one read of every row touched,
    /// then one upsert over arrays.
    static func updateReadModel(_ conn: PostgresConnection, _ changes: [FoldChange], logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        var seen: Set<String> = []
        var tbls: [String] = [], ids: [String] = []
        for change in changes where seen.insert(ReadModel.key(change.tbl, change.rowID)).inserted {
            tbls.append(change.tbl)
            ids.append(change.rowID)
        }
        var binds = PostgresBindings(capacity: 2)
        binds.append(tbls)
        binds.append(ids)
        var states: [String: ReadModel.State] = [:]
        let rows = try await conn.query(PostgresQuery(unsafeSQL: """
            SELECT \(readModelColumns) FROM current_rows WHERE (tbl, row_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            """, binds: binds), logger: logger)
        for try await row in rows.decode(StoredRow.self) {
            if let state = state(row) { states[ReadModel.key(state.tbl, state.rowID)] = state }
        }
        let touched = try ReadModel.fold(changes, over: &states)
        try await writeStates(conn, touched.compactMap { states[$0] }, logger: logger)
    }

    static func writeStates(_ conn: PostgresConnection, _ states: [ReadModel.State], logger: Logger) async throws {
        var start = 0
        while start < states.count {
            let chunk = Array(states[start..<min(start + 5_000, states.count)])
            var binds = PostgresBindings(capacity: 10)
            binds.append(chunk.map(\.tbl))
            binds.append(chunk.map(\.rowID))
            binds.append(chunk.map(\.storedCols))
            binds.append(chunk.map(\.hlc))
            try binds.append(NullableArray(chunk.map(\.origin)))
            try binds.append(NullableArray(chunk.map(\.storedVersions)))
            binds.append(chunk.map { $0.deleted ? Int64(1) : Int64(0) })
            binds.append(chunk.map(\.dataClass.rawValue))
            try binds.append(NullableArray(chunk.map(\.ownerSede)))
            binds.append(chunk.map(\.cseq))
            try await conn.query(PostgresQuery(unsafeSQL: """
                INSERT INTO current_rows (\(readModelColumns))
                SELECT t, r, c, h, o, v, d::integer, k, w, q
                FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::bigint[])
                    AS u(t, r, c, h, o, v, d, k, w, q)
                ON CONFLICT (tbl, row_id) DO UPDATE SET cols = excluded.cols, hlc = excluded.hlc, origin = excluded.origin,
                    versions = excluded.versions, deleted = excluded.deleted, data_class = excluded.data_class,
                    owner_sede = excluded.owner_sede, cseq = excluded.cseq
                """, binds: binds), logger: logger)
            start += chunk.count
        }
    }

    /// Rebuilds the read model from the whole log over the rows migrations seeded (cseq 0): run
    /// once, by the migration that creates it, for a central that already holds a log.
    static func rebuildReadModel(_ conn: PostgresConnection, logger: Logger) async throws {
        try await conn.query("DELETE FROM current_rows WHERE cseq > 0", logger: logger)
        var states: [String: ReadModel.State] = [:]
        for try await row in try await conn.query(PostgresQuery(unsafeSQL: "SELECT \(readModelColumns) FROM current_rows"), logger: logger)
            .decode(StoredRow.self) {
            if let state = state(row) { states[ReadModel.key(state.tbl, state.rowID)] = state }
        }
        var changes: [FoldChange] = []
        let rows = try await conn.query("SELECT cseq, origin, hlc, tbl, row_id, op, cols, data_class, owner_sede FROM changes ORDER BY cseq", logger: logger)
        for try await (cseq, origin, hlc, tbl, rowID, op, cols, cls, owner) in rows.decode((Int64, String?, Int64, String, String, String, String?, String, String?).self) {
            guard let dataClass = DataClass(rawValue: cls) else { continue }
            changes.append(FoldChange(cseq: cseq, origin: origin, hlc: hlc, tbl: tbl, rowID: rowID, op: op, colsJSON: cols, dataClass: dataClass, ownerSede: owner))
        }
        let touched = try ReadModel.fold(changes, over: &states)
        try await writeStates(conn, touched.compactMap { states[$0] }, logger: logger)
    }

    public func currentRows(_ query: RowQuery) async throws -> [CurrentRow] {
        var binds = PostgresBindings()
        var sql = "SELECT \(Self.readModelColumns) FROM current_rows WHERE tbl = $1"
        binds.append(query.table)
        if !query.includeDeleted { sql += " AND deleted = 0" }
        if let owner = query.ownerSede {
            binds.append(owner)
            sql += " AND owner_sede = $\(binds.count)"
        }
        if let ids = query.ids {
            if ids.isEmpty { return [] }
            binds.append(ids)
            sql += " AND row_id = ANY($\(binds.count)::text[])"
        }
        for (name, value) in try query.columns() {
            binds.append(name)
            binds.append(value.jsonText)
            sql += " AND COALESCE(cols::jsonb -> $\(binds.count - 1), 'null'::jsonb) = $\(binds.count)::jsonb"
        }
        sql += " ORDER BY row_id COLLATE \"C\""
        var out: [CurrentRow] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(StoredRow.self) {
            if let state = Self.state(row) { out.append(try state.row()) }
        }
        return out
    }

    public func log(after: Int64, limit: Int) async throws -> [CentralLogEntry] {
        let rows = try await client.query("""
            SELECT cseq, origin, hlc, tbl, row_id, op, cols, data_class, owner_sede FROM changes WHERE cseq > \(after) ORDER BY cseq LIMIT \(limit)
            """, logger: logger)
        var out: [CentralLogEntry] = []
        for try await (cseq, origin, hlc, tbl, rowID, op, cols, cls, owner) in rows.decode((Int64, String?, Int64, String, String, String, String?, String, String?).self) {
            out.append(CentralLogEntry(cseq: cseq, origin: origin, hlc: hlc, tbl: tbl, rowID: rowID, op: op, colsJSON: cols, dataClass: cls, ownerSede: owner))
        }
        return out
    }
}
