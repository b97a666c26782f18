import Foundation
import GRDB
import VetCore
import VetProtocol
import VetStore
import VetSync

/// Central ingest and backlog catch-up, through a real `vetcentral` process on loopback (found
/// next to the `vetdesk` executable), on SQLite and on a throwaway PostgreSQL cluster.
///
/// `sync.ingest.*` measures central alone: each sede's push bodies are built beforehand by the
/// sede's own `PushBatch.next`, then sent by one client per sede, timed from the first request to
/// the last acknowledgement; every ack and the final row count are checked. Its baseline is a raw
/// bulk insert of the same rows into central's real `changes` table (made by its migrations),
/// one prepared statement in one transaction, taken right before each measured run (same load).
/// Central keeps its read model (`current_rows`) in each push transaction, so the ingest rate
/// includes it and the baseline does not; the run checks the read model took the rows.
/// `sync.e2e.*` is the whole path: sedes reading their journal and pushing with `SyncEngine`.
enum SyncBench {
    static let entries = 20_000
    static let rowsPerTransaction = 20
    static let repeats = 3

    static let ingest = Benchmark(name: "sync.ingest") { context in
        let work = context.workdir + "/sync"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let central = URL(fileURLWithPath: context.executable).deletingLastPathComponent().appendingPathComponent("vetcentral").path
        guard FileManager.default.isExecutableFile(atPath: central) else {
            context.log("sync.ingest: falta \(central); compile con swift build -c release")
            return []
        }
        context.log("sync.ingest: preparando \(entries) entradas para 1 sede y para 50 sedes…")
        let single = try makeSedes(count: 1, entriesEach: entries, dir: work + "/seed-1")
        let fifty = try makeSedes(count: 50, entriesEach: entries / 50, dir: work + "/seed-50")
        // The baseline is taken right before each measured run, under the same load.
        let rows = try journalRows(single[0].path)
        var raw: [Double] = []
        func rawSample() throws -> Double {
            let rate = try rawInsertRate(rows, central: central, path: work + "/raw.db")
            raw.append(rate)
            return rate
        }

        var backends = [BenchBackend.sqlite(dir: work)]
        let postgres: BenchPostgres?
        do { postgres = try BenchPostgres() } catch {
            postgres = nil
            context.log("sync.ingest: PostgreSQL no disponible (\(error)); se omite")
        }
        defer { postgres?.stop() }
        if let postgres { backends.append(.postgres(postgres)) }

        var results: [BenchResult] = []
        let shapes = [("1_sede", single), ("50_sedes", fifty)]
        for backend in backends {
            for (label, seed) in shapes {
                var rates: [Double] = []
                var baseline: [Double] = []
                for r in 0..<repeats {
                    context.log("sync.ingest.\(backend.name).\(label) #\(r + 1)…")
                    baseline.append(try rawSample())
                    let run = try IngestRun(seed: seed, backend: backend, binary: central, dir: work + "/run")
                    defer { run.finish() }
                    rates.append(Double(entries) / (try run.sendPrebuilt()))
                }
                results.append(BenchResult(name: "sync.ingest.\(backend.name).\(label)", unit: "entries/s", samples: rates, baselineSamples: baseline,
                                           goal: (backend.name == "sqlite" ? ">= 20000/s, ratio >= 0.40" : "PowerSync/Electric: 2000-6000/s") + "; read model on"))
            }
        }
        // The whole path on SQLite, and the catch-up of a second sede that pulls the backlog.
        var catchupPush: [Double] = []
        var catchupPull: [Double] = []
        for (label, seed) in shapes {
            var rates: [Double] = []
            var baseline: [Double] = []
            for r in 0..<repeats {
                context.log("sync.e2e.sqlite.\(label) #\(r + 1)…")
                baseline.append(try rawSample())
                let run = try IngestRun(seed: seed, backend: backends[0], binary: central, dir: work + "/run")
                defer { run.finish() }
                let seconds = try run.pushWithEngines()
                rates.append(Double(entries) / seconds)
                if label == "1_sede" {
                    catchupPush.append(seconds)
                    catchupPull.append(try run.pullIntoNewSede(code: "PUL01"))
                }
            }
            results.append(BenchResult(name: "sync.e2e.sqlite.\(label)", unit: "entries/s", samples: rates, baselineSamples: baseline,
                                       goal: "journal read + HTTP + central"))
        }
        let rawSeconds = raw.map { Double(entries) / $0 }
        results.append(BenchResult(name: "sync.catchup.push_20000", unit: "s", samples: catchupPush, baselineSamples: rawSeconds, goal: "< 3 s"))
        results.append(BenchResult(name: "sync.catchup.pull_20000", unit: "s", samples: catchupPull, baselineSamples: rawSeconds, goal: "< 3 s"))
        return results
    }

