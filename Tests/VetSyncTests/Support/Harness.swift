import Foundation
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol
import VetTestSupport

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Polls `condition` until it holds; throws, naming what was awaited, when `timeout` passes.
func waitUntil(_ what: String, timeout: TimeInterval = 30, _ condition: () throws -> Bool) throws {
    // An error while polling may pass (the thing awaited is not there yet); the last one is told.
    var lastError: (any Error)?
    let held = waitUntil(seconds: timeout, every: 0.02) {
        do { return try condition() } catch { lastError = error; return false }
    }
    guard held else {
        throw TestFailure("tiempo agotado esperando: \(what)" + (lastError.map { " (último error: \($0))" } ?? ""))
    }
}

/// Which storage a central under test uses.
enum Backend: String, CustomStringConvertible, CaseIterable, Sendable {
    case sqlite, postgres
    var description: String { rawValue }
}

/// A real `vetcentral serve` process on 127.0.0.1 and a free port.
final class CentralProcess: @unchecked Sendable {
    let dir: TempDir
    let backend: Backend
    /// `--db PATH` or `--postgres URL`.
    let storageArgs: [String]
    var process: Process?
    private(set) var port = 0
    var extraServeArgs: [String]
    var url: String { "http://127.0.0.1:\(port)" }

    init(_ backend: Backend = .sqlite, extraServeArgs: [String] = []) throws {
        dir = TempDir()
        self.backend = backend
        self.extraServeArgs = extraServeArgs
        switch backend {
        case .sqlite: storageArgs = ["--db", dir.file("central.db")]
        case .postgres: storageArgs = ["--postgres", try PostgresServer.shared().newDatabaseURL()]
        }
    }

    /// A central on `backend`, already serving.
    static func running(_ backend: Backend) throws -> CentralProcess {
        let central = try CentralProcess(backend)
        try central.start()
        return central
    }

    deinit {
        stop()
        if let keep = ProcessInfo.processInfo.environment["VETSYNC_KEEP_LOGS"] {
            try? FileManager.default.copyItem(atPath: dir.file("serve.log"), toPath: keep + "/serve-\(UUID().uuidString.prefix(6)).log")
        }
    }

    /// `vetcentral ARGS --db …`; the last line of stdout.
    @discardableResult
    func admin(_ args: [String]) throws -> String {
        let r = try runProcess(Binaries.vetcentral, args + storageArgs)
        guard r.status == 0 else { throw TestFailure("vetcentral \(args) salió con \(r.status): \(r.stderr)") }
        return r.stdout.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Registers a sede and returns its token.
    func addSede(_ code: String, name: String? = nil) throws -> String {
        try admin(["sede", "add", code, "--name", name ?? "Sede \(code)"])
    }

    /// Starts (again) on the same port if it had one.
    func start() throws {
        let portFile = dir.file("port-\(UUID().uuidString.prefix(6))")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.vetcentral)
        p.arguments = ["serve", "--port", String(port), "--port-file", portFile] + storageArgs + extraServeArgs
        let log = dir.file("serve.log")
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        try waitUntil("vetcentral escuchando") {
            guard p.isRunning else { throw TestFailure("vetcentral terminó: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let n = Int(text) else { return false }
            port = n
            return true
        }
    }

    /// SIGTERM and wait: a clean stop.
    func stop() {
        guard let p = process, p.isRunning else { return }
        p.terminate()
        _ = waitUntil(seconds: 10, every: 0.01) { !p.isRunning }
        if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    /// SIGKILL: a crash.
    func crash() {
        guard let p = process, p.isRunning else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    func client() throws -> CurlHTTPClient { try CurlHTTPClient(baseURL: url) }

    /// Copies central's database aside (central must be stopped).
    func backup() throws {
        switch backend {
        case .sqlite:
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: dir.file("central.db" + suffix)) {
                try FileManager.default.copyItem(atPath: dir.file("central.db" + suffix), toPath: dir.file("backup.db" + suffix))
            }
        case .postgres:
            let name = String(storageArgs[1].split(separator: "/").last ?? "")
            let r = try PostgresServer.shared().psql("postgres", "CREATE DATABASE \(name)_bak TEMPLATE \(name)")
            guard r.status == 0 else { throw TestFailure("respaldo: \(r.stderr)") }
        }
    }

    /// Puts the backup back in place of central's database (central must be stopped).
    func restoreBackup() throws {
        switch backend {
        case .sqlite:
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: dir.file("central.db" + suffix))
                if FileManager.default.fileExists(atPath: dir.file("backup.db" + suffix)) {
                    try FileManager.default.copyItem(atPath: dir.file("backup.db" + suffix), toPath: dir.file("central.db" + suffix))
                }
            }
        case .postgres:
            let name = String(storageArgs[1].split(separator: "/").last ?? "")
            for sql in ["DROP DATABASE \(name)", "CREATE DATABASE \(name) TEMPLATE \(name)_bak"] {
                let r = try PostgresServer.shared().psql("postgres", sql)
                guard r.status == 0 else { throw TestFailure("restaurar: \(r.stderr)") }
            }
        }
    }

    /// A metric's value from `GET /metrics`.
    func metric(_ name: String) throws -> Double {
        let body = String(decoding: try client().get("/metrics").body, as: UTF8.self)
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix(name + " ") }),
              let value = Double(line.split(separator: " ").last ?? "") else { throw TestFailure("métrica \(name) ausente") }
        return value
    }

    /// One number read from central's database (for assertions only).
    func count(_ sql: String) throws -> Int {
        switch backend {
        case .sqlite:
            var config = Configuration()
            config.readonly = true
            let queue = try DatabaseQueue(path: dir.file("central.db"), configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
        case .postgres:
            return try PostgresServer.shared().scalar(url: storageArgs[1], sql)
        }
    }
}

