import Foundation
import VetCore
import VetStore

/// The whole program's state without a terminal: the screen stack, the session, the toast, the
/// idle lock and the status bar. It never reads the clock or the store by itself: time comes with
/// each event (`update(_:now:)`), and everything that touches the store is a `Job` whose outcome
/// comes back through `complete(_:now:)` — the link status and the audit rows included.
///
/// Driven by the runtime, jobs run on a worker while keys and ticks keep coming (see
/// `isWaiting` for when keys wait). Driven without one (`handle`, as the model tests do), the
/// model runs each job itself as soon as it is asked for, with the store's clock as the time.
public struct AppModel {
    public private(set) var stack: [any Screen]
    /// The identity of each screen on the stack, so a job's outcome reaches the screen that asked.
    private var ids: [Int]
    private var nextScreenID = 0
    public private(set) var session: Session?
    public private(set) var exitCode: Int32?
    /// Why the exit could not be recorded, for the driver to print once the terminal is restored.
    public private(set) var exitNote: String?
    public private(set) var toast: (text: String, kind: ToastKind, until: Date)?
    public private(set) var link: LinkStatus = .unknown
    public let services: AppServices
    public let sede: Sede
    public let isDemo: Bool
    /// The logins listed on the login screen (only a demo sede has them).
    let demoLogins: [String]
    public let idleSeconds: Int
    /// The time of the last event.
    public private(set) var now: Date
    private var lastActivity: Date
    private var lastLinkRefresh: Date = .distantPast
    private var linkRefreshPending = false
    private var exiting = false
    /// Jobs asked for and not yet taken by whoever runs them.
    private var outbox: [Job] = []
    private var nextJobID = 0
    /// Jobs in flight that keys wait for.
    private var holding: Set<Int> = []
    /// Whether the model runs jobs itself, at once, when a command asks for them (driven without a
    /// runtime). The runtime turns this off and runs them on its worker.
    public var runsJobsInline = true

    public init(services: AppServices, idleSeconds: Int, now: Date? = nil) throws {
        self.services = services
        self.sede = try services.store.localSede()
        self.isDemo = try services.store.isDemo()
        self.demoLogins = try services.store.demoLogins()
        self.idleSeconds = idleSeconds
        let start = now ?? services.store.clock.now
        self.now = start
        self.lastActivity = start
        self.stack = []
        self.ids = []
        setStack([LoginScreen(demoLogins: demoLogins)])
        refreshLink(force: true)
    }

    public var context: ScreenContext { ScreenContext(session: session, sede: sede, isDemo: isDemo, now: now) }

    public var top: any Screen { stack[stack.count - 1] }

    /// Whether keys wait: a screen's `.perform` (a load, a save) is running. Keys typed meanwhile
    /// are kept in order and applied once its outcome has been (DESIGN.md §6: type-ahead is applied
    /// after the screen loads, and a second Enter never saves twice). Ticks, data changes, link
    /// status and other outcomes are applied as they arrive, and the screen keeps being drawn.
    public var isWaiting: Bool { !holding.isEmpty }

    /// The jobs asked for since the last call, in the order asked, for the runtime to run.
    public mutating func takeJobs() -> [Job] {
        defer { outbox = [] }
        return outbox
    }

    // MARK: Events

    /// Driven without a runtime: the event happens at the store clock's time, and jobs run at once.
    public mutating func handle(_ event: Event) {
        update(event, now: services.store.clock.now)
    }

    /// Applies one event that happened at `now`.
    public mutating func update(_ event: Event, now: Date) {
        self.now = now
        if case .key = event { lastActivity = now }
        if case .tick = event { onTick() }
        if case .dataChanged = event { refreshLink(force: true) }
        if case .key(let key) = event, handleGlobal(key) { return }
        let origin = ids[ids.count - 1]
        let command = stack[stack.count - 1].update(event, context)
        if case .ignored = command, case .key(let key) = event {
            handleUnused(key)
            return
        }
        apply(command, from: origin)
    }

