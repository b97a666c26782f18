import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started in the background with `posix_spawn` (clean signal mask, default handlers),
/// its output going to files: for tests that run several at once or stop one half-way.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    private let scratch: String
    private var result: ProcessResult?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vetdesk-spawn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, scratch + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, scratch + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
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
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnError(message: "no se pudo ejecutar \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    deinit {
        if result == nil { kill(pid, SIGKILL); _ = try? wait(timeout: 10) }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Waits for the end (killing it past `timeout` seconds, which throws) and returns its output.
    @discardableResult
    public func wait(timeout: Double = 120) throws -> ProcessResult {
        if let result { return result }
        var status: Int32 = 0
        let ended = waitUntil(seconds: timeout, every: 0.005) {
            let reaped = waitpid(pid, &status, WNOHANG)
            return reaped == pid || (reaped == -1 && errno != EINTR)
        }
        if !ended {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let finished = ProcessResult(status: exitCode,
                                     stdout: (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? "",
                                     stderr: (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? "")
        result = finished
        if !ended { throw SpawnError(message: "el proceso \(pid) no terminó en \(Int(timeout)) s") }
        return finished
    }

    /// Sends `signal` (SIGKILL: a crash) and reaps it.
    public func stop(_ signal: Int32 = SIGKILL) {
        guard result == nil else { return }
        kill(pid, signal)
        _ = try? wait(timeout: 30)
    }
}