/// A sede store in a temp dir, linked to a central. It keeps its folder alive while it is used.
final class TestSede: @unchecked Sendable {
    let code: String
    let dir: TempDir
    let path: String
    let clock: any WallClock
    private(set) var store: SedeStore
    var token = ""

    init(_ code: String, in dir: TempDir = TempDir(), clock: (any WallClock)? = nil) throws {
        self.code = code
        self.dir = dir
        self.clock = clock ?? SystemClock()
        path = dir.file("\(code).db")
        store = try SedeStore.create(path: path, clock: self.clock)
        try store.initializeSede(code: code, name: "Sede \(code)")
    }

    /// A consistent copy of the sede's file, as a backup tool would take it.
    func copy(to copyPath: String) throws {
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copyPath]) }
    }

    /// Puts an older copy back in place of the sede's file, as after a disk failure.
    func restore(from copyPath: String) throws {
        try store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: copyPath, toPath: path)
        store = try SedeStore.open(path: path, clock: clock)
    }

    /// A new sede registered at `central` and linked to it (the setup of most sync tests).
    static func linked(_ code: String, to central: CentralProcess, in dir: TempDir = TempDir()) throws -> TestSede {
        let sede = try TestSede(code, in: dir)
        try sede.link(central)
        return sede
    }

    func link(_ central: CentralProcess, token: String? = nil) throws {
        self.token = try token ?? central.addSede(code)
        try SyncEngine.configure(store: store, config: SyncConfig(centralURL: central.url, token: self.token))
    }

    /// Points the stored config at another URL (a proxy, or a restarted central).
    func repoint(_ url: String) throws {
        try store.pool.write { db in try db.execute(sql: "UPDATE sync_config SET central_url = ? WHERE id = 1", arguments: [url]) }
    }

    func engine() throws -> SyncEngine { try SyncEngine(store: store) }

    @discardableResult
    func sync() throws -> SyncEngine.Summary { try engine().syncOnce() }

    /// `vetdesk sync once` as a separate process.
    func syncProcess(env: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(Binaries.vetdesk, ["sync", "once", "--db", path], environment: env)
    }

    /// The sede's id as the store has it now (linking to a central takes the central's id). A store
    /// that cannot say fails the test instead of answering "".
    var sedeID: String {
        do { return try store.localSede().id } catch {
            Issue.record(error)
            return ""
        }
    }

    @discardableResult
    func addOwner(id: String? = nil, doc: String, first: String = "María", phone: String? = nil) throws -> String {
        let oid = id ?? store.newID()
        try store.write(user: nil) { db in
            let now = store.nowText
            try Owner(id: oid, docType: .dni, docNumber: doc, firstNames: first, lastNames: "Quispe", phone: phone,
                      createdAt: now, updatedAt: now).insert(db)
        }
        return oid
    }

    func setOwner(_ id: String, _ column: String, _ value: String) throws {
        try store.write(user: nil) { db in
            try db.execute(sql: "UPDATE owners SET \(column) = ? WHERE id = ?", arguments: [value, id])
        }
    }

    func count(_ sql: String, _ args: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: args) ?? 0 }
    }

    /// Shared rows as comparable text, ordered.
    func sharedRows() throws -> [String] {
        try store.read { db in
            try String.fetchAll(db, sql: "SELECT json_array(id, doc_number, first_names, last_names, phone, email, district) FROM owners ORDER BY id")
            + String.fetchAll(db, sql: "SELECT json_array(id, owner_id, name, species) FROM pets ORDER BY id")
        }
    }

    func syncState() throws -> (pushed: Int64, cursor: Int64, maxSeq: Int64) {
        try store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT pushed_seq, pull_cursor, coalesce((SELECT max(seq) FROM journal), 0) AS m FROM sync_state")!
            return (row["pushed_seq"], row["pull_cursor"], row["m"])
        }
    }
}

extension TestSede {
    /// A user of this sede with one role, written as the central's data would arrive; `password`
    /// "!" means one that cannot sign in.
    func user(_ name: String, _ role: Role, password: String = "!") throws -> Session {
        let id = store.newID(), local = try store.localSede()
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, name, name.capitalized, password == "!" ? "!" : PasswordHasher.hash(password), store.nowText])
            try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)",
                           arguments: [store.newID(), id, local.id, role.rawValue])
        }
        return Session(userID: id, username: name, fullName: name.capitalized, roles: [role], sede: local)
    }

    /// One consultation (SRV-CONSULTA, S/ 80.00, gravada) in the catalog, as central data; its id.
    func consultation() throws -> String {
        let item = store.newID()
        try store.applyingRemote { db in
            try db.execute(sql: """
                INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, created_at, updated_at)
                VALUES (?, 'SRV-CONSULTA', 'Consulta general', 'consulta', 'Consultas', 'ZZ', '10', ?, ?)
                """, arguments: [item, store.nowText, store.nowText])
            try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, 8000, '2020-01-01', ?)",
                           arguments: [store.newID(), item, store.nowText])
        }
        return item
    }
}
