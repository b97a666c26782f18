import Foundation
import GRDB
import VetCore

/// What the desk asks for when it books: the pet, the type, the vet, when, optionally the room
/// (else a free room of the type's kind is chosen) and the length (else the type's).
public struct BookingRequest: Sendable, Equatable {
    public var petID: String
    public var typeID: String
    public var vetID: String
    public var start: Date
    public var minutes: Int?
    public var roomID: String?
    public var reason: String
    /// A supervisor may book outside the vet's schedule (never over another appointment).
    public var overrideSchedule: Bool
    /// The person was told the pet already has an appointment at that time and books anyway.
    public var petOverlapConfirmed: Bool

    public init(petID: String, typeID: String, vetID: String, start: Date, minutes: Int? = nil, roomID: String? = nil,
                reason: String = "", overrideSchedule: Bool = false, petOverlapConfirmed: Bool = false) {
        self.petID = petID; self.typeID = typeID; self.vetID = vetID; self.start = start; self.minutes = minutes
        self.roomID = roomID; self.reason = reason; self.overrideSchedule = overrideSchedule
        self.petOverlapConfirmed = petOverlapConfirmed
    }
}

/// A vet who works at the sede.
public struct AgendaVet: Sendable, Hashable {
    public var id: String
    public var username: String
    public var fullName: String
}

/// What the desk must see when a pet arrives: its alerts and the vaccines that are due.
public struct CheckInNotice: Sendable, Equatable {
    public var petName: String
    public var alerts: [String]
    public var dueVaccines: [String]
}

extension SedeStore {
    // MARK: Reference data

    public func appointmentTypes() throws -> [AppointmentType] {
        try read { db in try AppointmentType.filter(sql: "active = 1").order(sql: "position, name").fetchAll(db) }
    }

    public func rooms(sedeID: String) throws -> [Room] {
        try read { db in try Room.filter(sql: "sede_id = ? AND active = 1", arguments: [sedeID]).order(sql: "position, name").fetchAll(db) }
    }

