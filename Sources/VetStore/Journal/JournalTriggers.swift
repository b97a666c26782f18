import GRDB

/// Generates the AFTER INSERT/UPDATE/DELETE triggers that append every change of a synced table to
/// `journal`. The triggers live in the database, so writes from any connection are captured,
/// the sqlite3 shell included; they stay silent while `sync_ctx` holds a row (changes being applied
/// from central) so nothing is echoed back.
enum JournalTriggers {
    /// The SQL expression for "now" in Unix milliseconds, as SQLite computes it.
    static let nowMsSQL = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

    /// Drops and recreates the journal triggers of every table listed in `synced_tables`.
    static func regenerate(_ db: Database) throws {
        try dropAll(db)
        let tables = try String.fetchAll(db, sql: "SELECT name FROM synced_tables ORDER BY name")
        // Migrations before 0007 run with a journal that has no `prev` yet.
        let recordsPrev = try db.columns(in: "journal").contains { $0.name == "prev" }
        for table in tables {
            let columns = try db.columns(in: table).map(\.name)
            guard columns.contains("id") else {
                throw StoreError.invalid("La tabla sincronizada \(table) no tiene columna id")
            }
            for sql in triggers(table: table, columns: columns, recordsPrev: recordsPrev) { try db.execute(sql: sql) }
        }
    }

    /// Drops every journal trigger.
    static func dropAll(_ db: Database) throws {
        let existing = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'journal\\_%' ESCAPE '\\'")
        for name in existing { try db.execute(sql: "DROP TRIGGER \(name.quotedDatabaseIdentifier)") }
    }

    static func triggers(table: String, columns: [String], recordsPrev: Bool = true) -> [String] {
        let t = table.quotedDatabaseIdentifier
        let tableLiteral = table.sqlQuotedLiteral
        // A write outside the app's write helper gets its own transaction id and clock tick.
        let stamp = """
            UPDATE sync_state SET tx_id = tx_id + 1, hlc = MAX(hlc + 1, \(nowMsSQL) << 16), user_id = NULL
                WHERE id = 1 AND app_tx = 0;
            """
        func append(op: String, rowID: String, cols: String, prev: String = "NULL") -> String {
            guard recordsPrev else {
                return """
                    INSERT INTO journal (tx_id, hlc, tbl, row_id, op, cols, user_id)
                        SELECT tx_id, hlc, \(tableLiteral), \(rowID), '\(op)', \(cols), user_id FROM sync_state WHERE id = 1;
                    """
            }
            return """
            INSERT INTO journal (tx_id, hlc, tbl, row_id, op, cols, user_id, prev)
                SELECT tx_id, hlc, \(tableLiteral), \(rowID), '\(op)', \(cols), user_id, \(prev) FROM sync_state WHERE id = 1;
            """
        }
        // The HLC of the version this sede held of a column (or, for "*", of the whole row) before
        // the write: the newest pulled version or local write of it.
        func heldVersion(rowID: String, column: String?) -> String {
            let pulled = column.map { "col IN (\($0.sqlQuotedLiteral), '')" } ?? "col <> '*'"
            let local = column.map { "(op = 'I' OR json_type(cols, \(("$.\"" + $0 + "\"").sqlQuotedLiteral)) IS NOT NULL)" } ?? "1"
            return "max(coalesce((SELECT max(hlc) FROM col_versions WHERE tbl = \(tableLiteral) AND row_id = \(rowID) AND \(pulled)), 0), "
                + "coalesce((SELECT max(hlc) FROM journal WHERE tbl = \(tableLiteral) AND row_id = \(rowID) AND \(local)), 0))"
        }
        let insertCols = "json_object(" + columns.map { "\($0.sqlQuotedLiteral), NEW.\($0.quotedDatabaseIdentifier)" }.joined(separator: ", ") + ")"
        let changed = columns.filter { $0 != "id" }
        let updateCols = "'{' || substr(" + changed.map { (c: String) -> String in
            let q = c.quotedDatabaseIdentifier
            return "CASE WHEN NEW.\(q) IS NOT OLD.\(q) THEN \((",\"" + c + "\":").sqlQuotedLiteral) || json_quote(NEW.\(q)) ELSE '' END"
        }.joined(separator: " || ") + ", 2) || '}'"
        let updatePrev = "'{' || substr(" + changed.map { (c: String) -> String in
            let q = c.quotedDatabaseIdentifier
            return "CASE WHEN NEW.\(q) IS NOT OLD.\(q) THEN \((",\"" + c + "\":").sqlQuotedLiteral) || \(heldVersion(rowID: "NEW.id", column: c)) ELSE '' END"
        }.joined(separator: " || ") + ", 2) || '}'"
        let deletePrev = "json_object('*', \(heldVersion(rowID: "OLD.id", column: nil)))"
        let anyChange = changed.map { "NEW.\($0.quotedDatabaseIdentifier) IS NOT OLD.\($0.quotedDatabaseIdentifier)" }.joined(separator: " OR ")
        let silent = "NOT EXISTS (SELECT 1 FROM sync_ctx)"
        return [
            """
            CREATE TRIGGER "journal_\(table)_ins" AFTER INSERT ON \(t) WHEN \(silent)
            BEGIN
            \(stamp)
            \(append(op: "I", rowID: "NEW.id", cols: insertCols))
            END
            """,
            """
            CREATE TRIGGER "journal_\(table)_upd" AFTER UPDATE ON \(t) WHEN \(silent) AND (\(anyChange.isEmpty ? "0" : anyChange))
            BEGIN
            \(stamp)
            \(append(op: "U", rowID: "NEW.id", cols: updateCols, prev: updatePrev))
            END
            """,
            """
            CREATE TRIGGER "journal_\(table)_del" AFTER DELETE ON \(t) WHEN \(silent)
            BEGIN
            \(stamp)
            \(append(op: "D", rowID: "OLD.id", cols: "NULL", prev: deletePrev))
            END
            """,
        ]
    }
}

extension SedeStore {
    /// Generates the journal triggers again from `synced_tables` (after a table is listed there by hand).
    public func regenerateJournalTriggers() throws {
        try pool.write { db in try JournalTriggers.regenerate(db) }
    }
}

extension String {
    /// The string as an SQL string literal, single quotes doubled.
    var sqlQuotedLiteral: String { "'" + replacingOccurrences(of: "'", with: "''") + "'" }
}