    /// A journal entry as central logs it.
    struct JournalRow {
        var seq: Int64, txID: Int64, hlc: Int64, tbl: String, rowID: String, op: String, cols: String?, userID: String?
    }

    static func journalRows(_ path: String) throws -> [JournalRow] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, tx_id, hlc, tbl, row_id, op, cols, user_id FROM journal ORDER BY seq").map {
                JournalRow(seq: $0["seq"], txID: $0["tx_id"], hlc: $0["hlc"], tbl: $0["tbl"], rowID: $0["row_id"], op: $0["op"],
                           cols: $0["cols"], userID: $0["user_id"])
            }
        }
    }

    /// Entries per second of a raw bulk insert of `rows` into central's `changes` table, created by
    /// central's own migrations (`vetcentral sede list` on a new file) and opened as central opens it.
    static func rawInsertRate(_ rows: [JournalRow], central: String, path: String) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard try BenchProcess.run(central, ["sede", "list", "--db", path]).status == 0 else {
            throw BenchFailure(description: "vetcentral no pudo crear \(path)")
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: path, configuration: config)
        defer { try? pool.close() }
        let ms = try Stats.timeMs {
            try pool.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO changes (cseq, origin, origin_epoch, origin_seq, tx_id, hlc, tbl, row_id, op, cols, user_id, data_class, owner_sede, addressed_to, received_at)
                    VALUES (?, 'sede', 'epoch', ?, ?, ?, ?, ?, ?, ?, ?, 'shared', NULL, NULL, '2026-01-01T00:00:00.000-05:00')
                    """)
                for (i, row) in rows.enumerated() {
                    try statement.execute(arguments: [i + 1, row.seq, row.txID, row.hlc, row.tbl, row.rowID, row.op, row.cols, row.userID])
                }
            }
        }
        let stored = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM changes") ?? 0 }
        guard stored == rows.count else { throw BenchFailure(description: "inserción directa: \(stored) filas de \(rows.count)") }
        return Double(rows.count) / (ms / 1000)
    }

    /// A sede database holding `entriesEach` journal entries, built once and copied for each run.
    struct SeedSede {
        var code: String
        var path: String
    }

    static func makeSedes(count: Int, entriesEach: Int, dir: String) throws -> [SeedSede] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try (0..<count).map { n in
            let code = String(format: "B%03d", n)
            let path = dir + "/\(code).db"
            let store = try SedeStore.create(path: path)
            try store.initializeSede(code: code, name: "Bench \(code)")
            var written = 0
            while written < entriesEach {
                let size = min(rowsPerTransaction, entriesEach - written)
                try store.write(user: nil) { db in
                    let statement = try db.makeStatement(sql: """
                        INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, email, district, address, created_at, updated_at)
                        VALUES (?, 'dni', ?, 'María Elena', 'Quispe Huamán', '987654321', 'maria@example.pe', 'Miraflores', 'Av. Larco 345', ?, ?)
                        """)
                    for i in 0..<size {
                        let now = store.nowText
                        try statement.execute(arguments: [store.newID(), String(format: "%03d%05d", n, written + i), now, now])
                    }
                }
                written += size
            }
            try store.close()
            return SeedSede(code: code, path: path)
        }
    }
}

/// Where a measured central keeps its log.
struct BenchBackend {
    var name: String
    /// A fresh, empty storage: `vetcentral` arguments, and a way to count the log's rows from sedes
    /// (which fails if central's read model took none of them: the ingest is measured with it on).
    var make: () throws -> (args: [String], countSedeChanges: () throws -> Int)

    static func sqlite(dir: String) -> BenchBackend {
        BenchBackend(name: "sqlite") {
            let path = dir + "/central-\(UUID().uuidString.prefix(6)).db"
            return (["--db", path], {
                let queue = try DatabaseQueue(path: path)
                defer { try? queue.close() }
                return try queue.read { db in
                    let folded = try Int.fetchOne(db, sql: "SELECT count(*) FROM current_rows WHERE origin IS NOT NULL") ?? 0
                    guard folded > 0 else { throw BenchFailure(description: "la central no llevó su modelo de lectura") }
                    return try Int.fetchOne(db, sql: "SELECT count(*) FROM changes WHERE origin IS NOT NULL") ?? 0
                }
            })
        }
    }

    static func postgres(_ cluster: BenchPostgres) -> BenchBackend {
        BenchBackend(name: "postgres") {
            let (name, url) = try cluster.newDatabase()
            return (["--postgres", url], {
                guard try cluster.scalar(name, "SELECT count(*) FROM current_rows WHERE origin IS NOT NULL") > 0 else {
                    throw BenchFailure(description: "la central no llevó su modelo de lectura")
                }
                return try cluster.scalar(name, "SELECT count(*) FROM changes WHERE origin IS NOT NULL")
            })
        }
    }
}

/// One measurement: a fresh central, and copies of the seed sedes linked to it.
final class IngestRun {
    struct Sede: Sendable {
        var store: SedeStore
        var token: String
    }

    let server: CentralServerProcess
    let binary: String
    let dir: String
    let storageArgs: [String]
    let countSedeChanges: () throws -> Int
    let sedes: [Sede]

    init(seed: [SyncBench.SeedSede], backend: BenchBackend, binary: String, dir: String) throws {
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let storage = try backend.make()
        self.binary = binary
        self.dir = dir
        storageArgs = storage.args
        countSedeChanges = storage.countSedeChanges
        let server = try CentralServerProcess(binary: binary, storageArgs: storage.args, dir: dir)
        self.server = server
        do {
            sedes = try seed.map { seed in
                let target = dir + "/\(seed.code).db"
                try FileManager.default.copyItem(atPath: seed.path, toPath: target)
                let store = try SedeStore.open(path: target)
                let token = try server.addSede(code: seed.code, binary: binary, storageArgs: storage.args)
                try SyncEngine.configure(store: store, config: SyncConfig(centralURL: server.url, token: token))
                return Sede(store: store, token: token)
            }
        } catch {
            server.stop()
            throw error
        }
    }

    func finish() {
        for sede in sedes { try? sede.store.close() }
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Central alone: every sede's batches are built first (as the sede builds them), then sent
    /// by one client per sede at once. Seconds from the first request to the last acknowledgement.
    func sendPrebuilt() throws -> Double {
        let work: [(client: CurlHTTPClient, token: String, batches: [PushBatch])] = try sedes.map { sede in
            let engine = try SyncEngine(store: sede.store)
            let sedeID = try sede.store.localSede().id
            var batches: [PushBatch] = []
            while let batch = try PushBatch.next(store: sede.store, sedeID: sedeID, limit: engine.pushBatchSize) {
                batches.append(batch)
                try sede.store.applyingRemote { db in
                    try db.execute(sql: "UPDATE sync_state SET pushed_seq = ? WHERE id = 1", arguments: [batch.toSeq])
                }
            }
            return (try CurlHTTPClient(baseURL: server.url), sede.token, batches)
        }
        let sent = work.reduce(0) { $0 + $1.batches.reduce(0) { $0 + $1.count } }
        let seconds = try concurrently(work.count) { i in
            let (client, token, batches) = work[i]
            for batch in batches {
                let response = try client.post("/v1/sync/push", body: batch.body, headers: [
                    "Authorization": "Bearer \(token)", "Idempotency-Key": batch.idempotencyKey,
                ])
                guard response.status == 200, let ack = try? JSONDecoder().decode(PushResponse.self, from: response.body),
                      ack.ackedThrough == batch.toSeq, ack.rejects.isEmpty else {
                    throw BenchFailure(description: "acuse inesperado (\(response.status)): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
                }
            }
        }
        try checkLog(holds: sent)
        return seconds
    }

    /// The whole path: every sede's `SyncEngine` reads its journal and pushes, all at once.
    func pushWithEngines() throws -> Double {
        let sent = try sedes.reduce(0) { total, sede in try total + sede.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM journal") ?? 0 } }
        let sedes = sedes
        let seconds = try concurrently(sedes.count) { i in
            let summary = try SyncEngine(store: sedes[i].store).pushPending()
            guard summary.rejected == 0 else { throw BenchFailure(description: "\(summary.rejected) entradas rechazadas") }
        }
        try checkLog(holds: sent)
        return seconds
    }

    /// A new sede linked to this central pulls the whole log; seconds it took.
    func pullIntoNewSede(code: String) throws -> Double {
        let store = try SedeStore.create(path: dir + "/\(code).db")
        defer { try? store.close() }
        try store.initializeSede(code: code, name: "Lector")
        let token = try server.addSede(code: code, binary: binary, storageArgs: storageArgs)
        try SyncEngine.configure(store: store, config: SyncConfig(centralURL: server.url, token: token))
        let seconds = try Stats.timeMs { try SyncEngine(store: store).syncOnce() } / 1000
        let owners = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM owners") ?? 0 }
        guard owners == SyncBench.entries else { throw BenchFailure(description: "la sede lectora tiene \(owners) propietarios") }
        return seconds
    }

    func checkLog(holds sent: Int) throws {
        let stored = try countSedeChanges()
        guard stored == sent else { throw BenchFailure(description: "la central guarda \(stored) entradas de \(sent) enviadas") }
    }

    /// Runs `body(0..<count)` on one thread each, all released together; seconds from the release
    /// until the last one ends. The first error is rethrown.
    func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
        let errors = ErrorBox()
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: 0)
        for i in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                gate.wait()
                do { try body(i) } catch { errors.set(error) }
            }
        }
        let seconds = Stats.timeMs {
            for _ in 0..<count { gate.signal() }
            group.wait()
        } / 1000
        if let error = errors.error { throw error }
        return seconds
    }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
}

struct BenchFailure: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// `vetcentral serve` on a free loopback port, for one measurement.
final class CentralServerProcess {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init(binary: String, storageArgs: [String], dir: String) throws {
        let portFile = dir + "/port-\(UUID().uuidString.prefix(6))"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--port-file", portFile] + storageArgs
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while true {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let n = Int(text) { port = n; break }
            guard process.isRunning, Date() < deadline else { throw BenchFailure(description: "vetcentral no arrancó") }
            usleep(10_000)
        }
        try? FileManager.default.removeItem(atPath: portFile)
    }

    func addSede(code: String, binary: String, storageArgs: [String]) throws -> String {
        let out = try BenchProcess.run(binary, ["sede", "add", code, "--name", "Bench \(code)"] + storageArgs)
        guard out.status == 0, let token = out.stdout.split(separator: "\n").last else { throw BenchFailure(description: "sede add: \(out.stdout)") }
        return String(token)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

enum BenchProcess {
    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, stdout: String) {
        let out = NSTemporaryDirectory() + "vetbench-" + UUID().uuidString.prefix(8)
        FileManager.default.createFile(atPath: out, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }
}

/// A throwaway PostgreSQL cluster for the benchmark, in a folder under the system's temporary
/// directory (absolute: postgres resolves a relative socket directory inside its data folder),
/// run as the `postgres` OS user when the benchmark runs as root. Commits are asynchronous
/// (`synchronous_commit=off`), like central's SQLite in WAL with `synchronous = NORMAL`: a crash
/// of the machine may lose the last commits, never corrupt.
final class BenchPostgres {
    let bin: String
    let dir: String
    let port: Int
    let server = Process()
    var databases = 0
    let asRoot = getuid() == 0

    init() throws {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last else { throw BenchFailure(description: "no está instalado en \(root)") }
        bin = "\(root)/\(newest)/bin"
        dir = NSTemporaryDirectory() + "vetbench-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = 20_000 + Int(getpid() % 20_000)
        if asRoot { _ = try BenchProcess.run("/bin/chown", ["-R", "postgres:postgres", dir]) }
        let initdb = try tool("initdb", ["-D", dir + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
        guard initdb.status == 0 else { throw BenchFailure(description: "initdb falló: \(initdb.stdout)") }
        let args = ["-D", dir + "/data", "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(dir)",
                    "-c", "max_connections=300", "-c", "synchronous_commit=off"]
        if asRoot {
            server.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            server.arguments = ["-u", "postgres", "--", bin + "/postgres"] + args
        } else {
            server.executableURL = URL(fileURLWithPath: bin + "/postgres")
            server.arguments = args
        }
        FileManager.default.createFile(atPath: dir + "/log", contents: nil)
        server.standardOutput = FileHandle(forWritingAtPath: dir + "/log")
        server.standardError = FileHandle(forWritingAtPath: dir + "/log")
        try server.run()
        let deadline = Date().addingTimeInterval(60)
        while try psql("postgres", "SELECT 1").status != 0 {
            guard Date() < deadline, server.isRunning else {
                let log = (try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? ""
                stop()
                throw BenchFailure(description: "postgres no arrancó: \(log.suffix(400))")
            }
            usleep(50_000)
        }
    }

    /// A new empty database: its name and URL.
    func newDatabase() throws -> (name: String, url: String) {
        databases += 1
        let name = "bench_\(databases)"
        guard try psql("postgres", "CREATE DATABASE \(name)").status == 0 else { throw BenchFailure(description: "CREATE DATABASE") }
        return (name, "postgres://postgres@127.0.0.1:\(port)/\(name)")
    }

    /// One integer from `sql` on database `db`.
    func scalar(_ db: String, _ sql: String) throws -> Int {
        let r = try psql(db, sql)
        guard r.status == 0, let n = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchFailure(description: "psql \(sql): \(r.stdout)")
        }
        return n
    }

    func psql(_ db: String, _ sql: String) throws -> (status: Int32, stdout: String) {
        try BenchProcess.run(bin + "/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", db, "-tAX", "-c", sql])
    }

    func tool(_ name: String, _ args: [String]) throws -> (status: Int32, stdout: String) {
        asRoot ? try BenchProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + name] + args) : try BenchProcess.run(bin + "/" + name, args)
    }

    func stop() {
        if let text = try? String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8), let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, SIGINT)
        }
        if server.isRunning { server.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}
