import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Cold start: from spawning `vetdesk --db` on the large demo sede, in a pseudo-terminal, to the
/// login screen's text arriving on the terminal. Baseline: the same executable printing its help
/// and exiting (process start alone), measured in the same run.
enum StartupBench {
    static let runs = 25

    static let coldStart = Benchmark(name: "tui.cold_start") { context in
        let db = try BenchFixtures.largeDemo(context)
        var startup: [Double] = []
        var baseline: [Double] = []
        for _ in 0..<3 { _ = try timeInTerminal(context.executable, ["--db", db], until: "Usuario") }
        for _ in 0..<runs {
            startup.append(try timeInTerminal(context.executable, ["--db", db], until: "Usuario"))
            baseline.append(try timeInTerminal(context.executable, ["--help"], until: nil))
        }
        return [BenchResult(name: "tui.cold_start.login_drawn", unit: "ms", samples: startup, baselineSamples: baseline,
                            goal: "median < 150 ms at 1,000,000 pets; baseline: vetdesk --help")]
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Milliseconds from spawn until `marker` appears on the terminal (or, with no marker, until exit).
    static func timeInTerminal(_ executable: String, _ arguments: [String], until marker: String?) throws -> Double {
        var master: Int32 = 0, slave: Int32 = 0
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw Failure(description: "openpty falló") }
        defer { close(master) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
        posix_spawn_file_actions_addclose(&actions, master)
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }

        // Started as from a shell: no blocked signals, default handlers (not the bench's own).
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

        let start = DispatchTime.now().uptimeNanoseconds
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(slave)
        guard rc == 0 else { throw Failure(description: "no se pudo ejecutar \(executable)") }

        var seen = [UInt8]()
        var elapsed: Double?
        let needle = marker.map { Array($0.utf8) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = start + 20_000_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 100) <= 0 { continue }
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            seen.append(contentsOf: buffer[0..<n])
            if let needle, contains(seen, needle) {
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
                break
            }
        }
        if needle == nil { elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000 }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard let elapsed else { throw Failure(description: "la pantalla de ingreso no apareció en 20 s") }
        return elapsed
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, !needle.isEmpty else { return false }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return true }
        }
        return false
    }
}
