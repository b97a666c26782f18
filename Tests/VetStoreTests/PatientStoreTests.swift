import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// A sede store in a temp folder with a clock the test moves, a receptionist, two vets and a supervisor.
struct PatientFixture {
    let dir: String
    let clock: ManualClock
    let store: SedeStore
    let reception: Session
    let vet: Session
    let otherVet: Session
    let supervisor: Session

    static let start = Date(timeIntervalSince1970: 1_795_262_400) // 2026-11-21T12:00:00Z (07:00 in Lima)

    init() throws {
        dir = NSTemporaryDirectory() + "vetdesk-patients-" + UUID().uuidString
        clock = ManualClock(Self.start)
        store = try SedeStore.create(path: dir + "/sede.db", clock: clock)
        let sede = try store.initializeSede(code: "LIM01", name: "VetDesk Miraflores")
        reception = try Self.user(store, sede, "recepcion", "Rosa Quispe", [.recepcionista])
        vet = try Self.user(store, sede, "veterinario", "Dr. Carlos Mendoza", [.veterinario])
        otherVet = try Self.user(store, sede, "vet.rojas", "Dra. Milagros Rojas", [.veterinario])
        supervisor = try Self.user(store, sede, "supervisor", "Jorge Vargas", [.supervisor])
    }

    /// A staff member who never signs in (no clave matches the stored hash), written as central
    /// data the way sync writes users, so bcrypt's cost is skipped.
    static func user(_ store: SedeStore, _ sede: Sede, _ name: String, _ full: String, _ roles: [Role]) throws -> Session {
        let id = store.newID()
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, ?, ?, '!', ?)",
                           arguments: [id, name, full, store.nowText])
            for role in roles {
                try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)",
                               arguments: [store.newID(), id, sede.id, role.rawValue])
            }
        }
        return Session(userID: id, username: name, fullName: full, roles: roles, sede: sede)
    }

    func cleanup() { try? store.close(); try? FileManager.default.removeItem(atPath: dir) }

    func owner(_ doc: String = "45678912", first: String = "José", last: String = "Núñez Peña", phone: String = "987654321") throws -> Owner {
        let input = OwnerInput(docType: .dni, docNumber: doc, firstNames: first, lastNames: last, phone: phone)
        guard case .saved(let o) = try store.saveOwner(input, by: reception) else { throw StoreError.invalid("owner not saved") }
        return o
    }

    func pet(_ name: String, owner: Owner, species: String = "perro", chip: String = "") throws -> Pet {
        guard case .saved(let p) = try store.savePet(PetInput(name: name, species: species, sex: "M", birthDate: "10/03/2020",
                                                              microchip: chip, weight: "12,5"), ownerID: owner.id, by: reception) else {
            throw StoreError.invalid("pet not saved")
        }
        return p
    }

    func count(_ sql: String, _ args: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: args) ?? 0 }
    }
}

@Suite struct PatientStoreTests {
    @Test func ownerValidationSavesNothingAndDuplicateDocumentOpensExisting() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let bad = OwnerInput(docType: .dni, docNumber: "1234567", firstNames: "Ana", lastNames: "Ríos", phone: "987654321")
        guard case .invalid(let problems) = try f.store.saveOwner(bad, by: f.reception) else { Issue.record("saved a bad DNI"); return }
        #expect(problems["doc"] == "El DNI tiene 8 dígitos")
        #expect(try f.count("SELECT count(*) FROM owners") == 0)
        #expect(try f.count("SELECT count(*) FROM journal WHERE tbl = 'owners'") == 0)

