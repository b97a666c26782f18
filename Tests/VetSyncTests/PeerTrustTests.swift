import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCentral
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// What one sede's token can do to the network (issue 9, items 1 and 2): crafted pushes sent as
/// raw HTTP to a real `vetcentral`, and crafted pages applied straight into a sede store.
@Suite(.serialized)
struct PeerTrustTests {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func entry(_ seq: Int64, _ tbl: String, _ rowID: String, _ op: String, _ cols: [String: SQLValue]?,
                      _ declared: DataClass?, hlc: Int64? = nil) -> JournalEntry {
        JournalEntry(seq: seq, txID: seq, hlc: hlc ?? HLC(ms: nowMs, counter: seq).raw, tbl: tbl, rowID: rowID, op: op,
                     cols: cols, userID: nil, dataClass: declared)
    }

    static func push(_ central: CentralProcess, token: String, sede: String, epoch: String, from: Int64, to: Int64,
                     epochStart: Int64? = nil, _ entries: [JournalEntry]) throws -> HTTPResponse {
        let request = PushRequest(sede: sede, epoch: epoch, fromSeq: from, toSeq: to, epochStart: epochStart, schemaVersion: 1, entries: entries)
        return try central.client().post("/v1/sync/push", body: JSONEncoder().encode(request), headers: ["Authorization": "Bearer \(token)"])
    }

    static func code(_ r: HTTPResponse) -> String? { (try? JSONDecoder().decode(ErrorBody.self, from: r.body))?.code }

    /// What an attacker would change at a sede: where it syncs to, who may sign in and as what,
    /// its settings, its sync bookkeeping, its journal, its own sede-owned rows.
    static func guarded(_ sede: TestSede) throws -> [String] {
        try sede.store.read { db in
            try String.fetchAll(db, sql: "SELECT json_array(central_url) FROM sync_config")
                + String.fetchAll(db, sql: "SELECT json_array(id, username, pass_hash, active) FROM users ORDER BY id")
                + String.fetchAll(db, sql: "SELECT json_array(user_id, sede_id, role) FROM user_roles ORDER BY id")
                + String.fetchAll(db, sql: "SELECT json_array(key, value) FROM settings ORDER BY key")
                + String.fetchAll(db, sql: "SELECT json_array(epoch, epoch_base, pushed_seq) FROM sync_state")
                + String.fetchAll(db, sql: "SELECT json_array(count(*), max(seq)) FROM journal")
                + String.fetchAll(db, sql: "SELECT json_array(id, sede_id, name) FROM rooms ORDER BY id")
                + String.fetchAll(db, sql: "SELECT json_array(id, name) FROM sedes ORDER BY id")
        }
    }

