import CNcursesw
import Foundation

/// Set by the termination signal handler only (an aligned Int32 store, as `sig_atomic_t`).
nonisolated(unsafe) var vetTerminationSignal: Int32 = 0

/// The one owner of the terminal: ncurses set-up, colours, key decoding, drawing a canvas and
/// restoring the terminal on every way out, crash signals included.
final class Terminal {
    private var previous: Canvas?
    private var pairs: [StyleRole: attr_t] = [:]
    private var restored = false
    /// What was read past an Esc that turned out not to be part of a sequence, to be read again.
    private var pending: [(rc: Int32, code: UInt32)] = []
    private(set) var width: Int = 0
    private(set) var height: Int = 0

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    init(theme: Theme) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw Unavailable(description: "vetdesk necesita una terminal interactiva")
        }
        setlocale(LC_ALL, "")
        if String(cString: vt_codeset()) != "UTF-8" { setlocale(LC_ALL, "C.UTF-8") }
        guard let screen = vt_newterm() else {
            throw Unavailable(description: "No se pudo iniciar la terminal (revise la variable TERM)")
        }
        set_term(screen)
        Terminal.installSignalHandlers()
        raw()
        noecho()
        nonl()
        keypad(vt_stdscr(), true)
        set_escdelay(25)
        configure(theme: theme)
        updateSize()
    }

    private func configure(theme: Theme) {
        var effective = theme
        if theme.usesColor && !has_colors() { effective = Theme.mono }
        if effective.usesColor {
            start_color()
            use_default_colors()
        }
        for (index, role) in StyleRole.allCases.enumerated() {
            let spec = effective.spec(role)
            var attributes = vt_attr_normal()
            if spec.attributes.contains(.bold) { attributes |= vt_attr_bold() }
            if spec.attributes.contains(.reverse) { attributes |= vt_attr_reverse() }
            if spec.attributes.contains(.underline) { attributes |= vt_attr_underline() }
            if spec.attributes.contains(.dim) { attributes |= vt_attr_dim() }
            if effective.usesColor && index + 1 < Int(vt_color_pairs()) {
                init_pair(Int16(index + 1), spec.foreground.number, spec.background.number)
                attributes |= vt_color_pair(Int32(index + 1))
            }
            pairs[role] = attributes
        }
    }

    func updateSize() {
        var y: Int32 = 0, x: Int32 = 0
        vt_getmaxyx(&y, &x)
        height = Int(y)
        width = Int(x)
    }

    enum Input { case key(Key), resize, timeout }

    /// Waits up to `timeoutMs` for a key. Keys typed ahead stay queued in the terminal until read.
    func read(timeoutMs: Int32) -> Input {
        let (rc, code) = next(timeoutMs: timeoutMs)
        if rc == ERR { return .timeout }
        if rc != KEY_CODE_YES && code == 27 {
            // An escape sequence ncurses did not decode (its terminfo entry does not match what the
            // terminal sends) arrives as Esc and characters: decode it here, or Esc stays Esc.
            var following: [UInt32] = []
            while true {
                let scan = EscapeSequence.scan(following)
                if case .complete(let key, let length) = scan {
                    for extra in following[length...].reversed() { pending.insert((OK, extra), at: 0) }
                    return key.map(Input.key) ?? .timeout
                }
                if case .notASequence = scan { break }
                let more = next(timeoutMs: 50)
                if more.rc == ERR { break }
                if more.rc == KEY_CODE_YES {
                    pending.insert(more, at: 0)
                    break
                }
                following.append(more.code)
            }
            for extra in following.reversed() { pending.insert((OK, extra), at: 0) }
            return .key(.escape)
        }
        if rc == KEY_CODE_YES {
            let k = Int32(code)
            if k == KEY_RESIZE {
                updateSize()
                previous = nil
                return .resize
            }
            if let key = Terminal.functionKey(k) { return .key(key) }
            return .timeout
        }
        return Terminal.characterKey(code).map(Input.key) ?? .timeout
    }

    /// The next key or character: first what an undecoded Esc left over, then the terminal's.
    private func next(timeoutMs: Int32) -> (rc: Int32, code: UInt32) {
        if !pending.isEmpty { return pending.removeFirst() }
        wtimeout(vt_stdscr(), timeoutMs)
        var code: UInt32 = 0
        let rc = vt_get_wch(&code)
        return (rc, code)
    }

    static func functionKey(_ k: Int32) -> Key? {
        switch k {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME, KEY_FIND, KEY_A1: return .home
        case KEY_END, KEY_SELECT, KEY_C1: return .end
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        default:
            for n in 1...12 where k == vt_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    static func characterKey(_ code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(UnicodeScalar(code + 96)!))
        default:
            guard let scalar = UnicodeScalar(code), code >= 32 else { return nil }
            return .char(Character(scalar))
        }
    }

    /// Copies the canvas to the screen, rewriting only rows that changed, in one `doupdate`.
    func draw(_ canvas: Canvas) {
        let full = previous == nil || previous!.width != canvas.width || previous!.height != canvas.height
        if full { wclear(vt_stdscr()) }
        for y in 0..<canvas.height {
            let row = canvas.row(y)
            if !full, let previous, previous.row(y) == row { continue }
            var x = 0
            var runStart = 0
            var run = ""
            var runStyle = row.first?.style ?? .normal
            for cell in row {
                if cell.style != runStyle {
                    _ = vt_put(Int32(y), Int32(runStart), run, pairs[runStyle] ?? vt_attr_normal())
                    run = ""
                    runStart = x
                    runStyle = cell.style
                }
                run += cell.text
                x += 1
            }
            _ = vt_put(Int32(y), Int32(runStart), run, pairs[runStyle] ?? vt_attr_normal())
        }
        if let cursor = canvas.cursor {
            curs_set(1)
            wmove(vt_stdscr(), Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(vt_stdscr())
        doupdate()
        previous = canvas
    }

    func restore() {
        guard !restored else { return }
        restored = true
        endwin()
    }

    /// A termination signal received (SIGTERM, SIGHUP, SIGINT, SIGQUIT), for the main loop to end the
    /// program after keeping what was typed; 0 while none.
    static var terminationSignal: Int32 { vetTerminationSignal }

    /// On a crash or termination signal the terminal is restored before the process ends. A
    /// termination signal first lets the main loop keep typed work and end; if the loop has not
    /// ended the process two seconds later, it is ended then.
    static func installSignalHandlers() {
        // A parent may have left these blocked; resize and clean exits depend on them.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for sig in [SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT] { sigaddset(&wanted, sig) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
            signal(sig) { received in
                guard vetTerminationSignal == 0 else { return }
                vetTerminationSignal = received
                alarm(2)
            }
        }
        signal(SIGALRM) { _ in
            endwin()
            _exit(128 + (vetTerminationSignal != 0 ? vetTerminationSignal : SIGALRM))
        }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { received in
                endwin()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
