import Foundation
import Testing
import VetTestSupport

/// Issue 10 items 2, 3, 4 and 10 through the real binary in tmux.
@Suite struct KeyboardAndRecoveryEndToEndTests {
    static func demo(_ dir: TempDir) throws -> String {
        let path = dir.file("sede.db")
        let result = try runProcess(Binaries.vetdesk, ["demo", "--db", path, "--pets", "60", "--seed", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    static func sqlite(_ db: String, _ sql: String) throws -> String {
        try runProcess("/usr/bin/sqlite3", [db, sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Signs `user` in on a terminal whose TERM says xterm while the keys come as tmux (or PuTTY)
    /// sends them: Home is `ESC[1~`, End `ESC[4~`, which xterm's terminfo does not list.
    static func signedInAsXterm(_ db: String, user: String, width: Int = 120, height: Int = 40) throws -> TmuxSession {
        let tmux = try TmuxSession("\(Binaries.vetdesk) --db \(db)", width: width, height: height, environment: ["TERM": "xterm-256color"])
        #expect(try tmux.waitFor("Clave").found)
        try tmux.type(user); try tmux.press("Enter"); try tmux.type("1234"); try tmux.press("Enter")
        let home = try tmux.waitFor(user == "recepcion" ? "VetDesk · Agenda ·" : "Bienvenido")
        #expect(home.found, "\(home.screen)")
        return tmux
    }

    /// Item 10: Home and End moved nothing: they closed the form as Esc and typed «[1~» into the search.
    @Test func homeAndEndFromTmuxAndPuTTYMoveTheCursorInAForm() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let desk = try Self.signedInAsXterm(db, user: "recepcion")
        try desk.press("F4")
        #expect(try desk.waitFor("Buscar:").found)
        try desk.press("C-n")
        #expect(try desk.waitFor("VetDesk · Nuevo propietario").found)
        try desk.type("45678912"); try desk.press("Enter")
        try desk.type("imen"); try desk.press("Home"); try desk.type("X"); try desk.press("End"); try desk.type("a")
        let step = try desk.waitFor("Ximena")
        #expect(step.found && step.screen.contains("VetDesk · Nuevo propietario"), "\(step.screen)")
        #expect(!step.screen.contains("[1~") && !step.screen.contains("Salir sin guardar"), "\(step.screen)")
        // A real Esc still works, and asks first since something was typed.
        try desk.press("Escape")
        let asked = try desk.waitFor("Salir sin guardar")
        #expect(asked.found, "\(asked.screen)")
        try desk.press("F10")
        #expect(try desk.waitForExit() == 0)
    }

    /// Item 2: the week view crashed (SIGILL, exit 132) at 101 columns or less and when the window shrank.
    @Test func theWeekViewSurvivesNarrowWindowsAndShrinking() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        try desk.type("s")
        #expect(try desk.waitFor("VetDesk · Semana ·").found)
        for (width, height) in [(101, 30), (80, 24), (40, 12), (20, 8), (120, 40)] {
            try desk.resize(width: width, height: height)
            let ok = try waitUntil(seconds: 5) {
                let lines = try desk.screen().split(separator: "\n", omittingEmptySubsequences: false)
                return lines.count >= height && lines[height - 1].contains("│")
            }
            let shown = try desk.screen()
            #expect(ok, "\(width)×\(height):\n\(shown)")
        }
        #expect(try desk.waitFor("VetDesk · Semana ·").found)
        try desk.press("F10")
        #expect(try desk.waitForExit() == 0)
    }

    /// Item 3: a registered DNI and the name typed right after it, in one burst of type-ahead.
    @Test func typeAheadAfterARegisteredDocumentStaysInTheForm() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let dni = try Self.sqlite(db, "SELECT doc_number FROM owners WHERE doc_type = 'dni' ORDER BY doc_number LIMIT 1")
        let before = try Self.sqlite(db, "SELECT first_names FROM owners WHERE doc_number = '\(dni)'")
        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        try desk.press("F4")
        #expect(try desk.waitFor("Buscar:").found)
        try desk.press("C-n")
        #expect(try desk.waitFor("VetDesk · Nuevo propietario").found)
        try desk.type(dni); try desk.press("Enter"); try desk.type("Ernesto"); try desk.press("Enter"); try desk.type("Nancy")
        let step = try desk.waitFor("Nancy")
        #expect(step.found && step.screen.contains("VetDesk · Nuevo propietario") && step.screen.contains("ya registrado"), "\(step.screen)")
        #expect(step.screen.contains("Ernesto"), "\(step.screen)")
        #expect(try Self.sqlite(db, "SELECT first_names FROM owners WHERE doc_number = '\(dni)'") == before)
        try desk.press("C-o")
        #expect(try desk.waitFor("VetDesk · Propietario ·").found)
    }

    /// Item 4: the window closes (SIGHUP), the process is ended (SIGTERM) or killed (SIGKILL, after the
    /// few seconds the form takes to keep itself) while a consultation is being typed.
    @Test(arguments: [SIGHUP, SIGTERM, SIGKILL])
    func aConsultationTypedWhenTheProgramEndsIsOfferedAtTheNextSignIn(signal: Int32) throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        // A name only one pet answers to, with no appointment today (whose reason would start «Motivo»).
        let pet = try Self.sqlite(db, """
            SELECT p.name FROM pets p WHERE p.deceased_on IS NULL
              AND p.id NOT IN (SELECT pet_id FROM appointments WHERE date(starts_at, '-5 hours') = date('now', '-5 hours'))
              AND NOT EXISTS (SELECT 1 FROM pets q WHERE q.id <> p.id AND lower(q.name) LIKE lower(p.name) || '%')
              AND NOT EXISTS (SELECT 1 FROM owners o WHERE lower(o.first_names || ' ' || o.last_names) LIKE '%' || lower(p.name) || '%')
            ORDER BY p.name LIMIT 1
            """)
        let vet = try TmuxSession.signedIn(db: db, user: "veterinario")
        try vet.press("F2")
        #expect(try vet.waitFor("Buscar:").found)
        try vet.type(pet)
        #expect(try vet.waitFor("1 resultado").found)
        try vet.press("Enter")
        #expect(try vet.waitFor("Historia clínica · \(pet)").found)
        try vet.type("c")
        #expect(try vet.waitFor("Nueva consulta · \(pet)").found)
        try vet.type("Tos seca"); try vet.press("Enter"); try vet.type("Desde ayer por la noche")
        #expect(try vet.waitFor("Desde ayer por la noche").found)
        if signal == SIGKILL {
            // Nothing can be done on SIGKILL: what the form kept by itself is what survives.
            let kept = try waitUntil(seconds: 15) {
                try Self.sqlite(db, "SELECT fields FROM clinical_recovery").contains("Desde ayer por la noche")
            }
            #expect(kept)
        }
        let pids = try vet.programPIDs()
        #expect(pids.count == 1)
        for pid in pids { Foundation.kill(pid, signal) }
        let status = try vet.waitForExit()
        let last = try vet.screen()
        #expect(status == 128 + signal, "\(last)")

        // Signing in again, the unfinished consultation is offered over the home menu.
        let again = try TmuxSession("\(Binaries.vetdesk) --db \(db)")
        #expect(try again.waitFor("Clave").found)
        try again.type("veterinario"); try again.press("Enter"); try again.type("1234"); try again.press("Enter")
        // The screen opens at once and its list follows when loaded: the pet is waited for, not
        // judged on the first frame (which may still say «Cargando…»).
        let offered = try again.waitFor("Consultas sin terminar")
        #expect(offered.found, "\(offered.screen)")
        let listed = try again.waitFor(pet)
        #expect(listed.found && listed.screen.contains("Consultas sin terminar"), "\(listed.screen)")
        try again.press("Enter")
        let restored = try again.waitFor("Desde ayer por la noche")
        #expect(restored.found && restored.screen.contains("Nueva consulta · \(pet)") && restored.screen.contains("Tos seca"), "\(restored.screen)")
        try again.press("C-b")
        #expect(try again.waitFor("Borrador guardado").found)
        #expect(try Self.sqlite(db, "SELECT count(*) FROM consultations WHERE reason = 'Tos seca' AND signed_at IS NULL") == "1")
        #expect(try Self.sqlite(db, "SELECT count(*) FROM clinical_recovery") == "0")
    }
}
