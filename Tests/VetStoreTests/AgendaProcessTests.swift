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

        let racers = try ["recepcion", "recepcion2"].enumerated().map { n, user in
            try SpawnedProcess(Binaries.vettools, ["race", "--db", dir.file("sede.db"), "--user", user, "--vet", "veterinario", "--pet", petID,
                                                   "--first", AgendaTime.iso(first), "--minutes", "15", "--rounds", "\(rounds)",
                                                   "--writer", "t\(n + 1)", "--barrier", barrier, "--racers", "2"])
        }
        /// What `vettools race` prints: the rounds this racer won, those refused as taken, other failures.
        struct Report: Decodable { let writer: String; let won: [Int]; let refused: [Int]; let errors: [String] }
        let reports = try racers.map { racer -> Report in
            let result = try racer.wait(timeout: 150)
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        }
        #expect(reports.map(\.writer) == ["t1", "t2"])
        #expect(reports.allSatisfy { $0.errors.isEmpty }, "\(reports.map(\.errors))")
        print("agenda race: \(reports.map { "\($0.writer) won \($0.won.count)" }.joined(separator: ", ")) of \(rounds) rounds")
        // Each racer says every round once: won or refused.
        for report in reports {
            #expect((report.won + report.refused).sorted() == Array(0..<rounds), "\(report.writer) answered \(report.won.count + report.refused.count) rounds")
        }
        let reopened = try SedeStore.open(path: dir.file("sede.db"))
        defer { try? reopened.close() }
        // The database has the last word: one appointment per round, booked by the racer that says it won
        // it, and the other racer was told the slot was taken.
        let booker = try reopened.read { db in
            try Row.fetchAll(db, sql: "SELECT starts_at, reason FROM appointments").reduce(into: [String: [String]]()) {
                $0[$1["starts_at"] as String, default: []].append($1["reason"])
            }
        }
        for round in 0..<rounds {
            let slot = AgendaTime.iso(first.addingTimeInterval(Double(round * 15 * 60)))
            let reasons = booker[slot] ?? []
            #expect(reasons.count == 1, "round \(round): \(reasons.count) appointments")
            guard let reason = reasons.first, let winner = reports.firstIndex(where: { "carrera " + $0.writer == reason }) else {
                Issue.record("round \(round): booked by «\(reasons.first ?? "nadie")», no racer"); continue
            }
            let loser = reports[1 - winner]
            #expect(reports[winner].won.contains(round) && !reports[winner].refused.contains(round), "round \(round): \(reports[winner].writer) booked it")
            #expect(loser.refused.contains(round) && !loser.won.contains(round), "round \(round): \(loser.writer) was not told «Horario ocupado»")
        }
        try reopened.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments") == rounds)
            // No two appointments of the vet overlap.
            #expect(try Int.fetchOne(db, sql: """
                SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id AND a.vet_id = b.vet_id
                WHERE a.starts_at < b.ends_at AND b.starts_at < a.ends_at
                """) == 0)
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
    /// The shipped binary holds no test tools: the booking race lives in `vettools`, and the load
    /// generator that stays is documented for an operator.
    @Test func vetdeskHasNoTestOnlyCommands() throws {
        let agenda = try runProcess(Binaries.vetdesk, ["agenda", "--help"])
        #expect(agenda.status == 0, "\(agenda.stderr)")
        let subcommands = agenda.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        for name in ["ics", "schedule", "exception", "room"] { #expect(subcommands.contains("  \(name) "), "\(name): \(agenda.stdout)") }
        #expect(!agenda.stdout.contains("race"), "\(agenda.stdout)")
        let race = try runProcess(Binaries.vetdesk, ["agenda", "race", "--db", "/nonexistent/sede.db"])
        #expect(race.status == 64, "\(race.stdout)\(race.stderr)")
        let tools = try runProcess(Binaries.vettools, ["--help"])
        #expect(tools.status == 0 && tools.stdout.contains("race"), "\(tools.stdout)\(tools.stderr)")

        let load = try runProcess(Binaries.vetdesk, ["load", "--help"])
        #expect(load.status == 0, "\(load.stderr)")
        // Help is wrapped to the terminal's width: words are compared, not lines.
        let words = load.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["USAGE: vetdesk load", "--seconds", "--writer", "waits_ms", "nunca en la base de una sede en uso"] {
            #expect(words.contains(text), "«\(text)» in \(load.stdout)")
        }
        let main = try runProcess(Binaries.vetdesk, ["--help"])
        #expect(main.stdout.contains("  load "), "\(main.stdout)")
    }

    /// A real sede sets its schedules, exceptions and rooms from the command line.
    @Test func schedulesExceptionsAndRoomsFromTheCommandLine() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let created = try runProcess(Binaries.vetdesk, ["init", "--db", db, "--sede", "LIM09", "--name", "Sede Real", "--admin-password", "secreta"])
        #expect(created.status == 0, "\(created.stderr)")
        let store = try SedeStore.open(path: db)
        let sede = try store.localSede()
        try store.addUser(username: "vet.ana", fullName: "Dra. Ana Ríos", password: "123456", roles: [.veterinario])
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
