import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10: the clinical forms against what a new vet would slip on (demo sede).
@Suite struct ClinicalSafetyTests {
    func value(_ h: Harness, _ sql: String, _ args: StatementArguments = []) throws -> String? {
        try h.model.services.store.read { db in try String.fetchOne(db, sql: sql, arguments: args) }
    }

    /// Item 9: amoxicillin for a pet «alérgico a penicilina» shows the alert and is issued only
    /// when the vet confirms; the confirmation is kept in the prescription.
    @Test func aPrescriptionAgainstTheAllergyAlertAsksAndRecordsTheConfirmation() throws {
        var h = try Harness()
        h.login("veterinario")
        let petID = try #require(try value(h, "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1"))
        try h.model.services.store.write(user: nil) { db in
            try db.execute(sql: "UPDATE pets SET alerts = 'usar bozal; alérgico a penicilina' WHERE id = ?", arguments: [petID])
        }
        let before = try value(h, "SELECT count(*) FROM prescriptions WHERE pet_id = ?", [petID])
        h.model.apply(.push(PetScreen(session: h.model.session!, petID: petID)))
        h.type("r")
        // The last three fields (indicaciones, and the pharmacy's product and quantity) stay empty.
        for v in ["Amoxicilina 250 mg", "1 tableta", "cada 12 h", "7 días", "", "", ""] { h.type(v); h.press(.enter) }
        var screen = h.screen()
        #expect(screen.contains("Alerta de alergia") && screen.contains("Amoxicilina 250 mg: «alérgico a penicilina» (penicilinas)"), "\(screen)")
        #expect(try value(h, "SELECT count(*) FROM prescriptions WHERE pet_id = ?", [petID]) == before)
        // Enter on the default (Revisar) goes back to the form; nothing is issued.
        h.press(.enter)
        screen = h.screen()
        #expect(!screen.contains("Alerta de alergia") && screen.contains("Receta ·"), "\(screen)")
        #expect(try value(h, "SELECT count(*) FROM prescriptions WHERE pet_id = ?", [petID]) == before)
        h.press(.ctrl("s"))
        h.type("s")
        screen = h.screen()
        #expect(screen.contains("Receta emitida"), "\(screen)")
        #expect(try value(h, "SELECT allergy_override FROM prescriptions WHERE pet_id = ? AND allergy_override IS NOT NULL", [petID])
                == "Amoxicilina 250 mg: «alérgico a penicilina» (penicilinas)")
    }

    /// Minor item: Anamnesis and Plan are text areas: a long anamnesis is read whole while typed,
    /// wrapped at spaces, and the form still fits 80×24 with the Plan on screen.
    @Test func anamnesisAndPlanAreMultiLineTextAreas() throws {
        var h = try Harness()
        h.login("veterinario")
        let petID = try #require(try value(h, "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1"))
        h.model.apply(.push(PetScreen(session: h.model.session!, petID: petID)))
        h.type("c")
        h.type("Vómitos")
        h.press(.enter)
        let anamnesis = "Vomita desde hace tres días después de comer, sin sangre; come menos y toma mucha agua. Sin cambios de dieta ni viajes recientes."
        h.type(anamnesis)
        var screen = h.screen()
        #expect(screen.contains("Vomita desde hace tres días") && screen.contains("ni viajes recientes."), "\(screen)")
        let lines = screen.split(separator: "\n").filter { $0.contains("Vomita") || $0.contains("agua") || $0.contains("recientes") }
        #expect(lines.count >= 2, "\(screen)")
        screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Vomita desde hace") && screen.contains("Plan") && screen.contains("F10 Salir"), "\(screen)")
        for _ in 0..<10 { h.press(.tab) }
        h.type("Dieta blanda tres días; metoclopramida 0,5 mg/kg cada 8 h; control en 72 h si no mejora o si aparece sangre.")
        screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Dieta blanda tres días") && screen.contains("aparece sangre."), "\(screen)")
    }

    /// Minor item: the consultation of a pet that came to its appointment starts with its reason.
    @Test func theAppointmentsReasonFillsMotivo() throws {
        var h = try Harness()
        h.login("veterinario")
        let store = h.model.services.store
        let petID = try #require(try value(h, "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1"))
        try store.addWalkIn(petID: petID, typeID: try store.appointmentTypes()[0].id, reason: "Cojera del miembro posterior", by: h.model.session!)
        h.model.apply(.push(PetScreen(session: h.model.session!, petID: petID)))
        h.type("c")
        let screen = h.screen()
        #expect(screen.contains("Nueva consulta") && screen.contains("Cojera del miembro posterior"), "\(screen)")
        h.type(" izquierdo")
        #expect(h.screen().contains("Cojera del miembro posterior izquierdo"))
    }

    /// Minor item: at 80 columns the form's hints keep ^B Borrador and Esc.
    @Test func formHintsKeepDraftAndEscAtEightyColumns() throws {
        var h = try Harness()
        h.login("veterinario")
        let petID = try #require(try value(h, "SELECT id FROM pets WHERE deceased_on IS NULL AND merged_into IS NULL ORDER BY id LIMIT 1"))
        h.model.apply(.push(PetScreen(session: h.model.session!, petID: petID)))
        h.type("c")
        var hints = h.screen(width: 80, height: 24).split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(hints.contains("^S Firmar") && hints.contains("^B Borrador") && hints.contains("Esc Cancelar") && hints.contains("F10 Salir"), "\(hints)")
        h.press(.escape)
        h.type("r")
        hints = h.screen(width: 80, height: 24).split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(hints.contains("^A Agregar") && hints.contains("Esc Cancelar"), "\(hints)")
    }
}
