import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// Issue 10, item 9 and the CMVP number: what a prescription must carry.
@Suite struct PrescriptionSafetyTests {
    func allergicPet(_ f: PatientFixture) throws -> Pet {
        guard case .saved(let p) = try f.store.savePet(PetInput(name: "Luna", species: "gato", sex: "H", alerts: "alérgica a penicilina"),
                                                       ownerID: try f.owner().id, by: f.reception) else { throw StoreError.invalid("pet") }
        return p
    }

    let amoxicillin = PrescriptionItemInput(drug: "Amoxicilina 250 mg", dose: "1/2 tableta", frequency: "cada 12 h", duration: "7 días")
    let omeprazole = PrescriptionItemInput(drug: "Omeprazol 10 mg", dose: "1/2 tableta", frequency: "cada 24 h", duration: "5 días")

    @Test func aDrugMatchingTheAllergyAlertNeedsAConfirmationThatIsRecorded() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let luna = try allergicPet(f)
        var refusal: ConfirmationNeeded?
        do { _ = try f.store.issuePrescription(items: [omeprazole, amoxicillin], petID: luna.id, by: f.vet) } catch let e as ConfirmationNeeded { refusal = e }
        #expect(refusal == ConfirmationNeeded(code: "allergy_alert", message: "Amoxicilina 250 mg: «alérgica a penicilina» (penicilinas)"))
        #expect(try f.count("SELECT count(*) FROM prescriptions") == 0)
        #expect(try f.count("SELECT count(*) FROM prescription_items") == 0)

        guard case .saved(let rx) = try f.store.issuePrescription(items: [omeprazole, amoxicillin], petID: luna.id, allergyConfirmed: true,
                                                                  by: f.vet) else { Issue.record("not saved"); return }
        let stored = try #require(try f.store.read { db in try Prescription.fetchOne(db, key: rx.id) })
        #expect(stored.allergyOverride == "Amoxicilina 250 mg: «alérgica a penicilina» (penicilinas)")
        // The confirmation travels with the row (journaled, so every sede sees it) and is printed.
        #expect(try f.count("SELECT count(*) FROM journal WHERE tbl = 'prescriptions' AND row_id = ? AND cols LIKE '%alérgica a penicilina%'",
                            [rx.id]) == 1)
        let text = try f.store.prescriptionText(id: rx.id)
        #expect(text.contains("Emitida pese a la alerta de alergia"), "\(text)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })

        // Nothing to confirm: no record of one.
        guard case .saved(let plain) = try f.store.issuePrescription(items: [omeprazole], petID: luna.id, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.store.read { db in try Prescription.fetchOne(db, key: plain.id) }?.allergyOverride == nil)
    }

    @Test func thePrescriptionCarriesTheVetsCMVPNumber() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        #expect(throws: StoreError.invalid("El número de CMVP tiene solo dígitos (hasta 10)")) {
            try f.store.addUser(username: "vet.paz", fullName: "Dra. Ana Paz", password: "clave-123", roles: [.veterinario], cmvp: "12a45")
        }
        let u = try f.store.addUser(username: "vet.paz", fullName: "Dra. Ana Paz", password: "clave-123", roles: [.veterinario],
                                    cmvp: " 12345 ")
        let paz = Session(userID: u.id, username: u.username, fullName: u.fullName, roles: [.veterinario], sede: f.vet.sede)
        let max = try f.pet("Max", owner: try f.owner())
        guard case .saved(let rx) = try f.store.issuePrescription(items: [omeprazole], petID: max.id, by: paz) else { Issue.record("not saved"); return }
        let text = try f.store.prescriptionText(id: rx.id)
        #expect(text.contains("Médico veterinario · CMVP 12345"), "\(text)")
    }
}
