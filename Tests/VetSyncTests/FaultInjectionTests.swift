import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// Failures that broke the systems we learn from, injected against a real `vetcentral` process.
@Suite(.serialized)
struct FaultInjectionTests {
    @Test(arguments: backends)
    func ackLostAfterCentralCommitsIsReAckedNotDuplicated(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let proxy = try DropProxy(upstreamPort: central.port)
        try lim.repoint(proxy.url)
        for i in 0..<5 { try lim.addOwner(doc: String(format: "3000000%d", i)) }
        proxy.dropNextPushResponses(1)
        #expect(throws: SyncError.self) { try lim.sync() }
        #expect(proxy.dropped == 1)
        // Central committed, the sede never heard: nothing is marked pushed yet.
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 5)
        #expect(try lim.syncState().pushed == 0)
        #expect(try SyncStatus.read(lim.store).link == "down")
        // The retry carries the same idempotency key and is re-acknowledged.
        let summary = try lim.sync()
        #expect(summary.batches == 1)
        #expect(try lim.syncState().pushed == 5)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 5)
        #expect(try central.count("SELECT count(DISTINCT origin_seq) FROM changes WHERE origin IS NOT NULL") == 5)
        #expect(try central.metric("vetcentral_push_entries_total") == 10)
    }

    @Test(arguments: backends)
    func sameBatchTwiceAndConcurrentlyIsStoredOnce(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        for i in 0..<50 { try lim.addOwner(doc: String(format: "400000%02d", i)) }
        let batch = try #require(try PushBatch.next(store: lim.store, sedeID: lim.sedeID, limit: 1000))
        let headers = ["Authorization": "Bearer \(lim.token)", "Idempotency-Key": batch.idempotencyKey]
        let results = ResultBox()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let r = try CurlHTTPClient(baseURL: central.url).post("/v1/sync/push", body: batch.body, headers: headers)
                    results.append(r.status, try? JSONDecoder().decode(PushResponse.self, from: r.body))
                } catch { results.append(-1, nil) }
            }
        }
        group.wait()
        let again = try central.client().post("/v1/sync/push", body: batch.body, headers: headers)
        results.append(again.status, try? JSONDecoder().decode(PushResponse.self, from: again.body))
        #expect(results.statuses == [200, 200, 200, 200, 200])
        #expect(results.acks.map(\.ackedThrough) == [50, 50, 50, 50, 50])
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 50)
        #expect(try central.count("SELECT count(DISTINCT row_id) FROM changes WHERE tbl = 'owners'") == 50)
        // A batch with a hole before it is refused with the seq central expects.
        try lim.addOwner(doc: "49999999")
        try lim.addOwner(doc: "49999998")
        try lim.store.pool.write { db in try db.execute(sql: "UPDATE sync_state SET pushed_seq = 51") }
        let gapBatch = try #require(try PushBatch.next(store: lim.store, sedeID: lim.sedeID, limit: 1000))
        let gap = try central.client().post("/v1/sync/push", body: gapBatch.body, headers: ["Authorization": "Bearer \(lim.token)"])
        #expect(gap.status == 409)
        let body = try JSONDecoder().decode(ErrorBody.self, from: gap.body)
        #expect(body.code == "seq_gap" && body.expectedSeq == 51)
        // The engine handles the 409 by going back to what central has.
        try lim.sync()
        #expect(try lim.syncState().pushed == 52)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 52)
    }

    @Test(arguments: backends)
    func replayedAndReorderedPullPagesChangeNothing(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        var owners: [String] = []
        for i in 0..<30 { owners.append(try lim.addOwner(doc: String(format: "500000%02d", i))) }
        for (i, id) in owners.enumerated() where i % 3 == 0 { try lim.setOwner(id, "phone", "9870000\(i)") }
        try lim.sync()
        let client = try central.client()
        func page(after: Int64) throws -> PullResponse {
            let r = try client.get("/v1/sync/pull?after=\(after)&limit=10&epoch=x", headers: ["Authorization": "Bearer \(are.token)"])
            return try JSONDecoder().decode(PullResponse.self, from: r.body)
        }
        var pages: [PullResponse] = []
        var after: Int64 = 0
        repeat {
            let p = try page(after: after)
            pages.append(p)
            after = p.nextAfter
        } while pages.last!.hasMore
        #expect(pages.count >= 3)
        let applier = RemoteApplier(store: are.store)
        // Out of order: a later page first is ignored (it does not start at the cursor).
        #expect(try applier.apply(pages[2]) == 0)
        #expect(try are.syncState().cursor == 0)
        for p in pages { _ = try applier.apply(p) }
        let once = try are.sharedRows()
        // Replayed: every page again, and the whole log again from a rewound cursor.
        for p in pages { #expect(try applier.apply(p) == 0) }
        try are.store.pool.write { db in try db.execute(sql: "UPDATE sync_state SET pull_cursor = 0") }
        for p in pages { _ = try applier.apply(p) }
        #expect(try are.sharedRows() == once)
        #expect(try are.sharedRows() == lim.sharedRows())
        #expect(try are.count("SELECT count(*) FROM owners") == 30)
        #expect(try are.count("SELECT count(*) FROM conflict_log") == 0)
        #expect(try are.count("SELECT count(*) FROM journal") == 0)
    }

    // What is tested here happens at the sede (its cursor, its backlog, its daemon, its link), so one
    // central storage is enough; the central's storages are compared by the other tests on both.
    @Test(arguments: [Backend.sqlite])
    func crashBetweenPagesResumesFromTheSavedCursor(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try lim.store.write(user: nil) { db in
            for i in 0..<3_000 {
                let now = lim.store.nowText
                try Owner(id: lim.store.newID(), docType: .dni, docNumber: String(format: "6%07d", i), firstNames: "Ana", lastNames: "Paz",
                          createdAt: now, updatedAt: now).insert(db)
            }
        }
        for i in 0..<10 { try lim.addOwner(doc: String(format: "7000000%d", i)) }
        try lim.sync()
        // The process dies right after committing its first page (page and cursor in one transaction).
        let crashed = try are.syncProcess(env: ["VETDESK_SYNC_FAULT": "exit_after_pull_page"])
        #expect(crashed.status == 70)
        let state = try are.syncState()
        let applied = try are.count("SELECT count(*) FROM owners")
        #expect(state.cursor > 0)
        #expect(applied > 0 && applied < 3_010)
        // What the cursor says was applied is exactly what is there.
        let restarted = try are.syncProcess()
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(try are.count("SELECT count(*) FROM owners") == 3_010)
        #expect(try are.sharedRows() == lim.sharedRows())
        #expect(try are.count("SELECT count(*) FROM sync_rejects") == 0)
    }

    @Test(arguments: backends)
    func skewedClocksAndFarFutureHLCs(_ backend: Backend) throws {
        let central = try CentralProcess(backend)
        let dir = TempDir()
        let ahead = ManualClock(Date().addingTimeInterval(3_600))
        let behind = ManualClock(Date().addingTimeInterval(-3_600))
        let fast = try TestSede("CUS01", in: dir, clock: ahead)
        let slow = try TestSede("PIU01", in: dir, clock: behind)
        let ok = try TestSede("LIM01", in: dir)
        try central.start()
        try fast.link(central)
        try slow.link(central)
        try ok.link(central)
        // A sede one hour ahead: its entries wait at the sede (not refused for good) until its clock is right.
        try fast.addOwner(doc: "80000001")
        try fast.sync()
        #expect(try fast.count("SELECT count(*) FROM sync_rejects") == 0)
        #expect(try fast.syncState().pushed == 0)
        #expect(try SyncStatus.read(fast.store).clockAheadMs != nil)
        // A sede one hour behind is accepted (its writes simply lose to newer ones).
        let shared = try slow.addOwner(doc: "80000002", phone: "111")
        try slow.sync()
        #expect(try slow.count("SELECT count(*) FROM sync_rejects") == 0)
        try ok.sync()
        #expect(try ok.count("SELECT count(*) FROM owners") == 1)
        try ok.setOwner(shared, "phone", "222")
        try ok.sync()
        try slow.setOwner(shared, "phone", "333")
        try slow.sync()
        try ok.sync()
        // LIM01's real-time edit beats PIU01's later edit stamped an hour in the past, everywhere,
        // and the losing value is kept in conflict_log.
        #expect(try ok.count("SELECT count(*) FROM owners WHERE phone = '222'") == 1)
        #expect(try slow.count("SELECT count(*) FROM owners WHERE phone = '222'") == 1)
        #expect(try ok.count("SELECT count(*) FROM conflict_log WHERE lost_value = '\"333\"'") == 1)
        // A far-future HLC written straight into the journal (a clock a year ahead at the time) is
        // held by central; this sede's clock is right, so it is stamped again and goes, with the
        // entries after it.
        let farFuture = HLC(ms: Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000 * 365, counter: 0).raw
        try ok.store.pool.write { db in
            try db.execute(sql: "UPDATE sync_state SET tx_id = tx_id + 1")
            try db.execute(sql: """
                INSERT INTO journal (tx_id, hlc, tbl, row_id, op, cols, user_id)
                SELECT tx_id, ?, 'owners', ?, 'U', '{"phone":"999"}', NULL FROM sync_state
                """, arguments: [farFuture, shared])
        }
        try ok.addOwner(doc: "80000003")
        let clockBefore = try ok.store.read { db in try Int64.fetchOne(db, sql: "SELECT hlc FROM sync_state") ?? 0 }
        try ok.sync()
        #expect(try ok.count("SELECT count(*) FROM sync_rejects") == 0)
        #expect(try ok.syncState().pushed == ok.syncState().maxSeq)
        try slow.sync()
        #expect(try slow.count("SELECT count(*) FROM owners WHERE doc_number = '80000003'") == 1)
        #expect(try slow.count("SELECT count(*) FROM owners WHERE phone = '999'") == 1)
        // Nobody's clock was dragged into the future.
        for sede in [slow, ok] {
            let hlc = try sede.store.read { db in try Int64.fetchOne(db, sql: "SELECT hlc FROM sync_state") ?? 0 }
            #expect(HLC(raw: hlc).ms < Int64(Date().timeIntervalSince1970 * 1000) + 60_000)
        }
        #expect(clockBefore < farFuture)
    }

    @Test(arguments: backends)
    func poisonEntriesNeverBlockEitherDirection(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let owner = try lim.addOwner(doc: "90000001")
        // Push side: an entry for a table nobody knows. Pull side: a column ARE01 does not have.
        try lim.store.pool.write { db in
            try db.execute(sql: "UPDATE sync_state SET tx_id = tx_id + 1, hlc = hlc + 1")
            try db.execute(sql: "INSERT INTO journal (tx_id, hlc, tbl, row_id, op, cols) SELECT tx_id, hlc, 'tabla_rara', 'r1', 'I', '{\"id\":\"r1\"}' FROM sync_state")
            try db.execute(sql: "UPDATE sync_state SET tx_id = tx_id + 1, hlc = hlc + 1")
            try db.execute(sql: "INSERT INTO journal (tx_id, hlc, tbl, row_id, op, cols) SELECT tx_id, hlc, 'owners', ?, 'U', '{\"color_favorito\":\"azul\"}' FROM sync_state",
                           arguments: [owner])
        }
        try lim.addOwner(doc: "90000002")
        try lim.sync()
        #expect(try lim.store.read { db in try String.fetchAll(db, sql: "SELECT code FROM sync_rejects") } == ["unknown_table"])
        try are.sync()
        #expect(try are.store.read { db in try String.fetchAll(db, sql: "SELECT code FROM sync_rejects") } == ["unknown_column"])
        #expect(try are.count("SELECT count(*) FROM owners") == 2)
        #expect(try are.count("SELECT count(*) FROM sync_rejects WHERE entry LIKE '%color_favorito%'") == 1)
    }

    // What is tested here happens at the sede (its cursor, its backlog, its daemon, its link), so one
    // central storage is enough; the central's storages are compared by the other tests on both.
    @Test(arguments: [Backend.sqlite])
    func weekLongBacklogResumesWithoutStartingOver(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        // A week offline: 20,000 journal entries in transactions of 20.
        for t in 0..<1_000 {
            try lim.store.write(user: nil) { db in
                for i in 0..<20 {
                    let now = lim.store.nowText
                    try Owner(id: lim.store.newID(), docType: .dni, docNumber: String(format: "1%07d", t * 20 + i), firstNames: "Rosa", lastNames: "Vega",
                              createdAt: now, updatedAt: now).insert(db)
                }
            }
        }
        #expect(try lim.syncState().maxSeq == 20_000)
        // The link drops after a few batches (central stops); what was acknowledged stays acknowledged.
        let engine = try lim.engine()
        engine.pushBatchSize = 1_000
        for _ in 0..<5 { _ = try engine.pushBatch() }
        #expect(try lim.syncState().pushed == 5_000)
        central.stop()
        #expect(throws: SyncError.self) { try engine.syncOnce() }
        #expect(try lim.syncState().pushed == 5_000)
        try central.start()
        try lim.repoint(central.url)
        try are.repoint(central.url)
        let started = Date()
        let result = try lim.syncProcess()
        #expect(result.status == 0, "\(result.stderr)")
        let seconds = Date().timeIntervalSince(started)
        #expect(try lim.syncState().pushed == 20_000)
        // Resumed at 5,001: the restarted central received only the remaining 15,000.
        #expect(try central.metric("vetcentral_push_entries_total") == 15_000)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 20_000)
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners") == 20_000)
        print("backlog 20000: push by process \(String(format: "%.2f", seconds)) s")
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Int, PushResponse?)] = []
    func append(_ status: Int, _ ack: PushResponse?) { lock.withLock { items.append((status, ack)) } }
    var statuses: [Int] { lock.withLock { items.map(\.0) } }
    var acks: [PushResponse] { lock.withLock { items.compactMap(\.1) } }
}
