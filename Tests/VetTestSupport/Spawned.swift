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
        pid = try spawnWithCleanSignals(executable, arguments, environment: environment,
                                        stdin: "/dev/null", stdout: scratch + "/out", stderr: scratch + "/err")
    }

    deinit {
        if result == nil { kill(pid, SIGKILL); _ = try? wait(timeout: 10) }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// What the process has written to standard output so far (it may still be running).
    public var stdoutSoFar: String { (try? String(contentsOfFile: scratch + "/out", encoding: .utf8)) ?? "" }

    /// What the process has written to standard error so far (it may still be running).
    public var stderrSoFar: String { (try? String(contentsOfFile: scratch + "/err", encoding: .utf8)) ?? "" }

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
