import Foundation
import GRDB
import VetCore
import VetProtocol
import VetStore

/// Pushes a sede's journal to central and pulls back what it may see (DESIGN.md §4).
///
/// Guarantees: a batch holds whole local transactions and is retried with the same idempotency
/// key until acknowledged; `pushed_seq` only moves to what central acknowledged; a pulled page is
/// applied in one local transaction together with its cursor, and a page that does not start at
/// the saved cursor is ignored, so replayed or reordered pages change nothing.
public final class SyncEngine: @unchecked Sendable {
    public let store: SedeStore
    public let config: SyncConfig
    public let client: CurlHTTPClient
    /// Entries per push batch (a transaction larger than this still goes whole).
    public var pushBatchSize = 2_000
    /// Changes per pull page asked of central.
    public var pullPageSize = 2_000
    /// Test-only fault hook, from `VETDESK_SYNC_FAULT`: `exit_after_pull_page` ends the process
    /// abruptly right after the first pulled page is committed.
    let fault = ProcessInfo.processInfo.environment["VETDESK_SYNC_FAULT"]
    /// The last seq central stores while this sede's clock is ahead: the entries after it wait,
    /// pending, until the clock is right and they are stamped again (see `checkClock`).
    var pushThrough: Int64?

    public init(store: SedeStore) throws {
        guard let config = try SyncConfig.load(store) else { throw SyncError.notConfigured }
        self.store = store
        self.config = config
        do {
            client = try CurlHTTPClient(baseURL: config.centralURL, caCertPath: config.caCertPath)
        } catch {
            throw SyncError.transport(error)
        }
    }

    // MARK: Configuration

    /// Saves the central's address and token after asking central who the token belongs to. The
    /// local sede is made to carry central's identity (id) for the same code; a new epoch is set
    /// if the store has none.
    @discardableResult
    public static func configure(store: SedeStore, config: SyncConfig) throws -> HelloResponse {
        let hello = try hello(config: config)
        let local = try store.localSede()
        guard local.code == hello.code else {
            throw StoreError.conflict("El token es de la sede \(hello.code) y esta base es de la sede \(local.code)")
        }
        try SyncTokenFile.save(config.token, databasePath: store.path)
        try store.applyingRemote { db in
            if local.id != hello.sedeID { try SedeIdentity.rekey(db, from: local.id, to: hello.sedeID) }
            try db.execute(sql: """
                INSERT INTO sync_config (id, central_url, cacert) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET central_url = excluded.central_url,
                    cacert = excluded.cacert, link = NULL, link_at = NULL, link_error = NULL
                """, arguments: [config.centralURL, config.caCertPath])
            try db.execute(sql: "UPDATE sync_state SET epoch = ?, epoch_base = pushed_seq WHERE id = 1 AND epoch IS NULL", arguments: [store.newID()])
        }
        return hello
    }

    /// `GET /v1/sync/hello` with the given token.
    public static func hello(config: SyncConfig) throws -> HelloResponse {
        let client: CurlHTTPClient
        do { client = try CurlHTTPClient(baseURL: config.centralURL, caCertPath: config.caCertPath) } catch { throw SyncError.transport(error) }
        let response: HTTPResponse
        do { response = try client.get("/v1/sync/hello", headers: ["Authorization": "Bearer \(config.token)"]) } catch { throw SyncError.transport(error) }
        try checkOK(response)
        return try decode(HelloResponse.self, response.body)
    }

    /// Starts a new epoch: after restoring this store from a backup, seqs central already saw are
    /// pushed again under the new epoch instead of being taken for duplicates.
    public func renewEpoch() throws {
        try store.applyingRemote { db in
            try db.execute(sql: "UPDATE sync_state SET epoch = ?, epoch_base = pushed_seq WHERE id = 1", arguments: [store.newID()])
        }
    }

    // MARK: Sync

