import PostgresNIO

/// Calendar subscription tokens on PostgreSQL.
extension PostgresCentralStorage {
    public func addCalendarToken(tokenHash: String, sedeID: String, userID: String, nowText: String) async throws {
        try await client.query("""
            INSERT INTO calendar_tokens (token_hash, sede_id, user_id, created_at) VALUES (\(tokenHash), \(sedeID), \(userID), \(nowText))
            """, logger: logger)
    }

    public func calendarSubscription(tokenHash: String) async throws -> (sedeID: String, userID: String)? {
        let rows = try await client.query("""
            SELECT t.sede_id, t.user_id FROM calendar_tokens t JOIN sedes s ON s.id = t.sede_id
            WHERE t.token_hash = \(tokenHash) AND t.revoked_at IS NULL AND s.active = 1
            """, logger: logger)
        for try await (sedeID, userID) in rows.decode((String, String).self) { return (sedeID, userID) }
        return nil
    }

    public func revokeCalendarTokens(sedeID: String, userID: String, nowText: String) async throws -> Int {
        let logger = logger
        return try await transaction { conn in
            var active = 0
            let rows = try await conn.query("""
                SELECT count(*) FROM calendar_tokens WHERE sede_id = \(sedeID) AND user_id = \(userID) AND revoked_at IS NULL
                """, logger: logger)
            for try await n in rows.decode(Int.self) { active = n }
            try await conn.query("""
                UPDATE calendar_tokens SET revoked_at = \(nowText) WHERE sede_id = \(sedeID) AND user_id = \(userID) AND revoked_at IS NULL
                """, logger: logger)
            return active
        }
    }
}
