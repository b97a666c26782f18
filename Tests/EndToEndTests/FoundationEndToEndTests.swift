import Foundation
import Testing
import VetTestSupport

/// The real `vetdesk` binary in a real terminal (tmux), checked by what is on the screen.
@Suite struct FoundationEndToEndTests {
    static func demo(_ dir: TempDir) throws -> String {
        let path = dir.file("sede.db")
        let result = try runProcess(Binaries.vetdesk, ["demo", "--db", path, "--pets", "60", "--seed", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    static func open(_ db: String, width: Int = 120, height: Int = 40, extra: String = "") throws -> TmuxSession {
        try TmuxSession("\(Binaries.vetdesk) --db \(db) \(extra)", width: width, height: height)
    }

    @Test(arguments: [("recepcion", "Inicio · Recepción"), ("veterinario", "Inicio · Veterinario"),
                      ("farmacia", "Inicio · Farmacia"), ("supervisor", "Inicio · Supervisor"),
                      ("admin", "Inicio · Administrador")])
    func eachDemoRoleLogsInToItsHome(user: String, home: String) throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir))
        #expect(try tmux.waitFor("Usuario").found)
        try tmux.type(user); try tmux.press("Enter")
        try tmux.type("1234"); try tmux.press("Enter")
        if user == "recepcion" {
            // Reception starts on the agenda; Esc shows the menu under it.
            let agenda = try tmux.waitFor("VetDesk · Agenda ·")
            #expect(agenda.found, "\(agenda.screen)")
            try tmux.press("Escape")
        }
        let (found, screen) = try tmux.waitFor(home)
        #expect(found, "\(screen)")
        #expect(screen.contains("Bienvenido"))
        #expect(screen.contains("LIM01"))
    }

