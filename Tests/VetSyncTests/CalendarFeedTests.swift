import Foundation
import VetTestSupport
import Testing
import VetCentral
import VetCore
import VetStore

/// `GET /v1/calendars/{sede}/{vet}.ics` on a real `vetcentral`: a sede books, cancels and moves
/// appointments, syncs with `vetdesk sync once`, and the feed central serves is read back by
/// Debian's python3-icalendar and compared with the sede's own `vetdesk agenda ics`.
@Suite(.serialized)
struct CalendarFeedTests {
    struct Event: Decodable, Equatable { let uid, summary, start, end, tzid, zone, status, location, description: String }
    struct Doc: Decodable { let name: String; let zones: [String]; let events: [Event] }

    static let parser = """
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

    static func parse(_ file: String) throws -> Doc {
        let run = try runProcess("/usr/bin/python3", ["-c", parser, file])
        guard run.status == 0 else { throw TestFailure("python3-icalendar: \(run.stderr)") }
        return try JSONDecoder().decode(Doc.self, from: Data(run.stdout.utf8))
    }

    /// `curl` as a calendar app would fetch: status, Content-Type, body.
    static func fetch(_ url: String, token: String?, into file: String) throws -> (status: Int, contentType: String, body: String) {
        var args = ["-s", "-o", file, "-w", "%{http_code} %{content_type}"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        let run = try runProcess("/usr/bin/curl", args + [url])
        let parts = run.stdout.split(separator: " ", maxSplits: 1).map(String.init)
        guard run.status == 0, let status = parts.first.flatMap(Int.init) else { throw TestFailure("curl \(url): \(run.status) \(run.stderr)") }
        return (status, parts.count > 1 ? parts[1] : "", (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
    }

    static func errorCode(_ body: String) -> (code: String, message: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let code = object["code"] as? String, let message = object["message"] as? String else { return nil }
        return (code, message)
    }

    /// `2026-11-23T09:30:00-05:00`, as Python prints a Lima time.
    static func limaISO(_ date: Date) -> String {
        let (day, minute) = AgendaTime.dayAndMinute(date)
        return String(format: "%@T%02d:%02d:00-05:00", day.iso, minute / 60, minute % 60)
    }

    @Test(arguments: backends)
    func vetCalendarIsServedFromSyncedAppointments(_ backend: Backend) throws {
        let started = Date()
        let central = try CentralProcess(backend)
        let dir = TempDir()
        try central.start()
        let token = try central.addSede("LIM01", name: "VetDesk Miraflores")
        let otherToken = try central.addSede("ARE01", name: "VetDesk Arequipa")
        for (user, name, role) in [("drsalas", "Dr. Jorge Salas", "LIM01:veterinario"), ("rosa", "Rosa Quispe", "LIM01:recepcionista"),
                                   ("jefa", "Ana Torres", "LIM01:supervisor"), ("drperez", "Dra. Lucía Pérez", "ARE01:veterinario")] {
            try central.admin(["user", "add", user, "--full-name", name, "--password", "clave123", "--role", role])
        }
        let path = dir.file("lim.db")
        let initRun = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "LIM01", "--name", "VetDesk Miraflores",
                                                        "--central", central.url, "--token", token])
        #expect(initRun.status == 0, "\(initRun.stderr)")

        // A demo-like day: a vet working every day, a room, an owner with a pet, four bookings.
        let store = try SedeStore.open(path: path)
        let desk = try store.trustedSession(username: "rosa"), vet = try store.trustedSession(username: "drsalas")
        let sup = try store.trustedSession(username: "jefa")
        try store.setWeeklySchedule(vetID: vet.userID, blocks: (1...7).map { (weekday: $0, span: MinuteSpan(0, 1440)) }, by: sup)
        try store.addRoom(name: "Consultorio 1", kind: "consultorio", by: sup)
        try store.addRoom(name: "Quirófano", kind: "quirofano", by: sup)
        guard case .saved(let owner) = try store.saveOwner(OwnerInput(docType: .dni, docNumber: "45678912", firstNames: "José",
                                                                      lastNames: "Núñez Peña", phone: "987654321"), by: desk),
              case .saved(let pet) = try store.savePet(PetInput(name: "Max", species: "perro", sex: "M", alerts: "agresivo; alérgico a penicilina"),
                                                       ownerID: owner.id, by: desk) else { throw TestFailure("fixture") }
        let types = Dictionary(uniqueKeysWithValues: try store.appointmentTypes().map { ($0.code, $0.id) })
        // Central's read model starts from the same appointment types the sede seeds (the feed names types from it).
        for type in try store.appointmentTypes() {
            #expect(try central.count("""
                SELECT count(*) FROM current_rows WHERE tbl = 'appointment_types' AND row_id = '\(type.id)' AND deleted = 0
                    AND cols LIKE '%"name":"\(type.name)"%'
                """) == 1, "tipo \(type.name)")
        }
        let today = store.today
        func at(_ days: Int, _ hour: Int, _ minute: Int = 0) -> Date { AgendaTime.instant(today.adding(days: days), minute: hour * 60 + minute) }
        func book(_ type: String, _ start: Date, _ reason: String = "") throws -> Appointment {
            guard let typeID = types[type] else { throw TestFailure("tipo \(type)") }
            return try store.book(BookingRequest(petID: pet.id, typeID: typeID, vetID: vet.userID, start: start, reason: reason), by: desk)
        }
        let a = try book("consulta", at(2, 9, 30), "Vómitos, diarrea; revisar \\ hidratación")
        let b = try book("cirugia", at(3, 15), "Castración")
        let c = try book("vacunacion", at(4, 8))
        try store.cancel(appointmentID: c.id, reason: "Viaje", by: desk)
        let d = try book("control", at(5, 10))
        _ = try store.move(appointmentID: d.id, to: at(6, 11, 15), by: desk)
        try store.close()

        let sync = try runProcess(Binaries.vetdesk, ["sync", "once", "--db", path])
        #expect(sync.status == 0, "\(sync.stderr)")
        try waitUntil("la central tiene las citas") {
            try central.count("SELECT count(*) FROM changes WHERE tbl = 'appointments'") >= 4
        }

        #expect(try central.count("SELECT count(*) FROM central_migrations WHERE name = '0002_calendar.sql'") == 1)
        let url = central.url + "/v1/calendars/LIM01/drsalas.ics"
        let got = try Self.fetch(url, token: token, into: dir.file("central.ics"))
        #expect(got.status == 200, "\(got.body)")
        #expect(got.contentType == "text/calendar; charset=utf-8")
        #expect(got.body.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(got.body.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "lines are folded at 75 octets")
        let doc = try Self.parse(dir.file("central.ics"))
        #expect(doc.name == "VetDesk · Dr. Jorge Salas · LIM01")
        #expect(doc.zones == ["America/Lima"])
        #expect(doc.events.map(\.uid) == [a, b, c, d].map { $0.id + "@vetdesk" })
        #expect(doc.events.map(\.start) == [at(2, 9, 30), at(3, 15), at(4, 8), at(6, 11, 15)].map(Self.limaISO))
        #expect(doc.events.map(\.end) == [at(2, 10), at(3, 16, 30), at(4, 8, 15), at(6, 11, 30)].map(Self.limaISO))
        #expect(doc.events.allSatisfy { $0.tzid == "America/Lima" && $0.zone == "America/Lima" })
        #expect(doc.events.map(\.status) == ["CONFIRMED", "CONFIRMED", "CANCELLED", "CONFIRMED"])
        #expect(doc.events.map(\.summary) == ["Consulta: Max (perro)", "Cirugía: Max (perro)", "Vacunación: Max (perro)", "Control: Max (perro)"])
        #expect(doc.events.first?.location == "Consultorio 1 · VetDesk Miraflores")
        #expect(doc.events.first?.description == "Propietario: José Núñez Peña · 987 654 321\nMotivo: Vómitos, diarrea; revisar \\ hidratación\nAlertas: agresivo; alérgico a penicilina")
        #expect(doc.events.count == 4 && doc.events[2].description.contains("Cancelada: Viaje"))

        // The sede's own export of the same window lists the very same events.
        let local = dir.file("sede.ics")
        let export = try runProcess(Binaries.vetdesk, ["agenda", "ics", "--db", path, "--vet", "drsalas", "--out", local])
        #expect(export.status == 0, "\(export.stderr)")
        let sedeDoc = try Self.parse(local)
        #expect(sedeDoc.name == doc.name)
        #expect(sedeDoc.events == doc.events)

        // A subscription link, as Google Calendar or Outlook use one: no header, read-only.
        let link = try central.admin(["calendar", "add", "--sede", "lim01", "--vet", "DrSalas"])
        #expect(link.hasPrefix("/v1/calendars/LIM01/drsalas.ics?token=vdc_"), "\(link)")
        let subscribed = try Self.fetch(central.url + link, token: nil, into: dir.file("sub.ics"))
        #expect(subscribed.status == 200 && subscribed.contentType == "text/calendar; charset=utf-8", "\(subscribed.body)")
        #expect(try Self.parse(dir.file("sub.ics")).events == doc.events)
        // It reads that vet at that sede and nothing else: not another calendar, not the sync API.
        let linkToken = String(link.split(separator: "=").last ?? "")
        let otherVet = try Self.fetch(central.url + "/v1/calendars/LIM01/rosa.ics?token=" + linkToken, token: nil, into: dir.file("e.json"))
        #expect(otherVet.status == 403 && Self.errorCode(otherVet.body)?.code == "forbidden_calendar", "\(otherVet)")
        let asSede = try Self.fetch(central.url + "/v1/sync/pull?after=0", token: linkToken, into: dir.file("e.json"))
        #expect(asSede.status == 401 && Self.errorCode(asSede.body)?.code == "unauthorized", "\(asSede)")
        let noRole = try runProcess(Binaries.vetcentral, ["calendar", "add", "--sede", "LIM01", "--vet", "drperez"] + central.storageArgs)
        #expect(noRole.status != 0 && noRole.stderr.contains("No existe el usuario drperez en la sede LIM01"), "\(noRole.stderr)")
        #expect(try central.admin(["calendar", "revoke", "--sede", "LIM01", "--vet", "drsalas"]) == "1 enlace anulado")
        let ended = try Self.fetch(central.url + link, token: nil, into: dir.file("e.json"))
        #expect(ended.status == 401 && Self.errorCode(ended.body)?.code == "unauthorized", "\(ended)")

        // Tokens: none, unknown, another sede's (403), then that one revoked (401); unknown sede or vet: 404.
        for (label, bad) in [("sin token", nil as String?), ("token desconocido", "vdk_malo")] {
            let r = try Self.fetch(url, token: bad, into: dir.file("e.json"))
            #expect(r.status == 401 && r.contentType.hasPrefix("application/json") && Self.errorCode(r.body)?.code == "unauthorized", "\(label): \(r)")
        }
        let foreign = try Self.fetch(url, token: otherToken, into: dir.file("e.json"))
        #expect(foreign.status == 403 && Self.errorCode(foreign.body)?.code == "forbidden_sede", "\(foreign)")
        try central.admin(["sede", "revoke", "ARE01"])
        let revoked = try Self.fetch(url, token: otherToken, into: dir.file("e.json"))
        #expect(revoked.status == 401 && Self.errorCode(revoked.body)?.code == "unauthorized", "\(revoked)")
        let unknownSede = try Self.fetch(central.url + "/v1/calendars/XXX99/drsalas.ics", token: token, into: dir.file("e.json"))
        #expect(unknownSede.status == 404 && Self.errorCode(unknownSede.body)?.code == "unknown_sede", "\(unknownSede)")
        #expect(Self.errorCode(unknownSede.body)?.message == "No existe la sede XXX99")
        for vetName in ["nadie", "drperez"] {
            let r = try Self.fetch(central.url + "/v1/calendars/LIM01/\(vetName).ics", token: token, into: dir.file("e.json"))
            #expect(r.status == 404 && r.contentType.hasPrefix("application/json") && Self.errorCode(r.body)?.code == "unknown_vet", "\(vetName): \(r)")
        }
        print("calendar feed (\(backend)): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