    @discardableResult
    public func addRoom(name: String, kind: String, by session: Session) throws -> Room {
        try session.require(.configureRooms, "Solo un supervisor configura los ambientes")
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreError.invalid("El nombre del ambiente es obligatorio") }
        guard Room.kinds.contains(where: { $0.code == kind }) else { throw StoreError.invalid("Tipo de ambiente desconocido: \(kind)") }
        return try write(user: session.userID) { db in
            let position = (try Int.fetchOne(db, sql: "SELECT max(position) FROM rooms WHERE sede_id = ?", arguments: [session.sede.id]) ?? 0) + 1
            let room = Room(id: newID(), sedeId: session.sede.id, name: trimmed, kind: kind, position: position, active: true, createdAt: nowText)
            try room.insert(db)
            return room
        }
    }

    /// The vets of a sede, by name.
    public func agendaVets(sedeID: String) throws -> [AgendaVet] {
        try read { db in try Self.agendaVets(sedeID: sedeID, db) }
    }

    static func agendaVets(sedeID: String, _ db: Database) throws -> [AgendaVet] {
        try Row.fetchAll(db, sql: """
            SELECT DISTINCT u.id, u.username, u.full_name FROM users u JOIN user_roles r ON r.user_id = u.id
            WHERE r.sede_id = ? AND r.role = 'veterinario' AND u.active = 1 ORDER BY u.full_name
            """, arguments: [sedeID]).map { AgendaVet(id: $0["id"], username: $0["username"], fullName: $0["full_name"]) }
    }

    // MARK: Schedules

    /// Replaces a vet's weekly template at the session's sede.
    public func setWeeklySchedule(vetID: String, blocks: [(weekday: Int, span: MinuteSpan)], by session: Session) throws {
        try session.require(.editSchedules, "Solo un supervisor cambia los horarios")
        for b in blocks where !(1...7).contains(b.weekday) || b.span.start < 0 || b.span.end > 1440 || b.span.end <= b.span.start {
            throw StoreError.invalid("Bloque de horario inválido: \(AgendaTime.clock(minute: b.span.start))–\(AgendaTime.clock(minute: b.span.end))")
        }
        try write(user: session.userID) { db in
            try db.execute(sql: "DELETE FROM vet_schedules WHERE sede_id = ? AND vet_id = ?", arguments: [session.sede.id, vetID])
            for b in blocks {
                try VetSchedule(id: newID(), sedeId: session.sede.id, vetId: vetID, weekday: b.weekday, startMin: b.span.start,
                                endMin: b.span.end, createdAt: nowText).insert(db)
            }
        }
    }

    /// Records a vacation, sick day, holiday (`vetID == nil`: the whole sede) or extra block.
    @discardableResult
    public func addScheduleException(vetID: String?, day: CivilDate, kind: ScheduleExceptionKind, span: MinuteSpan? = nil,
                                     note: String? = nil, by session: Session) throws -> ScheduleException {
        try session.require(.recordScheduleExceptions, "Solo un supervisor registra excepciones de horario")
        if kind == .bloqueExtra && (vetID == nil || span == nil) { throw StoreError.invalid("Un bloque extra es de un veterinario y tiene horas") }
        let e = ScheduleException(id: newID(), sedeId: session.sede.id, vetId: vetID, day: day.iso, kind: kind.rawValue,
                                  startMin: span?.start, endMin: span?.end, note: note, createdAt: nowText)
        try write(user: session.userID) { db in try e.insert(db) }
        return e
    }

    /// The spans a vet can be booked in on a day at a sede.
    static func workingSpans(vetID: String, sedeID: String, day: CivilDate, _ db: Database) throws -> [MinuteSpan] {
        let template = try Row.fetchAll(db, sql: "SELECT start_min, end_min FROM vet_schedules WHERE sede_id = ? AND vet_id = ? AND weekday = ?",
                                        arguments: [sedeID, vetID, day.weekday]).map { MinuteSpan($0[0], $0[1]) }
        let exceptions = try ScheduleException.filter(sql: "sede_id = ? AND day = ? AND (vet_id = ? OR vet_id IS NULL)",
                                                      arguments: [sedeID, day.iso, vetID]).fetchAll(db).compactMap(\.dayException)
        return Availability.workingSpans(template: template, exceptions: exceptions)
    }

    public func workingSpans(vetID: String, sedeID: String, day: CivilDate) throws -> [MinuteSpan] {
        try read { db in try Self.workingSpans(vetID: vetID, sedeID: sedeID, day: day, db) }
    }

    // MARK: Booking

    /// Books an appointment. Inside the one write transaction it refuses, with `Horario ocupado`,
    /// a time that overlaps another live appointment of the same vet or room, and, with
    /// `Fuera del horario`, a time outside the vet's schedule (unless a supervisor overrides it);
    /// so two terminals booking the same slot at once cannot both succeed. A time that overlaps
    /// another live appointment of the same pet is refused with `ConfirmationNeeded` (code
    /// `pet_overlap`) unless the request confirms it. Queues the reminder.
    @discardableResult
    public func book(_ request: BookingRequest, by session: Session) throws -> Appointment {
        try session.require(.bookAppointments, "Su rol no permite reservar citas")
        if request.overrideSchedule { try session.require(.overrideSchedule, "Solo un supervisor reserva fuera del horario") }
        let now = clock.now
        let nowText = AgendaTime.iso(now)
        return try write(user: session.userID) { db in
            guard let type = try AppointmentType.fetchOne(db, key: request.typeID) else { throw StoreError.notFound("Tipo de cita desconocido") }
            guard let pet = try Pet.fetchOne(db, key: request.petID) else { throw StoreError.notFound("La mascota ya no existe") }
            if pet.deceasedOn != nil { throw StoreError.conflict("\(pet.name) falleció: no se reservan citas") }
            let minutes = request.minutes ?? type.minutes
            guard minutes > 0, minutes <= AgendaRules.maxMinutes else { throw StoreError.invalid("Duración inválida") }
            let end = request.start.addingTimeInterval(Double(minutes) * 60)
            let roomID = try Self.checkSlot(vetID: request.vetID, roomID: request.roomID, roomKind: type.roomKind, start: request.start, end: end,
                                            excluding: nil, override: request.overrideSchedule, sedeID: session.sede.id, now: now, db)
            if !request.petOverlapConfirmed { try Self.checkPetFree(pet, start: request.start, end: end, excluding: nil, db) }
            let appointment = Appointment(
                id: newID(), sedeId: session.sede.id, petId: pet.id, vetId: request.vetID, roomId: roomID, typeId: type.id,
                startsAt: AgendaTime.iso(request.start), endsAt: AgendaTime.iso(end),
                reason: request.reason.trimmingCharacters(in: .whitespaces).nilIfEmpty, status: .reservada,
                walkIn: false, scheduleOverride: request.overrideSchedule, createdBy: session.userID, createdAt: nowText, updatedAt: nowText)
            try appointment.insert(db)
            try queueReminder(for: appointment, pet: pet, type: type, now: now, db)
            return appointment
        }
    }

    /// The overlap and schedule rules; returns the room the appointment takes.
    static func checkSlot(vetID: String, roomID: String?, roomKind: String, start: Date, end: Date, excluding: String?,
                          override: Bool, sedeID: String, now: Date, _ db: Database) throws -> String? {
        if end <= now { throw StoreError.invalid("Esa hora ya pasó") }
        let s = AgendaTime.iso(start), e = AgendaTime.iso(end)
        // No appointment is longer than `maxMinutes`, so the index range on starts_at is bounded.
        let lower = AgendaTime.iso(start.addingTimeInterval(-Double(AgendaRules.maxMinutes) * 60))
        let live = "walk_in = 0 AND status NOT IN (\(AppointmentStatus.sqlList([.cancelada, .noAsistio]))) AND id IS NOT ? AND starts_at < ? AND starts_at >= ? AND ends_at > ?"
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM appointments WHERE vet_id = ? AND \(live) LIMIT 1",
                             arguments: [vetID, excluding, e, lower, s]) == true {
            throw StoreError.refused(.appointmentOverlap, AgendaRules.slotTaken + ": el veterinario ya tiene una cita a esa hora")
        }
        if !override {
            let (day, startMinute) = AgendaTime.dayAndMinute(start)
            let (endDay, endMinute) = AgendaTime.dayAndMinute(end)
            let endMin = endDay == day ? endMinute : (endDay == day.adding(days: 1) && endMinute == 0 ? 1440 : 1441)
            let working = try workingSpans(vetID: vetID, sedeID: sedeID, day: day, db)
            if endMin > 1440 || !Availability.isWorking(MinuteSpan(startMinute, endMin), in: working) {
                throw StoreError.refused(.outsideSchedule, AgendaRules.outsideSchedule + ": el veterinario no atiende a esa hora")
            }
        }
        func roomBusy(_ id: String) throws -> Bool {
            try Bool.fetchOne(db, sql: "SELECT 1 FROM appointments WHERE room_id = ? AND \(live) LIMIT 1", arguments: [id, excluding, e, lower, s]) == true
        }
        if let roomID {
            guard let room = try Room.fetchOne(db, key: roomID), room.sedeId == sedeID else { throw StoreError.notFound("Ese ambiente no es de esta sede") }
            if try roomBusy(roomID) { throw StoreError.refused(.appointmentOverlap, AgendaRules.slotTaken + ": \(room.name) está ocupado a esa hora") }
            return roomID
        }
        let candidates = try String.fetchAll(db, sql: "SELECT id FROM rooms WHERE sede_id = ? AND kind = ? AND active = 1 ORDER BY position, name",
                                             arguments: [sedeID, roomKind])
        if candidates.isEmpty { return nil }
        let busy = Set(try String.fetchAll(db, sql: "SELECT DISTINCT room_id FROM appointments WHERE sede_id = ? AND room_id IS NOT NULL AND \(live)",
                                           arguments: [sedeID, excluding, e, lower, s]))
        if let free = candidates.first(where: { !busy.contains($0) }) { return free }
        throw StoreError.refused(.appointmentOverlap, AgendaRules.slotTaken + ": no hay \(Room.kindLabel(roomKind).lowercased()) libre a esa hora")
    }

    /// Refuses, until confirmed, a time that overlaps another live appointment of the same pet
    /// (at any sede whose appointments this store holds): the same pet cannot be with two vets.
    static func checkPetFree(_ pet: Pet, start: Date, end: Date, excluding: String?, _ db: Database) throws {
        let lower = AgendaTime.iso(start.addingTimeInterval(-Double(AgendaRules.maxMinutes) * 60))
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.starts_at, a.ends_at, u.full_name FROM appointments a LEFT JOIN users u ON u.id = a.vet_id
            WHERE a.pet_id = ? AND a.status IN (\(AppointmentStatus.sqlList([.reservada, .enEspera, .enConsulta]))) AND a.id IS NOT ?
              AND a.starts_at < ? AND a.starts_at >= ? AND a.ends_at > ?
            ORDER BY a.starts_at LIMIT 1
            """, arguments: [pet.id, excluding, AgendaTime.iso(end), lower, AgendaTime.iso(start)]) else { return }
        guard let from = AgendaTime.parse(row["starts_at"]), let to = AgendaTime.parse(row["ends_at"]) else { return }
        let vet: String? = row["full_name"]
        throw ConfirmationNeeded(code: "pet_overlap", message: "\(pet.name) ya tiene cita el \(LimaTime.day(from)) de \(LimaTime.clock(from)) a \(LimaTime.clock(to))"
                                 + (vet.map { " con \($0)" } ?? ""))
    }

    /// Queues the 24-hour reminder on the channel the owner consented to, if any and if there is still time.
    func queueReminder(for a: Appointment, pet: Pet, type: AppointmentType, now: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE outbox SET state = ?, updated_at = ? WHERE appointment_id = ? AND state = ?",
                       arguments: [OutboxState.cancelado, AgendaTime.iso(now), a.id, OutboxState.pendiente])
        let due = a.start.addingTimeInterval(-AgendaRules.reminderLeadSeconds)
        guard due > now, let owner = try Owner.fetchOne(db, key: pet.ownerId) else { return }
        let channel: String, recipient: String
        if owner.consentWhatsapp, let phone = owner.phone {
            channel = "whatsapp"; recipient = "+51" + phone
        } else if owner.consentEmail, let email = owner.email {
            channel = "email"; recipient = email
        } else {
            return
        }
        let sede = try Sede.fetchOne(db, key: a.sedeId)
        let vet = try String.fetchOne(db, sql: "SELECT full_name FROM users WHERE id = ?", arguments: [a.vetId])
        let payload: [String: String] = [
            "owner": owner.firstNames, "pet": pet.name, "type": type.name, "day": LimaTime.day(a.start),
            "time": LimaTime.clock(a.start), "vet": vet ?? "", "sede": sede?.name ?? "", "address": sede?.address ?? "",
            "appointment_id": a.id,
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self)
        let nowText = AgendaTime.iso(now)
        try OutboxMessage(id: newID(), sedeId: a.sedeId, channel: channel, recipient: recipient, template: "recordatorio_cita",
                          payload: json, state: .pendiente, dueAt: AgendaTime.iso(due), appointmentId: a.id,
                          createdAt: nowText, updatedAt: nowText).insert(db)
    }

    /// Loads an appointment of this sede for a change, inside a write.
    static func appointmentForChange(_ id: String, session: Session, _ db: Database) throws -> Appointment {
        guard let a = try Appointment.fetchOne(db, key: id) else { throw StoreError.notFound("La cita ya no existe") }
        guard a.sedeId == session.sede.id else { throw StoreError.notFound("La cita es de otra sede") }
        return a
    }

    /// Moves a booked appointment to another time, vet or room, under the same rules as booking.
    @discardableResult
    public func move(appointmentID: String, to start: Date, vetID: String? = nil, roomID: String? = nil, overrideSchedule: Bool = false,
                     petOverlapConfirmed: Bool = false, by session: Session) throws -> Appointment {
        try session.require(.bookAppointments, "Su rol no permite mover citas")
        if overrideSchedule { try session.require(.overrideSchedule, "Solo un supervisor reserva fuera del horario") }
        let now = clock.now
        return try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .reservada, !a.walkIn else { throw StoreError.conflict("Solo se mueve una cita reservada (está \(a.status.label.lowercased()))") }
            guard let type = try AppointmentType.fetchOne(db, key: a.typeId), let pet = try Pet.fetchOne(db, key: a.petId) else {
                throw StoreError.conflict("La cita está incompleta")
            }
            let minutes = Int(a.end.timeIntervalSince(a.start) / 60)
            let end = start.addingTimeInterval(Double(minutes) * 60)
            let vet = vetID ?? a.vetId ?? ""
            let room = try Self.checkSlot(vetID: vet, roomID: roomID, roomKind: type.roomKind, start: start, end: end, excluding: a.id,
                                          override: overrideSchedule, sedeID: session.sede.id, now: now, db)
            if !petOverlapConfirmed { try Self.checkPetFree(pet, start: start, end: end, excluding: a.id, db) }
            a.vetId = vet
            a.roomId = room
            a.startsAt = AgendaTime.iso(start)
            a.endsAt = AgendaTime.iso(end)
            a.scheduleOverride = overrideSchedule
            a.updatedAt = AgendaTime.iso(now)
            try a.update(db)
            try queueReminder(for: a, pet: pet, type: type, now: now, db)
            return a
        }
    }

    /// Cancels an appointment; the reason is required and kept. Its pending reminder is cancelled.
    public func cancel(appointmentID: String, reason: String, by session: Session) throws {
        try session.require(.bookAppointments, "Su rol no permite cancelar citas")
        let why = reason.trimmingCharacters(in: .whitespaces)
        guard !why.isEmpty else { throw StoreError.invalid("Indique el motivo de la cancelación") }
        let now = AgendaTime.iso(clock.now)
        try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .reservada || a.status == .enEspera else {
                throw StoreError.conflict("No se cancela una cita \(a.status.label.lowercased())")
            }
            a.status = .cancelada
            a.cancelReason = why
            a.cancelledAt = now
            a.updatedAt = now
            try a.update(db)
            try db.execute(sql: "UPDATE outbox SET state = ?, updated_at = ? WHERE appointment_id = ? AND state = ?",
                           arguments: [OutboxState.cancelado, now, a.id, OutboxState.pendiente])
        }
    }

    /// Marks a booked appointment whose time has come as not attended.
    public func markNoShow(appointmentID: String, by session: Session) throws {
        try session.require(.bookAppointments, "Su rol no permite cambiar citas")
        let now = clock.now
        try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .reservada else { throw StoreError.conflict("Solo una cita reservada puede quedar como no asistida") }
            guard a.start <= now else { throw StoreError.conflict("La cita aún no empieza") }
            a.status = .noAsistio
            a.updatedAt = AgendaTime.iso(now)
            try a.update(db)
        }
    }

    /// A pet that came without an appointment (sin cita) joins the waiting room now.
    @discardableResult
    public func addWalkIn(petID: String, typeID: String, vetID: String? = nil, reason: String, by session: Session) throws -> Appointment {
        try session.require(.checkIn, "Su rol no permite registrar llegadas")
        let now = clock.now
        let nowText = AgendaTime.iso(now)
        return try write(user: session.userID) { db in
            guard let type = try AppointmentType.fetchOne(db, key: typeID) else { throw StoreError.notFound("Tipo de cita desconocido") }
            guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota ya no existe") }
            if pet.deceasedOn != nil { throw StoreError.conflict("\(pet.name) falleció") }
            let a = Appointment(
                id: newID(), sedeId: session.sede.id, petId: petID, vetId: vetID, roomId: nil, typeId: type.id, startsAt: nowText,
                endsAt: AgendaTime.iso(now.addingTimeInterval(Double(type.minutes) * 60)),
                reason: reason.trimmingCharacters(in: .whitespaces).nilIfEmpty, status: .enEspera, walkIn: true,
                scheduleOverride: false, checkedInAt: nowText, createdBy: session.userID, createdAt: nowText, updatedAt: nowText)
            try a.insert(db)
            return a
        }
    }

    /// `Llegó`: the pet is in the waiting room from now. Returns its alerts and due vaccines.
    /// Only an appointment of today (in Lima) checks in; another day's is refused, except that a
    /// supervisor may confirm it (`otherDayConfirmed`), which is refused with `ConfirmationNeeded`
    /// code `check_in_other_day` until given.
    @discardableResult
    public func checkIn(appointmentID: String, otherDayConfirmed: Bool = false, by session: Session) throws -> CheckInNotice {
        try session.require(.checkIn, "Su rol no permite registrar llegadas")
        if otherDayConfirmed { try session.require(.checkInOtherDay, "Solo un supervisor registra la llegada a una cita de otro día") }
        let nowDate = clock.now
        let now = AgendaTime.iso(nowDate)
        let petID = try write(user: session.userID) { db -> String in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .reservada else { throw StoreError.conflict("La cita está \(a.status.label.lowercased())") }
            let day = CivilDate(limaDayOf: a.start)
            if day != CivilDate(limaDayOf: nowDate) && !otherDayConfirmed {
                let message = "La cita es del \(day.display), no de hoy: no se registra la llegada"
                try session.require(.checkInOtherDay, message + " (un supervisor puede hacerlo)")
                throw ConfirmationNeeded(code: "check_in_other_day", message: "La cita es del \(day.display), no de hoy")
            }
            a.status = .enEspera
            a.checkedInAt = now
            a.updatedAt = now
            try a.update(db)
            return a.petId
        }
        return try checkInNotice(petID: petID)
    }

    /// Undoes a mistaken `Llegó`: the appointment is booked again and leaves the waiting room. A
    /// walk-in has no booking to go back to: it is cancelled instead.
    public func undoCheckIn(appointmentID: String, by session: Session) throws {
        try session.require(.checkIn, "Su rol no permite registrar llegadas")
        let now = AgendaTime.iso(clock.now)
        try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .enEspera else {
                throw StoreError.conflict("Solo se deshace la llegada de una cita en espera (está \(a.status.label.lowercased()))")
            }
            guard !a.walkIn else { throw StoreError.conflict("Una llegada sin cita no se deshace: cancélela (C) con el motivo") }
            a.status = .reservada
            a.checkedInAt = nil
            a.updatedAt = now
            try a.update(db)
        }
    }

    /// The reason given for the pet's appointment today, to start its consultation with: the one
    /// in consultation first, then the one waiting, then a booked one.
    public func todaysAppointmentReason(petID: String) throws -> String? {
        let day = self.today
        let from = AgendaTime.iso(AgendaTime.instant(day, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(day.adding(days: 1), minute: 0))
        return try read { db in
            try String.fetchOne(db, sql: """
                SELECT reason FROM appointments
                WHERE pet_id = ? AND starts_at >= ? AND starts_at < ? AND status IN (\(AppointmentStatus.sqlList([.enConsulta, .enEspera, .reservada])))
                  AND trim(coalesce(reason, '')) != ''
                ORDER BY CASE status WHEN '\(AppointmentStatus.enConsulta.rawValue)' THEN 0 WHEN '\(AppointmentStatus.enEspera.rawValue)' THEN 1 ELSE 2 END,
                         starts_at LIMIT 1
                """, arguments: [petID, from, to])
        }
    }

    /// A pet's alerts and the vaccines whose next dose is due (today or before).
    public func checkInNotice(petID: String) throws -> CheckInNotice {
        let today = self.today.iso
        return try read { db in
            guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota ya no existe") }
            let due = try Row.fetchAll(db, sql: """
                SELECT v.product, v.next_due FROM vaccinations v
                WHERE v.pet_id = ? AND v.next_due IS NOT NULL AND v.next_due <= ?
                  AND NOT EXISTS (SELECT 1 FROM vaccinations w WHERE w.pet_id = v.pet_id AND w.product = v.product AND w.applied_on > v.applied_on)
                ORDER BY v.next_due
                """, arguments: [petID, today]).map { row -> String in
                let product: String = row["product"]
                return product + " (vence " + (CivilDate(iso: row["next_due"] as String)?.display ?? "") + ")"
            }
            return CheckInNotice(petName: pet.name, alerts: pet.alertList, dueVaccines: due)
        }
    }

    /// `En consulta`: the vet calls the pet in. A walk-in without a vet is taken by the caller.
    public func callIn(appointmentID: String, by session: Session) throws {
        try session.require(.attendPatients, "Solo un veterinario llama al paciente")
        let now = AgendaTime.iso(clock.now)
        try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .enEspera else { throw StoreError.conflict("El paciente no está en espera (\(a.status.label.lowercased()))") }
            if a.vetId == nil && session.may(.takeUnassignedPatients) { a.vetId = session.userID }
            a.status = .enConsulta
            a.calledAt = now
            a.updatedAt = now
            try a.update(db)
        }
    }

    /// `Atendida`: done, linked to the consultation record (the given one, else the pet's latest
    /// consultation written today by this appointment's vet, if any).
    public func markAttended(appointmentID: String, consultationID: String? = nil, by session: Session) throws {
        try session.require(.attendPatients, "Solo un veterinario da por atendida una cita")
        let now = clock.now
        let since = AgendaTime.iso(AgendaTime.instant(CivilDate(limaDayOf: now), minute: 0))
        try write(user: session.userID) { db in
            var a = try Self.appointmentForChange(appointmentID, session: session, db)
            guard a.status == .enEspera || a.status == .enConsulta else {
                throw StoreError.conflict("La cita está \(a.status.label.lowercased())")
            }
            var linked = consultationID
            if let given = linked {
                guard let c = try Consultation.fetchOne(db, key: given), c.petId == a.petId else { throw StoreError.invalid("Esa consulta no es de esta mascota") }
            } else {
                linked = try String.fetchOne(db, sql: """
                    SELECT id FROM consultations WHERE pet_id = ? AND vet_id = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1
                    """, arguments: [a.petId, a.vetId ?? session.userID, since])
            }
            if a.vetId == nil && session.may(.takeUnassignedPatients) { a.vetId = session.userID }
            if a.calledAt == nil { a.calledAt = AgendaTime.iso(now) }
            a.status = .atendida
            a.consultationId = linked
            a.doneAt = AgendaTime.iso(now)
            a.updatedAt = AgendaTime.iso(now)
            try a.update(db)
        }
    }

    public func appointment(id: String) throws -> Appointment? { try read { db in try Appointment.fetchOne(db, key: id) } }
}

extension SedeStore {
    /// A session for a user of this sede without a clave, for command-line tools run by whoever
    /// already holds the database file (load and race tests, exports).
    public func trustedSession(username: String) throws -> Session {
        let sede = try localSede()
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, username, full_name FROM users WHERE username = ? AND active = 1",
                                             arguments: [username.lowercased()]) else { throw StoreError.notFound("No existe el usuario \(username)") }
            let roles = try String.fetchAll(db, sql: "SELECT role FROM user_roles WHERE user_id = ? AND sede_id = ?",
                                            arguments: [row["id"] as String, sede.id]).compactMap(Role.init(rawValue:))
            return Session(userID: row["id"], username: row["username"], fullName: row["full_name"],
                           roles: Role.allCases.filter(roles.contains), sede: sede)
        }
    }
}
