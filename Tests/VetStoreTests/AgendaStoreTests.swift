import Foundation
import GRDB
import Testing
import VetDemo
import VetTestSupport
@testable import VetCore
@testable import VetStore

/// The patients fixture plus a weekly template (every day 08:00–13:00 and 14:00–18:00 for both
/// vets), two consultorios and a quirófano. The clock starts on Saturday 21/11/2026 at 07:00 in Lima.
struct AgendaFixture {
    let f: PatientFixture
    let today: CivilDate
    let types: [String: AppointmentType]
    let rooms: [Room]
    let max: Pet
    /// A second pet of the same owner, for appointments at the same time as Max's.
    let toby: Pet
    let owner: Owner

    init() throws {
        f = try PatientFixture()
        today = f.store.today
        let blocks = (1...7).flatMap { d in [(weekday: d, span: MinuteSpan(8 * 60, 13 * 60)), (weekday: d, span: MinuteSpan(14 * 60, 18 * 60))] }
        try f.store.setWeeklySchedule(vetID: f.vet.userID, blocks: blocks, by: f.supervisor)
        try f.store.setWeeklySchedule(vetID: f.otherVet.userID, blocks: blocks, by: f.supervisor)
        try f.store.addRoom(name: "Consultorio 1", kind: "consultorio", by: f.supervisor)
        try f.store.addRoom(name: "Consultorio 2", kind: "consultorio", by: f.supervisor)
        try f.store.addRoom(name: "Quirófano", kind: "quirofano", by: f.supervisor)
        rooms = try f.store.rooms(sedeID: f.vet.sede.id)
        types = Dictionary(uniqueKeysWithValues: try f.store.appointmentTypes().map { ($0.code, $0) })
        var input = OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "José", lastNames: "Núñez Peña", phone: "987654321")
        input.consentWhatsApp = true
        guard case .saved(let o) = try f.store.saveOwner(input, by: f.reception) else { throw StoreError.invalid("owner") }
        owner = o
        guard case .saved(let p) = try f.store.savePet(PetInput(name: "Max", species: "perro", sex: "M", birthDate: "10/03/2020", alerts: "agresivo"),
                                                       ownerID: o.id, by: f.reception) else { throw StoreError.invalid("pet") }
        max = p
        guard case .saved(let t) = try f.store.savePet(PetInput(name: "Toby", species: "perro", sex: "M"), ownerID: o.id, by: f.reception) else {
            throw StoreError.invalid("pet")
        }
        toby = t
    }

    /// `hh:mm` of `day` (today by default) in Lima.
    func at(_ hour: Int, _ minute: Int = 0, day: Int = 0) -> Date { AgendaTime.instant(today.adding(days: day), minute: hour * 60 + minute) }

    func request(_ hour: Int, _ minute: Int = 0, day: Int = 0, type: String = "consulta", vet: Session? = nil, room: String? = nil,
                 override: Bool = false, pet: Pet? = nil) -> BookingRequest {
        BookingRequest(petID: (pet ?? max).id, typeID: types[type]!.id, vetID: (vet ?? f.vet).userID, start: at(hour, minute, day: day), roomID: room,
                       reason: "Control anual", overrideSchedule: override)
    }

    /// `code: message` of the refusal (`StoreError` or `ConfirmationNeeded`), `nil` when none.
    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as StoreError { return e.code.rawValue + ": " + e.message } catch let e as ConfirmationNeeded { return e.code + ": " + e.message } catch { return "\(error)" }
        return nil
    }

    /// The stable code of the refusal, `nil` when none.
    func refusalCode(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as StoreError { return e.code.rawValue } catch let e as ConfirmationNeeded { return e.code } catch { return "\(error)" }
        return nil
    }
}