        let first = try f.owner()
        let again = OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "Jose", lastNames: "Nunez", phone: "912345678")
        guard case .existing(let existing) = try f.store.saveOwner(again, by: f.reception) else { Issue.record("created a duplicate"); return }
        #expect(existing.id == first.id)
        #expect(try f.count("SELECT count(*) FROM owners") == 1)
        #expect(try f.store.findOwner(docType: .dni, docNumber: "45678912")?.id == first.id)
    }

    @Test func ownerFieldsAreNormalized() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let input = OwnerInput(docType: .ce, docNumber: "ab123456", firstNames: " María ", lastNames: "Peña", phone: "+51 987 654 321",
                               email: "Maria@Gmail.com", district: "miraflores, lima", consentWhatsApp: true)
        guard case .saved(let o) = try f.store.saveOwner(input, by: f.reception) else { Issue.record("not saved"); return }
        let stored = try #require(try f.store.owner(id: o.id))
        #expect(stored.docNumber == "AB123456")
        #expect(stored.firstNames == "María")
        #expect(stored.phone == "987654321")
        #expect(stored.email == "maria@gmail.com")
        #expect(stored.ubigeo == "150122")
        #expect(stored.district == "Miraflores")
        #expect(stored.consentWhatsapp)
    }

    @Test func petValidationMicrochipUniqueAndWeightHistory() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let o = try f.owner()
        let max = try f.pet("Max", owner: o, chip: "604123456789012")
        #expect(try f.store.weights(petID: max.id).map(\.grams) == [12_500])
        guard case .invalid(let p) = try f.store.savePet(PetInput(name: "Rocky", species: "perro", microchip: "604123456789012"),
                                                         ownerID: o.id, by: f.reception) else { Issue.record("duplicate chip saved"); return }
        #expect(p["chip"] == "Microchip ya registrado para Max")
        guard case .invalid(let q) = try f.store.savePet(PetInput(name: "Rocky", species: "perro", birthDate: "01/01/2027", weight: "300"),
                                                         ownerID: o.id, by: f.reception) else { Issue.record("future birth saved"); return }
        #expect(q["birth"] == "La fecha de nacimiento no puede ser futura")
        #expect(q["weight"]?.hasPrefix("Peso imposible") == true)
        #expect(try f.count("SELECT count(*) FROM pets") == 1)
        #expect(storeErrorCode { try f.store.recordWeight(petID: max.id, grams: 0, by: f.reception) } == .invalid)
        try f.store.recordWeight(petID: max.id, grams: 13_100, by: f.reception)
        #expect(try f.store.weights(petID: max.id).map(\.grams) == [13_100, 12_500])
    }

    @Test func receptionistCannotWriteClinicalEntries() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        var c = ConsultationInput()
        c.reason = "Control"
        #expect(throws: StoreError.forbidden("Solo un veterinario escribe en la historia clínica")) {
            try f.store.saveConsultation(c, petID: max.id, sign: true, by: f.reception)
        }
        let v = VaccinationInput(product: "Nobivac", lot: "L1", expiry: "01/01/2027", appliedOn: "21/11/2026")
        #expect(storeErrorCode { _ = try f.store.recordVaccination(v, petID: max.id, by: f.reception) } == .forbidden)
        #expect(try f.count("SELECT count(*) FROM consultations") + f.count("SELECT count(*) FROM vaccinations") == 0)
    }

    @Test func signedConsultationLocksAfter24HoursButAcceptsAddenda() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        var input = ConsultationInput()
        input.reason = "Vómitos"
        input.temperature = "39,2"
        input.weight = "12,8"
        guard case .saved(let c) = try f.store.saveConsultation(input, petID: max.id, sign: true, by: f.vet) else { Issue.record("not saved"); return }
        #expect(c.signedAt != nil)
        #expect(c.temperatureDc == 392)

        // Within 24 h the author may correct it; another vet may not.
        f.clock.advance(seconds: 3600)
        input.dxPresumptive = "Gastritis"
        guard case .saved = try f.store.saveConsultation(input, petID: max.id, id: c.id, sign: true, by: f.vet) else { Issue.record("author could not correct"); return }
        #expect(storeErrorCode { _ = try f.store.saveConsultation(input, petID: max.id, id: c.id, sign: true, by: f.otherVet) } == .forbidden)

        // 24 h after signing it is locked, in the app and in the database itself.
        f.clock.advance(seconds: 23 * 3600)
        #expect(f.store.isLocked(try #require(try f.store.consultation(id: c.id))))
        input.dxDefinitive = "Cambiado"
        #expect(throws: StoreError.refused(.recordLocked, ClinicalRules.lockedMessage)) {
            try f.store.saveConsultation(input, petID: max.id, id: c.id, sign: true, by: f.vet)
        }
        #expect(storeErrorCode {
            try f.store.writeChecked(user: f.vet.userID) { db in
                try db.execute(sql: "UPDATE consultations SET plan = 'otro' WHERE id = ?", arguments: [c.id])
            }
        } == .recordLocked)
        #expect(storeErrorCode {
            try f.store.writeChecked(user: f.vet.userID) { db in try db.execute(sql: "DELETE FROM consultations WHERE id = ?", arguments: [c.id]) }
        } == .recordLocked)
        #expect(try f.store.consultation(id: c.id)?.dxDefinitive == nil)
        #expect(try f.store.consultation(id: c.id)?.dxPresumptive == "Gastritis")

        try f.store.addAddendum(consultationID: c.id, text: "Dx definitivo: gastritis por cuerpo extraño", by: f.otherVet)
        // The correction kept what it replaced; the other vet's addendum follows it.
        #expect(try f.store.addenda(consultationID: c.id).map(\.text) == ["Corregida. Antes: Dx presuntivo —", "Dx definitivo: gastritis por cuerpo extraño"])
        #expect(storeErrorCode {
            try f.store.writeChecked(user: f.vet.userID) { db in try db.execute(sql: "UPDATE consultation_addenda SET text = 'x'") }
        } == .recordLocked)
        let entry = try #require(try f.store.timeline(petID: max.id, kinds: [.consultation]).first)
        #expect(entry.status == "bloqueada · corregida")
        #expect(entry.details.last?.contains("Adenda") == true)
        #expect(entry.details.last?.contains("Dra. Milagros Rojas") == true)
    }

    @Test func timelineIsNewestFirstEvenInTheLimaEvening() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        // 21:00 in Lima on 20/11 is already 21/11 in UTC.
        f.clock.set(Date(timeIntervalSince1970: 1_795_226_400 - 3 * 3600 + 2 * 3600))
        let max = try f.pet("Max", owner: try f.owner())
        var c = ConsultationInput()
        c.reason = "Control"
        _ = try f.store.saveConsultation(c, petID: max.id, sign: true, by: f.vet)
        f.clock.advance(seconds: 600)
        let today = f.store.today.display
        _ = try f.store.recordVaccination(VaccinationInput(product: "Nobivac", lot: "L1", expiry: "01/01/2030", appliedOn: today),
                                          petID: max.id, by: f.vet)
        let entries = try f.store.timeline(petID: max.id, kinds: [.consultation, .vaccination])
        #expect(entries.map(\.kind) == [.vaccination, .consultation])
        #expect(entries.first?.sedeCode == "LIM01" && entries.first?.author == "Dr. Carlos Mendoza")
    }

    @Test func draftCanBeSignedOnlyByItsAuthor() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        var input = ConsultationInput()
        input.reason = "Control"
        guard case .saved(let c) = try f.store.saveConsultation(input, petID: max.id, sign: false, by: f.vet) else { Issue.record("not saved"); return }
        #expect(c.signedAt == nil)
        #expect(storeErrorCode { try f.store.addAddendum(consultationID: c.id, text: "x", by: f.vet) } == .conflict)
        #expect(storeErrorCode { try f.store.signConsultation(id: c.id, by: f.otherVet) } == .forbidden)
        try f.store.signConsultation(id: c.id, by: f.vet)
        #expect(try f.store.consultation(id: c.id)?.signedAt != nil)
    }

    @Test func vaccinationsPrescriptionsAttachmentsAreAppendOnly() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let max = try f.pet("Max", owner: try f.owner())
        let v = VaccinationInput(kind: .vaccine, product: "Nobivac DHPPi", lot: "a123", expiry: "01/06/2027", appliedOn: "21/11/2026", nextDue: "21/11/2027")
        guard case .saved(let vac) = try f.store.recordVaccination(v, petID: max.id, by: f.vet) else { Issue.record("not saved"); return }
        #expect(vac.lot == "A123")
        #expect(vac.nextDue == "2027-11-21")
        #expect(storeErrorCode {
            try f.store.writeChecked(user: f.vet.userID) { db in try db.execute(sql: "UPDATE vaccinations SET lot = 'B'") }
        } == .recordLocked)
        guard case .saved(let rx) = try f.store.issuePrescription(items: [
            PrescriptionItemInput(drug: "Amoxicilina 250 mg", dose: "1 tableta", frequency: "cada 12 h", duration: "7 días",
                                  instructions: "Dar con comida. " + String(repeating: "Vigilar diarrea y vómitos. ", count: 6)),
            PrescriptionItemInput(drug: "Omeprazol 10 mg", dose: "1/2 tableta", frequency: "cada 24 h", duration: "5 días"),
        ], petID: max.id, by: f.vet) else { Issue.record("rx not saved"); return }
        let text = try f.store.prescriptionText(id: rx.id)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { $0.count <= 80 })
        #expect(text.contains("RECETA MÉDICA VETERINARIA"))
        #expect(text.contains("1. Amoxicilina 250 mg"))
        #expect(text.contains("Paciente: Max"))
        #expect(text.contains("Dr. Carlos Mendoza"))
        let out = f.dir + "/receta.txt"
        try f.store.exportPrescription(id: rx.id, to: out)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == text)

        guard case .invalid(let p) = try f.store.addAttachment(petID: max.id, path: f.dir + "/no-existe.pdf", description: "Hemograma", by: f.vet) else {
            Issue.record("attached a missing file"); return
        }
        #expect(p["path"] == "No existe el archivo")
        guard case .saved = try f.store.addAttachment(petID: max.id, path: out, description: "Receta escaneada", by: f.vet) else { Issue.record("not attached"); return }
        #expect(storeErrorCode {
            try f.store.writeChecked(user: f.vet.userID) { db in try db.execute(sql: "DELETE FROM attachments") }
        } == .recordLocked)
        let kinds = try f.store.timeline(petID: max.id).map(\.kind)
        #expect(Set(kinds) == [.vaccination, .prescription, .attachment, .weight])
        #expect(try f.store.timeline(petID: max.id, kinds: [.vaccination]).map(\.summary) == ["Nobivac DHPPi"])
    }

    @Test func searchIsAccentAndCaseInsensitiveRankedAndPrefix() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let nunez = try f.owner("45678912", first: "José", last: "Núñez Peña", phone: "987654321")
        let pena = try f.owner("11223344", first: "Ana", last: "Pena Ríos", phone: "912345678")
        let quispe = try f.owner("55667788", first: "Luz", last: "Quispe", phone: "998877665")
        _ = try f.pet("Max", owner: nunez, chip: "604000000000123")
        _ = try f.pet("Pelusa", owner: pena, species: "gato")
        _ = try f.pet("Peñita", owner: quispe)
        func names(_ q: String) throws -> [String] { try f.store.searchPatients(q).hits.map(\.petName) }
        #expect(try names("nunez") == ["Max"])
        #expect(try names("NÚÑEZ") == ["Max"])
        #expect(try Set(names("peña")) == ["Max", "Pelusa"])
        #expect(try Set(names("pena")) == ["Max", "Pelusa"])
        #expect(try names("pena rios") == ["Pelusa"])
        #expect(try names("p").count == 3)
        #expect(try names("45678") == ["Max"])
        #expect(try names("+51 9988") == ["Peñita"])
        #expect(try names("604000000000123") == ["Max"])
        #expect(try names("\"*(") == [])
        // A pet-name match ranks above an owner-name match.
        #expect(try names("pen").first == "Peñita")
        #expect(PatientSearch.fold("Núñez PEÑA Über ﬁ") == "nunez pena uber ﬁ")
        let hit = try #require(try f.store.searchPatients("max").hits.first)
        #expect(hit.ownerName == "José Núñez Peña")
        #expect(hit.phone == "987 654 321")
        #expect(hit.species == "perro")
    }

    @Test func searchSeesOwnersWithoutPetsAndRowsFromTheShell() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let o = try f.owner("45678912", first: "Gladys", last: "Ñahui")
        let hits = try f.store.searchPatients("nahui").hits
        #expect(hits.count == 1 && hits[0].petID == nil && hits[0].ownerID == o.id)
        _ = try f.pet("Toby", owner: o)
        #expect(try f.store.searchPatients("nahui").hits.map(\.petName) == ["Toby"])

        // A write that does not go through the app (sqlite3 shell, sync) is indexed by the triggers.
        try f.store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, created_at, updated_at)
                VALUES ('o-shell', 'dni', '99887766', 'Víctor', 'Zúñiga', '955555555', '2026-11-21T00:00:00Z', '2026-11-21T00:00:00Z');
                INSERT INTO pets (id, owner_id, name, species, created_at, updated_at)
                VALUES ('p-shell', 'o-shell', 'Chispa', 'perro', '2026-11-21T00:00:00Z', '2026-11-21T00:00:00Z');
                UPDATE owners SET last_names = 'Zúñiga Ortiz' WHERE id = 'o-shell';
                """)
        }
        #expect(try f.store.searchPatients("zuniga ortiz").hits.map(\.petName) == ["Chispa"])
        try f.store.pool.write { db in try db.execute(sql: "UPDATE pets SET name = 'Chispita' WHERE id = 'p-shell'") }
        #expect(try f.store.searchPatients("chispita").hits.count == 1)
        #expect(try f.store.searchPatients("chisp ").hits.map(\.petName) == ["Chispita"])
        // Changing owner moves the pet in the index; the old owner, now without pets, is findable again.
        try f.store.changeOwner(petID: "p-shell", to: o.id, by: f.reception)
        #expect(try f.store.searchPatients("chispita").hits.first?.ownerName == "Gladys Ñahui")
        #expect(try f.store.searchPatients("zuniga").hits.map(\.petID) == [nil])
        #expect(try f.store.timeline(petID: "p-shell", kinds: [.ownerChange]).first?.summary == "De Víctor Zúñiga Ortiz a Gladys Ñahui")
    }

    @Test func rowsAppliedFromSyncAreSearchableAndNotEchoed() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let before = try f.count("SELECT count(*) FROM journal")
        try f.store.applyingRemote { db in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, created_at, updated_at)
                VALUES ('o-remote', 'dni', '77665544', 'Óscar', 'Cárdenas Ticona', '944444444', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z');
                INSERT INTO pets (id, owner_id, name, species, created_at, updated_at)
                VALUES ('p-remote', 'o-remote', 'Canela', 'perro', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z');
                INSERT INTO consultations (id, pet_id, sede_id, vet_id, seen_at, reason, signed_at, created_at, updated_at)
                VALUES ('c-remote', 'p-remote', 'sede-aqp', 'vet-aqp', '2026-11-19T10:00:00Z', 'Control', '2026-11-19T10:30:00Z',
                        '2026-11-19T10:00:00Z', '2026-11-19T10:30:00Z');
                UPDATE consultations SET plan = 'Corrección de la sede que la escribió' WHERE id = 'c-remote';
                """)
        }
        #expect(try f.store.searchPatients("cardenas canela").hits.map(\.petID) == ["p-remote"])
        #expect(try f.count("SELECT count(*) FROM journal") == before)
        #expect(try f.store.timeline(petID: "p-remote").first?.details.last == "Plan: Corrección de la sede que la escribió")
    }

    @Test func mergeOwnersAndPetsKeepsEverything() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let a = try f.owner("45678912", first: "José", last: "Núñez", phone: "987654321")
        let b = try f.owner("45678913", first: "Jose", last: "Nunez", phone: "912345678")
        let max = try f.pet("Max", owner: a)
        let maxDup = try f.pet("Maxi", owner: b, chip: "604000000000999")
        var c = ConsultationInput()
        c.reason = "Otitis"
        _ = try f.store.saveConsultation(c, petID: maxDup.id, sign: true, by: f.vet)
        #expect(storeErrorCode { try f.store.mergeOwners(keep: a.id, merge: b.id, by: f.reception) } == .forbidden)
        try f.store.mergeOwners(keep: a.id, merge: b.id, by: f.supervisor)
        #expect(try f.store.pets(ofOwner: a.id).map(\.name) == ["Max", "Maxi"])
        #expect(try f.store.owner(id: a.id)?.phone2 == "912345678")
        #expect(try f.store.owner(id: b.id)?.mergedInto == a.id)
        #expect(try f.store.findOwner(docType: .dni, docNumber: "45678913")?.id == a.id)
        try f.store.mergePets(keep: max.id, merge: maxDup.id, by: f.supervisor)
        #expect(try f.store.pet(id: max.id)?.microchip == "604000000000999")
        #expect(try f.store.pets(ofOwner: a.id).map(\.name) == ["Max"])
        let timeline = try f.store.timeline(petID: max.id, kinds: [.consultation])
        #expect(timeline.map(\.summary) == ["Otitis"])
        #expect(timeline.first?.mergedPetName == "Maxi")
        #expect(try f.store.searchPatients("maxi").hits.isEmpty)
        #expect(try f.store.searchPatients("604000000000999").hits.map(\.petName) == ["Max"])
        #expect(try f.count("SELECT count(*) FROM journal WHERE tbl = 'patient_merges'") == 2)
    }

    @Test func everyPatientWriteIsJournaled() throws {
        let f = try PatientFixture()
        defer { f.cleanup() }
        let o = try f.owner()
        let o2 = try f.owner("11223344", first: "Ana", last: "Ríos")
        let max = try f.pet("Max", owner: o)
        try f.store.changeOwner(petID: max.id, to: o2.id, by: f.reception)
        var c = ConsultationInput()
        c.reason = "Control"
        c.weight = "13"
        guard case .saved(let consult) = try f.store.saveConsultation(c, petID: max.id, sign: true, by: f.vet) else { Issue.record("x"); return }
        try f.store.addAddendum(consultationID: consult.id, text: "Nota", by: f.vet)
        _ = try f.store.recordVaccination(VaccinationInput(kind: .deworming, product: "Drontal", lot: "D1", expiry: "01/01/2027", appliedOn: "20/11/2026"),
                                          petID: max.id, by: f.vet)
        _ = try f.store.issuePrescription(items: [PrescriptionItemInput(drug: "X", dose: "1", frequency: "c/12h", duration: "3 d")], petID: max.id, by: f.vet)
        let file = f.dir + "/rx.pdf"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        _ = try f.store.addAttachment(petID: max.id, path: file, description: "Rx", by: f.vet)
        let dup = try f.pet("Max2", owner: o)
        try f.store.mergePets(keep: max.id, merge: dup.id, by: f.supervisor)

        let journaled = Set(try f.store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT tbl FROM journal") })
        for table in ["owners", "pets", "pet_owner_changes", "pet_weights", "consultations", "consultation_addenda", "vaccinations",
                      "prescriptions", "prescription_items", "attachments", "patient_merges"] {
            #expect(journaled.contains(table), "\(table) is not journaled")
        }
        // Each row carries the user who wrote it.
        let vetRows = try f.count("SELECT count(*) FROM journal WHERE tbl = 'consultations' AND user_id = ?", [f.vet.userID])
        #expect(vetRows == 1)
        let classes = try f.store.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT data_class FROM synced_tables WHERE name IN ('consultations', 'vaccinations', 'patient_merges', 'pets')")
        }
        #expect(classes == ["shared"])
        // The search index is derived data and is not journaled.
        #expect(try f.count("SELECT count(*) FROM journal WHERE tbl LIKE 'patient_search%'") == 0)
    }
}

