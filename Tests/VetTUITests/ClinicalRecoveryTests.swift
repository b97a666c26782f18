import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

extension Harness {
    /// A second program (a new `AppModel`) over the same database and clock.
    init(model: AppModel, clock: ManualClock, dir: TempDir) {
        self.model = model
        self.clock = clock
        self.dir = dir
    }
}

/// Issue 10 item 4: a consultation typed and not saved was lost on F10, a closed window, a kill, and
/// on the idle lock when another user took over. Its author now gets it back at the next sign-in.
@Suite struct ClinicalRecoveryTests {
    /// Signs the vet in and opens a new consultation of a living pet with no appointment today (so
    /// «Motivo» starts empty); returns the pet's name.
    func openConsultation(_ h: inout Harness) throws -> String {
        h.login("veterinario")
        let store = h.model.services.store
        let pets = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM pets WHERE deceased_on IS NULL ORDER BY id").map { ($0["id"] as String, $0["name"] as String) }
        }
        let (petID, name) = try #require(try pets.first { try store.todaysAppointmentReason(petID: $0.0) == nil })
        h.model.apply(.push(PetScreen(session: try #require(h.model.session), petID: petID)))
        h.type("c")
        #expect(h.screen().contains("Nueva consulta · \(name)"), "\(h.screen())")
        return name
    }

    func kept(_ h: Harness) throws -> [String] {
        try h.model.services.store.read { db in try String.fetchAll(db, sql: "SELECT fields FROM clinical_recovery") }
    }

    /// The vet signs in on a fresh program over the same database and takes the consultation up again.
    func recoverAfterRestart(_ h: Harness, pet: String, expecting texts: [String]) throws {
        let model = try AppModel(services: h.model.services, idleSeconds: 300)
        var again = Harness(model: model, clock: h.clock, dir: h.dir)
        again.login("veterinario")
        var screen = again.screen()
        #expect(screen.contains("Consultas sin terminar") && screen.contains(pet), "\(screen)")
        again.press(.enter)
        screen = again.screen()
        #expect(screen.contains("Nueva consulta · \(pet)"), "\(screen)")
        for text in texts { #expect(screen.contains(text), "\(text):\n\(screen)") }
        // Signed, it is forgotten: the next sign-in offers nothing.
        again.press(.ctrl("s")); again.press(.enter)
        #expect(again.screen().contains("Consulta firmada"), "\(again.screen())")
        #expect(try kept(again).isEmpty)
        #expect(try again.model.services.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM consultations WHERE reason = ? AND signed_at IS NOT NULL", arguments: [texts[0]])
        } == 1)
        again.signOut()
        again.login("veterinario")
        #expect(!again.screen().contains("Consultas sin terminar"))
    }

    @Test func f10KeepsTheTypedConsultation() throws {
        var h = try Harness()
        let pet = try openConsultation(&h)
        h.type("Tos seca"); h.press(.enter); h.type("Desde hace dos días, sin fiebre")
        h.press(.function(10))
        #expect(h.model.exitCode == 0)
        #expect(try kept(h).contains { $0.contains("Desde hace dos días, sin fiebre") })
        try recoverAfterRestart(h, pet: pet, expecting: ["Tos seca", "Desde hace dos días, sin fiebre"])
    }

    @Test func aTerminationSignalKeepsTheTypedConsultation() throws {
        var h = try Harness()
        let pet = try openConsultation(&h)
        h.type("Cojera"); h.press(.enter); h.type("Pata delantera izquierda")
        h.model.terminate(signal: SIGHUP)
        #expect(h.model.exitCode == 129)
        try recoverAfterRestart(h, pet: pet, expecting: ["Cojera", "Pata delantera izquierda"])
    }

    @Test func typingIsKeptEveryFewSecondsWithoutAnyWayOut() throws {
        var h = try Harness()
        _ = try openConsultation(&h)
        h.type("Vómitos")
        #expect(try kept(h).contains { $0.contains("\"V\"") || $0.contains("Vómitos") })
        h.press(.enter); h.type("Comió basura")
        h.clock.advance(seconds: 4)
        h.model.handle(.tick)
        let rows = try kept(h)
        #expect(rows.contains { $0.contains("Comió basura") }, "\(rows)")
        #expect(try kept(h).count == 1)
    }

    @Test func anotherUserTakingOverTheLockedTerminalKeepsIt() throws {
        var h = try Harness(idleSeconds: 60)
        let pet = try openConsultation(&h)
        h.type("Otitis"); h.press(.enter); h.type("Sacude la cabeza")
        h.clock.advance(seconds: 61)
        h.model.handle(.tick)
        #expect(h.screen().contains("Bloqueada por inactividad"))
        h.press(.escape)
        h.login("recepcion")
        #expect(!h.screen().contains("Consultas sin terminar"))
        h.signOut()
        h.login("veterinario")
        #expect(h.screen().contains("Consultas sin terminar") && h.screen().contains(pet), "\(h.screen())")
        h.press(.enter)
        #expect(h.screen().contains("Otitis") && h.screen().contains("Sacude la cabeza"), "\(h.screen())")
        // Kept as a draft from here, it leaves the recovery list.
        h.press(.ctrl("b"))
        #expect(h.screen().contains("Borrador guardado"), "\(h.screen())")
        #expect(try kept(h).isEmpty)
    }

    @Test func discardingIsAnExplicitChoice() throws {
        var h = try Harness()
        _ = try openConsultation(&h)
        h.type("Control")
        h.press(.escape); h.press(.right); h.press(.enter)
        #expect(try kept(h).isEmpty)
        h.type("c"); h.type("Prurito")
        h.press(.function(10))
        let model = try AppModel(services: h.model.services, idleSeconds: 300)
        var again = Harness(model: model, clock: h.clock, dir: h.dir)
        again.login("veterinario")
        again.type("d")
        #expect(again.screen().contains("Descartar lo escrito"), "\(again.screen())")
        again.type("s")
        #expect(try kept(again).isEmpty)
        #expect(!again.screen().contains("Consultas sin terminar"), "\(again.screen())")
    }
}