@Suite struct AgendaStoreTests {
    @Test func overlapOfVetOrRoomIsRefusedAndCancelledTimeIsFree() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        let first = try a.f.store.book(a.request(9), by: a.f.reception)
        #expect(first.roomId == a.rooms[0].id, "a free consultorio is chosen")
        #expect(first.endsAt == AgendaTime.iso(a.at(9, 30)))
        // Same vet, overlapping: refused whoever books, nothing written.
        #expect(a.refusalCode { try a.f.store.book(a.request(9, 15), by: a.f.reception) } == "appointment_overlap")
        #expect(a.refusalCode { try a.f.store.book(a.request(8, 45), by: a.f.supervisor) } == "appointment_overlap")
        #expect(a.refusalCode { try a.f.store.book(a.request(9, override: true), by: a.f.supervisor) } == "appointment_overlap")
        // Touching is not overlapping.
        try a.f.store.book(a.request(9, 30), by: a.f.reception)
        try a.f.store.book(a.request(8, 30), by: a.f.reception)
        // Another vet in the same room at the same time: refused; in the other room: fine.
        #expect(a.refusalCode { try a.f.store.book(a.request(9, vet: a.f.otherVet, room: a.rooms[0].id, pet: a.toby), by: a.f.reception) }
            == "appointment_overlap")
        let second = try a.f.store.book(a.request(9, vet: a.f.otherVet, pet: a.toby), by: a.f.reception)
        #expect(second.roomId == a.rooms[1].id)
        // Both consultorios taken: a third vet's consulta has no room.
        let third = try PatientFixture.user(a.f.store, a.f.vet.sede, "vet.chavez", "Dr. Renzo Chávez", [.veterinario])
        try a.f.store.setWeeklySchedule(vetID: third.userID, blocks: [(weekday: a.today.weekday, span: MinuteSpan(480, 1080))], by: a.f.supervisor)
        #expect(a.refusal { try a.f.store.book(a.request(9, vet: third, pet: a.toby), by: a.f.reception) } == "appointment_overlap: Horario ocupado: no hay consultorio libre a esa hora")
        #expect(try a.f.count("SELECT count(*) FROM appointments") == 4)

        // Cancelling frees the vet and the room.
        try a.f.store.cancel(appointmentID: first.id, reason: "El dueño viaja", by: a.f.reception)
        let again = try a.f.store.book(a.request(9, vet: third), by: a.f.reception)
        #expect(again.roomId == a.rooms[0].id)
    }

    @Test func bookingOutsideTheScheduleIsRefusedUnlessASupervisorOverrides() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        for (h, m) in [(13, 0), (12, 45), (7, 45), (17, 45), (20, 0)] {
            #expect(a.refusalCode { try a.f.store.book(a.request(h, m), by: a.f.reception) } == "outside_schedule", "\(h):\(m)")
        }
        #expect(a.refusal { try a.f.store.book(a.request(13, override: true), by: a.f.reception) } == "forbidden: Solo un supervisor reserva fuera del horario")
        let forced = try a.f.store.book(a.request(13, override: true), by: a.f.supervisor)
        #expect(forced.scheduleOverride)
        // In the past: refused.
        a.f.clock.advance(seconds: 3 * 3600)
        #expect(a.refusal { try a.f.store.book(a.request(8), by: a.f.reception) } == "invalid: Esa hora ya pasó")

        // Exceptions: the vet's vacation tomorrow, a sede holiday in two days, an extra block at lunch in three.
        try a.f.store.addScheduleException(vetID: a.f.vet.userID, day: a.today.adding(days: 1), kind: .vacaciones, by: a.f.supervisor)
        #expect(a.refusalCode { try a.f.store.book(a.request(9, day: 1), by: a.f.reception) } == "outside_schedule")
        try a.f.store.book(a.request(9, day: 1, vet: a.f.otherVet), by: a.f.reception)
        try a.f.store.addScheduleException(vetID: nil, day: a.today.adding(days: 2), kind: .feriado, note: "Santa Rosa", by: a.f.supervisor)
        #expect(a.refusalCode { try a.f.store.book(a.request(9, day: 2, vet: a.f.otherVet), by: a.f.reception) } == "outside_schedule")
        try a.f.store.addScheduleException(vetID: a.f.vet.userID, day: a.today.adding(days: 3), kind: .bloqueExtra,
                                           span: MinuteSpan(13 * 60, 14 * 60), by: a.f.supervisor)
        try a.f.store.book(a.request(13, day: 3), by: a.f.reception)
        try a.f.store.addScheduleException(vetID: a.f.vet.userID, day: a.today.adding(days: 4), kind: .descansoMedico,
                                           span: MinuteSpan(8 * 60, 10 * 60), by: a.f.supervisor)
        #expect(a.refusalCode { try a.f.store.book(a.request(9, day: 4), by: a.f.reception) } == "outside_schedule")
        try a.f.store.book(a.request(10, day: 4), by: a.f.reception)
        #expect(try a.f.store.workingSpans(vetID: a.f.vet.userID, sedeID: a.f.vet.sede.id, day: a.today.adding(days: 4))
                == [MinuteSpan(600, 780), MinuteSpan(840, 1080)])
    }

    @Test func movingAndCancellingKeepTheRulesAndTheReminders() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        let booked = try a.f.store.book(a.request(10, day: 2), by: a.f.reception)
        let other = try a.f.store.book(a.request(11, day: 2), by: a.f.reception)
        // The reminder waits in the outbox for 24 h before, on WhatsApp (the owner consented).
        let reminder = try #require(try a.f.store.read { db in try OutboxMessage.filter(sql: "appointment_id = ?", arguments: [booked.id]).fetchOne(db) })
        #expect(reminder.channel == "whatsapp" && reminder.recipient == "+51987654321" && reminder.state == .pendiente)
        #expect(reminder.dueAt == AgendaTime.iso(a.at(10, day: 1)))
        #expect(reminder.template == "recordatorio_cita" && reminder.payload.contains("\"pet\":\"Max\"") && reminder.payload.contains("\"time\":\"10:00\""))

        // Onto the other appointment: refused and unchanged.
        #expect(a.refusalCode { try a.f.store.move(appointmentID: booked.id, to: a.at(10, 45, day: 2), by: a.f.reception) } == "appointment_overlap")
        #expect(try a.f.store.appointment(id: booked.id)?.startsAt == AgendaTime.iso(a.at(10, day: 2)))
        // Outside the schedule: refused.
        #expect(a.refusalCode { try a.f.store.move(appointmentID: booked.id, to: a.at(19, day: 2), by: a.f.reception) } == "outside_schedule")
        // To another day and vet: moved, the old reminder cancelled and a new one queued.
        let moved = try a.f.store.move(appointmentID: booked.id, to: a.at(15, day: 3), vetID: a.f.otherVet.userID, by: a.f.reception)
        #expect(moved.vetId == a.f.otherVet.userID && moved.endsAt == AgendaTime.iso(a.at(15, 30, day: 3)))
        let states = try a.f.store.read { db in try String.fetchAll(db, sql: "SELECT state || ' ' || due_at FROM outbox WHERE appointment_id = ? ORDER BY created_at, state", arguments: [booked.id]) }
        #expect(Set(states) == ["cancelado " + AgendaTime.iso(a.at(10, day: 1)), "pendiente " + AgendaTime.iso(a.at(15, day: 2))])
        // Its old time is free again.
        try a.f.store.book(a.request(10, day: 2), by: a.f.reception)

        // Cancelling needs a reason; then the reminder is cancelled too and the appointment cannot move.
        #expect(a.refusal { try a.f.store.cancel(appointmentID: other.id, reason: "  ", by: a.f.reception) } == "invalid: Indique el motivo de la cancelación")
        #expect(try a.f.store.appointment(id: other.id)?.status == .reservada)
        try a.f.store.cancel(appointmentID: other.id, reason: "Mascota enferma", by: a.f.reception)
        let cancelled = try #require(try a.f.store.appointment(id: other.id))
        #expect(cancelled.status == .cancelada && cancelled.cancelReason == "Mascota enferma" && cancelled.cancelledAt != nil)
        #expect(try a.f.count("SELECT count(*) FROM outbox WHERE appointment_id = ? AND state = 'pendiente'", [other.id]) == 0)
        #expect(a.refusal { try a.f.store.move(appointmentID: other.id, to: a.at(16, day: 2), by: a.f.reception) }
                == "conflict: Solo se mueve una cita reservada (está cancelada)")
        #expect(try a.f.store.appointment(id: other.id)?.startsAt == AgendaTime.iso(a.at(11, day: 2)))
        // The cancellation is in the journal, with the reason and the user.
        #expect(try a.f.count("SELECT count(*) FROM journal WHERE tbl = 'appointments' AND row_id = ? AND op = 'U' AND cols LIKE '%Mascota enferma%' AND user_id = ?",
                              [other.id, a.f.reception.userID]) == 1)
        // A pharmacist cannot book.
        let pharmacy = try PatientFixture.user(a.f.store, a.f.vet.sede, "farmacia", "Lucía Flores", [.farmacia])
        #expect(a.refusal { try a.f.store.book(a.request(16, day: 2), by: pharmacy) } == "forbidden: Su rol no permite reservar citas")
    }

    @Test func dayFlowFromArrivalToAttendedWithWalkInsAndNoShows() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        try a.f.store.write(user: a.f.vet.userID) { db in
            try db.execute(sql: """
                INSERT INTO vaccinations (id, pet_id, kind, product, lot, expiry, applied_on, next_due, sede_id, vet_id, created_at)
                VALUES ('v1', ?, 'vacuna', 'Nobivac Rabia', 'L1', '2027-01-01', '2025-11-01', '2026-11-01', ?, ?, '2025-11-01T15:00:00.000Z')
                """, arguments: [a.max.id, a.f.vet.sede.id, a.f.vet.userID])
        }
        let booked = try a.f.store.book(a.request(9), by: a.f.reception)
        let late = try a.f.store.book(a.request(8, vet: a.f.otherVet), by: a.f.reception)
        #expect(a.refusal { try a.f.store.markNoShow(appointmentID: booked.id, by: a.f.reception) } == "conflict: La cita aún no empieza")

        a.f.clock.set(a.at(8, 50))
        let notice = try a.f.store.checkIn(appointmentID: booked.id, by: a.f.reception)
        #expect(notice.alerts == ["agresivo"])
        #expect(notice.dueVaccines == ["Nobivac Rabia (vence 01/11/2026)"])
        try a.f.store.markNoShow(appointmentID: late.id, by: a.f.reception)
        #expect(try a.f.store.appointment(id: late.id)?.status == .noAsistio)

        // A walk-in (sin cita) joins the queue after Max.
        guard case .saved(let luna) = try a.f.store.savePet(PetInput(name: "Luna", species: "gato", sex: "H"), ownerID: a.owner.id, by: a.f.reception) else {
            Issue.record("pet"); return
        }
        a.f.clock.set(a.at(8, 55))
        let walkIn = try a.f.store.addWalkIn(petID: luna.id, typeID: a.types["emergencia"]!.id, reason: "Cojera", by: a.f.reception)
        #expect(walkIn.walkIn && walkIn.vetId == nil && walkIn.status == .enEspera)
        let room = try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id)
        #expect(room.map(\.petName) == ["Max", "Luna"])
        #expect(room[0].checkedInAt == a.at(8, 50) && room[0].alerts == ["agresivo"])
        // A walk-in does not block the agenda.
        try a.f.store.book(a.request(9, vet: a.f.otherVet, pet: a.toby), by: a.f.reception)

        // Reception cannot call in; the vet can, then writes the consultation and marks it attended.
        #expect(a.refusal { try a.f.store.callIn(appointmentID: booked.id, by: a.f.reception) } == "forbidden: Solo un veterinario llama al paciente")
        try a.f.store.callIn(appointmentID: booked.id, by: a.f.vet)
        #expect(try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id).first?.status == .enConsulta)
        var input = ConsultationInput()
        input.reason = "Control anual"
        guard case .saved(let consultation) = try a.f.store.saveConsultation(input, petID: a.max.id, sign: true, by: a.f.vet) else {
            Issue.record("consultation"); return
        }
        try a.f.store.markAttended(appointmentID: booked.id, by: a.f.vet)
        let done = try #require(try a.f.store.appointment(id: booked.id))
        #expect(done.status == .atendida && done.consultationId == consultation.id && done.doneAt != nil)
        #expect(try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id).map(\.petName) == ["Luna"])
        // The other vet takes the walk-in.
        try a.f.store.callIn(appointmentID: walkIn.id, by: a.f.otherVet)
        #expect(try a.f.store.appointment(id: walkIn.id)?.vetId == a.f.otherVet.userID)
        // Every step is journaled as sede data.
        #expect(try a.f.count("SELECT count(*) FROM journal WHERE tbl = 'appointments' AND row_id = ?", [booked.id]) == 4)
    }

    /// Issue 10, item 7: `Llegó` on another day's appointment is refused (a supervisor must
    /// confirm it), and a mistaken arrival can be undone.
    @Test func arrivalOnlyOnTheAppointmentsDayAndAMistakenArrivalIsUndone() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        let tomorrow = try a.f.store.book(a.request(9, day: 1), by: a.f.reception)
        #expect(a.refusal { try a.f.store.checkIn(appointmentID: tomorrow.id, by: a.f.reception) }
                == "forbidden: La cita es del \(a.today.adding(days: 1).display), no de hoy: no se registra la llegada (un supervisor puede hacerlo)")
        #expect(a.refusal { try a.f.store.checkIn(appointmentID: tomorrow.id, otherDayConfirmed: true, by: a.f.reception) }
                == "forbidden: Solo un supervisor registra la llegada a una cita de otro día")
        #expect(a.refusal { try a.f.store.checkIn(appointmentID: tomorrow.id, by: a.f.supervisor) }
                == "check_in_other_day: La cita es del \(a.today.adding(days: 1).display), no de hoy")
        #expect(try a.f.store.appointment(id: tomorrow.id)?.status == .reservada)
        #expect(try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id).isEmpty)
        // The supervisor confirms it; then it is undone: booked again, out of the waiting room.
        try a.f.store.checkIn(appointmentID: tomorrow.id, otherDayConfirmed: true, by: a.f.supervisor)
        #expect(try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id).map(\.petName) == ["Max"])
        try a.f.store.undoCheckIn(appointmentID: tomorrow.id, by: a.f.reception)
        let undone = try #require(try a.f.store.appointment(id: tomorrow.id))
        #expect(undone.status == .reservada && undone.checkedInAt == nil)
        #expect(try a.f.store.waitingRoom(sedeID: a.f.vet.sede.id).isEmpty)
        #expect(a.refusal { try a.f.store.undoCheckIn(appointmentID: tomorrow.id, by: a.f.reception) }
                == "conflict: Solo se deshace la llegada de una cita en espera (está reservada)")
        // Today's checks in as before; a walk-in is cancelled, not undone.
        let today = try a.f.store.book(a.request(10), by: a.f.reception)
        try a.f.store.checkIn(appointmentID: today.id, by: a.f.reception)
        #expect(try a.f.store.appointment(id: today.id)?.status == .enEspera)
        let walkIn = try a.f.store.addWalkIn(petID: a.toby.id, typeID: a.types["consulta"]!.id, reason: "Tos", by: a.f.reception)
        #expect(a.refusal { try a.f.store.undoCheckIn(appointmentID: walkIn.id, by: a.f.reception) }
                == "conflict: Una llegada sin cita no se deshace: cancélela (C) con el motivo")
    }

    /// Issue 10, item 8: the same pet is not booked twice at the same time without a confirmation.
    @Test func thePetsOverlappingAppointmentIsRefusedUntilConfirmed() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        try a.f.store.book(a.request(9), by: a.f.reception)
        let before = try a.f.count("SELECT count(*) FROM appointments")
        #expect(a.refusal { try a.f.store.book(a.request(9, 15, vet: a.f.otherVet), by: a.f.reception) }
                == "pet_overlap: Max ya tiene cita el \(a.today.display) de 09:00 a 09:30 con Dr. Carlos Mendoza")
        #expect(try a.f.count("SELECT count(*) FROM appointments") == before)
        // Touching is not overlapping; confirmed, an overlapping one is booked.
        try a.f.store.book(a.request(9, 30, vet: a.f.otherVet), by: a.f.reception)
        var confirmed = a.request(8, 45, vet: a.f.otherVet)
        confirmed.petOverlapConfirmed = true
        try a.f.store.book(confirmed, by: a.f.reception)
        #expect(try a.f.count("SELECT count(*) FROM appointments WHERE pet_id = ?", [a.max.id]) == 3)
        // Moving onto the pet's own time is refused the same way; a cancelled one does not count.
        let later = try a.f.store.book(a.request(11, vet: a.f.otherVet), by: a.f.reception)
        try a.f.store.book(a.request(15), by: a.f.reception)
        #expect(a.refusalCode { try a.f.store.move(appointmentID: later.id, to: a.at(15, 15), by: a.f.reception) } == "pet_overlap")
        let blocking = try #require(try a.f.store.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM appointments WHERE pet_id = ? AND starts_at = ?", arguments: [a.max.id, AgendaTime.iso(a.at(15))])
        })
        try a.f.store.cancel(appointmentID: blocking, reason: "Duplicada", by: a.f.reception)
        try a.f.store.move(appointmentID: later.id, to: a.at(15, 15), by: a.f.reception)
    }

    @Test func nextFreeSlotSkipsBusyTimeAndRespectsRooms() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        a.f.clock.set(a.at(8, 5))
        // First free for the vet: 08:15 (the grid is 15 minutes).
        var slot = try #require(try a.f.store.nextFreeSlot(typeID: a.types["consulta"]!.id, vetID: a.f.vet.userID, sedeID: a.f.vet.sede.id, after: a.f.clock.now))
        #expect(slot.start == a.at(8, 15))
        try a.f.store.book(a.request(8, 15), by: a.f.reception)
        try a.f.store.book(a.request(8, 45), by: a.f.reception)
        slot = try #require(try a.f.store.nextFreeSlot(typeID: a.types["consulta"]!.id, vetID: a.f.vet.userID, sedeID: a.f.vet.sede.id, after: a.f.clock.now))
        #expect(slot.start == a.at(9, 15))
        // Any vet: the other vet is free at 08:15.
        slot = try #require(try a.f.store.nextFreeSlot(typeID: a.types["consulta"]!.id, sedeID: a.f.vet.sede.id, after: a.f.clock.now))
        #expect(slot.vetID == a.f.otherVet.userID && slot.start == a.at(8, 15))
        // One quirófano: a surgery of the other vet at 09:00 pushes the vet's surgery after it.
        try a.f.store.book(a.request(9, type: "cirugia", vet: a.f.otherVet, pet: a.toby), by: a.f.reception)
        slot = try #require(try a.f.store.nextFreeSlot(typeID: a.types["cirugia"]!.id, vetID: a.f.vet.userID, sedeID: a.f.vet.sede.id, after: a.at(9)))
        #expect(slot.start == a.at(10, 30))
        // Whatever it proposes can be booked.
        try a.f.store.book(BookingRequest(petID: a.toby.id, typeID: a.types["cirugia"]!.id, vetID: slot.vetID, start: slot.start), by: a.f.reception)
    }

    @Test func dayAgendaHasEveryVetTheirSpansAndTheAppointments() throws {
        let a = try AgendaFixture()
        defer { a.f.cleanup() }
        try a.f.store.book(a.request(9), by: a.f.reception)
        let cancelled = try a.f.store.book(a.request(10, vet: a.f.otherVet), by: a.f.reception)
        try a.f.store.cancel(appointmentID: cancelled.id, reason: "Reprogramará", by: a.f.reception)
        let day = try a.f.store.dayAgenda(day: a.today, sedeID: a.f.vet.sede.id)
        #expect(Set(day.vets.map(\.username)) == ["veterinario", "vet.rojas"])
        #expect(day.working[a.f.vet.userID] == [MinuteSpan(480, 780), MinuteSpan(840, 1080)])
        #expect(day.items.map(\.petName) == ["Max"] && day.items[0].typeName == "Consulta" && day.items[0].roomName == "Consultorio 1")
        #expect(day.items[0].ownerName == "José Núñez Peña" && day.items[0].typeColor == "agendaConsulta")
        #expect(day.all.count == 2)
    }
}

