import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// Issue 11, item 1: every store operation a permission guards is refused with `forbidden`
/// exactly when the permission table denies it to the role, and done when it grants it.
@Suite struct PermissionTableTests {
    struct Refused: Error, CustomStringConvertible { var description: String }

    /// One guarded operation: the permissions it needs, and the operation done by `actor` (with
    /// its preconditions set up by staff who may do them).
    struct Operation: Sendable {
        var name: String
        var needs: [Permission]
        var run: @Sendable (_ a: AgendaFixture, _ actor: Session) throws -> Void
    }

    /// Permissions no store operation checks: they only open screens (see `PermissionMenuTests`).
    static let screenOnly: Set<Permission> = [.searchPatients, .viewAgenda, .manageUsers, .reviewSync, .lockTerminal, .viewStock]

    static func saved<T>(_ outcome: SaveOutcome<T>) throws {
        guard case .saved = outcome else { throw Refused(description: "no se guardó: \(outcome)") }
    }

    static func newPet(_ a: AgendaFixture, _ name: String) throws -> Pet {
        guard case .saved(let p) = try a.f.store.savePet(PetInput(name: name, species: "perro", sex: "M"), ownerID: a.owner.id, by: a.f.supervisor) else {
            throw Refused(description: "pet")
        }
        return p
    }

    static func newOwner(_ a: AgendaFixture, _ doc: String) throws -> Owner {
        guard case .saved(let o) = try a.f.store.saveOwner(OwnerInput(docType: .dni, docNumber: doc, firstNames: "Ana", lastNames: "Soto Rivas",
                                                                      phone: "987000111"), by: a.f.supervisor) else {
            throw Refused(description: "owner")
        }
        return o
    }

    static func book(_ a: AgendaFixture, _ pet: Pet, _ hour: Int, day: Int) throws -> Appointment {
        try a.f.store.book(a.request(hour, day: day, pet: pet), by: a.f.supervisor)
    }

    static func signedConsultation(_ a: AgendaFixture, _ pet: Pet) throws -> Consultation {
        var input = ConsultationInput()
        input.reason = "Control"
        guard case .saved(let c) = try a.f.store.saveConsultation(input, petID: pet.id, sign: true, by: a.f.vet) else { throw Refused(description: "consulta") }
        return c
    }

    /// A catalog item (written as pulled from the central) with 10 units received by the supervisor.
    static func product(_ a: AgendaFixture, controlled: Bool = false) throws -> String {
        let store = a.f.store, id = store.newID()
        try store.applyingRemote { db in
            try db.execute(sql: """
                INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, controlled, created_at, updated_at)
                VALUES (?, ?, 'Meloxicam 1 mg', 'medicamento', 'Antiinflamatorios', 'NIU', '10', ?, ?, ?)
                """, arguments: [id, "SKU-" + id, controlled, store.nowText, store.nowText])
        }
        try store.receive(actID: store.newID(), document: "F001-1", supplier: "", lines: [StockLine(itemID: id, quantity: 10)], by: a.f.supervisor)
        return id
    }

