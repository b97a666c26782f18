import Foundation
import GRDB
import VetCore
import VetStore

/// The demo sede's agenda: rooms, a weekly template for every demo vet (the `veterinario` login
/// included), a vacation, and three weeks of appointments around `today`: two weeks back, attended
/// or not (the till sold them), this morning's attended (their charges wait at the till), and a
/// week ahead, booked. The same seed and the same `today` give the same rows.
enum AgendaDemo {
    static let rooms: [(String, String)] = [("Consultorio 1", "consultorio"), ("Consultorio 2", "consultorio"), ("Consultorio 3", "consultorio"),
                                            ("Quirófano", "quirofano"), ("Mesa de grooming", "grooming")]

    /// Weekly blocks per demo vet, by username: (weekdays, start, end) in Lima minutes.
    static let templates: [String: [(days: [Int], start: Int, end: Int)]] = [
        "veterinario": [([1, 2, 3, 4, 5], 480, 780), ([1, 2, 3, 4, 5], 840, 1140), ([6], 540, 780)],
        "vet.rojas": [([1, 2, 3, 4, 5], 540, 780), ([1, 2, 3, 4, 5], 900, 1200), ([6], 540, 840)],
        "vet.chavez": [([1, 3, 5], 480, 840), ([2, 4], 780, 1200), ([7], 540, 780)],
        "vet.huaman": [([2, 3, 4, 5, 6], 600, 840), ([2, 3, 4, 5, 6], 900, 1140)],
    ]

    static let reasons: [String: [String]] = [
        "consulta": ["Vómitos desde ayer", "Diarrea", "No quiere comer", "Cojera de la pata trasera", "Se rasca mucho", "Tos",
                     "Otitis", "Decaído", "Revisión de piel", "Ojo irritado"],
        "vacunacion": ["Vacuna antirrábica", "Séxtuple", "Triple felina", "Refuerzo anual", "Desparasitación"],
        "control": ["Control post operatorio", "Retiro de puntos", "Control de peso", "Control de tratamiento", "Control de piel"],
        "cirugia": ["Esterilización", "Castración", "Profilaxis dental", "Extracción de masa"],
        "bano_corte": ["Baño medicado", "Baño y corte", "Corte de uñas y baño"],
        "emergencia": ["Atropello", "Intoxicación", "Dificultad para respirar", "Convulsiones"],
    ]
    /// Today's appointments that start before this Lima minute were attended.
    static let attendedTodayBefore = 720

    static let typeWeights: [(String, Int)] = [("consulta", 40), ("vacunacion", 20), ("control", 20), ("bano_corte", 7), ("cirugia", 5), ("emergencia", 8)]

