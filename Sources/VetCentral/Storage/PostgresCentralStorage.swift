import Foundation
import Logging
import PostgresNIO
import VetCore
import VetProtocol

/// Central's storage on PostgreSQL, shared by any number of stateless `vetcentral` replicas.
///
/// Every push takes the `central_state` row lock first (`SELECT … FOR UPDATE`): that is the
/// per-sede lock across replicas, and it keeps `cseq` gapless and committed in order. A pull
/// reads in one REPEATABLE READ snapshot, so its page and its cursor agree.
public final class PostgresCentralStorage: CentralStorage {
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger

    public static func connect(url: String) async throws -> PostgresCentralStorage {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host else {
            throw CentralError(400, "invalid_postgres_url", "URL de PostgreSQL inválida: use postgres://usuario:clave@host:puerto/base")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let config = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
        let storage = PostgresCentralStorage(client: PostgresClient(configuration: config))
        try await storage.migrate()
        return storage
    }

    init(client: PostgresClient) {
        self.client = client
        var logger = Logger(label: "vetcentral.postgres")
        logger.logLevel = .error
        self.logger = logger
        runner = Task { await client.run() }
    }

    public func close() async throws { runner.cancel() }

    /// A transaction; a `CentralError` thrown inside comes out as itself, not wrapped.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger) { conn in try await body(conn) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? CentralError { throw inner }
            throw error
        }
    }

    func migrate() async throws {
        try await transaction { conn in
            // Replicas starting together migrate one at a time.
            try await conn.query("SELECT pg_advisory_xact_lock(8640)", logger: logger)
            try await conn.query("CREATE TABLE IF NOT EXISTS central_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", logger: logger)
            for migration in CentralMigrations.files(for: .postgres) {
                let rows = try await conn.query("SELECT count(*) FROM central_migrations WHERE name = \(migration.name)", logger: logger)
                var done = false
                for try await count in rows.decode(Int64.self) { done = count > 0 }
                if done { continue }
                for statement in Self.statements(migration.text) {
                    try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if migration.name.hasPrefix(CentralMigrations.readModel) { try await Self.rebuildReadModel(conn, logger: logger) }
                try await conn.query("INSERT INTO central_migrations (name, applied_at) VALUES (\(migration.name), \(LimaTime.iso8601(Date())))", logger: logger)
            }
        }
    }

    /// A migration file's statements: split at semicolons that end a line, comments dropped.
    static func statements(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
        var out: [String] = []
        var current = ""
        for line in lines {
            current += line + "\n"
            if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                out.append(String(statement.dropLast()))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    public func authenticate(tokenHash: String) async throws -> CentralSede? {
        let rows = try await client.query("""
            SELECT s.id, s.code, s.name, s.kind, s.active, t.revoked_at FROM sede_tokens t JOIN sedes s ON s.id = t.sede_id
            WHERE t.token_hash = \(tokenHash)
            """, logger: logger)
        for try await (id, code, name, kind, active, revoked) in rows.decode((String, String, String, String, Int, String?).self) {
            let sede = CentralSede(id: id, code: code, name: name, active: active != 0, revoked: revoked != nil, kind: kind)
            return sede.active && !sede.revoked ? sede : nil
        }
        return nil
    }

    public func push(sede: String, request: ReceivedPush, nowMs: Int64) async throws -> PushOutcome {
        let nowText = LimaTime.iso8601(Date(timeIntervalSince1970: Double(nowMs) / 1000))
        let logger = logger
        return try await transaction { conn in
            var last: Int64 = 0
            for try await value in try await conn.query("SELECT last_cseq FROM central_state WHERE id = 1 FOR UPDATE", logger: logger).decode(Int64.self) {
                last = value
            }
            var stored: Int64?
            for try await value in try await conn.query(
                "SELECT acked_through FROM sede_epochs WHERE sede_id = \(sede) AND epoch = \(request.epoch)", logger: logger).decode(Int64.self) {
                stored = value
            }
            let acked: Int64
            if let stored { acked = stored } else {
                // An epoch central has no record of starts at its first seq, whatever the batch
                // says: central may have been restored from before the epoch's first push.
                let start = request.epochStart ?? 1
                if request.fromSeq > start { return .gap(expected: start) }
                acked = start - 1
                try await conn.query("""
                    INSERT INTO sede_epochs (sede_id, epoch, acked_through, started_at) VALUES (\(sede), \(request.epoch), \(acked), \(nowText))
                    """, logger: logger)
            }
            // `fromSeq - 1` cannot overflow (framing keeps it ≥ 0); `acked + 1` could, for a stored 2⁶³−1.
            if request.fromSeq - 1 > acked { return .gap(expected: acked + 1) }
            let overlap = min(acked, request.toSeq)
            if overlap >= request.fromSeq, let entry = request.entries.first(where: { $0.seq == overlap }) {
                let rows = try await conn.query("""
                    SELECT hlc FROM changes WHERE origin = \(sede) AND origin_epoch = \(request.epoch) AND origin_seq = \(overlap)
                    UNION ALL SELECT hlc FROM push_rejects WHERE origin = \(sede) AND origin_epoch = \(request.epoch) AND origin_seq = \(overlap)
                    """, logger: logger)
                for try await known in rows.decode(Int64.self) where known != entry.hlc { return .epochConflict }
            }
            if request.toSeq <= acked {
                return .stored(PushResponse(ackedThrough: acked, rejects: try await Self.storedRejects(conn, sede, request, logger), serverTimeMs: nowMs))
            }
            var classes: [String: DataClass] = [:]
            for try await (tbl, cls) in try await conn.query("SELECT tbl, data_class FROM data_classes", logger: logger).decode((String, String).self) {
                classes[tbl] = DataClass(rawValue: cls)
            }
            let sedeRows = PushPlanner.sedeOwnedRows(request, acked: acked, classes: classes)
            var owners: [String: RowOwner] = [:]
            if !sedeRows.isEmpty {
                let ids = sedeRows.map { $0.rowID }
                let rows = try await conn.query("SELECT tbl, row_id, owner_sede, addressed_to FROM row_owners WHERE row_id = ANY(\(ids))", logger: logger)
                for try await (tbl, rowID, owner, addressed) in rows.decode((String, String, String, String?).self) {
                    owners[CentralRules.ownerKey(tbl, rowID)] = RowOwner(owner: owner, addressedTo: addressed)
                }
            }
            let plan = PushPlanner.plan(sede: sede, request: request, acked: acked, classes: classes, owners: owners, nowMs: nowMs)
            last = try await Self.append(conn, plan.accepted, last: last, nowText: nowText, logger: logger)
            if !plan.newOwners.isEmpty {
                let owners = plan.newOwners.map { key, owner in (key.split(separator: "\u{1}", maxSplits: 1).map(String.init), owner) }
                var binds = PostgresBindings(capacity: 4)
                binds.append(owners.map { $0.0[0] })
                binds.append(owners.map { $0.0[1] })
                binds.append(owners.map { $0.1.owner })
                try binds.append(NullableArray(owners.map { $0.1.addressedTo }))
                try await conn.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO row_owners (tbl, row_id, owner_sede, addressed_to) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                    ON CONFLICT (tbl, row_id) DO UPDATE SET addressed_to = excluded.addressed_to
                    """, binds: binds), logger: logger)
            }
            for reject in plan.rejects {
                let entry = plan.rejectedEntries[reject.seq]
                try await conn.query("""
                    INSERT INTO push_rejects (origin, origin_epoch, origin_seq, hlc, tbl, row_id, status, code, message, entry, at)
                    VALUES (\(sede), \(request.epoch), \(reject.seq), \(entry?.hlc ?? 0), \(reject.tbl), \(reject.rowID), \(reject.status),
                            \(reject.code), \(reject.message), \(entry?.json ?? "{}"), \(nowText)) ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            try await conn.query("UPDATE sede_epochs SET acked_through = \(plan.ackedThrough) WHERE sede_id = \(sede) AND epoch = \(request.epoch)", logger: logger)
            return .stored(PushResponse(ackedThrough: plan.ackedThrough, rejects: try await Self.storedRejects(conn, sede, request, logger), serverTimeMs: nowMs))
        }
    }

    static func storedRejects(_ conn: PostgresConnection, _ sede: String, _ request: ReceivedPush, _ logger: Logger) async throws -> [PushReject] {
        var out: [PushReject] = []
        let rows = try await conn.query("""
            SELECT origin_seq, tbl, row_id, status, code, message FROM push_rejects
            WHERE origin = \(sede) AND origin_epoch = \(request.epoch) AND origin_seq BETWEEN \(request.fromSeq) AND \(request.toSeq) ORDER BY origin_seq
            """, logger: logger)
        for try await (seq, tbl, rowID, status, code, message) in rows.decode((Int64, String, String, Int, String, String).self) {
            out.append(PushReject(seq: seq, tbl: tbl, rowID: rowID, status: status, code: code, message: message))
        }
        return out
    }

    /// Appends with the next gapless cseqs, in one INSERT over arrays (one statement to parse and
    /// plan, whatever the batch size); returns the new last cseq. The caller holds the
    /// `central_state` row lock.
    static func append(_ conn: PostgresConnection, _ changes: [LoggedChange], last: Int64, nowText: String, logger: Logger) async throws -> Int64 {
        guard !changes.isEmpty else { return last }
        let centralTx = last + 1
        var binds = PostgresBindings(capacity: 16)
        binds.append(Array(last + 1...last + Int64(changes.count)))
        try binds.append(NullableArray(changes.map(\.origin)))
        try binds.append(NullableArray(changes.map(\.originEpoch)))
        try binds.append(NullableArray(changes.map(\.originSeq)))
        binds.append(changes.map { $0.origin == nil ? centralTx : $0.txID })
        binds.append(changes.map(\.hlc))
        binds.append(changes.map(\.tbl))
        binds.append(changes.map(\.rowID))
        binds.append(changes.map(\.op))
        try binds.append(NullableArray(changes.map(\.colsJSON)))
        try binds.append(NullableArray(changes.map(\.userID)))
        binds.append(changes.map(\.dataClass.rawValue))
        try binds.append(NullableArray(changes.map(\.ownerSede)))
        try binds.append(NullableArray(changes.map(\.addressedTo)))
        binds.append(nowText)
        try binds.append(NullableArray(changes.map(\.prevJSON)))
        try await conn.query(PostgresQuery(unsafeSQL: """
            INSERT INTO changes (cseq, origin, origin_epoch, origin_seq, tx_id, hlc, tbl, row_id, op, cols, user_id, data_class, owner_sede, addressed_to, prev, received_at)
            SELECT c.*, $15 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
                                        $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $16::text[]) AS c
            """, binds: binds), logger: logger)
        let next = last + Int64(changes.count)
        try await conn.query("UPDATE central_state SET last_cseq = \(next) WHERE id = 1", logger: logger)
        try await updateReadModel(conn, ReadModel.foldChanges(changes, firstCseq: last + 1), logger: logger)
        return next
    }

    public func pull(sede: String, epoch: String, after: Int64, check: Int64?, limit: Int) async throws -> PullPage {
        let logger = logger
        return try await transaction { conn in
            try await conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var last: Int64 = 0
            for try await value in try await conn.query("SELECT last_cseq FROM central_state WHERE id = 1", logger: logger).decode(Int64.self) { last = value }
            func hlcAt(_ cseq: Int64) async throws -> Int64? {
                for try await value in try await conn.query("SELECT hlc FROM changes WHERE cseq = \(cseq)", logger: logger).decode(Int64.self) { return value }
                return nil
            }
            if let check, after > 0, try await hlcAt(after) != check { throw CentralRules.cursorMismatch }
            var acked: Int64?
            for try await value in try await conn.query(
                "SELECT acked_through FROM sede_epochs WHERE sede_id = \(sede) AND epoch = \(epoch)", logger: logger).decode(Int64.self) { acked = value }
            guard after < last else {
                return PullPage(after: after, nextAfter: after, hasMore: false, changes: [], nextCheck: check, ackedThrough: acked)
            }
            var end = min(after + Int64(max(1, limit)), last)
            if end < last {
                var tail: (String?, String?, Int64)?
                for try await row in try await conn.query("SELECT origin, origin_epoch, tx_id FROM changes WHERE cseq = \(end)", logger: logger)
                    .decode((String?, String?, Int64).self) { tail = row }
                if let tail {
                    var next: Int64?
                    for try await value in try await conn.query("""
                        SELECT min(cseq) FROM changes WHERE cseq > \(end)
                          AND NOT (origin IS NOT DISTINCT FROM \(tail.0) AND origin_epoch IS NOT DISTINCT FROM \(tail.1) AND tx_id = \(tail.2))
                        """, logger: logger).decode(Int64?.self) { next = value }
                    end = next.map { $0 - 1 } ?? last
                }
            }
            var changes: [PullPage.Change] = []
            // A sede's own changes never come back to it; `sede` rows go to their owner and addressee
            // only; shared, central and `network` rows go to every sede.
            let rows = try await conn.query("""
                SELECT cseq, origin, origin_epoch, tx_id, hlc, tbl, row_id, op, cols, data_class, prev FROM changes
                WHERE cseq > \(after) AND cseq <= \(end)
                  AND (origin IS NULL OR origin <> \(sede) OR origin_epoch <> \(epoch))
                  AND (data_class <> 'sede' OR owner_sede = \(sede) OR addressed_to = \(sede))
                ORDER BY cseq
                """, logger: logger)
            for try await (cseq, origin, originEpoch, tx, hlc, tbl, rowID, op, cols, cls, prev) in rows.decode(
                (Int64, String?, String?, Int64, Int64, String, String, String, String?, String, String?).self) {
                changes.append(PullPage.Change(cseq: cseq, origin: origin, originEpoch: originEpoch, txID: tx, hlc: hlc, tbl: tbl, rowID: rowID,
                                               op: op, colsJSON: cols, dataClass: cls, prevJSON: prev))
            }
            return PullPage(after: after, nextAfter: end, hasMore: end < last, changes: changes, nextCheck: try await hlcAt(end), ackedThrough: acked)
        }
    }

    // MARK: Admin

    /// Locks central_state, ticks the central clock; returns (last cseq, hlc).
    static func lockAndTick(_ conn: PostgresConnection, logger: Logger) async throws -> (Int64, Int64) {
        var state: (Int64, Int64) = (0, 0)
        for try await row in try await conn.query("SELECT last_cseq, last_hlc FROM central_state WHERE id = 1 FOR UPDATE", logger: logger)
            .decode((Int64, Int64).self) { state = row }
        let hlc = max(state.1 + 1, Int64(Date().timeIntervalSince1970 * 1000) << 16)
        try await conn.query("UPDATE central_state SET last_hlc = \(hlc) WHERE id = 1", logger: logger)
        return (state.0, hlc)
    }

    static func exists(_ conn: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Bool {
        for try await n in try await conn.query(query, logger: logger).decode(Int64.self) { return n > 0 }
        return false
    }

    public func addSede(id: String, code: String, name: String, kind: String, tokenHash: String, nowText: String) async throws {
        let logger = logger
        try await transaction { conn in
            let (last, hlc) = try await Self.lockAndTick(conn, logger: logger)
            if try await Self.exists(conn, "SELECT count(*) FROM sedes WHERE code = \(code)", logger: logger) {
                throw CentralError(409, "sede_exists", "Ya existe la sede \(code)")
            }
            try await conn.query("INSERT INTO sedes (id, code, name, kind, created_at) VALUES (\(id), \(code), \(name), \(kind), \(nowText))", logger: logger)
            try await conn.query("INSERT INTO sede_tokens (sede_id, token_hash, created_at) VALUES (\(id), \(tokenHash), \(nowText))", logger: logger)
            _ = try await Self.append(conn, [CentralRules.centralChange(tbl: "sedes", rowID: id, op: "I",
                                                                         cols: CentralAdmin.sedeCols(id: id, code: code, name: name, kind: kind, createdAt: nowText), hlc: hlc)],
                                      last: last, nowText: nowText, logger: logger)
        }
    }

    public func listSedes() async throws -> [CentralSede] {
        var out: [CentralSede] = []
        let rows = try await client.query("""
            SELECT s.id, s.code, s.name, s.kind, s.active, t.revoked_at FROM sedes s LEFT JOIN sede_tokens t ON t.sede_id = s.id ORDER BY s.code
            """, logger: logger)
        for try await (id, code, name, kind, active, revoked) in rows.decode((String, String, String, String, Int, String?).self) {
            out.append(CentralSede(id: id, code: code, name: name, active: active != 0, revoked: revoked != nil, kind: kind))
        }
        return out
    }

    public func revokeSede(code: String, nowText: String) async throws {
        let logger = logger
        try await transaction { conn in
            var id: String?
            for try await value in try await conn.query("SELECT id FROM sedes WHERE code = \(code)", logger: logger).decode(String.self) { id = value }
            guard let id else { throw CentralError(404, "unknown_sede", "No existe la sede \(code)") }
            try await conn.query("UPDATE sede_tokens SET revoked_at = \(nowText) WHERE sede_id = \(id) AND revoked_at IS NULL", logger: logger)
        }
    }

    public func addUser(id: String, username: String, fullName: String, passHash: String,
                        roles: [(roleID: String, sedeCode: String, role: String)], nowText: String) async throws {
        let logger = logger
        try await transaction { conn in
            let (last, hlc) = try await Self.lockAndTick(conn, logger: logger)
            if try await Self.exists(conn, "SELECT count(*) FROM users WHERE username = \(username)", logger: logger) {
                throw CentralError(409, "user_exists", "Ya existe el usuario \(username)")
            }
            try await conn.query("""
                INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (\(id), \(username), \(fullName), \(passHash), \(nowText))
                """, logger: logger)
            var changes = [CentralRules.centralChange(tbl: "users", rowID: id, op: "I",
                                                      cols: CentralAdmin.userCols(id: id, username: username, fullName: fullName, passHash: passHash, createdAt: nowText), hlc: hlc)]
            for role in roles {
                var sedeID: String?
                for try await value in try await conn.query("SELECT id FROM sedes WHERE code = \(role.sedeCode)", logger: logger).decode(String.self) { sedeID = value }
                guard let sedeID else { throw CentralError(404, "unknown_sede", "No existe la sede \(role.sedeCode)") }
                try await conn.query("INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (\(role.roleID), \(id), \(sedeID), \(role.role))", logger: logger)
                changes.append(CentralRules.centralChange(tbl: "user_roles", rowID: role.roleID, op: "I",
                                                          cols: ["id": .text(role.roleID), "user_id": .text(id), "sede_id": .text(sedeID), "role": .text(role.role)], hlc: hlc))
            }
            _ = try await Self.append(conn, changes, last: last, nowText: nowText, logger: logger)
        }
    }

    public func appendCentral(_ writes: [CentralWrite], nowText: String, unchangedSince: ReadVersion?) async throws {
        guard !writes.isEmpty else { return }
        let logger = logger
        try await transaction { conn in
            let (last, hlc) = try await Self.lockAndTick(conn, logger: logger)
            if let expected = unchangedSince, try await Self.readVersion(conn, expected.tables, logger: logger) != expected.cseq {
                throw CentralRules.centralDataChanged
            }
            var classes: [String: DataClass] = [:]
            for try await (tbl, cls) in try await conn.query("SELECT tbl, data_class FROM data_classes", logger: logger).decode((String, String).self) {
                classes[tbl] = DataClass(rawValue: cls)
            }
            _ = try await Self.append(conn, try CentralRules.centralChanges(writes, classes: classes, hlc: hlc), last: last, nowText: nowText, logger: logger)
        }
    }

    public func readVersion(_ tables: [String]) async throws -> ReadVersion {
        for try await value in try await client.query("SELECT coalesce(max(cseq), 0)::bigint FROM current_rows WHERE tbl = ANY(\(tables))", logger: logger)
            .decode(Int64.self) { return ReadVersion(tables: tables, cseq: value) }
        return ReadVersion(tables: tables, cseq: 0)
    }

    static func readVersion(_ conn: PostgresConnection, _ tables: [String], logger: Logger) async throws -> Int64 {
        for try await value in try await conn.query("SELECT coalesce(max(cseq), 0)::bigint FROM current_rows WHERE tbl = ANY(\(tables))", logger: logger)
            .decode(Int64.self) { return value }
        return 0
    }

    public func listUsers() async throws -> [CentralUser] {
        var out: [CentralUser] = []
        let rows = try await client.query("""
            SELECT u.id, u.username, u.full_name, (SELECT string_agg(s.code || ':' || r.role, ',') FROM user_roles r JOIN sedes s ON s.id = r.sede_id
                WHERE r.user_id = u.id) FROM users u ORDER BY u.username
            """, logger: logger)
        for try await (id, username, fullName, roles) in rows.decode((String, String, String, String?).self) {
            out.append(CentralUser(id: id, username: username, fullName: fullName, roles: (roles ?? "").split(separator: ",").map(String.init)))
        }
        return out
    }

    public func counts() async throws -> (changes: Int64, rejects: Int64) {
        let rows = try await client.query("SELECT (SELECT last_cseq FROM central_state WHERE id = 1), (SELECT count(*) FROM push_rejects)", logger: logger)
        for try await row in rows.decode((Int64, Int64).self) { return row }
        return (0, 0)
    }
}

/// A one-dimensional PostgreSQL array whose elements may be NULL (PostgresNIO encodes arrays of
/// non-optional elements only), in the binary array format.
struct NullableArray<Element: PostgresArrayEncodable>: PostgresEncodable {
    var elements: [Element?]
    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)                  // dimensions
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)   // has NULLs
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)                                         // lower bound
        for element in elements {
            // Each element: its length in bytes (-1 for NULL), then its binary form.
            let lengthAt = buffer.writerIndex
            buffer.writeInteger(-1, as: Int32.self)
            guard let element else { continue }
            let start = buffer.writerIndex
            try element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthAt)
        }
    }
}