    /// Item 1, both ends through a real central: LIM01's token names ARE01's local tables, central
    /// data and ARE01's own rows, in any letter case and with any declared class. Central refuses
    /// each from its own list (a stable code per entry; the queue goes on), nothing reaches its log,
    /// and after pulling neither sede has changed. Fails on the old code: `Sync_Config` declared
    /// shared was logged and rewrote ARE01's central URL and token.
    @Test(arguments: backends)
    func craftedPushesNeverReachLocalTablesCentralDataOrAnotherSedesRows(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try central.admin(["user", "add", "rosa", "--full-name", "Rosa Díaz", "--password", "clave123", "--role", "ARE01:recepcionista"])
        let room = are.store.newID()
        try are.store.write(user: nil) { db in
            try db.execute(sql: "INSERT INTO rooms (id, sede_id, name, kind, created_at) VALUES (?, ?, 'Consultorio 1', 'consultorio', ?)",
                           arguments: [room, are.sedeID, are.store.nowText])
        }
        try are.sync()
        try lim.sync()
        let rosa = try #require(try are.store.read { db in try String.fetchOne(db, sql: "SELECT id FROM users WHERE username = 'rosa'") })
        let areBefore = try Self.guarded(are), limBefore = try Self.guarded(lim)
        #expect(areBefore.contains { $0.contains("Consultorio 1") })

        let stolen: [String: SQLValue] = ["central_url": .text("http://127.0.0.1:9/robado"), "token": .text("vdk_robado")]
        let owner = lim.store.newID()
        let attack: [(String, String, String, [String: SQLValue]?, DataClass?)] = [
            ("Sync_Config", "1", "U", stolen, .shared),
            ("sync_config", "1", "U", stolen.merging(["sede_id": .text(lim.sedeID), "to_sede_id": .text(are.sedeID)]) { a, _ in a }, .sede),
            ("USERS", rosa, "U", ["pass_hash": .text("$2b$04$robado"), "active": .int(1)], .shared),
            ("users", lim.store.newID(), "I", ["username": .text("intruso"), "full_name": .text("X"), "pass_hash": .text("x"),
                                               "created_at": .text("2026-01-01T00:00:00.000Z")], nil),
            ("User_Roles", lim.store.newID(), "I", ["user_id": .text(rosa), "sede_id": .text(are.sedeID), "role": .text("administrador")], .sede),
            ("settings", "idle_minutes", "I", ["key": .text("idle_minutes"), "value": .text("999")], .shared),
            ("SETTINGS", "sede_id", "U", ["value": .text("robada")], .central),
            ("sync_state", "1", "U", ["epoch": .text("robado"), "pushed_seq": .int(0)], .shared),
            ("JOURNAL", "1", "D", nil, .shared),
            ("Sedes", are.sedeID, "U", ["name": .text("Sede robada")], .shared),
            ("ROOMS", room, "U", ["name": .text("Sala robada")], .shared),
            ("rooms", room, "U", ["name": .text("Sala robada"), "sede_id": .text(lim.sedeID)], .sede),
            // A shared table under any case or declared class is still the shared table.
            ("owners", owner, "I", ["doc_type": .text("dni"), "doc_number": .text("70000001"), "first_names": .text("Ana"),
                                    "last_names": .text("Quispe"), "created_at": .text("2026-01-01T00:00:00.000Z"),
                                    "updated_at": .text("2026-01-01T00:00:00.000Z")], .central),
            ("OWNERS", owner, "U", ["phone": .text("987654321")], .sede),
        ]
        let entries = attack.enumerated().map { i, a in Self.entry(Int64(i + 1), a.0, a.1, a.2, a.3, a.4) }
        let response = try Self.push(central, token: lim.token, sede: lim.sedeID, epoch: "ataque", from: 1, to: Int64(entries.count), entries)
        #expect(response.status == 403)
        let ack = try JSONDecoder().decode(PushResponse.self, from: response.body)
        #expect(ack.ackedThrough == Int64(entries.count))
        #expect(ack.rejects.map(\.code) == ["unknown_table", "unknown_table", "central_data", "central_data", "central_data",
                                            "unknown_table", "unknown_table", "unknown_table", "unknown_table", "central_data",
                                            "other_sede", "other_sede"])
        #expect(ack.rejects.map(\.seq) == Array(1...12))

        // Central's log holds the owner and its edit only, under the canonical name.
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin_epoch = 'ataque'") == 2)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin_epoch = 'ataque' AND tbl = 'owners' AND data_class = 'shared'") == 2)
        #expect(try central.count("SELECT count(*) FROM push_rejects WHERE origin_epoch = 'ataque'") == 12)

        try are.sync()
        try lim.sync()
        #expect(try Self.guarded(are) == areBefore)
        #expect(try Self.guarded(lim) == limBefore)
        for sede in [are, lim] {
            #expect(try sede.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '987654321'", [owner]) == 1)
            #expect(try sede.count("SELECT count(*) FROM sync_rejects") == 0)
        }
    }

    /// Item 1, the sede's end: whatever central (or a man in the middle) sends, a sede applies only
    /// tables it syncs, under their canonical name and class, central rows from central only and
    /// sede-owned rows from their owner only. Fails on the old code, which applied any local table.
    @Test func aSedeAppliesOnlyItsSyncedTablesWithTheirClassAndRightfulWriter() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("s.db"))
        let local = try store.initializeSede(code: "CUS01", name: "Cusco").id
        let before = try store.read { db in
            try String.fetchAll(db, sql: "SELECT json_array(key, value) FROM settings ORDER BY key")
                + String.fetchAll(db, sql: "SELECT json_array(epoch, pushed_seq, tx_id) FROM sync_state")
        }
        let created = SQLValue.text("2026-01-01T00:00:00.000Z")
        var cseq: Int64 = 0
        func change(_ tbl: String, _ rowID: String, _ op: String, _ cols: [String: SQLValue]?, _ cls: DataClass, origin: String?) -> PulledChange {
            cseq += 1
            return PulledChange(cseq: cseq, origin: origin, originEpoch: origin.map { _ in "e1" }, txID: cseq, hlc: (1_700_000_000_000 + cseq) << 16,
                                tbl: tbl, rowID: rowID, op: op, cols: cols, dataClass: cls)
        }
        func room(_ id: String, sede: String) -> [String: SQLValue] {
            ["id": .text(id), "sede_id": .text(sede), "name": .text("Sala \(id)"), "kind": .text("consultorio"), "created_at": created]
        }
        let user: [String: SQLValue] = ["username": .text("nuevo"), "full_name": .text("Nuevo"), "pass_hash": .text("x"), "created_at": created]
        let owner: [String: SQLValue] = ["doc_type": .text("dni"), "doc_number": .text("41000001"), "first_names": .text("Rosa"),
                                         "last_names": .text("Quispe"), "created_at": created, "updated_at": created]
        let changes = [
            change("settings", "idle_minutes", "I", ["key": .text("idle_minutes"), "value": .text("999")], .shared, origin: "otra"),
            change("SYNC_CONFIG", "1", "I", ["central_url": .text("http://127.0.0.1:9/"), "token": .text("robado")], .shared, origin: "otra"),
            change("Sync_State", "1", "U", ["epoch": .text("robado"), "tx_id": .int(0)], .central, origin: nil),
            change("journal", "1", "D", nil, .central, origin: nil),
            change("USERS", "u-intruso", "I", user, .central, origin: "otra"),
            change("owners", "o-clase", "I", owner, .central, origin: nil),
            change("rooms", "r-ajena", "I", room("r-ajena", sede: "otra"), .sede, origin: "otra"),
            change("rooms", "r-suplantada", "I", room("r-suplantada", sede: local), .sede, origin: "otra"),
            // Rightful: central's user (any case), a shared owner (any case), this sede's own room from an older epoch.
            change("Users", "u-central", "I", user, .central, origin: nil),
            change("OWNERS", "o-1", "I", owner, .shared, origin: "otra"),
            change("Rooms", "r-propia", "I", room("r-propia", sede: local), .sede, origin: local),
        ]
        let page = PullResponse(after: 0, nextAfter: cseq, hasMore: false, changes: changes, serverTimeMs: 0, nextCheck: nil)
        #expect(try RemoteApplier(store: store).apply(page) == 3)

        let rejects = try store.read { db in try String.fetchAll(db, sql: "SELECT code FROM sync_rejects ORDER BY seq DESC") }
        #expect(rejects == ["local_table", "local_table", "local_table", "local_table", "central_data", "class_mismatch", "other_sede", "other_sede"])
        let after = try store.read { db in
            try String.fetchAll(db, sql: "SELECT json_array(key, value) FROM settings ORDER BY key")
                + String.fetchAll(db, sql: "SELECT json_array(epoch, pushed_seq, tx_id) FROM sync_state")
        }
        #expect(after == before)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sync_config") } == 0)
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM users") } == ["u-central"])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM owners") } == ["o-1"])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM rooms") } == ["r-propia"])
        // Applied under the canonical name: the shared row's versions are found by the name the journal uses.
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT tbl FROM col_versions") } == ["owners"])
    }

    /// Central classifies from its own list and the sede from `synced_tables`: the two lists must
    /// name the same tables with the same class, or one side would refuse what the other writes.
    @Test func centralAndSedeClassifyEverySyncedTableAlike() throws {
        let central = try CentralProcess(.sqlite)
        try central.start()
        central.stop()
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("s.db"))
        let sede = try store.read { db in try String.fetchAll(db, sql: "SELECT name || ':' || data_class FROM synced_tables ORDER BY name") }
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: central.dir.file("central.db"), configuration: config)
        defer { try? queue.close() }
        let listed = try queue.read { db in try String.fetchAll(db, sql: "SELECT tbl || ':' || data_class FROM data_classes ORDER BY tbl") }
        #expect(listed == sede)
        // Every sede-owned table carries its owner, which both ends check.
        let ownerless = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT s.name FROM synced_tables s WHERE s.data_class IN ('sede', 'network')
                AND NOT EXISTS (SELECT 1 FROM pragma_table_info(s.name) c WHERE c.name = 'sede_id')
                """)
        }
        #expect(ownerless.isEmpty)
    }

    /// Item 2: numbers a peer sends are checked before any arithmetic, on both storages. Fails on
    /// the old code: a push at seq 2⁶³−1 was stored and the next push to that epoch killed
    /// `vetcentral` (`acked + 1`), and a negative HLC was logged.
    @Test(arguments: backends)
    func outOfRangeNumbersGetStableCodesAndNeverStopTheCentral(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        func delete(_ seq: Int64, hlc: Int64? = nil) -> JournalEntry { Self.entry(seq, "owners", "o\(seq)", "D", nil, nil, hlc: hlc) }
        func push(_ epoch: String, _ from: Int64, _ to: Int64, epochStart: Int64? = nil, _ entries: [JournalEntry]) throws -> HTTPResponse {
            try Self.push(central, token: lim.token, sede: lim.sedeID, epoch: epoch, from: from, to: to, epochStart: epochStart, entries)
        }
        let max = Int64.max
        let huge = try push("e-max", max, max, [delete(max)])
        #expect(huge.status == 400 && Self.code(huge) == "seq_out_of_range")
        let next = try push("e-max", 1, 1, [delete(1)])
        #expect(next.status == 200)
        #expect(try JSONDecoder().decode(PushResponse.self, from: next.body).ackedThrough == 1)

        for (from, to, start) in [(0, 0, nil), (-5, 1, nil), (1, PushPlanner.maxSeq + 1, nil), (max - 1, max, nil), (1, 1, -1), (1, 1, max)] as [(Int64, Int64, Int64?)] {
            let r = try push("e-rango", from, to, epochStart: start, [delete(1)])
            #expect(r.status == 400 && Self.code(r) == "seq_out_of_range", "from \(from) to \(to) start \(String(describing: start))")
        }
        for (from, to, start, entries) in [(2, 1, nil, [delete(1)]), (1, 1, 2, [delete(1)]), (1, 1, nil, [delete(max)]), (1, 2, nil, [delete(1)])]
            as [(Int64, Int64, Int64?, [JournalEntry])] {
            let r = try push("e-rango", from, to, epochStart: start, entries)
            #expect(r.status == 400 && Self.code(r) == "invalid_batch", "from \(from) to \(to)")
        }
        for body in ["{\"sede\":\"\(lim.sedeID)\",\"epoch\":\"e\",\"from_seq\":99999999999999999999,\"to_seq\":1,\"schema_version\":1,\"entries\":[]}",
                     "{\"sede\":\"\(lim.sedeID)\",\"epoch\":\"e\",\"from_seq\":1e30,\"to_seq\":1,\"schema_version\":1,\"entries\":[]}"] {
            let r = try central.client().post("/v1/sync/push", body: Data(body.utf8), headers: ["Authorization": "Bearer \(lim.token)"])
            #expect(r.status == 400 && Self.code(r) == "malformed_json")
        }

        // HLCs at or below zero are refused entry by entry; the valid entry after them goes in.
        let hlcs = try push("e-hlc", 1, 4, [delete(1, hlc: -1), delete(2, hlc: 0), delete(3, hlc: Int64.min), delete(4)])
        #expect(hlcs.status == 200)
        let ack = try JSONDecoder().decode(PushResponse.self, from: hlcs.body)
        #expect(ack.ackedThrough == 4 && ack.rejects.map(\.code) == ["invalid_hlc", "invalid_hlc", "invalid_hlc"])
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin_epoch = 'e-hlc'") == 1)
        #expect(try central.count("SELECT count(*) FROM changes WHERE hlc <= 0") == 0)

        // A 2⁶³−1 that an older central already stored: answered, not a crash, before and after a restart.
        try central.executeForTest("""
            INSERT INTO sede_epochs (sede_id, epoch, acked_through, started_at) VALUES ('\(lim.sedeID)', 'e-veneno', \(max), '2026-01-01')
            """)
        for round in 0..<2 {
            let r = try push("e-veneno", 1, 1, [delete(1)])
            #expect(r.status == 200, "ronda \(round)")
            #expect(try central.client().get("/health").status == 200)
            central.stop()
            try central.start()
        }

        // Pull parameters.
        let client = try central.client()
        let auth = ["Authorization": "Bearer \(lim.token)"]
        for query in ["after=-1", "after=99999999999999999999", "after=1e3", "after=abc", "after="] {
            let r = try client.get("/v1/sync/pull?\(query)", headers: auth)
            #expect(r.status == 400 && Self.code(r) == "invalid_cursor", "\(query)")
        }
        for query in ["after=\(max)", "after=0&limit=-9", "after=0&limit=99999999999999999999", "after=0&check=-1", "after=0&check=\(Int64.min)"] {
            let r = try client.get("/v1/sync/pull?\(query)", headers: auth)
            #expect(r.status == 200, "\(query)")
            #expect(throws: Never.self, "\(query)") { try PullResponse.parse(r.body) }
        }
        let mismatch = try client.get("/v1/sync/pull?after=\(max)&check=-1", headers: auth)
        #expect(mismatch.status == 409 && Self.code(mismatch) == "cursor_mismatch")
        #expect(try client.get("/health").status == 200)
        // The sede itself still syncs normally.
        try lim.addOwner(doc: "71000001")
        try lim.sync()
        #expect(try lim.syncState().pushed == lim.syncState().maxSeq)
    }
}

extension CentralProcess {
    /// Runs one statement on central's database behind its back (to plant what an older central stored).
    func executeForTest(_ sql: String) throws {
        switch backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: dir.file("central.db"))
            defer { try? queue.close() }
            try queue.write { db in try db.execute(sql: sql) }
        case .postgres:
            let r = try PostgresServer.shared().psql(String(storageArgs[1].split(separator: "/").last ?? ""), sql)
            guard r.status == 0 else { throw TestFailure("psql: \(r.stderr)") }
        }
    }
}
