import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// The patient screens driven through the whole app without a terminal.
@Suite struct PatientScreensTests {
    func count(_ h: Harness, _ sql: String) throws -> Int {
        try h.model.services.store.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// Fills the focused field and the following ones, Enter after each.
    func fill(_ h: inout Harness, _ values: [String]) {
        for v in values { h.type(v); h.press(.enter) }
    }

    func registerOwner(_ h: inout Harness, dni: String = "45678912", first: String = "Ximena", last: String = "Ñahuincopa Zúñiga") {
        h.press(.function(4))
        h.press(.ctrl("n"))
        fill(&h, [dni, first, last, "987654321", "", "", "", "", "n"])
        h.type("n"); h.press(.enter)
    }

    @Test func wrongDocumentShowsTheErrorNextToTheFieldAndSavesNothing() throws {
        var h = try Harness()
        h.login("recepcion")
        let owners = try count(h, "SELECT count(*) FROM owners")
        h.press(.function(4))
        h.press(.ctrl("n"))
        h.type("4567891"); h.press(.enter)
        let line = h.screen().split(separator: "\n").first { $0.contains("✖") } ?? ""
        #expect(line.contains("Número") && line.contains("4567891") && line.contains("El DNI tiene 8 dígitos"), "\(h.screen())")
        h.press(.ctrl("s"))
        #expect(h.screen().contains("Revise los campos marcados; no se guardó nada"))
        #expect(h.screen().contains("✖ Ingrese los nombres"))
        #expect(try count(h, "SELECT count(*) FROM owners") == owners)
        // RUC with a wrong check digit, after switching the document type with →.
        h.press(.backTab); h.press(.right); h.press(.tab)
        h.type("20100070971"); h.press(.enter)
        #expect(h.screen().contains("✖ RUC no válido (dígito verificador)"), "\(h.screen())")
    }

    @Test func ownerAndPetAreRegisteredAndADuplicateDocumentOpensTheOwner() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h)
        #expect(h.screen().contains("Propietario · Ximena Ñahuincopa Zúñiga"), "\(h.screen())")
        h.type("n")
        fill(&h, ["Garabato", "g", "Siamés", "h", "s", "01/01/2030"])
        fill(&h, ["", "", "", "500"])
        h.type("agresivo; alérgico a penicilina"); h.press(.enter)
        var screen = h.screen()
        #expect(screen.contains("✖ La fecha de nacimiento no puede ser futura"), "\(screen)")
        #expect(screen.contains("✖ Peso imposible para gato"), "\(screen)")
        #expect(try count(h, "SELECT count(*) FROM pets WHERE name = 'Garabato'") == 0)
        h.press(.ctrl("u")); h.type("10/03/2020")
        for _ in 0..<4 { h.press(.tab) }
        h.press(.ctrl("u")); h.type("4,2")
        h.press(.ctrl("s"))
        screen = h.screen()
        #expect(screen.contains("Historia clínica · Garabato"), "\(screen)")
        #expect(screen.contains("ALERTAS: agresivo · alérgico a penicilina"))
        #expect(screen.contains("4,2 kg"))
        #expect(try count(h, "SELECT count(*) FROM pet_weights WHERE grams = 4200") == 1)

