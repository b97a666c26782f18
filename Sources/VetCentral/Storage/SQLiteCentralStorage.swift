import Foundation
import GRDB
import VetCore
import VetProtocol

/// Central's storage on one embedded SQLite file (WAL). SQLite's single writer serializes every
/// push, which is the per-sede lock and keeps `cseq` gapless.
public final class SQLiteCentralStorage: CentralStorage {
    let pool: DatabasePool

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS central_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for migration in CentralMigrations.files(for: .sqlite) {
                let done = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM central_migrations WHERE name = ?)", arguments: [migration.name]) ?? false
                if done { continue }
                try db.execute(sql: migration.text)
                if migration.name.hasPrefix(CentralMigrations.readModel) { try Self.rebuildReadModel(db) }
                try db.execute(sql: "INSERT INTO central_migrations (name, applied_at) VALUES (?, ?)",
                               arguments: [migration.name, LimaTime.iso8601(Date())])
            }
        }
    }

    public func close() async throws { try pool.close() }

    public func authenticate(tokenHash: String) async throws -> CentralSede? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.id, s.code, s.name, s.kind, s.active, t.revoked_at FROM sede_tokens t JOIN sedes s ON s.id = t.sede_id
                WHERE t.token_hash = ?
                """, arguments: [tokenHash]).flatMap { row in
                let revoked = (row["revoked_at"] as String?) != nil
                let sede = CentralSede(id: row["id"], code: row["code"], name: row["name"], active: row["active"], revoked: revoked, kind: row["kind"])
                return sede.active && !revoked ? sede : nil
            }
        }
    }

    public func push(sede: String, request: ReceivedPush, nowMs: Int64) async throws -> PushOutcome {
        let nowText = LimaTime.iso8601(Date(timeIntervalSince1970: Double(nowMs) / 1000))
        return try await pool.write { db in
            let stored = try Int64.fetchOne(db, sql: "SELECT acked_through FROM sede_epochs WHERE sede_id = ? AND epoch = ?",
                                            arguments: [sede, request.epoch])
            let acked: Int64
            if let stored { acked = stored } else {
                // An epoch central has no record of starts at its first seq, whatever the batch
                // says: central may have been restored from before the epoch's first push.
                let start = request.epochStart ?? 1
                if request.fromSeq > start { return .gap(expected: start) }
                acked = start - 1
                try db.execute(sql: "INSERT INTO sede_epochs (sede_id, epoch, acked_through, started_at) VALUES (?, ?, ?, ?)",
                               arguments: [sede, request.epoch, acked, nowText])
            }
            // `fromSeq - 1` cannot overflow (framing keeps it ≥ 0); `acked + 1` could, for a stored 2⁶³−1.
            if request.fromSeq - 1 > acked { return .gap(expected: acked + 1) }
            // The last seq both sides have must be the same entry, or this store was restored.
            let overlap = min(acked, request.toSeq)
            if overlap >= request.fromSeq, let entry = request.entries.first(where: { $0.seq == overlap }) {
                let known = try Int64.fetchOne(db, sql: """
                    SELECT hlc FROM changes WHERE origin = ? AND origin_epoch = ? AND origin_seq = ?
                    UNION ALL SELECT hlc FROM push_rejects WHERE origin = ? AND origin_epoch = ? AND origin_seq = ?
                    """, arguments: [sede, request.epoch, overlap, sede, request.epoch, overlap])
                if let known, known != entry.hlc { return .epochConflict }
            }
            if request.toSeq <= acked {
                return .stored(PushResponse(ackedThrough: acked, rejects: try Self.storedRejects(db, sede, request), serverTimeMs: nowMs))
            }
            let classes = try Self.classes(db)
            var owners: [String: RowOwner] = [:]
            let ownerStatement = try db.cachedStatement(sql: "SELECT owner_sede, addressed_to FROM row_owners WHERE tbl = ? AND row_id = ?")
            for (tbl, rowID) in PushPlanner.sedeOwnedRows(request, acked: acked, classes: classes) {
                if let row = try Row.fetchOne(ownerStatement, arguments: [tbl, rowID]) {
                    owners[CentralRules.ownerKey(tbl, rowID)] = RowOwner(owner: row["owner_sede"], addressedTo: row["addressed_to"])
                }
            }
            let plan = PushPlanner.plan(sede: sede, request: request, acked: acked, classes: classes, owners: owners, nowMs: nowMs)
            try Self.append(db, plan.accepted, nowText: nowText)
            let ownerInsert = try db.cachedStatement(sql: """
                INSERT INTO row_owners (tbl, row_id, owner_sede, addressed_to) VALUES (?, ?, ?, ?)
                ON CONFLICT (tbl, row_id) DO UPDATE SET addressed_to = excluded.addressed_to
                """)
            for (key, owner) in plan.newOwners {
                let parts = key.split(separator: "\u{1}", maxSplits: 1).map(String.init)
                try ownerInsert.execute(arguments: [parts[0], parts[1], owner.owner, owner.addressedTo])
            }
            let rejectInsert = try db.cachedStatement(sql: """
                INSERT INTO push_rejects (origin, origin_epoch, origin_seq, hlc, tbl, row_id, status, code, message, entry, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            for reject in plan.rejects {
                let entry = plan.rejectedEntries[reject.seq]
                try rejectInsert.execute(arguments: [sede, request.epoch, reject.seq, entry?.hlc ?? 0, reject.tbl, reject.rowID, reject.status,
                                                     reject.code, reject.message, entry?.json ?? "{}", nowText])
            }
            try db.execute(sql: "UPDATE sede_epochs SET acked_through = ? WHERE sede_id = ? AND epoch = ?",
                           arguments: [plan.ackedThrough, sede, request.epoch])
            return .stored(PushResponse(ackedThrough: plan.ackedThrough, rejects: try Self.storedRejects(db, sede, request), serverTimeMs: nowMs))
        }
    }

    static func storedRejects(_ db: Database, _ sede: String, _ request: ReceivedPush) throws -> [PushReject] {
        try Row.fetchAll(db, sql: """
            SELECT origin_seq, tbl, row_id, status, code, message FROM push_rejects
            WHERE origin = ? AND origin_epoch = ? AND origin_seq BETWEEN ? AND ? ORDER BY origin_seq
            """, arguments: [sede, request.epoch, request.fromSeq, request.toSeq]).map {
            PushReject(seq: $0["origin_seq"], tbl: $0["tbl"], rowID: $0["row_id"], status: $0["status"], code: $0["code"], message: $0["message"])
        }
    }

    static func classes(_ db: Database) throws -> [String: DataClass] {
        var out: [String: DataClass] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT tbl, data_class FROM data_classes") {
            if let c = DataClass(rawValue: row["data_class"]) { out[row["tbl"]] = c }
        }
        return out
    }

    /// Rows per multi-row INSERT into the log.
    static let appendChunk = 64

    static func appendSQL(rows: Int) -> String {
        """
        INSERT INTO changes (cseq, origin, origin_epoch, origin_seq, tx_id, hlc, tbl, row_id, op, cols, user_id, data_class, owner_sede, addressed_to, received_at, prev)
        VALUES \(repeatElement("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ","))
        """
    }
    /// The log's inserts, written once (not per push).
    static let appendChunkSQL = appendSQL(rows: appendChunk), appendOneSQL = appendSQL(rows: 1)

    /// Appends to the log with the next gapless cseqs. Central's own changes share one tx_id.
    static func append(_ db: Database, _ changes: [LoggedChange], nowText: String) throws {
        guard !changes.isEmpty else { return }
        var last = try Int64.fetchOne(db, sql: "SELECT last_cseq FROM central_state WHERE id = 1") ?? 0
        let centralTx = last + 1
        let folded = ReadModel.foldChanges(changes, firstCseq: last + 1)
        let full = try db.cachedStatement(sql: appendChunkSQL), single = try db.cachedStatement(sql: appendOneSQL)
        let columns = 16
        var start = 0
        while start < changes.count {
            let chunk = changes[start..<min(start + appendChunk, changes.count)]
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(chunk.count * columns)
            for c in chunk {
                last += 1
                values += [last, c.origin, c.originEpoch, c.originSeq, c.origin == nil ? centralTx : c.txID, c.hlc,
                           c.tbl, c.rowID, c.op, c.colsJSON, c.userID, c.dataClass.rawValue, c.ownerSede, c.addressedTo, nowText, c.prevJSON]
            }
            if chunk.count == appendChunk {
                try full.execute(arguments: StatementArguments(values))
            } else {
                for row in 0..<chunk.count { try single.execute(arguments: StatementArguments(values[row * columns..<(row + 1) * columns])) }
            }
            start += chunk.count
        }
        try db.execute(sql: "UPDATE central_state SET last_cseq = ? WHERE id = 1", arguments: [last])
        try updateReadModel(db, folded)
    }

    public func pull(sede: String, epoch: String, after: Int64, check: Int64?, limit: Int) async throws -> PullPage {
        try await pool.read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT last_cseq FROM central_state WHERE id = 1") ?? 0
            let hlcAt = { (cseq: Int64) in try Int64.fetchOne(db, sql: "SELECT hlc FROM changes WHERE cseq = ?", arguments: [cseq]) }
            if let check, after > 0, try hlcAt(after) != check { throw CentralRules.cursorMismatch }
            let acked = try Int64.fetchOne(db, sql: "SELECT acked_through FROM sede_epochs WHERE sede_id = ? AND epoch = ?", arguments: [sede, epoch])
            guard after < last else {
                return PullPage(after: after, nextAfter: after, hasMore: false, changes: [], nextCheck: check, ackedThrough: acked)
            }
            var end = min(after + Int64(max(1, limit)), last)
            // Never end a page inside a transaction.
            if end < last, let tail = try Row.fetchOne(db, sql: "SELECT origin, origin_epoch, tx_id FROM changes WHERE cseq = ?", arguments: [end]) {
                let next = try Int64.fetchOne(db, sql: """
                    SELECT min(cseq) FROM changes WHERE cseq > ? AND NOT (origin IS ? AND origin_epoch IS ? AND tx_id = ?)
                    """, arguments: [end, tail["origin"] as String?, tail["origin_epoch"] as String?, tail["tx_id"] as Int64])
                end = next.map { $0 - 1 } ?? last
            }
            // A sede's own changes never come back to it; `sede` rows go to their owner and addressee
            // only; shared, central and `network` rows go to every sede.
            let rows = try Row.fetchAll(db, sql: """
                SELECT cseq, origin, origin_epoch, tx_id, hlc, tbl, row_id, op, cols, data_class, prev FROM changes
                WHERE cseq > ? AND cseq <= ?
                  AND (origin IS NULL OR origin <> ? OR origin_epoch <> ?)
                  AND (data_class <> 'sede' OR owner_sede = ? OR addressed_to = ?)
                ORDER BY cseq
                """, arguments: [after, end, sede, epoch, sede, sede])
            let changes = rows.map { row in
                PullPage.Change(cseq: row["cseq"], origin: row["origin"], originEpoch: row["origin_epoch"], txID: row["tx_id"], hlc: row["hlc"],
                                tbl: row["tbl"], rowID: row["row_id"], op: row["op"], colsJSON: row["cols"], dataClass: row["data_class"],
                                prevJSON: row["prev"])
            }
            return PullPage(after: after, nextAfter: end, hasMore: end < last, changes: changes, nextCheck: try hlcAt(end), ackedThrough: acked)
        }
    }

    // MARK: Admin

    static func tick(_ db: Database, nowMs: Int64) throws -> Int64 {
        let last = try Int64.fetchOne(db, sql: "SELECT last_hlc FROM central_state WHERE id = 1") ?? 0
        let next = max(last + 1, nowMs << 16)
        try db.execute(sql: "UPDATE central_state SET last_hlc = ? WHERE id = 1", arguments: [next])
        return next
    }

    public func addSede(id: String, code: String, name: String, kind: String, tokenHash: String, nowText: String) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sedes WHERE code = ?)", arguments: [code]) ?? false {
                throw CentralError(409, "sede_exists", "Ya existe la sede \(code)")
            }
            try db.execute(sql: "INSERT INTO sedes (id, code, name, kind, created_at) VALUES (?, ?, ?, ?, ?)", arguments: [id, code, name, kind, nowText])
            try db.execute(sql: "INSERT INTO sede_tokens (sede_id, token_hash, created_at) VALUES (?, ?, ?)", arguments: [id, tokenHash, nowText])
            let hlc = try Self.tick(db, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
            try Self.append(db, [CentralRules.centralChange(tbl: "sedes", rowID: id, op: "I", cols: CentralAdmin.sedeCols(id: id, code: code, name: name, kind: kind, createdAt: nowText), hlc: hlc)], nowText: nowText)
        }
    }

    public func listSedes() async throws -> [CentralSede] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.code, s.name, s.kind, s.active, t.revoked_at FROM sedes s LEFT JOIN sede_tokens t ON t.sede_id = s.id ORDER BY s.code
                """).map { CentralSede(id: $0["id"], code: $0["code"], name: $0["name"], active: $0["active"], revoked: ($0["revoked_at"] as String?) != nil,
                                       kind: $0["kind"]) }
        }
    }

    public func revokeSede(code: String, nowText: String) async throws {
        try await pool.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM sedes WHERE code = ?", arguments: [code]) else {
                throw CentralError(404, "unknown_sede", "No existe la sede \(code)")
            }
            try db.execute(sql: "UPDATE sede_tokens SET revoked_at = ? WHERE sede_id = ? AND revoked_at IS NULL", arguments: [nowText, id])
        }
    }

    public func addUser(id: String, username: String, fullName: String, passHash: String,
                        roles: [(roleID: String, sedeCode: String, role: String)], nowText: String) async throws {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)", arguments: [username]) ?? false {
                throw CentralError(409, "user_exists", "Ya existe el usuario \(username)")
            }
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, username, fullName, passHash, nowText])
            let hlc = try Self.tick(db, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
            var changes = [CentralRules.centralChange(tbl: "users", rowID: id, op: "I",
                                                      cols: CentralAdmin.userCols(id: id, username: username, fullName: fullName, passHash: passHash, createdAt: nowText), hlc: hlc)]
            for role in roles {
                guard let sedeID = try String.fetchOne(db, sql: "SELECT id FROM sedes WHERE code = ?", arguments: [role.sedeCode]) else {
                    throw CentralError(404, "unknown_sede", "No existe la sede \(role.sedeCode)")
                }
                try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)", arguments: [role.roleID, id, sedeID, role.role])
                changes.append(CentralRules.centralChange(tbl: "user_roles", rowID: role.roleID, op: "I",
                                                          cols: ["id": .text(role.roleID), "user_id": .text(id), "sede_id": .text(sedeID), "role": .text(role.role)], hlc: hlc))
            }
            try Self.append(db, changes, nowText: nowText)
        }
    }

    public func appendCentral(_ writes: [CentralWrite], nowText: String, unchangedSince: ReadVersion?) async throws {
        guard !writes.isEmpty else { return }
        try await pool.write { db in
            if let expected = unchangedSince, try Self.readVersion(db, expected.tables) != expected.cseq { throw CentralRules.centralDataChanged }
            let hlc = try Self.tick(db, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
            try Self.append(db, try CentralRules.centralChanges(writes, classes: try Self.classes(db), hlc: hlc), nowText: nowText)
        }
    }

    public func readVersion(_ tables: [String]) async throws -> ReadVersion {
        try await pool.read { db in ReadVersion(tables: tables, cseq: try Self.readVersion(db, tables)) }
    }

    static func readVersion(_ db: Database, _ tables: [String]) throws -> Int64 {
        guard !tables.isEmpty else { return 0 }
        return try Int64.fetchOne(db, sql: """
            SELECT coalesce(max(cseq), 0) FROM current_rows WHERE tbl IN (\(databaseQuestionMarks(count: tables.count)))
            """, arguments: StatementArguments(tables)) ?? 0
    }

    public func listUsers() async throws -> [CentralUser] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.id, u.username, u.full_name, (SELECT group_concat(s.code || ':' || r.role, ',') FROM user_roles r JOIN sedes s ON s.id = r.sede_id
                    WHERE r.user_id = u.id) AS roles FROM users u ORDER BY u.username
                """).map { CentralUser(id: $0["id"], username: $0["username"], fullName: $0["full_name"],
                                       roles: (($0["roles"] as String?) ?? "").split(separator: ",").map(String.init)) }
        }
    }

    public func counts() async throws -> (changes: Int64, rejects: Int64) {
        try await pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT last_cseq FROM central_state WHERE id = 1") ?? 0,
             try Int64.fetchOne(db, sql: "SELECT count(*) FROM push_rejects") ?? 0)
        }
    }
}
