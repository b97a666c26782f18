import Foundation
import GRDB
import Testing
import VetTestSupport
/// Patients through the real binary in tmux: a receptionist registers an owner and a pet, a vet
/// finds the pet by the owner's name typed without accents, writes and signs a consultation and a
/// vaccination, and the timeline shows both.
@Suite struct PatientsEndToEndTests {
    static func demo(_ dir: TempDir) throws -> String {
        let path = dir.file("sede.db")
        let result = try runProcess(Binaries.vetdesk, ["demo", "--db", path, "--pets", "200", "--seed", "11"])
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    static func count(_ db: String, _ sql: String, _ args: StatementArguments = []) throws -> Int {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: sql, arguments: args) ?? 0 }
    }

    /// Types `text` into the focused field and moves on with Enter.
    static func fill(_ tmux: TmuxSession, _ values: [String]) throws {
        for value in values {
            if !value.isEmpty { try tmux.type(value) }
            try tmux.press("Enter")
        }
    }

    @Test func receptionRegistersVetFindsWritesAndTimelineShowsIt() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)

        // Reception: a wrong DNI is refused next to its field and nothing is saved.
        let desk = try TmuxSession.signedIn(db: db, user: "recepcion")
        try desk.press("F4")
        #expect(try desk.waitFor("Buscar:").found)
        try desk.press("C-n")
        #expect(try desk.waitFor("Nuevo propietario").found)
        try desk.type("1234567"); try desk.press("Enter")
        var step = try desk.waitFor("✖ El DNI tiene 8 dígitos")
        #expect(step.found, "\(step.screen)")
        let errorLine = step.screen.split(separator: "\n").first { $0.contains("✖ El DNI tiene 8 dígitos") } ?? ""
        #expect(errorLine.contains("Número") && errorLine.contains("1234567"), "the error is not next to the field: \(errorLine)")
        try desk.press("C-s")
        step = try desk.waitFor("no se guardó nada")
        #expect(step.found, "\(step.screen)")
        #expect(try Self.count(db, "SELECT count(*) FROM owners WHERE doc_number = '1234567'") == 0)

        // Corrected (the form went back to the wrong field), the owner is registered, then the pet.
        try desk.press("C-u")
        try Self.fill(desk, ["45678912", "Ximena", "Ñahuincopa Zúñiga", "987654321", "", "ximena@gmail.com", "Av. Larco 345", "Miraflores, Lima", "s"])
        try desk.type("n"); try desk.press("Enter")
        step = try desk.waitFor("Propietario · Ximena Ñahuincopa Zúñiga")
        #expect(step.found, "\(step.screen)")
        #expect(try Self.count(db, "SELECT count(*) FROM owners WHERE doc_number = '45678912' AND ubigeo = '150122' AND consent_whatsapp = 1") == 1)
        try desk.type("n")
        #expect(try desk.waitFor("Nueva mascota").found)
        try Self.fill(desk, ["Garabato", "", "Mestizo", "h", "s", "10/03/2020", "", "negro", "", "12,5"])
        try desk.type("agresivo"); try desk.press("Enter")
        step = try desk.waitFor("Historia clínica · Garabato")
        #expect(step.found, "\(step.screen)")
        #expect(step.screen.contains("ALERTAS: agresivo"))
        // A receptionist cannot write clinical entries.
        try desk.type("c")
        step = try desk.waitFor("Solo un veterinario")
        #expect(step.found, "\(step.screen)")
        try desk.press("F10")
        #expect(try desk.waitForExit() == 0)

        // The vet finds the pet by the owner's name typed without accents.
        let vet = try TmuxSession.signedIn(db: db, user: "veterinario")
        try vet.press("F2")
        #expect(try vet.waitFor("Buscar:").found)
        try vet.type("nahuinco")
        step = try vet.waitFor("Garabato")
        #expect(step.found, "\(step.screen)")
        #expect(step.screen.contains("Ñahuincopa Zúñiga, Ximena") && step.screen.contains("agresivo"), "\(step.screen)")
        try vet.press("Enter")
        #expect(try vet.waitFor("Historia clínica · Garabato").found)

        // Consultation, signed after the confirmation.
        try vet.type("c")
        #expect(try vet.waitFor("Nueva consulta · Garabato").found)
        try Self.fill(vet, ["Vómitos desde ayer", "Comió basura", "12,8", "39,2", "110", "28", "rosadas", "2", "5", "Gastritis", "", "Dieta blanda"])
        step = try vet.waitFor("Firmar consulta")
        #expect(step.found, "\(step.screen)")
        try vet.press("Enter")
        step = try vet.waitFor("Consulta firmada")
        #expect(step.found, "\(step.screen)")

        // Vaccination: today's date and next year's dose come filled in.
        try vet.type("v")
        step = try vet.waitFor("Vacuna · Garabato")
        #expect(step.found, "\(step.screen)")
        try Self.fill(vet, ["Nobivac DHPPi", "a123", "01062030", "", ""])
        step = try vet.waitFor("Vacuna registrada")
        #expect(step.found, "\(step.screen)")

        // The timeline shows both, newest first, with sede and author.
        step = try vet.waitFor("Nobivac DHPPi")
        let lines = step.screen.split(separator: "\n").map(String.init)
        let vaccineRow = lines.firstIndex { $0.contains("Vacuna") && $0.contains("Nobivac DHPPi") }
        let consultRow = lines.firstIndex { $0.contains("Consulta") && $0.contains("Vómitos desde ayer") }
        #expect(vaccineRow != nil && consultRow != nil, "\(step.screen)")
        if let v = vaccineRow, let c = consultRow {
            #expect(v < c, "newest first:\n\(step.screen)")
            #expect(lines[v].contains("LIM01") && lines[v].contains("Dr. Carlos Mendoza Ríos"))
            #expect(lines[c].contains("LIM01") && lines[c].contains("Dr. Carlos Mendoza Ríos"))
        }
        // Filter by kind: only consultations.
        try vet.type("t")
        step = try vet.waitFor("Filtro: Consulta")
        #expect(step.found, "\(step.screen)")
        // The first frame with the new filter may be caught half drawn: the vaccine must go within the wait.
        let onlyConsultations = try waitUntil(seconds: 10) { try !vet.screen().contains("Nobivac DHPPi") }
        let filtered = try vet.screen()
        #expect(onlyConsultations, "\(filtered)")

        let pet = "SELECT id FROM pets WHERE name = 'Garabato'"
        #expect(try Self.count(db, "SELECT count(*) FROM consultations WHERE pet_id = (\(pet)) AND signed_at IS NOT NULL AND temperature_dc = 392") == 1)
        #expect(try Self.count(db, "SELECT count(*) FROM vaccinations WHERE pet_id = (\(pet)) AND lot = 'A123' AND expiry = '2030-06-01'") == 1)
        #expect(try Self.count(db, "SELECT count(*) FROM journal WHERE tbl IN ('consultations', 'vaccinations') AND row_id IN (SELECT id FROM consultations WHERE pet_id = (\(pet)) UNION SELECT id FROM vaccinations WHERE pet_id = (\(pet)))") == 2)
        try vet.press("F10")
        #expect(try vet.waitForExit() == 0)
    }
}
