import GRDB

/// Calendar subscription tokens on SQLite.
extension SQLiteCentralStorage {
    public func addCalendarToken(tokenHash: String, sedeID: String, userID: String, nowText: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO calendar_tokens (token_hash, sede_id, user_id, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, sedeID, userID, nowText])
        }
    }

    public func calendarSubscription(tokenHash: String) async throws -> (sedeID: String, userID: String)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT t.sede_id, t.user_id FROM calendar_tokens t JOIN sedes s ON s.id = t.sede_id
                WHERE t.token_hash = ? AND t.revoked_at IS NULL AND s.active = 1
                """, arguments: [tokenHash]).map { (sedeID: $0[0], userID: $0[1]) }
        }
    }

    public func revokeCalendarTokens(sedeID: String, userID: String, nowText: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "UPDATE calendar_tokens SET revoked_at = ? WHERE sede_id = ? AND user_id = ? AND revoked_at IS NULL",
                           arguments: [nowText, sedeID, userID])
            return db.changesCount
        }
    }
}
