import Foundation
import GRDB
import VetCore
import VetStore
import VetTUI

/// The agenda at a large sede: 40 vets with 30 appointments each on one day.
/// - Day view: the query (`dayAgenda`) plus the layout of the grid into a 200×50 canvas, against
///   the same for a day with the same vets and no appointments.
/// - Booking: one `book` transaction (overlap of vet and room, schedule, reminder) on that sede,
///   against a write transaction that inserts the same row without the rules.
enum AgendaBench {
    static let vets = 40
    static let perVet = 30
    static let renderRuns = 200
    static let bookings = 400

    struct Sede {
        let store: SedeStore
        let desk: Session
        let vetIDs: [String]
        let petIDs: [String]
        let typeID: String
        let day: CivilDate
        let emptyDay: CivilDate
    }

    static func makeSede(_ context: BenchContext) throws -> Sede {
        let path = context.workdir + "/agenda.db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SedeStore.create(path: path)
        let sede = try store.initializeSede(code: "BENCH", name: "Bench")
        let desk = try staff(store, sede, "recepcion", "Recepción", .recepcionista)
        let supervisor = try staff(store, sede, "supervisor", "Supervisor", .supervisor)
        var vetIDs: [String] = []
        for n in 1...vets {
            let vet = try staff(store, sede, "vet\(n)", "Dr. Veterinario \(n)", .veterinario)
            vetIDs.append(vet.userID)
            try store.setWeeklySchedule(vetID: vet.userID, blocks: (1...7).map { (weekday: $0, span: MinuteSpan(7 * 60, 21 * 60)) }, by: supervisor)
        }
        for n in 1...vets { try store.addRoom(name: "Consultorio \(n)", kind: "consultorio", by: supervisor) }
        let day = store.today.adding(days: 1)
        var petIDs: [String] = []
        try store.write(user: nil) { db in
            let now = store.nowText
            let ownerID = store.newID()
            try db.execute(sql: "INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, phone, created_at, updated_at) VALUES (?, 'dni', '45678912', 'María', 'Quispe Huamán', '987654321', ?, ?)",
                           arguments: [ownerID, now, now])
            for n in 0..<200 {
                let id = store.newID()
                petIDs.append(id)
                try db.execute(sql: "INSERT INTO pets (id, owner_id, name, species, created_at, updated_at, alerts) VALUES (?, ?, ?, 'perro', ?, ?, ?)",
                               arguments: [id, ownerID, "Mascota \(n)", now, now, n % 7 == 0 ? "agresivo" : nil])
            }
        }
        let typeID = try store.appointmentTypes().first { $0.code == "control" }!.id
        // The day view's day: 30 appointments of 15 minutes per vet, written as the desk would book them.
        try store.write(user: desk.userID) { db in
            let now = store.nowText
            for (v, vet) in vetIDs.enumerated() {
                for k in 0..<perVet {
                    let start = AgendaTime.instant(day, minute: 8 * 60 + k * 20)
                    try db.execute(sql: """
                        INSERT INTO appointments (id, sede_id, pet_id, vet_id, type_id, starts_at, ends_at, reason, created_by, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'Control', ?, ?, ?)
                        """, arguments: [store.newID(), sede.id, petIDs[(v * perVet + k) % petIDs.count], vet, typeID, AgendaTime.iso(start),
                                         AgendaTime.iso(start.addingTimeInterval(900)), desk.userID, now, now])
                }
            }
        }
        return Sede(store: store, desk: desk, vetIDs: vetIDs, petIDs: petIDs, typeID: typeID, day: day, emptyDay: day.adding(days: 7))
    }