    public struct Summary: Sendable, Equatable {
        public var pushed = 0
        public var rejected = 0
        public var pulled = 0
        public var batches = 0
        public var pages = 0
    }

    /// Pushes until nothing is pending, then pulls until central has nothing more; records the
    /// link as up (with the time of this good sync) or down.
    @discardableResult
    public func syncOnce() throws -> Summary {
        var summary = Summary()
        pushThrough = nil
        do {
            // A pull can reveal that central lost entries it had acknowledged; then push again.
            for _ in 0..<3 {
                let pushed = try pushPending()
                summary.batches += pushed.batches
                summary.pushed += pushed.pushed
                summary.rejected += pushed.rejected
                while let applied = try pullPage() {
                    summary.pages += 1
                    summary.pulled += applied
                }
                if try SyncStatus.read(store).pending == 0 { break }
            }
            try recordLink(up: true, error: nil)
        } catch let error as SyncError {
            try? recordLink(up: !error.isLinkDown, error: error.message)
            throw error
        }
        return summary
    }

    /// Pushes batches until nothing is pending (no pull).
    @discardableResult
    public func pushPending() throws -> Summary {
        var summary = Summary()
        while let step = try pushBatch() {
            summary.batches += 1
            summary.pushed += step.accepted
            summary.rejected += step.rejected
        }
        return summary
    }

    struct PushStep { var accepted: Int; var rejected: Int }

