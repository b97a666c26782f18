import Foundation
import GRDB
import Testing
import VetDemo
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// Issue 10, minor item: at a Lima sede «miraflores» is enough.
@Suite struct OwnerDistrictTests {
    @Test func aBareDistrictNameIsLookedForInTheSedesProvinceFirst() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        var input = OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "Rosa", lastNames: "Peña", phone: "987654321", district: "miraflores")
        // Without the sede's district, the name is ambiguous.
        guard case .invalid(let p) = try f.store.saveOwner(input, by: f.reception) else { Issue.record("saved an ambiguous district"); return }
        #expect(p["district"]?.hasPrefix("4 distritos") == true, "\(p)")
        #expect(storeErrorCode { try f.store.setSedeUbigeo("999999") } == .invalid)
        try f.store.setSedeUbigeo("150122")
        guard case .saved(let owner) = try f.store.saveOwner(input, by: f.reception) else { Issue.record("not saved"); return }
        #expect(owner.ubigeo == "150122" && owner.district == "Miraflores")
        // Another province is still reachable by naming it.
        input.docNumber = "45678913"
        input.district = "miraflores, arequipa"
        guard case .saved(let other) = try f.store.saveOwner(input, by: f.reception) else { Issue.record("not saved"); return }
        #expect(other.ubigeo == "040110")
    }

    @Test func theDemoSedeIsInMirafloresLima() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("sede.db"))
        _ = try DemoGenerator.run(store: store, options: .init(pets: 5, seed: 1))
        #expect(try store.homeDistrict()?.code == "150122")
    }
}

/// Issue 10, minor items on consultations: the appointment's reason starts «Motivo», a correction
/// shows «corregida» and keeps what it replaced, a draft's weight counts only once signed.
@Suite struct ConsultationFlowTests {
    @Test func aCorrectionIsMarkedAndKeepsWhatItReplaced() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        var input = ConsultationInput()
        input.reason = "Vómitos"
        input.plan = "Dieta blanda"
        guard case .saved(let c) = try f.store.saveConsultation(input, petID: max.id, sign: true, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.store.timeline(petID: max.id, kinds: [.consultation]).first?.status == "firmada")
        f.clock.advance(seconds: 600)
        input.plan = "Dieta blanda y metoclopramida"
        input.dxPresumptive = "Gastritis"
        guard case .saved = try f.store.saveConsultation(input, petID: max.id, id: c.id, sign: true, by: f.vet) else { Issue.record("not saved"); return }
        let entry = try #require(try f.store.timeline(petID: max.id, kinds: [.consultation]).first)
        #expect(entry.status == "firmada · corregida")
        #expect(try f.store.addenda(consultationID: c.id).map(\.text) == ["Corregida. Antes: Dx presuntivo —; Plan «Dieta blanda»"])
        #expect(entry.details.contains { $0.contains("Corregida. Antes:") && $0.contains("«Dieta blanda»") }, "\(entry.details)")
        // Saving it again unchanged adds nothing.
        guard case .saved = try f.store.saveConsultation(input, petID: max.id, id: c.id, sign: true, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.store.addenda(consultationID: c.id).count == 1)
    }

    @Test func aDraftsWeightChangesThePetsWeightOnlyWhenSigned() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        let weights = "SELECT count(*) FROM pet_weights WHERE pet_id = ?"
        let before = try f.count(weights, [max.id])
        var input = ConsultationInput()
        input.reason = "Control"
        input.weight = "14,2"
        guard case .saved(let draft) = try f.store.saveConsultation(input, petID: max.id, sign: false, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.count(weights, [max.id]) == before)
        try f.store.signConsultation(id: draft.id, by: f.vet)
        #expect(try f.count(weights, [max.id]) == before + 1)
        #expect(try f.count("SELECT count(*) FROM pet_weights WHERE pet_id = ? AND grams = 14200 AND source_id = ?", [max.id, draft.id]) == 1)
        // A draft finished from the form (saved signed) counts once too.
        input.weight = "14,6"
        guard case .saved(let second) = try f.store.saveConsultation(input, petID: max.id, sign: false, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.count(weights, [max.id]) == before + 1)
        guard case .saved = try f.store.saveConsultation(input, petID: max.id, id: second.id, sign: true, by: f.vet) else { Issue.record("not saved"); return }
        #expect(try f.count("SELECT count(*) FROM pet_weights WHERE source_id = ?", [second.id]) == 1)
    }

    @Test func todaysAppointmentReasonStartsTheConsultation() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        #expect(try a.f.store.todaysAppointmentReason(petID: a.max.id) == nil)
        try a.f.store.book(a.request(10), by: a.f.reception)
        #expect(try a.f.store.todaysAppointmentReason(petID: a.max.id) == "Control anual")
        try a.f.store.addWalkIn(petID: a.max.id, typeID: a.types["emergencia"]!.id, reason: "Cojera", by: a.f.reception)
        #expect(try a.f.store.todaysAppointmentReason(petID: a.max.id) == "Cojera", "the one waiting comes before a booked one")
        #expect(try a.f.store.todaysAppointmentReason(petID: a.toby.id) == nil)
    }
}
