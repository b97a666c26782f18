import Foundation
import GRDB
import VetCore
import VetStore
import VetSync

/// Central ingest and backlog catch-up, through a real `vetcentral` process on loopback (found
/// next to the `vetdesk` executable), on SQLite and on a throwaway PostgreSQL cluster. The
/// baseline is a raw SQLite bulk insert of the same rows into a table shaped like central's log,
/// measured in the same run.
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
        var raw: [Double] = []
        for i in 0..<repeats { raw.append(try rawInsertRate(path: work + "/raw-\(i).db")) }

        var results: [BenchResult] = []
        var backends: [(String, () throws -> (args: [String], cleanup: () -> Void))] = [
            ("sqlite", { let path = work + "/central-\(UUID().uuidString.prefix(6)).db"; return (["--db", path], {}) }),
        ]
        let postgres = try? BenchPostgres(dir: work + "/pg")
        if let postgres {
            backends.append(("postgres", { (["--postgres", try postgres.newDatabaseURL()], {}) }))
        } else {
            context.log("sync.ingest: PostgreSQL no disponible (make deps); se omite")
        }
        defer { postgres?.stop() }
        var catchupPush: [Double] = []
        var catchupPull: [Double] = []
        for (name, makeStorage) in backends {
            for (label, seed) in [("1_sede", single), ("50_sedes", fifty)] {
                var rates: [Double] = []
                for r in 0..<repeats {
                    context.log("sync.ingest.\(name).\(label) #\(r + 1)…")
                    let storage = try makeStorage()
                    let server = try CentralServerProcess(binary: central, storageArgs: storage.args, dir: work)
                    defer { server.stop(); storage.cleanup() }
                    let sedes = try seed.map { try $0.copy(to: work + "/run", central: server, binary: central, storageArgs: storage.args) }
                    let seconds = try Stats.timeMs { try pushAll(sedes) } / 1000
                    rates.append(Double(entries) / seconds)
                    if name == "sqlite" && label == "1_sede" {
                        // Catch-up: a second sede pulls the whole backlog.
                        let reader = try seed[0].emptySibling(code: "PUL01", dir: work + "/run", central: server, binary: central, storageArgs: storage.args)
                        catchupPush.append(seconds)
                        catchupPull.append(try Stats.timeMs { try SyncEngine(store: reader).syncOnce() } / 1000)
                    }
                    try? FileManager.default.removeItem(atPath: work + "/run")
                }
                results.append(BenchResult(name: "sync.ingest.\(name).\(label)", unit: "entries/s", samples: rates, baselineSamples: raw,
                                           goal: name == "sqlite" ? ">= 20000/s, ratio >= 0.40" : "PowerSync/Electric: 2000-6000/s"))
            }
        }
        let rawSeconds = raw.map { Double(entries) / $0 }
        results.append(BenchResult(name: "sync.catchup.push_20000", unit: "s", samples: catchupPush, baselineSamples: rawSeconds, goal: "< 3 s"))
        results.append(BenchResult(name: "sync.catchup.pull_20000", unit: "s", samples: catchupPull, baselineSamples: rawSeconds, goal: "< 3 s"))
        return results
    }

    /// Pushes every sede's journal concurrently, one thread per sede.
    static func pushAll(_ sedes: [SedeStore]) throws {
        let errors = ErrorBox()
        let group = DispatchGroup()
        for store in sedes {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let engine = try SyncEngine(store: store)
                    try engine.pushPending()
                } catch { errors.set(error) }
            }
        }
        group.wait()
        if let error = errors.error { throw error }
    }

    /// Entries per second of a raw bulk insert of the same rows into a table shaped like central's log.
    static func rawInsertRate(path: String) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: path, configuration: config)
        defer { try? pool.close() }
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE changes (cseq INTEGER PRIMARY KEY, origin TEXT, origin_epoch TEXT, origin_seq INTEGER, tx_id INTEGER, hlc INTEGER,
                    tbl TEXT, row_id TEXT, op TEXT, cols TEXT, user_id TEXT, data_class TEXT, owner_sede TEXT, addressed_to TEXT, received_at TEXT);
                CREATE UNIQUE INDEX changes_origin ON changes (origin, origin_epoch, origin_seq);
                """)
        }
        let ids = UUIDv7Generator()
        let rows = (0..<entries).map { i in (ids.make(unixMs: 1_700_000_000_000 + UInt64(i)), ownerCols(i)) }
        let ms = try Stats.timeMs {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO changes VALUES (?, 'sede', 'epoch', ?, ?, ?, 'owners', ?, 'I', ?, NULL, 'shared', NULL, NULL, '2026-01-01T00:00:00Z')")
                for (i, row) in rows.enumerated() {
                    try statement.execute(arguments: [i + 1, i + 1, i / rowsPerTransaction, Int64(i) << 16, row.0, row.1])
                }
            }
        }
        return Double(entries) / (ms / 1000)
    }

    static func ownerCols(_ i: Int) -> String {
        #"{"id":"x","doc_type":"dni","doc_number":"\#(String(format: "%08d", i))","first_names":"María Elena","last_names":"Quispe Huamán","phone":"987654321","email":"maria@example.pe","district":"Miraflores","address":"Av. Larco 345","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}"#
    }

    /// A sede database holding `entriesEach` journal entries, built once and copied for each run.
    struct SeedSede {
        var code: String
        var path: String

        func copy(to dir: String, central: CentralServerProcess, binary: String, storageArgs: [String]) throws -> SedeStore {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let target = dir + "/\(code).db"
            try FileManager.default.copyItem(atPath: path, toPath: target)
            let store = try SedeStore.open(path: target)
            let token = try central.addSede(code: code, binary: binary, storageArgs: storageArgs)
            try SyncEngine.configure(store: store, config: SyncConfig(centralURL: central.url, token: token))
            return store
        }

        func emptySibling(code: String, dir: String, central: CentralServerProcess, binary: String, storageArgs: [String]) throws -> SedeStore {
            let store = try SedeStore.create(path: dir + "/\(code).db")
            try store.initializeSede(code: code, name: "Lector")
            let token = try central.addSede(code: code, binary: binary, storageArgs: storageArgs)
            try SyncEngine.configure(store: store, config: SyncConfig(centralURL: central.url, token: token))
            return store
        }
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

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
}

struct BenchFailure: Error, CustomStringConvertible {
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

/// A throwaway PostgreSQL cluster for the benchmark (as the `postgres` OS user when run as root).
final class BenchPostgres {
    let bin: String
    let dir: String
    let port: Int
    let server = Process()
    var databases = 0
    let asRoot = getuid() == 0

    init(dir: String) throws {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last else { throw BenchFailure(description: "sin PostgreSQL") }
        bin = "\(root)/\(newest)/bin"
        self.dir = dir
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = 20_000 + Int(getpid() % 20_000)
        if asRoot { _ = try BenchProcess.run("/bin/chown", ["-R", "postgres:postgres", dir]) }
        guard try tool("initdb", ["-D", dir + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]).status == 0 else {
            throw BenchFailure(description: "initdb")
        }
        let args = ["-D", dir + "/data", "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(dir)", "-c", "max_connections=300"]
        if asRoot {
            server.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            server.arguments = ["-u", "postgres", "--", bin + "/postgres"] + args
        } else {
            server.executableURL = URL(fileURLWithPath: bin + "/postgres")
            server.arguments = args
        }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(60)
        while try psql("postgres", "SELECT 1") != 0 {
            guard Date() < deadline, server.isRunning else { throw BenchFailure(description: "postgres no arrancó") }
            usleep(50_000)
        }
    }

    func newDatabaseURL() throws -> String {
        databases += 1
        let name = "bench_\(databases)"
        guard try psql("postgres", "CREATE DATABASE \(name)") == 0 else { throw BenchFailure(description: "CREATE DATABASE") }
        return "postgres://postgres@127.0.0.1:\(port)/\(name)"
    }

    func psql(_ db: String, _ sql: String) throws -> Int32 {
        try BenchProcess.run(bin + "/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", db, "-tAX", "-c", sql]).status
    }

    func tool(_ name: String, _ args: [String]) throws -> (status: Int32, stdout: String) {
        asRoot ? try BenchProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + name] + args) : try BenchProcess.run(bin + "/" + name, args)
    }

    func stop() {
        if let text = try? String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8), let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, SIGINT)
        }
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