    /// Pushes the next batch; nil when nothing is pending.
    func pushBatch() throws -> PushStep? {
        let sedeID = try store.localSede().id
        guard let batch = try PushBatch.next(store: store, sedeID: sedeID, limit: pushBatchSize, through: pushThrough) else { return nil }
        let response: HTTPResponse
        do {
            response = try client.post("/v1/sync/push", body: batch.body, headers: [
                "Authorization": "Bearer \(config.token)",
                "Idempotency-Key": batch.idempotencyKey,
            ])
        } catch {
            throw SyncError.transport(error)
        }
        if response.status == 409, let body = try? SyncCoding.decoder().decode(ErrorBody.self, from: response.body) {
            switch body.code {
            case "seq_gap":
                // Central has less than we thought (it was restored): send again from what it has.
                // A central with no record of this epoch asks for it from its start (epoch_start).
                // The journal is never pruned (it also holds the local versions the applier merges
                // against), so every entry ever pushed can go again. Should one be missing (deleted
                // by hand), pushing stops with a clear error: skipping it would lose it for good.
                guard let expected = body.expectedSeq, expected >= 1, expected < batch.fromSeq else {
                    throw SyncError.protocolViolation("seq_gap sin expected_seq válido")
                }
                try store.applyingRemote { db in
                    let base = try Int64.fetchOne(db, sql: "SELECT epoch_base FROM sync_state WHERE id = 1") ?? 0
                    guard expected > base else { throw SyncError.protocolViolation("seq_gap pide la entrada \(expected), anterior a este epoch") }
                    guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM journal WHERE seq = ?)", arguments: [expected]) == true else {
                        throw SyncError.central(status: 409, code: "seq_gap", message: """
                            La central perdió entradas de esta sede desde la \(expected) y el diario local ya no las tiene: \
                            no se envía nada más para no perderlas sin aviso; llame a soporte
                            """)
                    }
                    try db.execute(sql: "UPDATE sync_state SET pushed_seq = ? WHERE id = 1", arguments: [expected - 1])
                }
                return PushStep(accepted: 0, rejected: 0)
            case "epoch_conflict":
                // Central holds different entries under these seqs: this store was restored.
                try renewEpoch()
                return PushStep(accepted: 0, rejected: 0)
            case "clock_ahead":
                // Central stored the entries before `expected`; from there on the HLCs are ahead of
                // its clock. Send only the stored part (for its acknowledgement and rejects); the
                // rest waits, pending, until this sede's clock is right (the pull sees it).
                guard let expected = body.expectedSeq, expected >= batch.fromSeq, expected <= batch.toSeq else {
                    throw SyncError.protocolViolation("clock_ahead sin expected_seq válido")
                }
                pushThrough = expected - 1
                return expected == batch.fromSeq ? nil : PushStep(accepted: 0, rejected: 0)
            default:
                break
            }
        }
        // 403 still carries the acknowledgement: the forbidden entries are listed as rejects.
        guard response.status == 200 || response.status == 403,
              let ack = try? SyncCoding.decoder().decode(PushResponse.self, from: response.body) else {
            try Self.checkOK(response)
            throw SyncError.protocolViolation("acuse de recibo ilegible")
        }
        guard ack.ackedThrough >= batch.fromSeq - 1 else {
            throw SyncError.protocolViolation("acked_through \(ack.ackedThrough) antes del lote \(batch.fromSeq)")
        }
        let acked = min(ack.ackedThrough, batch.toSeq)
        try store.applyingRemote { db in
            for reject in ack.rejects where reject.seq >= batch.fromSeq && reject.seq <= acked {
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sync_rejects WHERE seq = ?)", arguments: [reject.seq]) ?? false
                if exists { continue }
                try db.execute(sql: """
                    INSERT INTO sync_rejects (id, seq, tbl, row_id, code, message, entry, at)
                    VALUES (?, ?, ?, ?, ?, ?, (SELECT json_object('seq', seq, 'tx_id', tx_id, 'hlc', hlc, 'tbl', tbl, 'row_id', row_id,
                        'op', op, 'cols', json(cols), 'user_id', user_id) FROM journal WHERE seq = ?), ?)
                    """, arguments: [store.newID(), reject.seq, reject.tbl, reject.rowID, reject.code, reject.message, reject.seq, store.nowText])
            }
            try db.execute(sql: "UPDATE sync_state SET pushed_seq = max(pushed_seq, ?) WHERE id = 1", arguments: [acked])
        }
        try checkClock(serverTimeMs: ack.serverTimeMs)
        let rejected = ack.rejects.count
        return PushStep(accepted: max(0, Int(acked - batch.fromSeq + 1) - rejected), rejected: rejected)
    }

    /// Pulls and applies the next page; nil when central has nothing after the cursor.
    func pullPage() throws -> Int? {
        let (cursor, epoch, check) = try store.read { db -> (Int64, String, Int64?) in
            let row = try Row.fetchOne(db, sql: "SELECT pull_cursor, coalesce(epoch, '') AS epoch, pull_check FROM sync_state WHERE id = 1")
            return (row?["pull_cursor"] ?? 0, row?["epoch"] ?? "", row?["pull_check"])
        }
        let response: HTTPResponse
        do {
            response = try client.get("/v1/sync/pull?after=\(cursor)&limit=\(pullPageSize)&epoch=\(epoch)" + (check.map { "&check=\($0)" } ?? ""),
                                      headers: ["Authorization": "Bearer \(config.token)"])
        } catch {
            throw SyncError.transport(error)
        }
        if response.status == 409, (try? SyncCoding.decoder().decode(ErrorBody.self, from: response.body))?.code == "cursor_mismatch" {
            // Central was restored and lost what this cursor points at: pull everything again
            // (applying a change twice changes nothing).
            try store.applyingRemote { db in
                try db.execute(sql: "UPDATE sync_state SET pull_cursor = 0, pull_check = NULL WHERE id = 1")
            }
            return 0
        }
        try Self.checkOK(response)
        let page: PullResponse
        do { page = try PullResponse.parse(response.body) } catch {
            throw SyncError.protocolViolation("PullResponse ilegible")
        }
        guard page.nextAfter >= page.after else { throw SyncError.protocolViolation("next_after < after") }
        guard page.changes.allSatisfy({ $0.cseq > page.after && $0.cseq <= page.nextAfter }) else {
            throw SyncError.protocolViolation("un cambio de la página está fuera de after…next_after")
        }
        try checkClock(serverTimeMs: page.serverTimeMs)
        // Central acknowledged more of this epoch than the journal holds: this file was restored
        // from an older copy, and its own writes made after the copy exist only at central. A new
        // epoch makes central send them back like any other sede's (a page of this epoch leaves
        // them out), and keeps the seqs this journal will hand out again from meaning old entries.
        if let acked = page.ackedThrough {
            let restored = try store.applyingRemote { db -> Bool in
                // The last seq this journal ever handed out (AUTOINCREMENT keeps it in sqlite_sequence).
                let held = try Int64.fetchOne(db, sql: """
                    SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0), coalesce((SELECT max(seq) FROM journal), 0))
                    """) ?? 0
                guard acked > held else { return false }
                try db.execute(sql: "UPDATE sync_state SET epoch = ?, epoch_base = ?, pushed_seq = ? WHERE id = 1",
                               arguments: [store.newID(), held, held])
                return true
            }
            if restored { return 0 }
        }
        // Central holds less of our journal than it acknowledged (it was restored): send it again.
        // No record of this epoch at all means nothing after the epoch's start.
        try store.applyingRemote { db in
            try db.execute(sql: "UPDATE sync_state SET pushed_seq = coalesce(?, epoch_base) WHERE id = 1 AND pushed_seq > coalesce(?, epoch_base)",
                           arguments: [page.ackedThrough, page.ackedThrough])
        }
        if page.nextAfter == page.after && page.changes.isEmpty { return nil }
        let applied = try RemoteApplier(store: store).apply(page)
        if fault == "exit_after_pull_page" { exit(70) }
        return applied
    }

    /// Compares this sede's clock with central's (`serverTimeMs`, just answered). A clock more
    /// than `HLC.maxDriftMs` ahead is recorded for the status bar and `sync status`. Once it is
    /// right, journal entries still pending with an HLC ahead of it (written while it was wrong)
    /// are stamped again from now on, in order and transaction by transaction, and the sede's
    /// clock is brought back: central takes them, and no other sede's clock is dragged.
    func checkClock(serverTimeMs: Int64) throws {
        let now = store.clock.nowMs
        let ahead = now - serverTimeMs
        let limit = (max(now, serverTimeMs) + HLC.maxDriftMs) << 16
        let (recorded, stateHLC, pendingMax) = try store.read { db -> (Int64?, Int64, Int64) in
            let row = try Row.fetchOne(db, sql: """
                SELECT clock_ahead_ms, hlc, coalesce((SELECT max(hlc) FROM journal WHERE seq > s.pushed_seq), 0) AS pending
                FROM sync_state s WHERE id = 1
                """)
            return (row?["clock_ahead_ms"], row?["hlc"] ?? 0, row?["pending"] ?? 0)
        }
        if ahead > HLC.maxDriftMs {
            if recorded.map({ abs($0 - ahead) > 1_000 }) ?? true {
                try store.applyingRemote { db in
                    try db.execute(sql: "UPDATE sync_state SET clock_ahead_ms = ? WHERE id = 1", arguments: [ahead])
                }
            }
            return
        }
        guard recorded != nil || stateHLC > limit || pendingMax > limit else { return }
        try store.applyingRemote { db in
            let pushed = try Int64.fetchOne(db, sql: "SELECT pushed_seq FROM sync_state WHERE id = 1") ?? 0
            var stamp = max(now << 16, try Int64.fetchOne(db, sql: "SELECT max(hlc) FROM journal WHERE hlc <= ?", arguments: [limit]) ?? 0)
            if let first = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM journal WHERE seq > ? AND hlc > ?", arguments: [pushed, limit]) {
                let txs = try Int64.fetchAll(db, sql: "SELECT tx_id FROM journal WHERE seq >= ? GROUP BY tx_id ORDER BY min(seq)", arguments: [first])
                for tx in txs {
                    stamp += 1
                    try db.execute(sql: "UPDATE journal SET hlc = ? WHERE seq >= ? AND tx_id = ?", arguments: [stamp, first, tx])
                }
            }
            try db.execute(sql: "UPDATE sync_state SET hlc = CASE WHEN hlc > ? THEN ? ELSE max(hlc, ?) END, clock_ahead_ms = NULL WHERE id = 1",
                           arguments: [limit, stamp, stamp])
        }
        pushThrough = nil
    }

    func recordLink(up: Bool, error: String?) throws {
        try store.applyingRemote { db in
            try db.execute(sql: "UPDATE sync_config SET link = ?, link_at = ?, link_error = ? WHERE id = 1",
                           arguments: [up ? "up" : "down", store.nowText, error])
            if up && error == nil {
                try db.execute(sql: "UPDATE sync_state SET last_ok_at = ? WHERE id = 1", arguments: [store.nowText])
            }
        }
    }

    static func checkOK(_ response: HTTPResponse) throws {
        guard response.status == 200 else {
            let body = try? SyncCoding.decoder().decode(ErrorBody.self, from: response.body)
            throw SyncError.central(status: response.status, code: body?.code ?? "http_\(response.status)",
                                    message: body?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try SyncCoding.decoder().decode(type, from: data) } catch {
            throw SyncError.protocolViolation("\(T.self) ilegible")
        }
    }
}

