import Foundation
import GRDB
import VetCore

/// An appointment as the agenda shows it, with its pet, owner, type, vet and room.
public struct AgendaItem: Sendable, Hashable {
    public var id: String
    public var petID: String
    public var petName: String
    public var species: String
    public var ownerName: String
    public var phone: String
    public var alerts: [String]
    public var vetID: String?
    public var vetName: String
    public var roomName: String
    public var typeID: String
    public var typeName: String
    public var typeColor: String
    public var start: Date
    public var end: Date
    public var status: AppointmentStatus
    public var walkIn: Bool
    public var reason: String
    public var checkedInAt: Date?
    public var calledAt: Date?
    public var cancelReason: String?
}

/// One day at a sede: the vets, when each works, and the appointments.
public struct DayAgenda: Sendable {
    public var day: CivilDate
    public var vets: [AgendaVet]
    /// Working spans per vet id.
    public var working: [String: [MinuteSpan]]
    /// Appointments that hold time (cancelled and no-shows are left out of the grid), by start.
    public var items: [AgendaItem]
    /// Every appointment of the day, cancelled and no-shows included, by start.
    public var all: [AgendaItem]
}

extension SedeStore {
    static let itemSelect = """
        SELECT a.id, a.pet_id, a.vet_id, a.type_id, a.starts_at, a.ends_at, a.status, a.walk_in, a.reason, a.checked_in_at,
               a.called_at, a.cancel_reason, a.room_id, p.name AS pet_name, p.species, p.alerts, o.first_names, o.last_names, o.phone
        FROM appointments a
        JOIN pets p ON p.id = a.pet_id
        LEFT JOIN owners o ON o.id = p.owner_id
        """