    /// A staff member of the bench sede, written as central data the way sync writes users. No
    /// clave matches the stored hash: the bench never signs in, so it skips bcrypt's cost.
    static func staff(_ store: SedeStore, _ sede: VetCore.Sede, _ username: String, _ fullName: String, _ role: Role) throws -> Session {
        let id = store.newID()
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, ?, ?, '!', ?)",
                           arguments: [id, username, fullName, store.nowText])
            try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, ?)",
                           arguments: [store.newID(), id, sede.id, role.rawValue])
        }
        return Session(userID: id, username: username, fullName: fullName, roles: [role], sede: sede)
    }

    static func renderDay(_ s: Sede, _ day: CivilDate, types: [AppointmentType]) throws {
        let agenda = try s.store.dayAgenda(day: day, sedeID: s.desk.sede.id)
        let screen = AgendaScreen(session: s.desk, showing: agenda, types: types, cursorMinute: 600)
        _ = screen.drawn(width: 200, height: 50, now: Date())
    }

    static let dayView = Benchmark(name: "agenda") { context in
        let s = try makeSede(context)
        defer { try? s.store.close() }
        let types = try s.store.appointmentTypes()
        // Day view: query + layout, alternating with the empty day so both see the same cache.
        try renderDay(s, s.day, types: types); try renderDay(s, s.emptyDay, types: types)
        var full: [Double] = [], empty: [Double] = [], query: [Double] = [], emptyQuery: [Double] = []
        var fullCPU: [Double] = [], emptyCPU: [Double] = []
        for _ in 0..<renderRuns {
            var cpu = 0.0
            full.append(try Stats.timeMs { cpu = try Stats.cpuTimeMs { try renderDay(s, s.day, types: types) } })
            fullCPU.append(cpu)
            empty.append(try Stats.timeMs { cpu = try Stats.cpuTimeMs { try renderDay(s, s.emptyDay, types: types) } })
            emptyCPU.append(cpu)
            query.append(try Stats.timeMs { _ = try s.store.dayAgenda(day: s.day, sedeID: s.desk.sede.id) })
            emptyQuery.append(try Stats.timeMs { _ = try s.store.dayAgenda(day: s.emptyDay, sedeID: s.desk.sede.id) })
        }
        // Booking: every vet, every 15 minutes of days 2 and 3, alternating with plain inserts.
        var booking: [Double] = [], plain: [Double] = [], bookingCPU: [Double] = [], plainCPU: [Double] = []
        var refused = 0
        for n in 0..<bookings {
            let vet = s.vetIDs[n % vets]
            let slot = n / vets
            let day = s.day.adding(days: 2 + slot / 40)
            let start = AgendaTime.instant(day, minute: 8 * 60 + (slot % 40) * 15)
            let request = BookingRequest(petID: s.petIDs[n % s.petIDs.count], typeID: s.typeID, vetID: vet, start: start, reason: "Control")
            var cpu = 0.0
            booking.append(Stats.timeMs { cpu = Stats.cpuTimeMs {
                do { try s.store.book(request, by: s.desk) } catch { refused += 1 }
            } })
            bookingCPU.append(cpu)
            plain.append(try Stats.timeMs { cpu = try Stats.cpuTimeMs {
                try s.store.write(user: s.desk.userID) { db in
                    let now = s.store.nowText
                    try db.execute(sql: """
                        INSERT INTO appointments (id, sede_id, pet_id, vet_id, type_id, starts_at, ends_at, reason, created_by, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'Control', ?, ?, ?)
                        """, arguments: [s.store.newID(), s.desk.sede.id, request.petID, vet, s.typeID, AgendaTime.iso(start.addingTimeInterval(86_400 * 30)),
                                         AgendaTime.iso(start.addingTimeInterval(86_400 * 30 + 900)), s.desk.userID, now, now])
                }
            } })
            plainCPU.append(cpu)
        }
        context.log("bench: agenda: \(bookings - refused) reservas, \(refused) rechazadas (se espera 0)")
        return [
            BenchResult(name: "agenda.day_view.40x30", unit: "ms", samples: full, baselineSamples: empty, goal: "p99 < 16 ms"),
            BenchResult(name: "agenda.day_view.40x30.cpu", unit: "ms cpu", samples: fullCPU, baselineSamples: emptyCPU, goal: "p99 < 16 ms"),
            BenchResult(name: "agenda.day_view.40x30.query_only", unit: "ms", samples: query, baselineSamples: emptyQuery),
            BenchResult(name: "agenda.booking", unit: "ms", samples: booking, baselineSamples: plain, goal: "p99 < 10 ms"),
            BenchResult(name: "agenda.booking.cpu", unit: "ms cpu", samples: bookingCPU, baselineSamples: plainCPU, goal: "p99 < 10 ms"),
        ]
    }
}