/// The next run of journal entries to push, as the exact request body.
public struct PushBatch: Sendable {
    public var fromSeq: Int64
    public var toSeq: Int64
    public var count: Int
    public var body: Data
    public var idempotencyKey: String

    /// Entries after `pushed_seq`, at most `limit` unless the last transaction is longer, extended
    /// so no transaction is split. The body is built by hand so `cols` goes out as stored.
    public static func next(store: SedeStore, sedeID: String, limit: Int, through: Int64? = nil) throws -> PushBatch? {
        try store.read { db in
            guard let state = try Row.fetchOne(db, sql: "SELECT pushed_seq, epoch, epoch_base FROM sync_state WHERE id = 1"),
                  let epoch: String = state["epoch"] else { throw SyncError.notConfigured }
            let pushed: Int64 = state["pushed_seq"]
            let epochBase: Int64 = state["epoch_base"]
            let select = """
                SELECT j.seq, j.tx_id, j.hlc, j.tbl, j.row_id, j.op, j.cols, j.user_id, s.data_class, j.prev
                FROM journal j LEFT JOIN synced_tables s ON s.name = j.tbl
                """
            // A transaction's entries are consecutive in seq: read on past `limit` until it ends.
            let rows = try Row.fetchCursor(db, sql: select + " WHERE j.seq > ? AND j.seq <= ? ORDER BY j.seq", arguments: [pushed, through ?? Int64.max])
            var writer = PushBodyWriter(capacity: limit)
            var from: Int64 = 0, to: Int64 = 0, lastTx: Int64 = 0
            while let row = try rows.next() {
                let seq: Int64 = row[0], tx: Int64 = row[1], hlc: Int64 = row[2]
                if writer.count >= limit && tx != lastTx { break }
                if writer.count == 0 { from = seq }
                writer.append(seq: seq, txID: tx, hlc: hlc, tbl: row[3], rowID: row[4], op: row[5],
                              colsJSON: row[6], userID: row[7], dataClass: row[8], prevJSON: row[9])
                to = seq; lastTx = tx
            }
            let count = writer.count
            guard count > 0 else { return nil }
            let body = writer.body(sede: sedeID, epoch: epoch, fromSeq: from, toSeq: to, epochStart: min(epochBase + 1, from),
                                   schemaVersion: SedeStore.knownSchemaVersion)
            return PushBatch(fromSeq: from, toSeq: to, count: count, body: body,
                             idempotencyKey: "\(sedeID):\(epoch):\(from)-\(to)")
        }
    }
}
