import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// Central storages every central test runs against.
let backends: [Backend] = Backend.allCases

/// The push/pull protocol against a real `vetcentral` process (DESIGN.md §4).
@Suite(.serialized)
struct SyncProtocolTests {
    @Test(arguments: backends)
    func sharedAndCentralDataReachEverySedeButSedeOwnedRowsStayHome(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try central.admin(["user", "add", "rosa", "--full-name", "Rosa Díaz", "--password", "clave123", "--role", "LIM01:veterinario", "--role", "ARE01:supervisor"])

        try lim.sync()
        let owner = try lim.addOwner(doc: "45678912", first: "Lucía")
        try lim.store.write(user: nil) { db in
            try Pet(id: lim.store.newID(), ownerId: owner, name: "Firulais", species: "perro", createdAt: lim.store.nowText, updatedAt: lim.store.nowText).insert(db)
            try db.execute(sql: "INSERT INTO login_events (id, sede_id, user_id, kind, at) SELECT ?, ?, id, 'login_ok', ? FROM users LIMIT 1",
                           arguments: [lim.store.newID(), lim.sedeID, lim.store.nowText])
        }
        let sent = try lim.syncProcess()
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(try lim.syncState().pushed == lim.syncState().maxSeq)
        let got = try are.syncProcess()
        #expect(got.status == 0, "\(got.stderr)")

        #expect(try are.sharedRows() == lim.sharedRows())
        #expect(try are.count("SELECT count(*) FROM pets WHERE name = 'Firulais'") == 1)
        // Sede-owned: the login event stays at LIM01.
        #expect(try are.count("SELECT count(*) FROM login_events") == 0)
        #expect(try lim.count("SELECT count(*) FROM login_events") == 1)
        // Central data flows down: users, their roles and both sedes.
        for sede in [lim, are] {
            try sede.sync()
            #expect(try sede.count("SELECT count(*) FROM users WHERE username = 'rosa'") == 1)
            #expect(try sede.count("SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.username = 'rosa'") == 2)
            #expect(try sede.count("SELECT count(*) FROM sedes WHERE code IN ('LIM01', 'ARE01')") == 2)
        }
        // Nothing echoed back: LIM01's own changes were not pulled into its journal again.
        #expect(try lim.count("SELECT count(*) FROM journal") == 3)
        // The central identity replaced the offline one, and the status says so.
        let status = try runProcess(Binaries.vetdesk, ["sync", "status", "--json", "--db", lim.path])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(json?["link"] as? String == "up")
        #expect(json?["pending"] as? Int == 0)
        #expect(json?["rejects"] as? Int == 0)
        #expect(json?["last_ok"] is String)
        #expect(try central.metric("vetcentral_push_entries_total") == 3)
    }

    // What is tested here happens at the sede (its cursor, its backlog, its daemon, its link), so one
    // central storage is enough; the central's storages are compared by the other tests on both.
    @Test(arguments: [Backend.sqlite])
    func syncOnceFailsClearlyWhenTheCentralIsUnreachable(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        try lim.addOwner(doc: "11111111")
        central.stop()
        let result = try lim.syncProcess()
        #expect(result.status != 0)
        #expect(result.stderr.contains("No se pudo conectar con la central"))
        let status = try SyncStatus.read(lim.store)
        #expect(status.link == "down")
        #expect(status.pending == 1)
        // The central comes back: the same entries go, once.
        try central.start()
        try lim.repoint(central.url)
        #expect(try lim.syncProcess().status == 0)
        #expect(try SyncStatus.read(lim.store).pending == 0)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 1)
    }

    @Test func plainHTTPIsRefusedExceptToLoopback() throws {
        #expect(throws: TransportError.self) { try CurlHTTPClient(baseURL: "http://central.example.pe") }
        #expect(throws: TransportError.self) { try CurlHTTPClient(baseURL: "http://192.168.1.10:8640") }
        _ = try CurlHTTPClient(baseURL: "http://127.0.0.1:8640")
        _ = try CurlHTTPClient(baseURL: "https://central.example.pe")
        let dir = TempDir()
        let lim = try TestSede("LIM01", in: dir)
        let r = try runProcess(Binaries.vetdesk, ["sync", "configure", "--db", lim.path, "--central", "http://10.0.0.5:8640", "--token", "x"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("solo se permite http hacia esta misma máquina"))
    }

    @Test(arguments: backends)
    func badRequestsGetStableErrorCodes(_ backend: Backend) throws {
        let central = try CentralProcess(backend, extraServeArgs: ["--max-body-mib", "1"])
        try central.start()
        let token = try central.addSede("LIM01")
        let other = try central.addSede("ARE01")
        let client = try central.client()
        func code(_ r: HTTPResponse) -> String? { (try? JSONDecoder().decode(ErrorBody.self, from: r.body))?.code }

        let noToken = try client.get("/v1/sync/pull?after=0")
        #expect(noToken.status == 401 && code(noToken) == "unauthorized")
        let wrong = try client.get("/v1/sync/pull?after=0", headers: ["Authorization": "Bearer vdk_nope"])
        #expect(wrong.status == 401 && code(wrong) == "unauthorized")
        let ok = try client.get("/v1/sync/pull?after=0", headers: ["Authorization": "Bearer \(token)"])
        #expect(ok.status == 200)

        let malformed = try client.post("/v1/sync/push", body: Data("{\"sede\": [".utf8), headers: ["Authorization": "Bearer \(token)"])
        #expect(malformed.status == 400 && code(malformed) == "malformed_json")
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: malformed.body))?.message ?? ""
        #expect(message.contains("no es un lote"))

