import Foundation
import VetTestSupport

/// A throwaway PostgreSQL cluster for this test run: initdb in a temp dir, the server started on
/// a free 127.0.0.1 port as a child process, stopped when the test process exits. Run as the `postgres` OS user when
/// the tests run as root (initdb refuses root). Binaries: `$PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin`.
final class PostgresServer: @unchecked Sendable {
    let bin: String
    let dir: String
    let port: Int
    private let asRoot = getuid() == 0
    private let lock = NSLock()
    private var databases = 0

    nonisolated(unsafe) private static var instance: PostgresServer?
    private static let instanceLock = NSLock()

    static func shared() throws -> PostgresServer {
        try instanceLock.withLock {
            if let instance { return instance }
            let server = try PostgresServer()
            instance = server
            atexit { PostgresServer.instance?.stop() }
            return server
        }
    }

    private init() throws {
        bin = try Self.findBin()
        dir = NSTemporaryDirectory() + "vetsync-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = try Self.freePort()
        if asRoot { _ = try runProcess("/bin/chown", ["-R", "postgres:postgres", dir]) }
        let initdb = try run("initdb", ["-D", dir + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"])
        guard initdb.status == 0 else { throw TestFailure("initdb falló: \(initdb.stderr)") }
        // postgres runs as a child of this process (through runuser when root): `pg_ctl start -w`
        // launched through Foundation's Process never reported its exit here.
        let server = Process()
        let args = ["-D", dir + "/data", "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(dir)",
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]
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
        process = server
        try waitUntil("PostgreSQL listo", timeout: 60) {
            guard server.isRunning else { throw TestFailure("postgres terminó: \((try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? "")") }
            return try psql("postgres", "SELECT 1").status == 0
        }
    }

    private var process: Process?

    /// Fast shutdown (SIGINT to the postmaster), then the folder goes.
    func stop() {
        if let pidText = try? String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8),
           let pid = pidText.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, SIGINT)
            _ = waitUntil(seconds: 20, every: 0.02) { kill(pid, 0) != 0 }
        }
        process?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A new empty database and its URL.
    func newDatabaseURL() throws -> String {
        let name = lock.withLock { databases += 1; return "vetsync_\(getpid())_\(databases)" }
        let r = try psql("postgres", "CREATE DATABASE \(name)")
        guard r.status == 0 else { throw TestFailure("CREATE DATABASE falló: \(r.stderr)") }
        return "postgres://postgres@127.0.0.1:\(port)/\(name)"
    }

    /// One integer from `sql` on the database of `url`.
    func scalar(url: String, _ sql: String) throws -> Int {
        let name = String(url.split(separator: "/").last ?? "postgres")
        let r = try psql(name, sql)
        guard r.status == 0, let n = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("psql \(sql): \(r.stderr) \(r.stdout)")
        }
        return n
    }

    func psql(_ database: String, _ sql: String) throws -> ProcessResult {
        try runProcess(bin + "/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    private func run(_ tool: String, _ args: [String]) throws -> ProcessResult {
        if asRoot {
            return try runProcess("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + tool] + args)
        }
        return try runProcess(bin + "/" + tool, args)
    }

    static func findBin() throws -> String {
        if let env = ProcessInfo.processInfo.environment["PG_BIN"] { return env }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.fileExists(atPath: "\(root)/\(newest)/bin/initdb") else {
            throw TestFailure("No se encontró PostgreSQL (instale con make deps o defina PG_BIN)")
        }
        return "\(root)/\(newest)/bin"
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0 else { throw TestFailure("bind") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