    /// Applies a job's outcome, arrived at `now`: to the screen that asked for it if it is still on
    /// the stack (else it is dropped), or to the app's own step.
    public mutating func complete(_ outcome: JobOutcome, now: Date) {
        self.now = now
        holding.remove(outcome.job.id)
        switch outcome.job.target {
        case .screen(let id):
            guard let index = ids.firstIndex(of: id) else { return }
            let command = stack[index].update(.message(outcome.result), context)
            apply(command, from: id)
        case .app(let step):
            finish(step, outcome.result)
        }
    }

    /// Whether the login or the lock is anywhere on the stack: then only it (and the help opened
    /// over it) gets keys, and no screen under it can be reached.
    public var isGated: Bool { stack.contains { $0.isGate } }

    /// Keys that work the same on every screen: F1 help, F10 exit.
    private mutating func handleGlobal(_ key: Key) -> Bool {
        switch key {
        case .function(10):
            startExit(code: 0)
            return true
        case .function(1):
            if !(top is HelpScreen) { push(HelpScreen(for: top, context: context)) }
            return true
        case .function(let n):
            guard let session, !isGated,
                  let entry = Catalog.available(to: session).first(where: { $0.functionKey == n }) else { return false }
            if top.catalogID != entry.id { apply(.push(entry.make(session))) }
            return true
        default:
            return false
        }
    }

    private mutating func onTick() {
        if let toast, toast.until <= now { self.toast = nil }
        refreshLink(force: false)
        guard let session, !isGated, now.timeIntervalSince(lastActivity) >= Double(idleSeconds) else { return }
        let keepers = typedWork
        enqueue(.app(.audit(what: "el bloqueo por inactividad")), holdsKeys: false) { services in
            for screen in keepers { try screen.keepTypedWork(services) }
            try services.auth.recordIdleLock(session: session)
            return AuditRecorded()
        }
        push(LockScreen(session: session))
    }

    /// Asks for the link status every five seconds, and at once when the database changed.
    private mutating func refreshLink(force: Bool) {
        guard !linkRefreshPending, force || now.timeIntervalSince(lastLinkRefresh) >= 5 else { return }
        lastLinkRefresh = now
        linkRefreshPending = true
        enqueue(.app(.link), holdsKeys: false) { services in try services.store.linkStatus() }
    }

    /// Applies `command`, asked for by the top screen.
    public mutating func apply(_ command: Command) {
        apply(command, from: ids[ids.count - 1])
    }

    /// Applies `command`, asked for by the screen `origin`: its work's outcome goes back to it, and
    /// `.pop`/`.replace` act on it (it is the top one, unless the command answers an outcome that
    /// arrived after other screens were opened over it). Returns the screen that the commands after
    /// this one in a batch come from: after a `.pop`, the one then on top (`popAndReload` reloads
    /// it); after a `.replace`, the new screen.
    @discardableResult
    private mutating func apply(_ command: Command, from origin: Int) -> Int {
        switch command {
        case .none:
            break
        case .ignored:
            break
        case .push(let screen):
            push(screen)
        case .pop:
            if let index = ids.firstIndex(of: origin), index > 0 {
                stack.remove(at: index)
                ids.remove(at: index)
                return ids[ids.count - 1]
            }
        case .replace(let screen):
            guard let index = ids.firstIndex(of: origin) else { break }
            let id = newScreenID()
            stack[index] = screen
            ids[index] = id
            apply(screen.onAppear(), from: id)
            return id
        case .toast(let text, let kind):
            toast = (text, kind, now.addingTimeInterval(4))
        case .perform(let work):
            enqueue(.screen(origin), holdsKeys: true, work)
        case .background(let work):
            enqueue(.screen(origin), holdsKeys: false, work)
        case .signIn(let newSession):
            session = newSession
            lastActivity = now
            setStack([HomeScreen(session: newSession)])
            apply(top.onAppear())
            if let landing = Catalog.landing(for: newSession) { apply(.push(landing.make(newSession))) }
            // What this user was typing when the program or the session ended last time; keys wait
            // for the answer, so they go to the screen that then is on top.
            enqueue(.app(.recoveries(newSession)), holdsKeys: true) { services in
                try !services.store.recoveries(userID: newSession.userID).isEmpty
            }
            return ids[ids.count - 1]
        case .signOut:
            endSession(what: "el cierre de sesión")
            setStack([LoginScreen(demoLogins: demoLogins)])
            return ids[0]
        case .quit(let code):
            exitCode = code
        case .batch(let commands):
            var current = origin
            for c in commands { current = apply(c, from: current) }
            return current
        }
        return origin
    }

