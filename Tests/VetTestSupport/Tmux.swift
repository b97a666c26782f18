import Foundation

/// A tmux session running a program in a terminal of a given size: keys go in with `send`,
/// the screen comes out with `screen()` as a person would read it.
public final class TmuxSession: @unchecked Sendable {
    public let name: String
    let socket: String

    /// Starts `command` (a shell command line) in a new detached session of `width`×`height`.
    public init(_ command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        name = "vt\(UUID().uuidString.prefix(8))"
        socket = "vetdesk-test-\(name)"
        var env = ""
        for (k, v) in environment { env += "\(k)=\(Self.quote(v)) " }
        // The shell prints the program's exit status and then idles (reading nothing from the
        // terminal) so the pane, and the status on it, stay until the session is killed.
        let script = "\(env)\(command); echo \"[exit=$?]\"; exec tail -f /dev/null"
        let result = try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", script])
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.stderr)") }
    }

    public struct TmuxError: Error, CustomStringConvertible { public let message: String; public var description: String { message } }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ args: [String]) throws -> ProcessResult {
        try runProcess("/usr/bin/tmux", ["-L", socket] + args, environment: ["TERM": "xterm-256color"])
    }

    /// Opens `vetdesk` on `db` at 120×40 and signs in as `user` with the demo clave; throws, with
    /// the screen, if the home screen does not appear.
    public static func signedIn(db: String, user: String, password: String = "1234", environment: [String: String] = [:]) throws -> TmuxSession {
        let tmux = try TmuxSession("\(Binaries.vetdesk) --db \(db)", width: 120, height: 40, environment: environment)
        guard try tmux.waitFor("Clave").found else { throw TmuxError(message: "no apareció el ingreso:\n\(try tmux.screen())") }
        try tmux.type(user); try tmux.press("Enter")
        try tmux.type(password); try tmux.press("Enter")
        // Every role lands on its home menu, except reception, which starts on the agenda.
        var screen = ""
        let found = try waitUntil(seconds: 10) {
            screen = try tmux.screen()
            return screen.contains("Bienvenido") || screen.contains("VetDesk · Agenda ·")
        }
        guard found else { throw TmuxError(message: "\(user) no llegó al inicio:\n\(screen)") }
        return tmux
    }

    /// Types literal text.
    public func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// Sends named keys: `Enter`, `Escape`, `F10`, `Tab`, `BTab`, `Up`, `C-u`…
    public func press(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// The visible screen, one line per row.
    public func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]).stdout }

    /// Waits until the screen contains `text`; returns the screen either way so a failure shows it.
    @discardableResult
    public func waitFor(_ text: String, seconds: Double = 10) throws -> (found: Bool, screen: String) {
        var last = ""
        let found = try waitUntil(seconds: seconds) {
            last = try screen()
            return last.contains(text)
        }
        return (found, last)
    }

    /// The program's exit status once it has ended, read from the pane.
    public func waitForExit(seconds: Double = 10) throws -> Int32? {
        var status: Int32?
        _ = try waitUntil(seconds: seconds) {
            let text = try screen()
            if let range = text.range(of: #"\[exit=(\d+)\]"#, options: .regularExpression) {
                status = Int32(text[range].dropFirst(6).dropLast())
                return true
            }
            return false
        }
        return status
    }

    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Whether the program has the terminal in its full-screen (alternate) mode.
    public func alternateScreen() throws -> Bool {
        try tmux(["display-message", "-p", "-t", name, "#{alternate_on}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// The process ids of the programs running in the pane (children of its shell).
    public func programPIDs() throws -> [Int32] {
        let shell = try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try runProcess("/usr/bin/pgrep", ["-P", shell]).stdout.split(separator: "\n").compactMap { Int32($0) }
    }

    public func kill() { _ = try? tmux(["kill-server"]) }

    deinit { kill() }
}
