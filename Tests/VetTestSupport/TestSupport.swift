import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory removed when the value is released.
public final class TempDir: @unchecked Sendable {
    public let path: String
    public init(_ prefix: String = "vetdesk-test") {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    public func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Where the built executables are: `$VETDESK_BIN` (set by `make test`), else next to the tests.
public enum Binaries {
    public static var vetdesk: String { locate("vetdesk", env: "VETDESK_BIN") }
    public static var vetcentral: String { locate("vetcentral", env: "VETCENTRAL_BIN") }
    /// The test-only tools (`vettools race`), built next to `vetdesk` and never installed.
    public static var vettools: String { locate("vettools", env: "VETTOOLS_BIN") }

    public static func locate(_ name: String, env: String) -> String {
        if let path = ProcessInfo.processInfo.environment[env], !path.isEmpty { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let cwd = FileManager.default.currentDirectoryPath + "/.build/debug/" + name
        return cwd
    }
}

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion and captures its output. It is spawned with `posix_spawn` and
/// reaped with `waitpid`, and its output goes through files, so neither a daemon it leaves behind
/// (tmux) nor a busy test thread pool can keep the caller waiting. Past `timeout` seconds it is
/// killed and the call throws.
@discardableResult
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       input: String? = nil, timeout: Double = 120) throws -> ProcessResult {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vetdesk-run-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let inPath = scratch + "/in", outPath = scratch + "/out", errPath = scratch + "/err"
    FileManager.default.createFile(atPath: inPath, contents: Data((input ?? "").utf8))

    let pid = try spawnWithCleanSignals(executable, arguments, environment: environment, stdin: inPath, stdout: outPath, stderr: errPath)
    var status: Int32 = 0
    let ended = waitUntil(seconds: timeout, every: 0.002) {
        let reaped = waitpid(pid, &status, WNOHANG)
        return reaped == pid || (reaped == -1 && errno != EINTR)
    }
    if !ended {
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        throw SpawnError(message: "\(executable) \(arguments.joined(separator: " ")) no terminó en \(Int(timeout)) s")
    }
    let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return ProcessResult(status: exitCode,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

public struct SpawnError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
public func waitUntil(seconds: Double, every interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

/// The SHA-256-free fingerprint of a file for "was it modified?" checks: size, mtime and bytes.
public func fileFingerprint(_ path: String) -> Data? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
          let data = FileManager.default.contents(atPath: path) else { return nil }
    let stamp = "\(attributes[.size] ?? 0)|\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)|"
    return Data(stamp.utf8) + data
}

/// Starts `executable` with `posix_spawn`, its standard streams opened on the given files. The
/// child starts with no blocked signals and default handlers, whatever the test runner uses.
public func spawnWithCleanSignals(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                  stdin inPath: String, stdout outPath: String, stderr errPath: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment ?? [:] { env[k] = v }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    sigdelset(&all, SIGKILL)
    sigdelset(&all, SIGSTOP)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard rc == 0 else { throw SpawnError(message: "no se pudo ejecutar \(executable): \(String(cString: strerror(rc)))") }
    return pid
}
