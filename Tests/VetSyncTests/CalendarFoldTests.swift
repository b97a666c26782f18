import Foundation
import VetTestSupport
import Testing
import VetCore
@testable import VetCentral

/// How central folds its log into current rows for the calendar feed.
struct CalendarFoldTests {
    static let sede = CentralSede(id: "S1", code: "LIM01", name: "VetDesk Miraflores", active: true, revoked: false)
    static let vet = CentralUser(id: "V1", username: "drsalas", fullName: "Dr. Jorge Salas", roles: ["LIM01:veterinario"])

    static func row(_ tbl: String, _ id: String, _ op: String, _ cols: String?, hlc: Int64 = 1, origin: String? = "S1") -> CalendarLogRow {
        CalendarLogRow(tbl: tbl, rowID: id, op: op, colsJSON: cols, hlc: hlc, origin: origin)
    }

    static func appointment(_ id: String, pet: String = "P1", start: String = "2026-11-23T14:30:00Z", end: String = "2026-11-23T15:00:00Z") -> CalendarLogRow {
        row("appointments", id, "I", """
            {"id":"\(id)","sede_id":"S1","pet_id":"\(pet)","vet_id":"V1","room_id":null,"type_id":"01900000-0000-7000-8000-000000000001",
             "starts_at":"\(start)","ends_at":"\(end)","reason":null,"status":"reservada","walk_in":0}
            """)
    }

    @Test func deletesDropRowsAndSharedColumnsKeepTheNewestVersion() {
        let rows = [
            Self.row("owners", "O1", "I", #"{"id":"O1","first_names":"José","last_names":"Núñez","phone":"987654321"}"#, hlc: 10),
            Self.row("pets", "P1", "I", #"{"id":"P1","owner_id":"O1","name":"Max","species":"perro","alerts":null}"#, hlc: 10),
            Self.row("pets", "P2", "I", #"{"id":"P2","owner_id":"O1","name":"Luna","species":"gato"}"#, hlc: 10),
            // A rename from another sede with a newer clock, then an older one arriving later: the newer stays.
            Self.row("pets", "P1", "U", #"{"name":"Maximiliano"}"#, hlc: 30, origin: "S2"),
            Self.row("pets", "P1", "U", #"{"name":"Maxi"}"#, hlc: 20, origin: "S1"),
            Self.appointment("A1"),
            Self.appointment("A2", start: "2026-11-24T14:30:00Z", end: "2026-11-24T15:00:00Z"),
            Self.appointment("A3", pet: "P2"),
            Self.row("appointments", "A1", "U", #"{"starts_at":"2026-11-23T16:00:00Z","ends_at":"2026-11-23T16:30:00Z"}"#, hlc: 40),
            Self.row("appointments", "A2", "D", nil, hlc: 41),
            Self.row("pets", "P2", "D", nil, hlc: 42),
        ]
        let text = CentralCalendar.document(rows: rows, sede: Self.sede, vet: Self.vet, from: CivilDate(iso: "2026-11-21")!,
                                            to: CivilDate(iso: "2026-11-30")!, stamp: Date(timeIntervalSince1970: 1_795_262_400))
        #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 2, "only A1 is left")
        #expect(text.contains("UID:A1@vetdesk\r\n"))
        #expect(text.contains("DTSTART;TZID=America/Lima:20261123T110000\r\n"))
        #expect(text.contains("SUMMARY:Consulta: Maximiliano (perro)\r\n"))
        #expect(text.contains("DESCRIPTION:Propietario: José Núñez · 987 654 321\r\n"))
        #expect(text.contains("LOCATION:VetDesk Miraflores\r\n"))
    }

    /// Issue 9 item 8: central folds a delete racing a newer update as every sede does (delete wins).
    @Test func aDeleteWinsOverANewerUpdateThatFollowsIt() {
        let rows = [
            Self.row("pets", "P1", "I", #"{"id":"P1","owner_id":"O1","name":"Max","species":"perro"}"#, hlc: 10),
            Self.row("pets", "P1", "D", nil, hlc: 20),
            Self.row("pets", "P1", "U", #"{"name":"Maxi"}"#, hlc: 30, origin: "S2"),
        ]
        #expect(CentralCalendar.fold(rows)["pets"]?["P1"] == nil)
    }
}