    /// Appointments matching `filter` (SQL after WHERE, on `a`), with their names. The small tables
    /// (types, staff, rooms) are read once into dictionaries instead of joined per row, and rows are
    /// read by column position: a day of 1,200 appointments stays well under a frame.
    static func items(_ db: Database, _ filter: String, _ arguments: StatementArguments) throws -> [AgendaItem] {
        var types: [String: (String, String)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, color FROM appointment_types") { types[row[0]] = (row[1], row[2]) }
        var staff: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, full_name FROM users") { staff[row[0]] = row[1] }
        var rooms: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM rooms") { rooms[row[0]] = row[1] }
        var out: [AgendaItem] = []
        out.reserveCapacity(256)
        let cursor = try Row.fetchCursor(db, sql: itemSelect + " WHERE " + filter, arguments: arguments)
        while let row = try cursor.next() {
            let alerts: String = row[15] ?? ""
            let first: String = row[16] ?? "", last: String = row[17] ?? ""
            let phone: String? = row[18]
            let checkedIn: String? = row[9], called: String? = row[10]
            let vetID: String? = row[2], typeID: String = row[3], roomID: String? = row[12]
            let type = types[typeID]
            out.append(AgendaItem(
                id: row[0], petID: row[1], petName: row[13], species: row[14] ?? "",
                ownerName: AppointmentCalendar.ownerName(first: first, last: last), phone: phone.map(PhoneRules.display) ?? "",
                alerts: AppointmentCalendar.alerts(alerts),
                vetID: vetID, vetName: vetID.flatMap { staff[$0] } ?? "", roomName: roomID.flatMap { rooms[$0] } ?? "", typeID: typeID,
                typeName: type?.0 ?? "", typeColor: type?.1 ?? "", start: AgendaTime.parse(row[4]) ?? .distantPast,
                end: AgendaTime.parse(row[5]) ?? .distantPast,
                status: AppointmentStatus(rawValue: row[6] as String), walkIn: row[7], reason: row[8] ?? "",
                checkedInAt: checkedIn.flatMap(AgendaTime.parse), calledAt: called.flatMap(AgendaTime.parse), cancelReason: row[11]))
        }
        return out
    }

    /// The day view's data: every vet of the sede, their working spans and the day's appointments.
    public func dayAgenda(day: CivilDate, sedeID: String) throws -> DayAgenda {
        try read { db in
            let vets = try Self.agendaVets(sedeID: sedeID, db)
            var working: [String: [MinuteSpan]] = [:]
            var template: [String: [MinuteSpan]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT vet_id, start_min, end_min FROM vet_schedules WHERE sede_id = ? AND weekday = ?",
                                        arguments: [sedeID, day.weekday]) {
                template[row["vet_id"], default: []].append(MinuteSpan(row["start_min"], row["end_min"]))
            }
            let exceptions = try ScheduleException.filter(sql: "sede_id = ? AND day = ?", arguments: [sedeID, day.iso]).fetchAll(db)
            for vet in vets {
                let mine = exceptions.filter { $0.vetId == nil || $0.vetId == vet.id }.compactMap(\.dayException)
                working[vet.id] = Availability.workingSpans(template: template[vet.id] ?? [], exceptions: mine)
            }
            let from = AgendaTime.iso(AgendaTime.instant(day, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(day.adding(days: 1), minute: 0))
            let all = try Self.items(db, "a.sede_id = ? AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id", [sedeID, from, to])
            return DayAgenda(day: day, vets: vets, working: working, items: all.filter { $0.status.holdsTime }, all: all)
        }
    }

    /// One vet's appointments (that hold time) from `from` for `days` days.
    public func vetAppointments(vetID: String, sedeID: String, from: CivilDate, days: Int) throws -> [AgendaItem] {
        try read { db in
            let a = AgendaTime.iso(AgendaTime.instant(from, minute: 0)), b = AgendaTime.iso(AgendaTime.instant(from.adding(days: days), minute: 0))
            return try Self.items(db, """
                a.sede_id = ? AND a.vet_id = ? AND a.starts_at >= ? AND a.starts_at < ?
                AND a.status NOT IN (\(AppointmentStatus.sqlList([.cancelada, .noAsistio]))) ORDER BY a.starts_at
                """, [sedeID, vetID, a, b])
        }
    }

    /// The waiting room: pets that arrived (en espera) and those in consultation, today, in order of arrival.
    public func waitingRoom(sedeID: String) throws -> [AgendaItem] {
        let since = AgendaTime.iso(AgendaTime.instant(today, minute: 0))
        return try read { db in
            try Self.items(db, """
                a.sede_id = ? AND a.status IN (\(AppointmentStatus.sqlList([.enEspera, .enConsulta]))) AND coalesce(a.checked_in_at, a.starts_at) >= ?
                ORDER BY a.status = '\(AppointmentStatus.enConsulta.rawValue)' DESC, a.checked_in_at, a.starts_at
                """, [sedeID, since])
        }
    }

    /// `Próximo libre`: the earliest start, from `after`, on the agenda's grid, where an appointment
    /// of this type fits one vet's schedule (the given vet, or any) and a room of its kind is free.
    public func nextFreeSlot(typeID: String, vetID: String? = nil, sedeID: String, after: Date, days: Int = 21) throws -> (vetID: String, start: Date)? {
        try read { db in
            guard let type = try AppointmentType.fetchOne(db, key: typeID) else { throw StoreError.notFound("Tipo de cita desconocido") }
            let vets = try vetID.map { [$0] } ?? Self.agendaVets(sedeID: sedeID, db).map(\.id)
            let rooms = try String.fetchAll(db, sql: "SELECT id FROM rooms WHERE sede_id = ? AND kind = ? AND active = 1", arguments: [sedeID, type.roomKind])
            let (firstDay, firstMinute) = AgendaTime.dayAndMinute(after)
            for offset in 0..<days {
                let day = firstDay.adding(days: offset)
                let from = AgendaTime.iso(AgendaTime.instant(day, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(day.adding(days: 1), minute: 0))
                let rows = try Row.fetchAll(db, sql: """
                    SELECT vet_id, room_id, starts_at, ends_at FROM appointments
                    WHERE sede_id = ? AND walk_in = 0 AND status NOT IN (\(AppointmentStatus.sqlList([.cancelada, .noAsistio]))) AND starts_at < ? AND starts_at >= ? AND ends_at > ?
                    """, arguments: [sedeID, to, AgendaTime.iso(AgendaTime.instant(day, minute: -AgendaRules.maxMinutes)), from])
                func span(_ r: Row) -> MinuteSpan {
                    let s = AgendaTime.dayAndMinute(AgendaTime.parse(r["starts_at"]) ?? .distantPast)
                    let e = AgendaTime.dayAndMinute(AgendaTime.parse(r["ends_at"]) ?? .distantPast)
                    return MinuteSpan(s.day < day ? 0 : s.minute, e.day > day ? 1440 : e.minute)
                }
                var best: (vet: String, minute: Int)?
                for vet in vets {
                    let working = try Self.workingSpans(vetID: vet, sedeID: sedeID, day: day, db)
                    var busy = rows.filter { ($0["vet_id"] as String?) == vet }.map(span)
                    let notBefore = offset == 0 ? firstMinute : 0
                    // A room of the kind must be free too: a time when every room is taken is busy.
                    var candidate = Availability.firstFree(minutes: type.minutes, working: working, busy: busy, notBefore: notBefore)
                    while let start = candidate, !rooms.isEmpty {
                        let wanted = MinuteSpan(start, start + type.minutes)
                        let taken = rooms.map { room in rows.filter { ($0["room_id"] as String?) == room }.map(span).filter { $0.overlaps(wanted) } }
                        if taken.contains(where: \.isEmpty) { break }
                        let freedAt = taken.map { $0.map(\.end).max() ?? start }.min() ?? (start + AgendaRules.slotMinutes)
                        busy.append(MinuteSpan(start, max(freedAt, start + AgendaRules.slotMinutes)))
                        candidate = Availability.firstFree(minutes: type.minutes, working: working, busy: busy, notBefore: notBefore)
                    }
                    if let start = candidate, best.map({ start < $0.minute }) ?? true { best = (vet, start) }
                }
                if let best { return (best.vet, AgendaTime.instant(day, minute: best.minute)) }
            }
            return nil
        }
    }

    /// A vet's appointments at this store's sede as iCalendar, times in America/Lima. Cancelled
    /// appointments are listed as CANCELLED so subscribed calendars drop them.
    public func calendar(vetUsername: String, from: CivilDate, to: CivilDate) throws -> String {
        try read { db in
            guard let vet = try Row.fetchOne(db, sql: "SELECT id, full_name FROM users WHERE username = ?", arguments: [vetUsername.lowercased()]) else {
                throw StoreError.notFound("No existe el usuario \(vetUsername)")
            }
            let vetID: String = vet["id"], vetName: String = vet["full_name"]
            guard let sedeID = try Self.setting(.sedeID, db), let sede = try Sede.fetchOne(db, key: sedeID) else {
                throw StoreError.notInitialized(path: path)
            }
            let a = AgendaTime.iso(AgendaTime.instant(from, minute: 0)), b = AgendaTime.iso(AgendaTime.instant(to.adding(days: 1), minute: 0))
            let items = try Self.items(db, """
                a.sede_id = ? AND a.vet_id = ? AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at, a.id
                """, [sedeID, vetID, a, b]).filter { AppointmentCalendar.isListed($0.status) }
            let events = items.map { item in
                AppointmentCalendar.event(AppointmentCalendar.Entry(
                    id: item.id, start: item.start, end: item.end, status: item.status, typeName: item.typeName, petName: item.petName,
                    species: item.species, ownerName: item.ownerName, phone: item.phone, reason: item.reason, alerts: item.alerts,
                    cancelReason: item.cancelReason, roomName: item.roomName), sedeName: sede.name)
            }
            return ICalendar.document(name: AppointmentCalendar.name(vetName: vetName, sedeCode: sede.code), events: events, stamp: clock.now)
        }
    }
}
