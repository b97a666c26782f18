import GRDB

extension Database {
    /// Inserts `rows` (values in `columns` order) with as few multi-row INSERT statements as
    /// SQLite's parameter limit allows. Inside a transaction, every statement that fires a trigger
    /// makes FTS5 write its pending terms out as a new search-index segment, so tables that feed
    /// the search index (owners, pets) fill far faster this way than a row per statement.
    public func insertRows(into table: String, columns: [String], rows: [[DatabaseValue]], perStatement: Int = 500) throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        // SQLite binds at most 32,766 parameters per statement.
        let size = max(1, min(perStatement, 32_000 / columns.count))
        let head = "INSERT INTO \(table.quotedDatabaseIdentifier) (\(columns.map(\.quotedDatabaseIdentifier).joined(separator: ", "))) VALUES "
        let rowMarks = "(" + databaseQuestionMarks(count: columns.count) + ")"
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + size, rows.count)]
            let sql = head + Array(repeating: rowMarks, count: chunk.count).joined(separator: ", ")
            let statement = chunk.count == size ? try cachedStatement(sql: sql) : try makeStatement(sql: sql)
            var values: [DatabaseValue] = []
            values.reserveCapacity(chunk.count * columns.count)
            for row in chunk { values += row }
            try statement.execute(arguments: StatementArguments(values))
            start += chunk.count
        }
    }
}
