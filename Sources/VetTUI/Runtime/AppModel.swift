import Foundation
import VetCore
import VetStore

/// The whole program's state without a terminal: the screen stack, the session, the toast, the
/// idle lock and the status bar. The driver feeds it keys and ticks and draws what it renders;
/// tests drive it the same way and read the canvas.
public struct AppModel {
    public private(set) var stack: [any Screen]
    public private(set) var session: Session?
    public private(set) var exitCode: Int32?
    public private(set) var toast: (text: String, kind: ToastKind, until: Date)?
    public var link: LinkStatus = .unknown
    public let services: AppServices
    public let sede: Sede
    public let isDemo: Bool
    /// The logins listed on the login screen (only a demo sede has them).
    let demoLogins: [String]
    public let idleSeconds: Int
    private var lastActivity: Date
    private var lastLinkRefresh: Date = .distantPast

    public init(services: AppServices, idleSeconds: Int) throws {
        self.services = services
        self.sede = try services.store.localSede()
        self.isDemo = try services.store.isDemo()
        self.demoLogins = try services.store.demoLogins()
        self.idleSeconds = idleSeconds
        self.lastActivity = services.store.clock.now
        self.stack = [LoginScreen(demoLogins: demoLogins)]
        refreshLink(force: true)
    }

    var now: Date { services.store.clock.now }

    public var context: ScreenContext { ScreenContext(session: session, sede: sede, isDemo: isDemo, now: now) }

    public var top: any Screen { stack[stack.count - 1] }

    // MARK: Events

    public mutating func handle(_ event: Event) {
        if case .key = event { lastActivity = now }
        if case .tick = event { onTick() }
        if case .dataChanged = event { refreshLink(force: true) }
        if case .key(let key) = event, handleGlobal(key) { return }
        let command = stack[stack.count - 1].update(event, context)
        if case .ignored = command, case .key(let key) = event {
            handleUnused(key)
            return
        }
        apply(command)
    }

    /// Whether the login or the lock is anywhere on the stack: then only it (and the help opened
    /// over it) gets keys, and no screen under it can be reached.
    public var isGated: Bool { stack.contains { $0.isGate } }

    /// Keys that work the same on every screen: F1 help, F10 exit.
    private mutating func handleGlobal(_ key: Key) -> Bool {
        switch key {
        case .function(10):
            keepTypedWork()
            if let session { try? services.auth.recordLogout(session: session) }
            exitCode = 0
            return true
        case .function(1):
            if !(top is HelpScreen) { stack.append(HelpScreen(for: top, session: session)) }
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
        try? services.auth.recordIdleLock(session: session)
        keepTypedWork()
        stack.append(LockScreen(session: session))
    }

    private mutating func refreshLink(force: Bool) {
        guard force || now.timeIntervalSince(lastLinkRefresh) >= 5 else { return }
        lastLinkRefresh = now
        if let status = try? services.store.linkStatus() { link = status }
    }

    public mutating func apply(_ command: Command) {
        switch command {
        case .none:
            break
        case .ignored:
            break
        case .push(let screen):
            stack.append(screen)
            apply(screen.onAppear())
        case .pop:
            if stack.count > 1 { stack.removeLast() }
        case .replace(let screen):
            stack[stack.count - 1] = screen
            apply(screen.onAppear())
        case .toast(let text, let kind):
            toast = (text, kind, now.addingTimeInterval(4))
        case .perform(let work):
            let result: Any
            do {
                result = try work(services)
            } catch {
                // Store and database errors become the Spanish message of `StoreError`.
                result = PerformFailure(message: StoreError.describing(error, path: services.store.path)?.message ?? "Error inesperado: \(error)")
            }
            apply(stack[stack.count - 1].update(.message(result), context))
        case .signIn(let newSession):
            session = newSession
            lastActivity = now
            stack = [HomeScreen(session: newSession)]
            apply(top.onAppear())
            if let landing = Catalog.landing(for: newSession) { apply(.push(landing.make(newSession))) }
            // What this user was typing when the program or the session ended last time.
            if (try? services.store.recoveries(userID: newSession.userID))?.isEmpty == false {
                apply(.push(RecoveryScreen(session: newSession)))
            }
        case .signOut:
            keepTypedWork()
            if let session { try? services.auth.recordLogout(session: session) }
            session = nil
            stack = [LoginScreen(demoLogins: demoLogins)]
        case .quit(let code):
            exitCode = code
        case .batch(let commands):
            for c in commands { apply(c) }
        }
    }

    /// Every screen on the stack keeps what was typed in it and not saved (a consultation), so the
    /// next sign-in of its author gets it back.
    public func keepTypedWork() {
        for screen in stack { (screen as? any KeepsTypedWork)?.keepTypedWork(services) }
    }

    /// The program is ending on a signal (a closed window, a dropped SSH session, a kill): keep what
    /// was typed and end with the usual 128 + signal.
    public mutating func terminate(signal: Int32) {
        keepTypedWork()
        if let session { try? services.auth.recordLogout(session: session) }
        exitCode = 128 + signal
    }

    /// Esc on a screen that did not use it goes back one screen.
    public mutating func handleUnused(_ key: Key) {
        if key == .escape, stack.count > 1, !top.isGate { stack.removeLast() }
    }

    // MARK: Rendering

    public func render(into canvas: inout Canvas) {
        let w = canvas.width, h = canvas.height
        guard w >= 20, h >= 6 else {
            canvas.put("Ventana muy pequeña", x: 0, y: 0, style: .warning)
            return
        }
        canvas.fill(x: 0, y: 0, width: w, height: 1, style: .title)
        canvas.put(" VetDesk · " + top.title, x: 0, y: 0, style: .title, maxWidth: w - 1)
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

    private func renderHints(into canvas: inout Canvas, y: Int) {
        canvas.fill(x: 0, y: y, width: canvas.width, height: 1, style: .normal)
        var x = 1
        let global: [(key: String, label: String)] = [("F1", "Ayuda"), ("F10", "Salir")]
        func width(_ hint: (key: String, label: String)) -> Int { CellWidth.of(hint.key) + 1 + CellWidth.of(hint.label) + 2 }
        // The screen's hints take what is left after F1 and F10, which always show.
        let reserved = global.reduce(0) { $0 + width($1) }
        var shown: [(key: String, label: String)] = []
        for hint in top.hints {
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
        }
    }
}
