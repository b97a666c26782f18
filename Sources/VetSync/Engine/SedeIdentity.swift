import GRDB

/// Gives a sede created offline (`vetdesk init` without a central) the id central knows it by.
enum SedeIdentity {
    /// Rewrites `old` to `new` in `sedes`, every `sede_id` column, the settings and the journal
    /// not yet pushed. Runs inside the caller's transaction.
    static func rekey(_ db: Database, from old: String, to new: String) throws {
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        try db.execute(sql: "UPDATE sedes SET id = ? WHERE id = ?", arguments: [new, old])
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for table in tables where try db.columns(in: table).contains(where: { $0.name == "sede_id" }) {
            try db.execute(sql: "UPDATE \(table.quotedDatabaseIdentifier) SET sede_id = ? WHERE sede_id = ?", arguments: [new, old])
        }
        try db.execute(sql: "UPDATE settings SET value = ? WHERE key = 'sede_id' AND value = ?", arguments: [new, old])
        try db.execute(sql: """
            UPDATE journal SET cols = json_set(cols, '$.sede_id', ?)
            WHERE seq > (SELECT pushed_seq FROM sync_state WHERE id = 1) AND json_extract(cols, '$.sede_id') = ?
            """, arguments: [new, old])
        try db.execute(sql: "UPDATE journal SET row_id = ? WHERE tbl = 'sedes' AND row_id = ?", arguments: [new, old])
    }
}