        let big = Data(repeating: UInt8(ascii: " "), count: 2 << 20)
        let tooLarge = try client.post("/v1/sync/push", body: big, headers: ["Authorization": "Bearer \(token)"])
        #expect(tooLarge.status == 413 && code(tooLarge) == "body_too_large")

        // A batch claiming to be another sede's.
        let helloOther = try JSONDecoder().decode(HelloResponse.self, from: client.get("/v1/sync/hello", headers: ["Authorization": "Bearer \(other)"]).body)
        let forged = PushRequest(sede: helloOther.sedeID, epoch: "e", fromSeq: 1, toSeq: 1, schemaVersion: 1, entries: [
            JournalEntry(seq: 1, txID: 1, hlc: HLC(ms: Int64(Date().timeIntervalSince1970 * 1000), counter: 0).raw, tbl: "owners", rowID: "x",
                         op: "D", cols: nil, userID: nil, dataClass: .shared)])
        let forgedResponse = try client.post("/v1/sync/push", body: JSONEncoder().encode(forged), headers: ["Authorization": "Bearer \(token)"])
        #expect(forgedResponse.status == 403 && code(forgedResponse) == "wrong_sede")

        try central.admin(["sede", "revoke", "LIM01"])
        let revoked = try client.get("/v1/sync/pull?after=0", headers: ["Authorization": "Bearer \(token)"])
        #expect(revoked.status == 401)
        let listed = try runProcess(Binaries.vetcentral, ["sede", "list"] + central.storageArgs)
        #expect(listed.stdout.contains("LIM01") && listed.stdout.contains("revocada"))
        #expect(try central.count("SELECT count(*) FROM sede_tokens WHERE token_hash LIKE 'vdk_%'") == 0)
        let health = try client.get("/health")
        #expect(health.status == 200)
        let metrics = String(decoding: try client.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("vetcentral_push_duration_seconds_bucket"))
        #expect(metrics.contains("vetcentral_errors_total{code=\"unauthorized\"} 3"))
    }

    @Test(arguments: backends)
    func writingAnotherSedesRowsOrCentralDataIsRejectedWithoutBlockingTheQueue(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try lim.sync()
        // LIM01 writes central data (a user) and a login event that claims to be ARE01's.
        let userID = lim.store.newID()
        try lim.store.write(user: nil) { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, 'intruso', 'X', 'x', ?)",
                           arguments: [userID, lim.store.nowText])
        }
        try lim.store.write(user: nil) { db in
            try db.execute(sql: "INSERT INTO login_events (id, sede_id, user_id, kind, at) VALUES (?, ?, ?, 'login_ok', ?)",
                           arguments: [lim.store.newID(), are.sedeID, userID, lim.store.nowText])
        }
        try lim.addOwner(doc: "22222222")
        let result = try lim.syncProcess()
        #expect(result.status == 0, "\(result.stderr)")
        let codes = try lim.store.read { db in try String.fetchAll(db, sql: "SELECT code FROM sync_rejects ORDER BY seq") }
        #expect(codes == ["central_data", "other_sede"])
        #expect(try lim.syncState().pushed == lim.syncState().maxSeq)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects WHERE entry IS NOT NULL AND message <> ''") == 2)
        // The owner after the rejects went through.
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners WHERE doc_number = '22222222'") == 1)
        #expect(try are.count("SELECT count(*) FROM users WHERE username = 'intruso'") == 0)
        #expect(try are.count("SELECT count(*) FROM login_events") == 0)
        #expect(try central.count("SELECT count(*) FROM push_rejects") == 2)
        #expect(try SyncStatus.read(lim.store).rejects == 2)
    }

    @Test(arguments: backends)
    func batchesAndPagesNeverSplitATransaction(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try are.sync()
        try lim.addOwner(doc: "31000000")
        try lim.store.write(user: nil) { db in
            for i in 0..<30 {
                try Owner(id: lim.store.newID(), docType: .dni, docNumber: String(format: "320000%02d", i), firstNames: "Lote", lastNames: "Único",
                          createdAt: lim.store.nowText, updatedAt: lim.store.nowText).insert(db)
            }
        }
        try lim.addOwner(doc: "33000000")
        let engine = try lim.engine()
        engine.pushBatchSize = 10
        let first = try #require(try PushBatch.next(store: lim.store, sedeID: lim.sedeID, limit: 10))
        #expect(first.fromSeq == 1 && first.toSeq == 31)
        try engine.pushPending()
        #expect(try central.metric("vetcentral_pushes_total") == 2)
        let pullEngine = try are.engine()
        pullEngine.pullPageSize = 10
        #expect(try pullEngine.pullPage() == 31)
        #expect(try are.count("SELECT count(*) FROM owners") == 31)
        #expect(try pullEngine.pullPage() == 1)
        #expect(try pullEngine.pullPage() == nil)
    }

    /// https is verified: a self-signed server is refused, and accepted with its CA given (--cacert).
    @Test func httpsIsVerifiedAndAPrivateCAIsAccepted() throws {
        let dir = TempDir()
        let made = try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("key.pem"),
                                                       "-out", dir.file("cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1",
                                                       "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let port = try PostgresServer.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", dir.file("cert.pem"), "-key", dir.file("key.pem"), "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // SIGKILL: openssl keeps the SIGTERM disposition it inherits from the test runner.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let trusted = try CurlHTTPClient(baseURL: "https://127.0.0.1:\(port)", caCertPath: dir.file("cert.pem"))
        try waitUntil("servidor TLS listo") { try trusted.get("/").status == 200 }
        let untrusted = try CurlHTTPClient(baseURL: "https://127.0.0.1:\(port)")
        #expect(throws: TransportError.self) { try untrusted.get("/") }
    }
}
