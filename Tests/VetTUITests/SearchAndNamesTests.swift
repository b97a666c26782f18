import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10, minor items on patients (demo sede).
@Suite struct SearchAndNamesTests {
    /// Search results show the owner's document, and at 80 columns the surname searched for is not
    /// the part that gets cut.
    @Test func searchShowsTheDocumentAndKeepsTheSurnameAtEightyColumns() throws {
        var h = try Harness()
        h.login("recepcion")
        let store = h.model.services.store
        let session = h.model.session!
        guard case .saved(let owner) = try store.saveOwner(OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "María Ximena Alejandra",
                                                                      lastNames: "Ñahuincopa Zúñiga", phone: "987654321"), by: session),
              case .saved = try store.savePet(PetInput(name: "Garabato", species: "perro", sex: "M", alerts: "alérgico a penicilina; muerde"),
                                              ownerID: owner.id, by: session) else {
            Issue.record("not saved"); return
        }
        h.press(.function(2))
        h.type("zuniga")
        let screen = h.screen(width: 80, height: 24)
        #expect(screen.contains("Ñahuincopa Zúñiga") && screen.contains("45678912") && screen.contains("Garabato"), "\(screen)")
        #expect(screen.contains("DNI/RUC"), "\(screen)")
    }

    /// A name with an emoji is refused with the message next to the field; nothing is saved.
    @Test func aPetNameWithAnEmojiIsRefusedInTheForm() throws {
        var h = try Harness()
        h.login("recepcion")
        let store = h.model.services.store
        let ownerID = try #require(try store.read { db in try String.fetchOne(db, sql: "SELECT id FROM owners ORDER BY id LIMIT 1") })
        let before = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") }
        h.model.apply(.push(OwnerScreen(session: h.model.session!, ownerID: ownerID)))
        h.type("n")
        h.type("Firulais 🐶")
        h.press(.ctrl("s"))
        let screen = h.screen()
        #expect(screen.contains("No se admiten emojis"), "\(screen)")
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pets") } == before)
    }
}