    /// A product with a network price and stock, sold in one sale by the supervisor (paid by Yape).
    static func pricedProduct(_ a: AgendaFixture) throws -> String {
        let id = try product(a), store = a.f.store
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, 500, '2020-01-01', ?)",
                           arguments: [store.newID(), id, store.nowText])
        }
        return id
    }

    static let operations: [Operation] = [
        Operation(name: "addCharge", needs: [.addCharges]) { a, actor in
            _ = try a.f.store.addCharge(id: a.f.store.newID(), itemID: try pricedProduct(a), quantity: 1, petID: a.max.id, by: actor)
        },
        Operation(name: "setChargeQuantity", needs: [.editCharges]) { a, actor in
            let charge = try a.f.store.addCharge(id: a.f.store.newID(), itemID: try pricedProduct(a), quantity: 1, petID: a.max.id, by: a.f.supervisor)
            try a.f.store.setChargeQuantity(chargeID: charge.id, quantity: 2, by: actor)
        },
        Operation(name: "createSale", needs: [.charge]) { a, actor in
            _ = try a.f.store.createSale(SaleDraft(id: a.f.store.newID(), lines: [.init(itemID: try pricedProduct(a), quantity: 1)]), by: actor)
        },
        Operation(name: "openCashSession", needs: [.openCashDrawer]) { a, actor in
            try a.f.store.openCashSession(id: a.f.store.newID(), drawer: "Caja " + actor.username, counts: [1_000: 1], by: actor)
        },
        Operation(name: "recordCashMovement", needs: [.openCashDrawer]) { a, actor in
            let drawer = "Mov " + actor.username
            try a.f.store.openCashSession(id: a.f.store.newID(), drawer: drawer, counts: [1_000: 1], by: a.f.supervisor)
            try a.f.store.recordCashMovement(CashMovementDraft(id: a.f.store.newID(), drawer: drawer, kind: .ingreso, amount: Money(centimos: 500),
                                                               reason: "Sencillo"), by: actor)
        },
        Operation(name: "X report of an open drawer", needs: [.superviseCash]) { a, actor in
            let cash = try a.f.store.openCashSession(id: a.f.store.newID(), drawer: "X " + actor.username, counts: [1_000: 1], by: a.f.supervisor)
            _ = try a.f.store.cashReport(sessionID: cash.id, by: actor)
        },
        Operation(name: "void a sale without a clave", needs: [.charge, .authorizeCheckout]) { a, actor in
            let store = a.f.store
            let sale = try store.checkout(SaleDraft(id: store.newID(), lines: [.init(itemID: try pricedProduct(a), quantity: 1)]),
                                          payments: [PaymentDraft(id: store.newID(), method: .yape, amount: Money(centimos: 500), operationNumber: String(Int64.random(in: 1...999_999_999)))],
                                          by: a.f.supervisor)
            // Without the permission the store asks for a supervisor's clave: that is its refusal.
            do {
                try store.reverseSale(ReversalDraft(id: store.newID(), saleID: sale.sale.id, reason: "Error de cobro", refundID: store.newID(),
                                                    refundMethod: .yape), by: actor)
            } catch let error as StoreError where error.code == .needsSupervisor {
                throw StoreError.forbidden(error.message)
            }
        },
        Operation(name: "addRoom", needs: [.configureRooms]) { a, actor in
            _ = try a.f.store.addRoom(name: "Sala nueva", kind: "consultorio", by: actor)
        },
        Operation(name: "setWeeklySchedule", needs: [.editSchedules]) { a, actor in
            try a.f.store.setWeeklySchedule(vetID: a.f.otherVet.userID, blocks: [(weekday: 1, span: MinuteSpan(8 * 60, 12 * 60))], by: actor)
        },
        Operation(name: "addScheduleException", needs: [.recordScheduleExceptions]) { a, actor in
            _ = try a.f.store.addScheduleException(vetID: a.f.otherVet.userID, day: a.today.adding(days: 20), kind: .feriado, by: actor)
        },
        Operation(name: "book", needs: [.bookAppointments]) { a, actor in
            _ = try a.f.store.book(a.request(9, day: 1, pet: try newPet(a, "Reserva")), by: actor)
        },
        Operation(name: "book outside the schedule", needs: [.bookAppointments, .overrideSchedule]) { a, actor in
            _ = try a.f.store.book(a.request(19, day: 1, override: true, pet: try newPet(a, "Fuera")), by: actor)
        },
        Operation(name: "move", needs: [.bookAppointments]) { a, actor in
            let booked = try book(a, try newPet(a, "Mover"), 10, day: 1)
            try a.f.store.move(appointmentID: booked.id, to: a.at(10, 30, day: 2), by: actor)
        },
        Operation(name: "cancel", needs: [.bookAppointments]) { a, actor in
            try a.f.store.cancel(appointmentID: try book(a, try newPet(a, "Cancelar"), 11, day: 1).id, reason: "Viaje", by: actor)
        },
        Operation(name: "checkIn", needs: [.checkIn]) { a, actor in
            _ = try a.f.store.checkIn(appointmentID: try book(a, try newPet(a, "Llega"), 9, day: 0).id, by: actor)
        },
        Operation(name: "checkIn of another day", needs: [.checkIn, .checkInOtherDay]) { a, actor in
            _ = try a.f.store.checkIn(appointmentID: try book(a, try newPet(a, "Mañana"), 12, day: 1).id, otherDayConfirmed: true, by: actor)
        },
        Operation(name: "addWalkIn", needs: [.checkIn]) { a, actor in
            _ = try a.f.store.addWalkIn(petID: try newPet(a, "Sin cita").id, typeID: a.types["consulta"]!.id, reason: "Tos", by: actor)
        },
        Operation(name: "undoCheckIn", needs: [.checkIn]) { a, actor in
            let booked = try book(a, try newPet(a, "Deshacer"), 10, day: 0)
            _ = try a.f.store.checkIn(appointmentID: booked.id, by: a.f.supervisor)
            try a.f.store.undoCheckIn(appointmentID: booked.id, by: actor)
        },
        Operation(name: "markNoShow", needs: [.bookAppointments]) { a, actor in
            // Booked for 07:00 of a past day by writing it as the sede did then.
            let pet = try newPet(a, "Faltó")
            let booked = try book(a, pet, 11, day: 2)
            try a.f.store.write(user: a.f.supervisor.userID) { db in
                try db.execute(sql: "UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                               arguments: [AgendaTime.iso(a.at(7, day: -1)), AgendaTime.iso(a.at(7, 30, day: -1)), booked.id])
            }
            try a.f.store.markNoShow(appointmentID: booked.id, by: actor)
        },
        Operation(name: "callIn", needs: [.attendPatients]) { a, actor in
            let walkIn = try a.f.store.addWalkIn(petID: try newPet(a, "Llamar").id, typeID: a.types["consulta"]!.id, vetID: a.f.vet.userID,
                                                 reason: "Tos", by: a.f.supervisor)
            try a.f.store.callIn(appointmentID: walkIn.id, by: actor)
        },
        Operation(name: "markAttended", needs: [.attendPatients]) { a, actor in
            let walkIn = try a.f.store.addWalkIn(petID: try newPet(a, "Atender").id, typeID: a.types["consulta"]!.id, vetID: a.f.vet.userID,
                                                 reason: "Tos", by: a.f.supervisor)
            try a.f.store.markAttended(appointmentID: walkIn.id, by: actor)
        },
        Operation(name: "saveOwner", needs: [.editPatients]) { a, actor in
            try saved(try a.f.store.saveOwner(OwnerInput(docType: .dni, docNumber: "11112222", firstNames: "Luis", lastNames: "Paz Gil",
                                                         phone: "987000222"), by: actor))
        },
        Operation(name: "savePet", needs: [.editPatients]) { a, actor in
            try saved(try a.f.store.savePet(PetInput(name: "Nuevo", species: "gato", sex: "H"), ownerID: a.owner.id, by: actor))
        },
        Operation(name: "recordWeight", needs: [.editPatients]) { a, actor in
            try a.f.store.recordWeight(petID: try newPet(a, "Pesar").id, grams: 9_000, by: actor)
        },
        Operation(name: "changeOwner", needs: [.editPatients]) { a, actor in
            try a.f.store.changeOwner(petID: try newPet(a, "Cambia").id, to: try newOwner(a, "33334444").id, by: actor)
        },
        Operation(name: "saveConsultation", needs: [.writeClinicalRecords]) { a, actor in
            var input = ConsultationInput()
            input.reason = "Vómitos"
            try saved(try a.f.store.saveConsultation(input, petID: try newPet(a, "Consulta").id, sign: false, by: actor))
        },
        Operation(name: "addAddendum", needs: [.writeClinicalRecords]) { a, actor in
            _ = try a.f.store.addAddendum(consultationID: try signedConsultation(a, try newPet(a, "Adenda")).id, text: "Mejoró", by: actor)
        },
        Operation(name: "recordVaccination", needs: [.writeClinicalRecords]) { a, actor in
            try saved(try a.f.store.recordVaccination(VaccinationInput(product: "Nobivac", lot: "L1", expiry: "01/01/2030", appliedOn: a.today.display),
                                                      petID: try newPet(a, "Vacuna").id, by: actor))
        },
        Operation(name: "issuePrescription", needs: [.writeClinicalRecords]) { a, actor in
            try saved(try a.f.store.issuePrescription(items: [PrescriptionItemInput(drug: "Meloxicam 1 mg", dose: "1 tableta", frequency: "cada 24 h",
                                                                                   duration: "5 días")],
                                                      petID: try newPet(a, "Receta").id, by: actor))
        },
        Operation(name: "addAttachment", needs: [.writeClinicalRecords]) { a, actor in
            let path = a.f.dir + "/hemograma.pdf"
            if !FileManager.default.fileExists(atPath: path) { try Data("%PDF-1.4".utf8).write(to: URL(fileURLWithPath: path)) }
            try saved(try a.f.store.addAttachment(petID: try newPet(a, "Adjunto").id, path: path, description: "Hemograma", by: actor))
        },
        Operation(name: "mergeOwners", needs: [.mergePatients]) { a, actor in
            try a.f.store.mergeOwners(keep: a.owner.id, merge: try newOwner(a, "55556666").id, by: actor)
        },
        Operation(name: "mergePets", needs: [.mergePatients]) { a, actor in
            try a.f.store.mergePets(keep: try newPet(a, "Queda").id, merge: try newPet(a, "Se va").id, by: actor)
        },
        Operation(name: "receive", needs: [.manageStock]) { a, actor in
            let item = try product(a)
            try a.f.store.receive(actID: a.f.store.newID(), document: "G-1", supplier: "", lines: [StockLine(itemID: item, quantity: 5)], by: actor)
        },
        Operation(name: "setLevel", needs: [.manageStock]) { a, actor in
            try a.f.store.setLevel(itemID: try product(a), minimum: 2, ideal: 8, by: actor)
        },
        Operation(name: "adjust", needs: [.manageStock]) { a, actor in
            try a.f.store.adjust(actID: a.f.store.newID(), itemID: try product(a), lot: LotChoice(lotCode: "", expiry: nil), quantity: -1,
                                 reason: .rotura, by: actor)
        },
        Operation(name: "startStocktake", needs: [.manageStock]) { a, actor in
            try a.f.store.startStocktake(by: actor)
        },
        Operation(name: "approveStocktake", needs: [.approveStocktake]) { a, actor in
            let sedeID = a.f.supervisor.sede.id
            let take = try a.f.store.openStocktake(sedeID: sedeID) ?? a.f.store.startStocktake(by: a.f.supervisor)
            try a.f.store.approveStocktake(stocktakeID: take.id, by: actor)
        },
        Operation(name: "useInProcedure", needs: [.dispense]) { a, actor in
            _ = try a.f.store.useInProcedure(actID: a.f.store.newID(), itemID: try product(a), quantity: 1, by: actor)
        },
        Operation(name: "dispense", needs: [.dispense]) { a, actor in
            let item = try product(a)
            guard case .saved(let rx) = try a.f.store.issuePrescription(items: [
                PrescriptionItemInput(drug: "Meloxicam 1 mg", dose: "1 tableta", frequency: "cada 24 h", duration: "5 días", itemID: item, quantity: 5),
            ], petID: try newPet(a, "Dispensar").id, by: a.f.vet) else { throw Refused(description: "receta") }
            let line = try #require(try a.f.store.dispensablePrescription(id: rx.id)?.lines.first)
            _ = try a.f.store.dispense(actID: a.f.store.newID(), prescriptionItemID: line.prescriptionItemID, quantity: 5, by: actor)
        },
        Operation(name: "witness a controlled adjustment", needs: [.witnessControlled]) { a, actor in
            let item = try product(a, controlled: true)
            try a.f.store.applyingRemote { db in
                try db.execute(sql: "UPDATE users SET pass_hash = ? WHERE id = ?", arguments: [PasswordHasher.hash("clave-testigo-1"), actor.userID])
            }
            try a.f.store.adjust(actID: a.f.store.newID(), itemID: item, lot: LotChoice(lotCode: "", expiry: nil), quantity: -1, reason: .rotura,
                                 witness: (actor.username, "clave-testigo-1"), by: a.f.supervisor)
        },
        Operation(name: "unlockUser", needs: [.unlockUsers]) { a, actor in
            let auth = Authenticator(store: a.f.store, verify: { _, _ in false })
            for _ in 0..<Credentials.maxFailures { _ = try auth.login(username: "recepcion", password: "mala") }
            try auth.unlockUser(userID: a.f.reception.userID, by: actor)
        },
        Operation(name: "configure SUNAT invoicing", needs: [.configureFiscal]) { a, actor in
            try a.f.store.configureFiscal(FiscalFixture.config, certificate: try FiscalFixture.certificate(from: a.f.store.clock.now, days: 30),
                                          certificatePassword: FiscalFixture.password, by: actor)
        },
        Operation(name: "a new document for one SUNAT rejected", needs: [.superviseFiscal]) { a, actor in
            let store = a.f.store
            let admin = try PatientFixture.user(store, a.f.vet.sede, "admin.\(actor.username)", "Administrador", [.administrador])
            try store.configureFiscal(FiscalFixture.config, certificate: try FiscalFixture.certificate(from: store.clock.now, days: 30),
                                      certificatePassword: FiscalFixture.password, by: admin)
            let sale = try store.checkout(SaleDraft(id: store.newID(), lines: [.init(itemID: try pricedProduct(a), quantity: 1)]),
                                          payments: [PaymentDraft(id: store.newID(), method: .yape, amount: Money(centimos: 500),
                                                                  operationNumber: String(Int64.random(in: 1...999_999_999)))],
                                          by: a.f.supervisor)
            let document = try #require(try store.fiscalDocument(saleID: sale.sale.id))
            // A boleta is rejected through the resumen diario that carried it.
            let summary = try store.createDailySummary(referenceDate: try #require(CivilDate(iso: document.issueDate)), documents: [document])
            try store.recordFiscalEvent(subjectID: summary.id, kind: .cdr, code: 2108, message: "Presentacion fuera de fecha")
            _ = try store.reissueFiscalDocument(documentID: document.id, by: actor)
        },
    ]

    @Test func everyGuardedOperationIsRefusedExactlyWhenTheTableDeniesIt() throws {
        // Every permission is either checked by an operation here or only opens screens.
        #expect(Set(Self.operations.flatMap(\.needs)).union(Self.screenOnly).union([.takeUnassignedPatients]) == Set(Permission.allCases))
        for role in Role.allCases {
            let a = try AgendaFixture()
            defer { a.f.cleanup() }
            let actor = try PatientFixture.user(a.f.store, a.f.vet.sede, "actor", "Actor \(role.label)", [role])
            for operation in Self.operations {
                let granted = operation.needs.allSatisfy { $0.roles.contains(role) }
                var failure: String?
                do { try operation.run(a, actor) } catch let e as StoreError { failure = e.code.rawValue + ": " + e.message } catch {
                    failure = "\(error)"
                }
                if granted {
                    #expect(failure == nil, "\(role) \(operation.name)")
                } else {
                    #expect(failure?.hasPrefix(StoreError.Code.forbidden.rawValue + ": ") == true, "\(role) \(operation.name): \(failure ?? "hecho")")
                }
            }
        }
    }

    /// Calling in a walk-in that has no vet makes the caller its vet only if the table says so.
    @Test func callingInAnUnassignedPatientTakesItOnlyWithThePermission() throws {
        for role in Role.allCases where Permission.attendPatients.roles.contains(role) {
            let a = try AgendaFixture()
            defer { a.f.cleanup() }
            let actor = try PatientFixture.user(a.f.store, a.f.vet.sede, "actor", "Actor \(role.label)", [role])
            let walkIn = try a.f.store.addWalkIn(petID: a.toby.id, typeID: a.types["consulta"]!.id, reason: "Tos", by: a.f.reception)
            try a.f.store.callIn(appointmentID: walkIn.id, by: actor)
            let vet = try #require(try a.f.store.appointment(id: walkIn.id)).vetId
            #expect((vet == actor.userID) == Permission.takeUnassignedPatients.roles.contains(role), "\(role)")
            #expect(vet == nil || vet == actor.userID, "\(role)")
        }
    }
}