    @Test func wrongClaveShowsTheMessage() throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir))
        #expect(try tmux.waitFor("Clave").found)
        try tmux.type("recepcion"); try tmux.press("Enter")
        try tmux.type("4321"); try tmux.press("Enter")
        let (found, screen) = try tmux.waitFor("Usuario o clave incorrectos")
        #expect(found, "\(screen)")
        #expect(!screen.contains("Inicio ·"))
    }

    @Test func keysTypedBeforeTheScreenIsDrawnAreNotLost() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        // Everything typed before the program even starts: it waits on a FIFO the test opens last.
        let gate = dir.file("gate")
        #expect(mkfifo(gate, 0o600) == 0)
        let tmux = try TmuxSession("read -r _ < \(gate); \(Binaries.vetdesk) --db \(db)", width: 100, height: 30)
        try tmux.type("supervisor"); try tmux.press("Enter"); try tmux.type("1234"); try tmux.press("Enter")
        try tmux.type("u")
        let release = try #require(FileHandle(forWritingAtPath: gate))
        release.write(Data("\n".utf8))
        try release.close()
        let (found, screen) = try tmux.waitFor("Rosa Quispe Mamani")
        #expect(found, "\(screen)")
        #expect(screen.contains("Usuarios y roles"))
    }

    @Test func at80x24TheScreensAreStillReadable() throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir), width: 80, height: 24)
        let login = try tmux.waitFor("Clave")
        #expect(login.found && login.screen.contains("Usuario") && login.screen.contains("F10 Salir"), "\(login.screen)")
        try tmux.type("admin"); try tmux.press("Enter"); try tmux.type("1234"); try tmux.press("Enter")
        let (found, screen) = try tmux.waitFor("Inicio · Administrador")
        #expect(found, "\(screen)")
        #expect(screen.contains("Usuarios y roles") && screen.contains("F10 Salir"))
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Who and where: the user's name or login (the full name fits when the link text is short).
        #expect(lines.contains { ($0.contains("admin") || $0.contains("Ana Torres Salazar · Administrador")) && $0.contains("LIM01") },
                "status bar:\n\(screen)")
    }

    @Test func resizingRedrawsForTheNewSize() throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir), width: 120, height: 40)
        #expect(try tmux.waitFor("Clave").found)
        try tmux.resize(width: 80, height: 24)
        let ok = try waitUntil(seconds: 5) {
            let lines = try tmux.screen().split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 24 && lines[23].contains("LIM01")
        }
        let final = try tmux.screen()
        #expect(ok, "\(final)")
    }

    @Test func f10ExitsWithCodeZeroAndRestoresTheTerminal() throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir))
        #expect(try tmux.waitFor("Usuario").found)
        #expect(try tmux.alternateScreen() == true)
        try tmux.type("recepcion"); try tmux.press("Enter"); try tmux.type("1234"); try tmux.press("Enter")
        #expect(try tmux.waitFor("VetDesk · Agenda ·").found)
        try tmux.press("F10")
        #expect(try tmux.waitForExit() == 0)
        #expect(try tmux.alternateScreen() == false)
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGSEGV, Int32(139)), (SIGHUP, Int32(129))])
    func aSignalStillRestoresTheTerminal(signal: Int32, exitCode: Int32) throws {
        let dir = TempDir()
        let tmux = try Self.open(try Self.demo(dir))
        #expect(try tmux.waitFor("Usuario").found)
        let pids = try tmux.programPIDs()
        #expect(pids.count == 1)
        for pid in pids { Foundation.kill(pid, signal) }
        #expect(try tmux.waitForExit() == exitCode)
        #expect(try tmux.alternateScreen() == false)
    }

    @Test func themesCanBeChosenAndAnUnknownOneIsExplained() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        for theme in ["mono", "alto-contraste"] {
            let tmux = try Self.open(db, extra: "--theme \(theme)")
            #expect(try tmux.waitFor("Iniciar sesión").found)
        }
        let bad = try runProcess(Binaries.vetdesk, ["--db", db, "--theme", "neon"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("No existe el tema neon"))
    }

    @Test func aMissingDatabaseIsExplainedAndNotCreated() throws {
        let dir = TempDir()
        let result = try runProcess(Binaries.vetdesk, ["--db", dir.file("no-existe.db")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("No existe la base de datos"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("no-existe.db")))
        let noPath = try runProcess(Binaries.vetdesk, [], environment: ["VETDESK_DB": ""])
        #expect(noPath.status == 1 && noPath.stderr.contains("Indique la base de datos"))
    }

    @Test func aCorruptDatabaseIsExplainedAndNotModified() throws {
        let dir = TempDir()
        let path = dir.file("sede.db")
        FileManager.default.createFile(atPath: path, contents: Data("esto no es una base de datos de VetDesk\n".utf8))
        let before = fileFingerprint(path)
        for args in [["--db", path], ["demo", "--db", path], ["init", "--db", path, "--sede", "LIM01", "--name", "X", "--admin-password", "clave1"]] {
            let result = try runProcess(Binaries.vetdesk, args)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.contains("vetdesk: "), "\(args): \(result.stderr)")
        }
        #expect(fileFingerprint(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func initCreatesASedeWhoseAdminCanSignIn() throws {
        let dir = TempDir()
        let path = dir.file("nueva/sede.db")
        let bad = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "lima 1", "--name", "X", "--admin-password", "clave1"])
        #expect(bad.status == 1 && bad.stderr.contains("código de sede"))
        let ok = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "LIM05", "--name", "VetDesk Surco", "--admin-password", "clave1",
                                                   "--idle-minutes", "12"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try sqlite3Value(path, "SELECT value FROM settings WHERE key = 'idle_minutes'") == "12")
        let tmux = try Self.open(path)
        let login = try tmux.waitFor("VetDesk Surco (LIM05)")
        #expect(login.found && !login.screen.contains("Demo:"), "\(login.screen)")
        try tmux.type("admin"); try tmux.press("Enter"); try tmux.type("clave1"); try tmux.press("Enter")
        #expect(try tmux.waitFor("Inicio · Administrador").found)
    }

    func sqlite3Value(_ path: String, _ sql: String) throws -> String {
        try runProcess("/usr/bin/sqlite3", [path, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