/// Migration 0006 rebuilds `patient_search` with longer prefix indexes; an upgraded sede finds
/// what it found before, and new rows are indexed by the same triggers.
struct SearchPrefixMigrationTests {
    @Test func upgradingFrom0005KeepsEveryRowSearchable() throws {
        let dir = TempDir()
        let path = dir.file("old.db")
        let pool = try DatabasePool(path: path)
        try SedeMigrations.migrator.migrate(pool, upTo: "0005_journal")
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, created_at, updated_at) VALUES
                    ('o1', 'dni', '45678912', 'Rosa', 'Núñez García', '987654321', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
                    ('o2', 'dni', '45678913', 'Luis', 'Flores Quispe', '987654322', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                INSERT INTO pets (id, owner_id, name, species, created_at, updated_at) VALUES
                    ('p1', 'o1', 'Firulais', 'perro', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                """)
        }
        try pool.close()

        let store = try SedeStore.open(path: path)
        func found(_ q: String) throws -> [String] {
            try store.searchPatients(q).hits.map { $0.petName.isEmpty ? $0.ownerName : $0.petName }
        }
        #expect(try found("nunez") == ["Firulais"])
        #expect(try found("garcia") == ["Firulais"])
        #expect(try found("firul") == ["Firulais"])
        #expect(try found("flore") == ["Luis Flores Quispe"])
        // The triggers write to the rebuilt table: a pet for Luis replaces his owner-only row.
        try store.write(user: nil) { db in
            try db.execute(sql: """
                INSERT INTO pets (id, owner_id, name, species, created_at, updated_at)
                VALUES ('p2', 'o2', 'Misha', 'gato', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z')
                """)
        }
        #expect(try found("flore") == ["Misha"])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'patient_search'") }
            .first?.contains("prefix = '1 2 3 4 5 6'") == true)
    }
}