    // MARK: Jobs

    private mutating func enqueue(_ target: Job.Target, holdsKeys: Bool, _ work: @escaping (AppServices) throws -> Any) {
        nextJobID += 1
        let job = Job(id: nextJobID, target: target, holdsKeys: holdsKeys, work: work)
        if holdsKeys { holding.insert(job.id) }
        if runsJobsInline {
            complete(job.run(services), now: now)
        } else {
            outbox.append(job)
        }
    }

    private mutating func finish(_ step: AppStep, _ result: Any) {
        let failure = (result as? PerformFailure)?.message
        switch step {
        case .link:
            linkRefreshPending = false
            // An unreadable link status leaves the last one shown; the next refresh tries again.
            if let status = result as? LinkStatus { link = status }
        case .recoveries(let asked):
            if let failure {
                toast = ("No se pudo revisar el trabajo guardado: " + failure, .error, now.addingTimeInterval(8))
            } else if result as? Bool == true, session?.userID == asked.userID, !isGated {
                push(RecoveryScreen(session: asked))
            }
        case .audit(let what):
            if let failure { toast = ("No se registró \(what): " + failure, .error, now.addingTimeInterval(8)) }
        case .exit(let code):
            if let failure { exitNote = "vetdesk: no se registró la salida: " + failure }
            exitCode = code
        }
    }

    /// The screens on the stack that hold typed work, as they are now.
    private var typedWork: [any KeepsTypedWork] { stack.compactMap { $0 as? any KeepsTypedWork } }

    /// Keeps every screen's typed work and records the sign-out, as one job.
    private mutating func endSession(what: String) {
        let keepers = typedWork
        let ending = session
        enqueue(.app(.audit(what: what)), holdsKeys: false) { services in
            for screen in keepers { try screen.keepTypedWork(services) }
            if let ending { try services.auth.recordLogout(session: ending) }
            return AuditRecorded()
        }
        session = nil
    }

    /// F10 or a signal: keeps typed work, records the exit, then ends with `code`. Keys wait.
    private mutating func startExit(code: Int32) {
        guard !exiting else { return }
        exiting = true
        let keepers = typedWork
        let ending = session
        enqueue(.app(.exit(code)), holdsKeys: true) { services in
            for screen in keepers { try screen.keepTypedWork(services) }
            if let ending { try services.auth.recordLogout(session: ending) }
            return AuditRecorded()
        }
    }

    /// The program is ending on a signal (a closed window, a dropped SSH session, a kill): keep what
    /// was typed and end with the usual 128 + signal.
    public mutating func terminate(signal: Int32) {
        startExit(code: 128 + signal)
    }

    // MARK: Stack

    private mutating func newScreenID() -> Int {
        nextScreenID += 1
        return nextScreenID
    }

    private mutating func push(_ screen: any Screen) {
        let id = newScreenID()
        stack.append(screen)
        ids.append(id)
        apply(screen.onAppear(), from: id)
    }

    private mutating func setStack(_ screens: [any Screen]) {
        stack = screens
        ids = []
        for _ in screens { ids.append(newScreenID()) }
    }

    /// Esc on a screen that did not use it goes back one screen.
    public mutating func handleUnused(_ key: Key) {
        if key == .escape, stack.count > 1, !top.isGate {
            stack.removeLast()
            ids.removeLast()
        }
    }

    // MARK: Rendering

    public func render(into canvas: inout Canvas) {
        let w = canvas.width, h = canvas.height
        guard w >= 20, h >= 6 else {
            canvas.put("Ventana muy pequeña", x: 0, y: 0, style: .warning)
            return
        }
        canvas.fill(x: 0, y: 0, width: w, height: 1, style: .title)
        let waiting = isWaiting ? " " + Self.spinner(now) + " Cargando… " : ""
        canvas.put(" VetDesk · " + top.title, x: 0, y: 0, style: .title, maxWidth: w - 1 - CellWidth.of(waiting))
        if !waiting.isEmpty { canvas.put(waiting, x: w - CellWidth.of(waiting), y: 0, style: .title) }
        let area = Rect(x: 0, y: 1, width: w, height: h - 3)
        top.render(into: &canvas, area: area, context: context)
        renderHints(into: &canvas, y: h - 2)
        renderStatus(into: &canvas, y: h - 1)
        if let toast {
            let style: StyleRole = switch toast.kind { case .ok: .ok; case .error: .error; case .warning: .warning; case .info: .header }
            let text = " " + CellWidth.fit(toast.text, to: w - 4) + " "
            canvas.put(text, x: max(0, w - CellWidth.of(text) - 1), y: h - 3, style: style)
        }
    }

