import Foundation
import Testing
import VetDemo
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// The whole app without a terminal: keys in, canvas text out.
struct Harness {
    var model: AppModel
    let clock: ManualClock
    let dir: TempDir

    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    init(idleSeconds: Int = 300) throws {
        dir = TempDir()
        clock = ManualClock(Self.start)
        try HarnessTemplate.copy(into: dir.path)
        let store = try SedeStore.open(path: dir.file("sede.db"), clock: clock)
        model = try AppModel(services: AppServices(store: store), idleSeconds: idleSeconds)
    }

    mutating func type(_ text: String) { for ch in text { model.handle(.key(.char(ch))) } }
    mutating func press(_ key: Key) { model.handle(.key(key)) }

    func screen(width: Int = 120, height: Int = 40) -> String {
        var canvas = Canvas(width: width, height: height)
        model.render(into: &canvas)
        return canvas.text
    }

    mutating func login(_ user: String, _ password: String = "1234") {
        type(user); press(.enter); type(password); press(.enter)
    }

    /// Esc back to the home menu and out of it, to the login screen.
    mutating func signOut() {
        for _ in 0..<12 where model.session != nil { press(.escape) }
    }
}

/// The demo sede every harness starts from (20 pets, seed 3, at the harness's start time): made
/// once per test process — a demo with its two weeks of sales and their signed documents takes
/// seconds in a debug build, and the TUI tests make dozens of harnesses — and copied for each one.
enum HarnessTemplate {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: Result<String, any Error>?

    /// The template's folder: `sede.db`, checkpointed and closed, and `fiscal/`.
    static func folder() throws -> String {
        try lock.withLock {
            if let made { return try made.get() }
            let result = Result { () throws -> String in
                let folder = NSTemporaryDirectory() + "vettui-template-" + UUID().uuidString.prefix(8)
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let store = try SedeStore.create(path: folder + "/sede.db", clock: ManualClock(Harness.start))
                _ = try DemoGenerator.run(store: store, options: .init(pets: 20, seed: 3))
                try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                try store.close()
                atexit { if let folder = try? HarnessTemplate.made?.get() { try? FileManager.default.removeItem(atPath: folder) } }
                return folder
            }
            made = result
            return try result.get()
        }
    }

    /// Copies the database and its `fiscal/` folder (keeping their owner-only modes) into `dir`.
    static func copy(into dir: String) throws {
        let folder = try folder()
        let fm = FileManager.default
        try fm.copyItem(atPath: folder + "/sede.db", toPath: dir + "/sede.db")
        if fm.fileExists(atPath: folder + "/fiscal") { try fm.copyItem(atPath: folder + "/fiscal", toPath: dir + "/fiscal") }
    }
}

@Suite struct AppModelTests {
    @Test func eachDemoRoleSeesItsOwnHome() throws {
        let expected: [(String, String, Bool)] = [
            ("recepcion", "Inicio · Recepción", false), ("veterinario", "Inicio · Veterinario", false),
            ("farmacia", "Inicio · Farmacia", false), ("supervisor", "Inicio · Supervisor", true),
            ("admin", "Inicio · Administrador", true),
        ]
        for (user, title, seesUsers) in expected {
            var h = try Harness()
            h.login(user)
            // The agenda is the receptionist's home screen, over the menu.
            if user == "recepcion" {
                #expect(h.screen().contains("VetDesk · Agenda ·"), "\(h.screen())")
                h.press(.function(3))
                h.press(.escape)
            }
            let screen = h.screen()
            #expect(screen.contains(title), "\(user):\n\(screen)")
            #expect(screen.contains("Usuarios y roles") == seesUsers, "\(user):\n\(screen)")
            #expect(screen.contains("Bloquear terminal"))
        }
    }

    @Test func wrongClaveShowsTheMessageAndKeepsTheUser() throws {
        var h = try Harness()
        h.login("recepcion", "9999")
        let screen = h.screen()
        #expect(screen.contains("Usuario o clave incorrectos"))
        #expect(screen.contains("recepcion"))
        #expect(h.model.session == nil)
        // The clave field is emptied and focused: typing the right one signs in.
        h.type("1234"); h.press(.enter)
        #expect(h.screen().contains("VetDesk · Agenda ·"))
    }

