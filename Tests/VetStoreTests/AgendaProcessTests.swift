import Foundation
import GRDB
import Testing
import VetTestSupport
@testable import VetCore
@testable import VetStore

/// The agenda through the real `vetdesk` binary: separate processes racing for the same slots,
/// and the iCalendar export read back by Python's `icalendar` parser.
@Suite struct AgendaProcessTests {
    /// A sede whose vet works around the clock, a receptionist and one pet.
    static func sede(_ dir: TempDir, clock: any WallClock = SystemClock()) throws -> (store: SedeStore, petID: String, desk: Session, vet: Session, sup: Session) {
        let store = try SedeStore.create(path: dir.file("sede.db"), clock: clock)
        let sede = try store.initializeSede(code: "LIM01", name: "VetDesk Miraflores")
        let desk = try PatientFixture.user(store, sede, "recepcion", "Rosa Quispe", [.recepcionista])
        _ = try PatientFixture.user(store, sede, "recepcion2", "Julia Ramos", [.recepcionista])
        let vet = try PatientFixture.user(store, sede, "veterinario", "Dr. Carlos Mendoza", [.veterinario])
        let sup = try PatientFixture.user(store, sede, "supervisor", "Jorge Vargas", [.supervisor])
        try store.setWeeklySchedule(vetID: vet.userID, blocks: (1...7).map { (weekday: $0, span: MinuteSpan(0, 1440)) }, by: sup)
        try store.addRoom(name: "Consultorio 1", kind: "consultorio", by: sup)
        guard case .saved(let owner) = try store.saveOwner(OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "José",
                                                                      lastNames: "Núñez Peña", phone: "987654321"), by: desk),
              case .saved(let pet) = try store.savePet(PetInput(name: "Max", species: "perro", sex: "M", alerts: "agresivo; alérgico a penicilina"),
                                                       ownerID: owner.id, by: desk) else { throw StoreError.invalid("fixture") }
        return (store, pet.id, desk, vet, sup)
    }

    /// Two processes book the same slot 100 times, meeting at a barrier before each round:
    /// every time exactly one succeeds and the other is told `Horario ocupado`.
    @Test(.timeLimit(.minutes(3))) func twoProcessesBookingTheSameSlotAHundredTimes() throws {
        let dir = TempDir()
        let (store, petID, _, _, _) = try Self.sede(dir)
        // Tomorrow at 00:00 in Lima and on: always in the future while the race runs.
        let first = AgendaTime.instant(store.today.adding(days: 1), minute: 0)
        try store.close()
        let barrier = dir.file("barrier")
        try FileManager.default.createDirectory(atPath: barrier, withIntermediateDirectories: true)
        let rounds = 100

        let racers = ["recepcion", "recepcion2"].enumerated().map { (n, user) -> (Process, Pipe, Pipe) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.vetdesk)
            process.arguments = ["agenda", "race", "--db", dir.file("sede.db"), "--user", user, "--vet", "veterinario", "--pet", petID,
                                 "--first", AgendaTime.iso(first), "--minutes", "15", "--rounds", "\(rounds)", "--writer", "t\(n + 1)",
                                 "--barrier", barrier, "--racers", "2"]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            return (process, out, err)
        }
        for (process, _, _) in racers { try process.run() }
        var reports: [BookingRace.Report] = []
        for (process, out, err) in racers {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(String(decoding: errors, as: UTF8.self))")
            reports.append(try JSONDecoder().decode(BookingRace.Report.self, from: data))
        }
        #expect(reports.count == 2)
        guard reports.count == 2 else { return }
        #expect(reports.allSatisfy { $0.errors.isEmpty }, "\(reports.map(\.errors))")
        print("agenda race: \(reports.map { "\($0.writer) won \($0.won.count)" }.joined(separator: ", ")) of \(rounds) rounds")
        for round in 0..<rounds {
            let winners = reports.filter { $0.won.contains(round) }.count
            let refused = reports.filter { $0.refused.contains(round) }.count
            #expect(winners == 1 && refused == 1, "round \(round): \(winners) won, \(refused) refused")
        }
        let reopened = try SedeStore.open(path: dir.file("sede.db"))
        defer { try? reopened.close() }
        try reopened.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments") == rounds)
            #expect(try Int.fetchOne(db, sql: "SELECT count(DISTINCT starts_at) FROM appointments") == rounds)
            // No two appointments of the vet overlap.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id AND a.vet_id = b.vet_id
                WHERE a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                """) == 0)
            let byWriter = try Row.fetchAll(db, sql: "SELECT reason, count(*) AS n FROM appointments GROUP BY reason")
                .reduce(into: [String: Int]()) { $0[$1["reason"]] = $1["n"] }
            #expect(byWriter["carrera t1", default: 0] == reports[0].won.count && byWriter["carrera t2", default: 0] == reports[1].won.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'appointments' AND op = 'I'") == rounds)
        }
    }

    /// `vetdesk agenda ics` output, read by Python's icalendar: the expected events with their
    /// Lima times, zone, cancellation and escaped text.
    @Test func icsExportIsReadByARealICalendarParser() throws {
        let dir = TempDir()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_262_400)) // Saturday 21/11/2026 07:00 in Lima
        let (store, petID, desk, vet, _) = try Self.sede(dir, clock: clock)
        let today = store.today
        let types = Dictionary(uniqueKeysWithValues: try store.appointmentTypes().map { ($0.code, $0.id) })
        let monday = AgendaTime.instant(today.adding(days: 2), minute: 9 * 60 + 30)
        let a = try store.book(BookingRequest(petID: petID, typeID: types["consulta"]!, vetID: vet.userID, start: monday,
                                              reason: "Vómitos, diarrea; revisar \\ hidratación"), by: desk)
        let b = try store.book(BookingRequest(petID: petID, typeID: types["cirugia"]!, vetID: vet.userID,
                                              start: AgendaTime.instant(today.adding(days: 3), minute: 15 * 60), reason: "Castración"), by: desk)
        let c = try store.book(BookingRequest(petID: petID, typeID: types["vacunacion"]!, vetID: vet.userID,
                                              start: AgendaTime.instant(today.adding(days: 4), minute: 8 * 60)), by: desk)
        try store.cancel(appointmentID: c.id, reason: "Viaje", by: desk)
        // Outside the range: not exported.
        try store.book(BookingRequest(petID: petID, typeID: types["control"]!, vetID: vet.userID,
                                      start: AgendaTime.instant(today.adding(days: 20), minute: 8 * 60)), by: desk)
        try store.close()

        let out = dir.file("vet.ics")
        let run = try runProcess(Binaries.vetdesk, ["agenda", "ics", "--db", dir.file("sede.db"), "--vet", "veterinario",
                                                    "--from", "21/11/2026", "--to", "30/11/2026", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let raw = try String(contentsOfFile: out, encoding: .utf8)
        #expect(raw.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "lines are folded at 75 octets")

        let script = """
            import sys, json
            from icalendar import Calendar
            cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())
            out = {"name": str(cal.get('X-WR-CALNAME')), "zones": [str(z.get('TZID')) for z in cal.walk('VTIMEZONE')], "events": []}
            for e in cal.walk('VEVENT'):
                start = e.decoded('DTSTART')
                out["events"].append({"uid": str(e.get('UID')), "summary": str(e.get('SUMMARY')), "start": start.isoformat(),
                                      "end": e.decoded('DTEND').isoformat(), "tzid": e.get('DTSTART').params.get('TZID'),
                                      "zone": str(start.tzinfo), "status": str(e.get('STATUS')), "location": str(e.get('LOCATION')),
                                      "description": str(e.get('DESCRIPTION'))})
            print(json.dumps(out))
            """
        let parsed = try runProcess("/usr/bin/python3", ["-c", script, out])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        struct Event: Decodable { let uid, summary, start, end, tzid, zone, status, location, description: String }
        struct Doc: Decodable { let name: String; let zones: [String]; let events: [Event] }
        let doc = try JSONDecoder().decode(Doc.self, from: Data(parsed.stdout.utf8))
        #expect(doc.name == "VetDesk · Dr. Carlos Mendoza · LIM01")
        #expect(doc.zones == ["America/Lima"])
        #expect(doc.events.map(\.uid) == [a.id + "@vetdesk", b.id + "@vetdesk", c.id + "@vetdesk"])
        #expect(doc.events.map(\.start) == ["2026-11-23T09:30:00-05:00", "2026-11-24T15:00:00-05:00", "2026-11-25T08:00:00-05:00"])
        #expect(doc.events.map(\.end) == ["2026-11-23T10:00:00-05:00", "2026-11-24T16:30:00-05:00", "2026-11-25T08:15:00-05:00"])
        #expect(doc.events.allSatisfy { $0.tzid == "America/Lima" && $0.zone == "America/Lima" })
        #expect(doc.events.map(\.status) == ["CONFIRMED", "CONFIRMED", "CANCELLED"])
        #expect(doc.events[0].summary == "Consulta: Max (perro)" && doc.events[1].summary == "Cirugía: Max (perro)")
        #expect(doc.events[0].location == "Consultorio 1 · VetDesk Miraflores")
        #expect(doc.events[0].description.contains("Motivo: Vómitos, diarrea; revisar \\ hidratación"))
        #expect(doc.events[0].description.contains("Alertas: agresivo; alérgico a penicilina"))
        #expect(doc.events[2].description.contains("Cancelada: Viaje"))

        // An unknown vet: a Spanish message and exit code 1.
        let bad = try runProcess(Binaries.vetdesk, ["agenda", "ics", "--db", dir.file("sede.db"), "--vet", "nadie"])
        #expect(bad.status == 1 && bad.stderr.contains("No existe el usuario nadie"))
    }
}

@Suite struct AgendaCommandTests {
    /// A real sede sets its schedules, exceptions and rooms from the command line.
    @Test func schedulesExceptionsAndRoomsFromTheCommandLine() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let created = try runProcess(Binaries.vetdesk, ["init", "--db", db, "--sede", "LIM09", "--name", "Sede Real", "--admin-password", "secreta"])
        #expect(created.status == 0, "\(created.stderr)")
        let store = try SedeStore.open(path: db)
        let sede = try store.localSede()
        try store.addUser(username: "vet.ana", fullName: "Dra. Ana Ríos", password: "123456", roles: [.veterinario], passwordHash: "x")
        try store.close()
        func vetdesk(_ args: [String]) throws -> ProcessResult { try runProcess(Binaries.vetdesk, ["agenda"] + args + ["--db", db]) }
        var r = try vetdesk(["schedule", "--vet", "vet.ana", "--block", "1-5 08:00-13:00", "--block", "6 09:00-12:30", "--by", "admin"])
        #expect(r.status == 0 && r.stdout.contains("6 bloques"), "\(r.stderr)")
        r = try vetdesk(["exception", "--vet", "vet.ana", "--day", "24/11/2026", "--kind", "vacaciones", "--by", "admin"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try vetdesk(["exception", "--day", "08/12/2026", "--kind", "feriado", "--note", "Inmaculada Concepción", "--by", "admin"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try vetdesk(["room", "--name", "Consultorio 1", "--kind", "consultorio", "--by", "admin"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try vetdesk(["schedule", "--vet", "vet.ana", "--block", "1-5 13:00-08:00", "--by", "admin"])
        #expect(r.status == 1 && r.stderr.contains("horario inválido"), "\(r.stderr)")
        r = try vetdesk(["room", "--name", "Consultorio 2", "--kind", "consultorio", "--by", "vet.ana"])
        #expect(r.status == 1 && r.stderr.contains("Solo un supervisor"), "\(r.stderr)")

        let reopened = try SedeStore.open(path: db)
        defer { try? reopened.close() }
        let vetID = try reopened.trustedSession(username: "vet.ana").userID
        #expect(try reopened.workingSpans(vetID: vetID, sedeID: sede.id, day: CivilDate(year: 2026, month: 11, day: 23)!) == [MinuteSpan(480, 780)])
        #expect(try reopened.workingSpans(vetID: vetID, sedeID: sede.id, day: CivilDate(year: 2026, month: 11, day: 28)!) == [MinuteSpan(540, 750)])
        #expect(try reopened.workingSpans(vetID: vetID, sedeID: sede.id, day: CivilDate(year: 2026, month: 11, day: 24)!).isEmpty)
        #expect(try reopened.workingSpans(vetID: vetID, sedeID: sede.id, day: CivilDate(year: 2026, month: 12, day: 8)!).isEmpty)
        #expect(try reopened.rooms(sedeID: sede.id).map(\.name) == ["Consultorio 1"])
    }
}