    /// The spinner's frame at `now` (it turns about ten times a second while a job runs).
    static func spinner(_ now: Date) -> String {
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        let tenths = Int((now.timeIntervalSince1970 * 10).rounded(.down))
        return frames[((tenths % frames.count) + frames.count) % frames.count]
    }

    private func renderHints(into canvas: inout Canvas, y: Int) {
        canvas.fill(x: 0, y: y, width: canvas.width, height: 1, style: .normal)
        var x = 1
        let global: [(key: String, label: String)] = [("F1", "Ayuda"), ("F10", "Salir")]
        func width(_ hint: (key: String, label: String)) -> Int { CellWidth.of(hint.key) + 1 + CellWidth.of(hint.label) + 2 }
        // The screen's hints take what is left after F1 and F10, which always show.
        let reserved = global.reduce(0) { $0 + width($1) }
        var shown: [(key: String, label: String)] = []
        for hint in top.hints(in: context) {
            if x + width(hint) > canvas.width - reserved { break }
            shown.append(hint)
            x += width(hint)
        }
        x = 1
        for hint in shown + global where x + width(hint) <= canvas.width {
            x += canvas.put(hint.key, x: x, y: y, style: .key)
            x += canvas.put(" " + hint.label + "  ", x: x, y: y, style: .hint)
        }
    }

    private func renderStatus(into canvas: inout Canvas, y: Int) {
        let w = canvas.width
        canvas.fill(x: 0, y: y, width: w, height: 1, style: .status)
        let clock = LimaTime.dayAndClock(now)
        let role = session?.mainRole.label ?? ""
        // From the fullest to the most compact; the first that fits is shown, the clock always kept.
        var candidates: [String] = []
        if let session {
            let full: String = session.fullName + " · " + role
            let short: String = session.username + " · " + role
            candidates = [full + " │ " + sede.code + " " + sede.name + " │ " + clock,
                          full + " │ " + sede.code + " │ " + clock,
                          short + " │ " + sede.code + " │ " + clock,
                          session.username + " │ " + sede.code + " │ " + clock]
        } else {
            candidates = ["Sin sesión │ " + sede.code + " " + sede.name + " │ " + clock,
                          "Sin sesión │ " + sede.code + " │ " + clock,
                          sede.code + " │ " + clock]
        }
        candidates = candidates.map { " " + $0 + " " }
        let fullLink = " " + link.text(now: now) + " "
        let compactLink = " " + link.text(now: now, compact: true) + " "
        let linkStyle: StyleRole = link.state == .down || link.clockAheadMs != nil ? .statusLinkDown : (link.state == .up ? .statusLinkUp : .status)
        let minimumLink = CellWidth.of(compactLink)
        let left = candidates.first { CellWidth.of($0) + minimumLink <= w } ?? candidates[candidates.count - 1]
        canvas.put(left, x: 0, y: y, style: .status, maxWidth: w)
        let room = w - CellWidth.of(left)
        if room > 3 {
            let linkText = CellWidth.of(fullLink) <= room ? fullLink : compactLink
            let shown = CellWidth.fit(linkText, to: room)
            canvas.put(shown, x: w - CellWidth.of(shown), y: y, style: linkStyle)
            // SUNAT documents near or past their deadline, or rejected, for whoever supervises them.
            let rest = room - CellWidth.of(shown)
            if session?.may(.superviseFiscal) == true, let fiscal = link.fiscal,
               let text = [fiscal.text(), fiscal.text(compact: true)].compactMap({ $0.map { " " + $0 + " " } }).first(where: { CellWidth.of($0) <= rest }) {
                canvas.put(text, x: w - CellWidth.of(shown) - CellWidth.of(text), y: y, style: .statusLinkDown)
            }
        }
    }
}
