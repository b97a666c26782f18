import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// A terminal for the runtime without ncurses: keys the test types, frames the test reads.
final class ScriptedTerminal: TerminalDevice, @unchecked Sendable {
    let width = 100, height = 30
    private let lock = NSLock()
    private let typed = DispatchSemaphore(value: 0)
    private var keys: [Key] = []
    private var drawn: [String] = []

    func type(_ newKeys: [Key]) {
        lock.lock()
        keys += newKeys
        lock.unlock()
        for _ in newKeys { typed.signal() }
    }

    /// Keys typed and not yet read by the runtime.
    var unread: Int { lock.lock(); defer { lock.unlock() }; return keys.count }
    var frames: [String] { lock.lock(); defer { lock.unlock() }; return drawn }

    func draw(_ canvas: Canvas) {
        lock.lock(); defer { lock.unlock() }
        drawn.append(canvas.text)
    }

    func read(timeoutMs: Int32) -> Terminal.Input {
        guard typed.wait(timeout: .now() + .milliseconds(Int(timeoutMs))) == .success else { return .timeout }
        lock.lock(); defer { lock.unlock() }
        return .key(keys.removeFirst())
    }
}

/// Work that runs until the test lets it finish, so the test decides how long it takes.
final class HeldWork: @unchecked Sendable {
    private let lock = NSLock()
    private let release = DispatchSemaphore(value: 0)
    private var startedAt: Date?

    var started: Date? { lock.lock(); defer { lock.unlock() }; return startedAt }

    /// Called on the worker: notes the start and blocks until `finish()`.
    func run() {
        lock.lock(); startedAt = Date(); lock.unlock()
        release.wait()
    }

    func finish() { release.signal() }
}

/// A screen that writes down every key and outcome it gets, in order. Enter asks the store for the
/// number of pets with a `.perform` that takes as long as the test holds it; `b` does the same as
/// `.background` work.
struct LogScreen: Screen {
    let held: HeldWork
    var log: [String] = []

    var title: String { "Registro" }
    func hints(in context: ScreenContext) -> [(key: String, label: String)] { [("Enter", "Consultar"), ("B", "En segundo plano")] }

    struct Counted { let pets: Int }

    func count() -> (AppServices) throws -> Any {
        { [held] services in
            held.run()
            return Counted(pets: try services.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") ?? -1 })
        }
    }

    mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(.enter):
            log.append("consulta")
            return .perform(count())
        case .key(.char("b")):
            log.append("fondo")
            return .background(count())
        case .key(.char(let c)):
            log.append(String(c))
            return .none
        case .message(let counted as Counted):
            log.append("\(counted.pets) mascotas")
            return .none
        case .message(let failure as PerformFailure):
            log.append("error: " + failure.message)
            return .none
        default:
            return .none
        }
    }

    func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        canvas.put("Registro: " + log.joined(separator: " "), x: area.x + 1, y: area.y + 1)
    }
}

@Suite struct RuntimeTests {
    /// The runtime on its own thread, over a signed-in model with the log screen on top.
    final class Running: @unchecked Sendable {
        let terminal = ScriptedTerminal()
        let held = HeldWork()
        let harness: Harness
        private let done = DispatchSemaphore(value: 0)
        private var code: Int32?

        init() throws {
            var h = try Harness()
            h.login("recepcion")
            h.model.apply(.push(LogScreen(held: held)))
            harness = h
            nonisolated(unsafe) let runtime = Runtime(model: h.model, clock: SystemClock())
            let thread = Thread { [terminal, done] in
                let exit = runtime.run(on: terminal, terminationSignal: { 0 }, dataChanged: { false })
                self.code = exit
                done.signal()
            }
            thread.start()
        }

        var lastFrame: String { terminal.frames.last ?? "" }

        func pets() throws -> Int {
            try harness.model.services.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") ?? -1 }
        }

        /// F10 ends the loop; returns its exit code.
        func stop() -> Int32? {
            terminal.type([.function(10)])
            return done.wait(timeout: .now() + 10) == .success ? code : nil
        }
    }

    /// Issue 11, item 6: a command that takes 500 ms while keys are typed. The frames go on being
    /// drawn (with «Cargando…») during the wait, no key is lost, and the keys are applied in the
    /// order typed, after the outcome the screen was waiting for.
    ///
    /// No time limit: under a loaded parallel run a test waits for a thread before it starts, and
    /// Swift Testing counts that wait; every wait here has its own deadline instead.
    @Test func keysTypedDuringASlowCommandAreAppliedInOrderWhileFramesGoOn() throws {
        let run = try Running()
        defer { run.held.finish() }
        let pets = try run.pets()
        run.terminal.type([.enter])
        #expect(waitUntil(seconds: 10) { run.held.started != nil }, "la consulta no empezó")
        let started = try #require(run.held.started)
        run.terminal.type([.char("x"), .char("y"), .char("z")])
        // The runtime has read every key and drawn frames since, while the query still runs.
        let framesBefore = run.terminal.frames.count
        #expect(waitUntil(seconds: 10) { run.terminal.unread == 0 && run.terminal.frames.count >= framesBefore + 3 && Date() >= started.addingTimeInterval(0.5) })
        let during = run.terminal.frames[framesBefore...]
        #expect(during.allSatisfy { $0.contains("Cargando…") }, "\(during.last ?? "")")
        // The keys wait for the outcome: the screen still shows only the query.
        #expect(during.allSatisfy { $0.contains("Registro: consulta") && !$0.contains("mascotas") && !$0.contains("consulta x") },
                "\(during.last ?? "")")
        run.held.finish()
        let expected = "Registro: consulta \(pets) mascotas x y z"
        #expect(waitUntil(seconds: 10) { run.lastFrame.contains(expected) }, "\(run.lastFrame)")
        #expect(!run.lastFrame.contains("Cargando…"), "\(run.lastFrame)")
        #expect(run.stop() == 0)
    }

    /// Background work does not hold keys: they are applied as they are typed, while the work runs,
    /// and its outcome when it arrives.
    @Test func keysGoOnDuringBackgroundWork() throws {
        let run = try Running()
        defer { run.held.finish() }
        let pets = try run.pets()
        run.terminal.type([.char("b")])
        #expect(waitUntil(seconds: 10) { run.held.started != nil }, "el trabajo no empezó")
        run.terminal.type([.char("x"), .char("y")])
        #expect(waitUntil(seconds: 10) { run.lastFrame.contains("Registro: fondo x y") }, "\(run.lastFrame)")
        #expect(!run.lastFrame.contains("Cargando…"), "\(run.lastFrame)")
        run.held.finish()
        #expect(waitUntil(seconds: 10) { run.lastFrame.contains("Registro: fondo x y \(pets) mascotas") }, "\(run.lastFrame)")
        #expect(run.stop() == 0)
    }

    /// A failed audit write is shown, not dropped: the idle lock's row cannot be written (a trigger
    /// refuses it, as a full disk would), and the toast says so over the lock.
    @Test func aFailedAuditWriteIsShown() throws {
        var h = try Harness(idleSeconds: 60)
        h.login("veterinario")
        try h.model.services.store.write(user: nil) { db in
            try db.execute(sql: "CREATE TRIGGER no_audit BEFORE INSERT ON login_events BEGIN SELECT RAISE(ABORT, 'disco lleno'); END")
        }
        h.clock.advance(seconds: 61)
        h.model.handle(.tick)
        let screen = h.screen()
        #expect(screen.contains("Bloqueada por inactividad"), "\(screen)")
        #expect(screen.contains("No se registró el bloqueo por inactividad"), "\(screen)")
    }
}
