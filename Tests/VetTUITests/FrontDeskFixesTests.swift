import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10 items 3, 5, 6 and 10 (Esc on a form with typed data), through the whole app without a terminal.
@Suite struct FrontDeskFixesTests {
    func count(_ h: Harness, _ sql: String, _ args: StatementArguments = []) throws -> Int {
        try h.model.services.store.read { db in try Int.fetchOne(db, sql: sql, arguments: args) ?? 0 }
    }

    /// A demo owner with a DNI: (dni, full name).
    func registeredOwner(_ h: Harness) throws -> (dni: String, firstNames: String, name: String) {
        try h.model.services.store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT doc_number, first_names, last_names FROM owners WHERE doc_type = 'dni' ORDER BY doc_number LIMIT 1")!
            let first: String = row["first_names"], last: String = row["last_names"]
            return (row["doc_number"], first, first + " " + last)
        }
    }

    /// Item 3: «Ernesto» typed after a registered DNI pressed E on the owner screen that replaced the
    /// form and edited the existing owner with the new person's name; «Nancy» created a pet «ancy».
    @Test func aRegisteredDocumentIsReportedAndTheTypingStaysInTheForm() throws {
        var h = try Harness()
        h.login("recepcion")
        let owner = try registeredOwner(h)
        let owners = try count(h, "SELECT count(*) FROM owners")
        let pets = try count(h, "SELECT count(*) FROM pets")
        h.press(.function(4)); h.press(.ctrl("n"))
        h.type(owner.dni); h.press(.enter)
        h.type("Ernesto"); h.press(.enter); h.type("Nancy Ñique"); h.press(.enter)
        var screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("VetDesk · Nuevo propietario"), "\(screen)")
        #expect(screen.contains("ya registrado: \(owner.name)") && screen.contains("Ctrl+O lo abre"), "\(screen)")
        #expect(screen.contains("Ernesto") && screen.contains("Nancy Ñique"), "\(screen)")
        #expect(screen.contains("^O"), "the hint line offers the existing owner:\n\(screen)")
        #expect(try count(h, "SELECT count(*) FROM owners WHERE doc_number = ? AND first_names = ?", [owner.dni, owner.firstNames]) == 1)
        #expect(try count(h, "SELECT count(*) FROM pets") == pets)
        // Saving anyway creates nothing and says why; Ctrl+O is the user's choice to open the owner.
        h.press(.ctrl("s"))
        screen = h.screen()
        #expect(screen.contains("VetDesk · Nuevo propietario") && screen.contains("no se guardó") && screen.contains("ya registrado"), "\(screen)")
        #expect(try count(h, "SELECT count(*) FROM owners") == owners)
        h.press(.ctrl("o"))
        screen = h.screen()
        #expect(screen.contains("Propietario · \(owner.name)"), "\(screen)")
        #expect(try count(h, "SELECT count(*) FROM owners WHERE doc_number = ? AND first_names = ?", [owner.dni, owner.firstNames]) == 1)
    }

    /// Item 3: a document changed after the warning takes the warning away.
    @Test func changingTheDocumentClearsTheWarning() throws {
        var h = try Harness()
        h.login("recepcion")
        let owner = try registeredOwner(h)
        h.press(.function(4)); h.press(.ctrl("n"))
        h.type(owner.dni); h.press(.enter)
        #expect(h.screen().contains("ya registrado"))
        h.press(.backTab); h.press(.backspace); h.type("0")
        #expect(!h.screen().contains("ya registrado"), "\(h.screen())")
    }

    /// Item 5: at 80×24 the history never showed a consultation's Plan. Enter opens the entry whole.
    @Test func theWholeConsultationIsReadableAt80x24() throws {
        var h = try Harness()
        h.login("veterinario")
        let store = h.model.services.store
        let session = try #require(h.model.session)
        let petID = try #require(try store.read { db in try String.fetchOne(db, sql: "SELECT id FROM pets WHERE deceased_on IS NULL ORDER BY id LIMIT 1") })
        var input = ConsultationInput()
        input.reason = "Control de piel"
        input.anamnesis = String(repeating: "Prurito intenso en flancos y base de la cola desde hace tres semanas, ", count: 6)
        input.temperature = "38,6"
        input.dxPresumptive = "Dermatitis alérgica a la picadura de pulgas"
        input.plan = "Fluralaner 500 mg una dosis; control en 30 días con raspado cutáneo"
        _ = try store.saveConsultation(input, petID: petID, sign: true, by: session)
        h.model.apply(.push(PetScreen(session: session, petID: petID)))
        let history = h.screen(width: 80, height: 24)
        #expect(history.contains("Control de piel"), "\(history)")
        #expect(history.contains("Enter muestra la entrada completa"), "\(history)")
        h.press(.enter)
        var seen = h.screen(width: 80, height: 24)
        for _ in 0..<10 { h.press(.pageDown); seen += "\n" + h.screen(width: 80, height: 24) }
        #expect(seen.contains("Plan: Fluralaner 500 mg una dosis; control en 30 días"), "\(seen)")
        #expect(seen.contains("Dx presuntivo: Dermatitis alérgica a la picadura de pulgas"), "\(seen)")
        h.press(.escape)
        #expect(h.screen().contains("Historia clínica ·"))
    }

    /// Item 6: at 80×24 a field's error was cut to «✖ El DNI tiene».
    @Test func aFieldErrorIsShownWholeAt80x24() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(4)); h.press(.ctrl("n"))
        h.type("4567891"); h.press(.enter)
        h.press(.tab); h.press(.tab)
        h.type("98765"); h.press(.ctrl("s"))
        let small = h.screen(width: 80, height: 24)
        #expect(small.contains("El DNI tiene 8 dígitos"), "\(small)")
        #expect(small.contains("El celular tiene 9 dígitos y empieza con 9 (+51 opcional)"), "\(small)")
        // With room for a blank row under each field, the whole message goes there.
        let roomy = h.screen(width: 80, height: 40)
        #expect(roomy.contains("El celular tiene 9 dígitos y empieza con 9 (+51 opcional)"), "\(roomy)")
        #expect(roomy.contains("El DNI tiene 8 dígitos"), "\(roomy)")
    }

    /// Item 10: Esc on a form with typed data asks; Esc again or «Seguir editando» keeps it.
    @Test func escOnAFormWithTypedDataAsksFirst() throws {
        var h = try Harness()
        h.login("recepcion")
        h.press(.function(4)); h.press(.ctrl("n"))
        h.type("4567"); h.press(.escape)
        var screen = h.screen()
        #expect(screen.contains("Salir sin guardar") && screen.contains("Nuevo propietario"), "\(screen)")
        h.press(.escape)
        #expect(h.screen().contains("VetDesk · Nuevo propietario") && h.screen().contains("4567"))
        h.press(.escape); h.press(.enter)
        #expect(h.screen().contains("VetDesk · Nuevo propietario") && h.screen().contains("4567"))
        h.press(.escape); h.type("s")
        screen = h.screen()
        #expect(screen.contains("Buscar:") && !screen.contains("VetDesk · Nuevo propietario"), "\(screen)")
        // An untouched form closes at once.
        h.press(.ctrl("n")); h.press(.escape)
        #expect(h.screen().contains("Buscar:"), "\(h.screen())")
        // A vaccination form asks too.
        h.signOut()
        h.login("veterinario")
        let store = h.model.services.store
        let petID = try #require(try store.read { db in try String.fetchOne(db, sql: "SELECT id FROM pets WHERE deceased_on IS NULL ORDER BY id LIMIT 1") })
        h.model.apply(.push(PetScreen(session: try #require(h.model.session), petID: petID)))
        h.type("v"); h.type("Nobivac"); h.press(.escape)
        #expect(h.screen().contains("Salir sin guardar"), "\(h.screen())")
        h.press(.escape)
        #expect(h.screen().contains("Nobivac"))
    }
}