@Suite struct AgendaDemoTests {
    @Test func theDemoFillsEveryVetsScheduleAndThreeWeeksAroundToday() throws {
        let dir = TempDir()
        let today = CivilDate(year: 2026, month: 11, day: 18)!
        var options = DemoGenerator.Options(pets: 150, seed: 4)
        options.today = today
        let a = try SedeStore.create(path: dir.file("a.db"))
        let b = try SedeStore.create(path: dir.file("b.db"))
        _ = try DemoGenerator.run(store: a, options: options)
        _ = try DemoGenerator.run(store: b, options: options)
        func dump(_ s: SedeStore) throws -> [String] {
            try s.read { db in
                try ["rooms", "vet_schedules", "schedule_exceptions", "appointments"].flatMap { t in
                    try Row.fetchAll(db, sql: "SELECT * FROM \(t) ORDER BY id").map { "\(t) \($0)" }
                }
            }
        }
        #expect(try dump(a) == dump(b), "same seed and day, same agenda")
        try a.read { db in
            let vetsWithoutSchedule = try String.fetchAll(db, sql: """
                SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'veterinario'
                WHERE NOT EXISTS (SELECT 1 FROM vet_schedules s WHERE s.vet_id = u.id)
                """)
            #expect(vetsWithoutSchedule.isEmpty)
            let first = AgendaTime.iso(AgendaTime.instant(today.adding(days: -14), minute: 0))
            let last = AgendaTime.iso(AgendaTime.instant(today.adding(days: 8), minute: 0))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE starts_at < ? OR starts_at >= ?", arguments: [first, last]) == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments a JOIN users u ON u.id = a.vet_id WHERE u.username = 'veterinario'") ?? 0 > 20)
            // Attended up to this morning (the till has their charges); from noon on, booked.
            let todayStart = AgendaTime.iso(AgendaTime.instant(today, minute: 0)), noon = AgendaTime.iso(AgendaTime.instant(today, minute: 720))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE starts_at >= ? AND status IN ('atendida', 'no_asistio')", arguments: [noon]) == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE starts_at < ? AND status = 'atendida'", arguments: [todayStart]) ?? 0 > 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE starts_at >= ? AND starts_at < ? AND status = 'atendida'",
                                     arguments: [todayStart, noon]) ?? 0 > 0)
            // No vet, room or pet is double-booked.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM appointments x JOIN appointments y ON x.id < y.id AND (x.vet_id = y.vet_id OR x.room_id = y.room_id OR x.pet_id = y.pet_id)
                WHERE x.status NOT IN ('cancelada', 'no_asistio') AND y.status NOT IN ('cancelada', 'no_asistio')
                  AND x.starts_at < y.ends_at AND y.starts_at < x.ends_at
                """) == 0)
        }
    }
}