    @Test func emptyFieldsAreExplainedNextToTheField() throws {
        var h = try Harness()
        h.press(.enter); h.press(.enter)
        #expect(h.screen().contains("✖ Ingrese el usuario"))
    }

    @Test func demoLoginsAreListedOnlyInADemoDatabase() throws {
        let h = try Harness()
        #expect(h.screen().contains("Demo: recepcion, veterinario, farmacia, supervisor, admin"))
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("real.db"))
        try store.initializeSede(code: "LIM09", name: "Sede Real")
        try store.addUser(username: "ana", fullName: "Ana", password: "secreta", roles: [.administrador])
        let model = try AppModel(services: AppServices(store: store), idleSeconds: 300)
        var canvas = Canvas(width: 100, height: 30)
        model.render(into: &canvas)
        #expect(!canvas.text.contains("Demo:"))
        #expect(canvas.text.contains("Sede Real (LIM09)"))
    }

    @Test func idleTerminalLocksAndOnlyTheSameClaveOpensIt() throws {
        var h = try Harness(idleSeconds: 60)
        h.login("veterinario")
        h.clock.advance(seconds: 59)
        h.model.handle(.tick)
        #expect(!h.screen().contains("Bloqueada por inactividad"))
        h.clock.advance(seconds: 2)
        h.model.handle(.tick)
        #expect(h.screen().contains("Bloqueada por inactividad"))
        #expect(h.screen().contains("Dr. Carlos Mendoza Ríos"))
        h.type("0000"); h.press(.enter)
        #expect(h.screen().contains("Usuario o clave incorrectos"))
        h.type("1234"); h.press(.enter)
        #expect(h.screen().contains("Inicio · Veterinario"))
        let kinds = try h.model.services.store.read { db in
            try String.fetchAll(db, sql: "SELECT kind FROM login_events ORDER BY at, rowid")
        }
        #expect(kinds.contains("idle_lock"))
    }

    @Test func escOnTheLockScreenSignsOut() throws {
        var h = try Harness(idleSeconds: 60)
        h.login("farmacia")
        h.clock.advance(seconds: 61)
        h.model.handle(.tick)
        h.press(.escape)
        #expect(h.model.session == nil)
        #expect(h.screen().contains("Iniciar sesión"))
    }

    /// Issue 10 item 1: F1 on «Terminal bloqueada» opened Ayuda, and F2/F3/F4 over it opened the
    /// locked vet's screens. Nothing but the lock (and its help) may get a key while it is up.
    @Test func noKeyWalksAroundTheLock() throws {
        var h = try Harness(idleSeconds: 60)
        h.login("veterinario")
        h.clock.advance(seconds: 61)
        h.model.handle(.tick)
        #expect(h.screen().contains("Bloqueada por inactividad"))
        for key: Key in [.function(1), .function(2), .function(3), .function(4), .function(5), .function(8)] { h.press(key) }
        #expect(h.model.top is HelpScreen || h.model.top is LockScreen, "\(h.screen())")
        #expect(!h.screen().contains("Buscar:") && !h.screen().contains("VetDesk · Agenda"), "\(h.screen())")
        // Letters and Esc on the help over the lock go nowhere but back to the lock.
        h.type("c"); h.press(.escape)
        #expect(h.model.top is LockScreen, "\(h.screen())")
        h.press(.function(4)); h.press(.function(2))
        #expect(h.model.top is LockScreen && h.screen().contains("Bloqueada por inactividad"), "\(h.screen())")
        // The login screen keeps the F-keys out too, with help open over it.
        h.press(.escape)
        #expect(h.model.session == nil)
        h.press(.function(1)); h.press(.function(2)); h.press(.function(3))
        #expect(h.model.stack.allSatisfy { $0 is LoginScreen || $0 is HelpScreen }, "\(h.screen())")
        // The right clave still opens the lock where the vet left.
        var again = try Harness(idleSeconds: 60)
        again.login("veterinario")
        again.clock.advance(seconds: 61)
        again.model.handle(.tick)
        again.press(.function(1)); again.press(.function(4)); again.press(.escape)
        again.type("1234"); again.press(.enter)
        #expect(again.screen().contains("Inicio · Veterinario"), "\(again.screen())")
    }

    @Test func helpShowsTheKeysOfTheScreenItCameFrom() throws {
        var h = try Harness()
        h.login("admin")
        h.press(.function(1))
        let help = h.screen()
        #expect(help.contains("Ayuda") && help.contains("Salir de VetDesk") && help.contains("En «Inicio · Administrador»"))
        h.press(.escape)
        #expect(h.screen().contains("Inicio · Administrador"))
    }

    @Test func supervisorsListTheStaffWithRoles() throws {
        var h = try Harness()
        h.login("supervisor")
        h.type("u")
        let screen = h.screen()
        #expect(screen.contains("Usuarios y roles"))
        #expect(screen.contains("Rosa Quispe Mamani") && screen.contains("Recepción"))
        #expect(screen.contains("Ana Torres Salazar") && screen.contains("Supervisor, Administrador"))
        h.press(.escape)
        #expect(h.screen().contains("Inicio · Supervisor"))
    }

    @Test func shortcutsNeverClash() {
        let letters = Catalog.entries.map(\.letter)
        #expect(Set(letters).count == letters.count, "\(letters)")
        let keys = Catalog.entries.compactMap(\.functionKey)
        #expect(Set(keys).count == keys.count && keys.allSatisfy { (2...8).contains($0) })
    }

    @Test func f10ExitsWithCodeZero() throws {
        var h = try Harness()
        h.press(.function(10))
        #expect(h.model.exitCode == 0)
    }

    @Test func statusBarShowsUserSedeClockAndLink() throws {
        var h = try Harness()
        h.login("recepcion")
        let last = h.screen().split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("Rosa Quispe Mamani · Recepción"))
        #expect(last.contains("LIM01"))
        #expect(last.contains(LimaTime.dayAndClock(h.clock.now)))
        // The demo sede has no central: the link says so, without thousands of entries "por enviar".
        #expect(last.contains("Central: sin configurar") && !last.contains("por enviar") && !last.contains("pend."), "\(last)")
    }

    /// Issue 9 item 7: a sync that finds this sede's clock ahead of central's says so on every screen.
    @Test func statusBarSaysWhenTheClockRunsAhead() throws {
        var h = try Harness()
        h.login("recepcion")
        #expect(!h.screen().contains("Reloj"))
        try h.model.services.store.pool.write { db in
            try db.execute(sql: "INSERT INTO sync_config (id, central_url, link) VALUES (1, 'https://central.example.pe', 'up')")
            try db.execute(sql: "UPDATE sync_state SET clock_ahead_ms = 3600400")
        }
        h.model.handle(.dataChanged)
        let last = h.screen().split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("Reloj +60 min"), "\(last)")
        let wide = h.screen(width: 200, height: 40).split(separator: "\n").last.map(String.init) ?? ""
        #expect(wide.contains("Reloj adelantado 60 min"), "\(wide)")
    }

    @Test func at80x24EverythingImportantFits() throws {
        var h = try Harness()
        let login = h.screen(width: 80, height: 24)
        #expect(login.contains("Usuario") && login.contains("Clave") && login.contains("F10 Salir"))
        h.login("admin")
        let home = h.screen(width: 80, height: 24)
        #expect(home.contains("Inicio · Administrador") && home.contains("Usuarios y roles") && home.contains("F10 Salir"))
        let lines = home.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 24)
        #expect(lines.allSatisfy { CellWidth.of(String($0)) <= 80 })
        #expect(lines.last?.contains(LimaTime.dayAndClock(h.clock.now)) == true)
    }
}