    static func fill(store: SedeStore, sedeID: String, seed: UInt64, today: CivilDate) throws {
        var rng = SplitMix64(seed: seed &+ 0x5EED_A6E1DA)
        let ids = UUIDv7Generator(seed: seed &+ 0xA6E1DA)
        let base = AgendaTime.instant(today.adding(days: -30), minute: 0)
        var ms = UInt64(base.timeIntervalSince1970 * 1000)
        func stamp() -> (id: String, at: String) {
            ms += 1000
            return (ids.make(unixMs: ms), AgendaTime.iso(Date(timeIntervalSince1970: Double(ms) / 1000)))
        }
        try store.write(user: nil) { db in
            let vets = try Row.fetchAll(db, sql: """
                SELECT u.id, u.username FROM users u JOIN user_roles r ON r.user_id = u.id
                WHERE r.sede_id = ? AND r.role = 'veterinario' ORDER BY u.username
                """, arguments: [sedeID]).map { (id: $0["id"] as String, username: $0["username"] as String) }
            var roomIDs: [(id: String, kind: String)] = []
            for (i, room) in rooms.enumerated() {
                let s = stamp()
                try db.execute(sql: "INSERT INTO rooms (id, sede_id, name, kind, position, active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                               arguments: [s.id, sedeID, room.0, room.1, i + 1, s.at])
                roomIDs.append((s.id, room.1))
            }
            for vet in vets {
                for block in templates[vet.username] ?? [([1, 2, 3, 4, 5], 540, 1080)] {
                    for day in block.days {
                        let s = stamp()
                        try db.execute(sql: """
                            INSERT INTO vet_schedules (id, sede_id, vet_id, weekday, start_min, end_min, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [s.id, sedeID, vet.id, day, block.start, block.end, s.at])
                    }
                }
            }
            if let huaman = vets.first(where: { $0.username == "vet.huaman" }) {
                for offset in 4...6 {
                    let s = stamp()
                    try db.execute(sql: """
                        INSERT INTO schedule_exceptions (id, sede_id, vet_id, day, kind, start_min, end_min, note, created_at)
                        VALUES (?, ?, ?, ?, 'vacaciones', NULL, NULL, 'Vacaciones', ?)
                        """, arguments: [s.id, sedeID, huaman.id, today.adding(days: offset).iso, s.at])
                }
            }
            let petIDs = try String.fetchAll(db, sql: "SELECT id FROM pets WHERE deceased_on IS NULL ORDER BY id LIMIT 3000")
            guard !petIDs.isEmpty else { return }
            let types = try AppointmentType.fetchAll(db).reduce(into: [String: AppointmentType]()) { $0[$1.code] = $1 }
            let totalWeight = typeWeights.reduce(0) { $0 + $1.1 }
            let insert = try db.makeStatement(sql: """
                INSERT INTO appointments (id, sede_id, pet_id, vet_id, room_id, type_id, starts_at, ends_at, reason, status, checked_in_at,
                                          called_at, done_at, cancel_reason, cancelled_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for offset in -14...7 {
                let day = today.adding(days: offset)
                var roomBusy: [String: [MinuteSpan]] = [:]
                // A pet is with one vet at a time (the booking rule): a busy pet gives its turn to the next one.
                var petBusy: [String: [MinuteSpan]] = [:]
                let exceptions = try ScheduleException.filter(sql: "sede_id = ? AND day = ?", arguments: [sedeID, day.iso]).fetchAll(db)
                for vet in vets {
                    let template = (templates[vet.username] ?? []).filter { $0.days.contains(day.weekday) }.map { MinuteSpan($0.start, $0.end) }
                    let working = Availability.workingSpans(template: template,
                                                            exceptions: exceptions.filter { $0.vetId == nil || $0.vetId == vet.id }.compactMap(\.dayException))
                    for span in working {
                        var minute = span.start
                        while minute < span.end {
                            guard rng.next() % 100 < 55 else { minute += AgendaRules.slotMinutes; continue }
                            var roll = Int(rng.next() % UInt64(totalWeight))
                            var code = "consulta"
                            for (c, w) in typeWeights { if roll < w { code = c; break }; roll -= w }
                            guard let type = types[code], minute + type.minutes <= span.end else { minute += AgendaRules.slotMinutes; continue }
                            let wanted = MinuteSpan(minute, minute + type.minutes)
                            guard let room = roomIDs.first(where: { $0.kind == type.roomKind && !(roomBusy[$0.id] ?? []).contains { $0.overlaps(wanted) } }) else {
                                minute += AgendaRules.slotMinutes; continue
                            }
                            roomBusy[room.id, default: []].append(wanted)
                            let start = AgendaTime.instant(day, minute: minute), end = AgendaTime.instant(day, minute: minute + type.minutes)
                            let drawn = Int(rng.next() % UInt64(petIDs.count))
                            guard let free = (0..<petIDs.count).lazy.map({ petIDs[(drawn + $0) % petIDs.count] })
                                .first(where: { !(petBusy[$0] ?? []).contains { $0.overlaps(wanted) } }) else {
                                minute += AgendaRules.slotMinutes; continue
                            }
                            let pet = free
                            petBusy[pet, default: []].append(wanted)
                            let reasonList = reasons[code] ?? []
                            let reason = reasonList.isEmpty ? nil : reasonList[Int(rng.next() % UInt64(reasonList.count))]
                            let roll2 = rng.next() % 100
                            var status = "reservada"
                            var checkedIn: String?, called: String?, done: String?, cancelReason: String?, cancelledAt: String?
                            if offset < 0 || (offset == 0 && minute < attendedTodayBefore) {
                                if roll2 < 80 || offset == 0 {
                                    status = "atendida"
                                    checkedIn = AgendaTime.iso(start.addingTimeInterval(-Double(rng.next() % 15) * 60))
                                    called = AgendaTime.iso(start.addingTimeInterval(Double(rng.next() % 10) * 60))
                                    done = AgendaTime.iso(end)
                                } else if roll2 < 88 {
                                    status = "no_asistio"
                                } else {
                                    status = "cancelada"; cancelReason = "El propietario no puede asistir"
                                    cancelledAt = AgendaTime.iso(start.addingTimeInterval(-86_400))
                                }
                            } else if roll2 < 5 {
                                status = "cancelada"; cancelReason = "Reprogramará"; cancelledAt = AgendaTime.iso(AgendaTime.instant(today, minute: 0))
                            }
                            let s = stamp()
                            let created = AgendaTime.iso(start.addingTimeInterval(-Double(1 + rng.next() % 10) * 86_400))
                            try insert.execute(arguments: [s.id, sedeID, pet, vet.id, room.id, type.id, AgendaTime.iso(start), AgendaTime.iso(end),
                                                           reason, status, checkedIn, called, done, cancelReason, cancelledAt, created,
                                                           done ?? cancelledAt ?? created])
                            minute += type.minutes
                        }
                    }
                }
            }
        }
    }
}