        // The same DNI again is reported on the form; Ctrl+O opens that owner instead of creating a second one.
        h.press(.escape); h.press(.escape); h.press(.escape)
        h.press(.function(4)); h.press(.ctrl("n"))
        h.type("45678912"); h.press(.enter)
        screen = h.screen()
        #expect(screen.contains("ya registrado: Ximena Ñahuincopa Zúñiga"), "\(screen)")
        h.press(.ctrl("o"))
        screen = h.screen()
        #expect(screen.contains("Propietario · Ximena Ñahuincopa Zúñiga"), "\(screen)")
        #expect(screen.contains("Garabato"))
        #expect(try count(h, "SELECT count(*) FROM owners WHERE doc_number = '45678912'") == 1)
    }

    @Test func aPetChangesOwnerAndTheHistoryKeepsIt() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h, dni: "11223344", first: "Ana", last: "Ríos")
        h.press(.escape); h.press(.escape)
        registerOwner(&h)
        h.type("n"); fill(&h, ["Garabato", "", "", "", "", "", "2a", "", "", ""]); h.press(.enter)
        h.type("m")
        #expect(h.screen().contains("Cambiar propietario · Garabato"))
        h.type("99999999"); h.press(.enter)
        #expect(h.screen().contains("No hay propietario con ese documento"), "\(h.screen())")
        h.press(.ctrl("u")); h.type("11223344"); h.press(.enter)
        #expect(h.screen().contains("→ Ana Ríos"), "\(h.screen())")
        h.press(.enter)
        #expect(h.screen().contains("Garabato pasa a Ana Ríos"))
        h.type("s")
        let screen = h.screen()
        #expect(screen.contains("Propietario: Ana Ríos"), "\(screen)")
        #expect(screen.contains("Cambio de propietario") && screen.contains("De Ximena Ñahuincopa Zúñiga a Ana Ríos"), "\(screen)")
    }

    @Test func vetIssuesAPrescriptionAndPrintsIt() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h)
        h.type("n"); fill(&h, ["Garabato", "", "", "", "", "", "2a", "", "", "12"]); h.press(.enter)
        h.signOut()
        h.login("veterinario")
        h.press(.function(2)); h.type("garabato"); h.press(.enter)
        h.type("r")
        fill(&h, ["Amoxicilina 250 mg", "1 tableta", "cada 12 h", "7 días"])
        h.press(.ctrl("a"))
        // Indicaciones, then the two optional pharmacy fields (issue 12): Enter on the last one issues it.
        fill(&h, ["Omeprazol 10 mg", "1/2 tableta", "cada 24 h", "5 días", "En ayunas", "", ""])
        #expect(h.screen().contains("Receta emitida"), "\(h.screen())")
        #expect(h.screen().contains("Amoxicilina 250 mg, Omeprazol 10 mg"))
        h.type("i")
        let screen = h.screen()
        #expect(screen.contains("Receta lista para imprimir"), "\(screen)")
        let folder = (h.model.services.store.path as NSString).deletingLastPathComponent + "/recetas"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.count == 1)
        let text = try String(contentsOfFile: folder + "/" + files[0], encoding: .utf8)
        #expect(text.contains("2. Omeprazol 10 mg") && text.contains("Indicaciones: En ayunas") && text.contains("Dr. Carlos Mendoza Ríos"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func longFormsFitIn80x24() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(4)); h.press(.ctrl("n"))
        let owner = h.screen(width: 80, height: 24)
        #expect(owner.contains("Recordatorios por correo") && owner.contains("F10 Salir"), "\(owner)")
        registerOwner(&h)
        h.type("n")
        let pet = h.screen(width: 80, height: 24)
        #expect(pet.contains("Alertas") && pet.contains("Microchip"), "\(pet)")
    }

    @Test func searchUpdatesWithEachKeyAccentInsensitive() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h, last: "Núñez Peña")
        h.type("n"); fill(&h, ["Toby", "", "", "", "", "", "3a", "", "", ""]); h.press(.enter)
        #expect(h.screen().contains("Historia clínica · Toby"), "\(h.screen())")
        h.press(.function(2))
        h.type("nu")
        let partial = h.screen()
        h.type("nez pe")
        let screen = h.screen()
        #expect(screen.contains("Toby") && screen.contains("Núñez Peña, Ximena") && screen.contains("987 654 321"), "\(screen)")
        #expect(partial != screen)
        h.press(.enter)
        #expect(h.screen().contains("Historia clínica · Toby"))
    }

    @Test func vetSignsAConsultationThatLocksAfter24Hours() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h)
        h.type("n"); fill(&h, ["Garabato", "", "", "", "", "", "2a", "", "", ""]); h.press(.enter)
        // Reception cannot write clinical entries.
        h.type("c")
        #expect(h.screen().contains("Solo un veterinario escribe en la historia clínica"))
        h.signOut()
        h.login("veterinario")
        h.press(.function(2)); h.type("garabato"); h.press(.enter)
        h.type("c")
        #expect(h.screen().contains("Nueva consulta · Garabato"))
        fill(&h, ["Vómitos", "", "12,8", "52", "", "", "", "", "", "", "", ""])
        #expect(h.screen().contains("✖ Temperatura en °C entre 30,0"), "\(h.screen())")
        h.press(.ctrl("u")); h.type("39,2"); h.press(.ctrl("s"))
        #expect(h.screen().contains("Firmar consulta"))
        h.press(.enter)
        var screen = h.screen()
        #expect(screen.contains("Consulta firmada") && screen.contains("Vómitos") && screen.contains("firmada"), "\(screen)")
        // Within 24 h the author corrects it; after 24 h only an addendum is offered.
        h.type("n")
        #expect(h.screen().contains("Corregir consulta · Garabato"))
        h.press(.escape)
        h.clock.advance(seconds: 24 * 3600 + 1)
        h.type("n")
        #expect(h.screen().contains("Adenda · Garabato"), "\(h.screen())")
        h.type("Dx definitivo: gastritis"); h.press(.enter)
        screen = h.screen()
        #expect(screen.contains("Adenda agregada") && screen.contains("bloqueada") && screen.contains("Dx definitivo: gastritis"), "\(screen)")
        #expect(try count(h, "SELECT count(*) FROM consultation_addenda") > 0)
    }

    static let garabatoConsultations = "SELECT count(*) FROM consultations c JOIN pets p ON p.id = c.pet_id WHERE p.name = 'Garabato'"

    @Test func aConsultationLeftWithEscIsKeptAsADraftAndSignedLater() throws {
        var h = try Harness()
        h.login("recepcion")
        registerOwner(&h)
        h.type("n"); fill(&h, ["Garabato", "", "", "", "", "", "2a", "", "", ""]); h.press(.enter)
        h.signOut()
        h.login("veterinario")
        h.press(.function(2)); h.type("garabato"); h.press(.enter)
        h.type("c")
        h.type("Cojera"); h.press(.enter); h.type("Desde ayer, pata trasera")
        // Esc with unsaved text asks; Esc again goes back to the form, nothing lost.
        h.press(.escape)
        #expect(h.screen().contains("Salir de la consulta") && h.screen().contains("Guardar borrador"), "\(h.screen())")
        h.press(.escape)
        #expect(h.screen().contains("Nueva consulta · Garabato") && h.screen().contains("Desde ayer, pata trasera"))
        #expect(try count(h, Self.garabatoConsultations) == 0)
        // Leaving for real keeps it as a draft, unsigned, marked in the history.
        h.press(.escape); h.press(.enter)
        var screen = h.screen()
        #expect(screen.contains("Borrador guardado") && screen.contains("Historia clínica · Garabato") && screen.contains("Consulta*"), "\(screen)")
        #expect(try count(h, "SELECT count(*) FROM consultations WHERE reason = 'Cojera' AND signed_at IS NULL") == 1)
        // Its author picks it up with N, finishes it and signs it.
        h.type("n")
        screen = h.screen()
        #expect(screen.contains("Borrador de consulta · Garabato") && screen.contains("Desde ayer, pata trasera"), "\(screen)")
        for _ in 0..<9 { h.press(.tab) }
        h.type("Esguince leve")
        h.press(.ctrl("s"))
        #expect(h.screen().contains("Firmar consulta"))
        h.press(.enter)
        #expect(h.screen().contains("Consulta firmada"), "\(h.screen())")
        #expect(try count(h, "SELECT count(*) FROM consultations WHERE signed_at IS NOT NULL AND dx_presumptive = 'Esguince leve'") == 1)
        #expect(try count(h, Self.garabatoConsultations) == 1)
        // Discarding is an explicit choice.
        h.type("c"); h.type("Control")
        h.press(.escape); h.press(.right); h.press(.enter)
        #expect(h.screen().contains("Historia clínica · Garabato"))
        #expect(try count(h, Self.garabatoConsultations) == 1)
    }
}
