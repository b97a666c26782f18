import Foundation
import VetTestSupport
import Testing
import VetCore
import VetProtocol
@testable import VetCentral

/// How central folds its log into current rows (the read model) and writes the calendar feed from them.
struct CalendarFoldTests {
    static let sede = CentralSede(id: "S1", code: "LIM01", name: "VetDesk Miraflores", active: true, revoked: false)
    static let vet = CentralUser(id: "V1", username: "drsalas", fullName: "Dr. Jorge Salas", roles: ["LIM01:veterinario"])

    /// A log change; the class is central's (pets and owners shared, appointments the sede's).
    static func row(_ tbl: String, _ id: String, _ op: String, _ cols: String?, hlc: Int64 = 1, origin: String? = "S1") -> FoldChange {
        let dataClass: DataClass = ["pets", "owners"].contains(tbl) ? .shared : .sede
        return FoldChange(cseq: 0, origin: origin, hlc: hlc, tbl: tbl, rowID: id, op: op, colsJSON: cols, dataClass: dataClass,
                          ownerSede: dataClass == .sede ? origin : nil)
    }

    /// The live rows after folding `changes` in order, by table and id.
    static func fold(_ changes: [FoldChange]) throws -> [String: [String: [String: SQLValue]]] {
        var states: [String: ReadModel.State] = [:]
        let numbered = changes.enumerated().map { i, c in var c = c; c.cseq = Int64(i + 1); return c }
        _ = try ReadModel.fold(numbered, over: &states)
        var out: [String: [String: [String: SQLValue]]] = [:]
        for state in states.values where !state.deleted { out[state.tbl, default: [:]][state.rowID] = try state.row().cols }
        return out
    }

    /// The calendar's rows from the fold, with the types every sede seeds (only Consulta is used).
    static func calendarRows(_ changes: [FoldChange]) throws -> CentralCalendar.Rows {
        let tables = try fold(changes)
        let appointments = (tables["appointments"] ?? [:]).map { id, cols in
            CurrentRow(tbl: "appointments", rowID: id, cols: cols, hlc: 0, origin: "S1", deleted: false, dataClass: .sede, ownerSede: "S1", cseq: 1)
        }
        return CentralCalendar.Rows(appointments: appointments, pets: tables["pets"] ?? [:], owners: tables["owners"] ?? [:], rooms: [:],
                                    types: ["01900000-0000-7000-8000-000000000001": ["name": .text("Consulta")]])
    }

    static func appointment(_ id: String, pet: String = "P1", start: String = "2026-11-23T14:30:00Z", end: String = "2026-11-23T15:00:00Z") -> FoldChange {
        row("appointments", id, "I", """
            {"id":"\(id)","sede_id":"S1","pet_id":"\(pet)","vet_id":"V1","room_id":null,"type_id":"01900000-0000-7000-8000-000000000001",
             "starts_at":"\(start)","ends_at":"\(end)","reason":null,"status":"reservada","walk_in":0}
            """)
    }

    @Test func deletesDropRowsAndSharedColumnsKeepTheNewestVersion() throws {
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
        let text = CentralCalendar.document(try Self.calendarRows(rows), sede: Self.sede, vet: Self.vet, from: CivilDate(iso: "2026-11-21")!,
                                            to: CivilDate(iso: "2026-11-30")!, stamp: Date(timeIntervalSince1970: 1_795_262_400))
        #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 2, "only A1 is left")
        #expect(text.contains("UID:A1@vetdesk\r\n"))
        #expect(text.contains("DTSTART;TZID=America/Lima:20261123T110000\r\n"))
        #expect(text.contains("SUMMARY:Consulta: Maximiliano (perro)\r\n"))
        #expect(text.contains("DESCRIPTION:Propietario: José Núñez · 987 654 321\r\n"))
        #expect(text.contains("LOCATION:VetDesk Miraflores\r\n"))
    }

    /// Issue 9 item 8: central folds a delete racing a newer update as every sede does (delete wins).
    @Test func aDeleteWinsOverANewerUpdateThatFollowsIt() throws {
        let rows = [
            Self.row("pets", "P1", "I", #"{"id":"P1","owner_id":"O1","name":"Max","species":"perro"}"#, hlc: 10),
            Self.row("pets", "P1", "D", nil, hlc: 20),
            Self.row("pets", "P1", "U", #"{"name":"Maxi"}"#, hlc: 30, origin: "S2"),
        ]
        #expect(try Self.fold(rows)["pets"]?["P1"] == nil)
    }

    /// Shared rows: per column, the newest (HLC, sede) wins whatever order changes arrive in; an
    /// equal version takes the later write; an update of a row never inserted is ignored.
    @Test func sharedColumnsMergeByVersionAndOneWriterRowsTakeChangesAsTheyCome() throws {
        let tables = try Self.fold([
            Self.row("owners", "O1", "I", #"{"id":"O1","first_names":"Ana","phone":"1"}"#, hlc: 10, origin: "S1"),
            Self.row("owners", "O1", "U", #"{"phone":"3"}"#, hlc: 30, origin: "S1"),
            Self.row("owners", "O1", "U", #"{"phone":"2","first_names":"Ana María"}"#, hlc: 20, origin: "S2"),
            // Same HLC, higher sede wins; then the same version again: the later write wins.
            Self.row("owners", "O1", "U", #"{"email":"a@x.pe"}"#, hlc: 40, origin: "S1"),
            Self.row("owners", "O1", "U", #"{"email":"b@x.pe"}"#, hlc: 40, origin: "S2"),
            Self.row("owners", "O1", "U", #"{"email":"c@x.pe"}"#, hlc: 40, origin: "S1"),
            Self.row("owners", "O2", "U", #"{"phone":"9"}"#, hlc: 50),
            // One-writer rows: the later change wins even with an older HLC; an insert after a delete creates the row again.
            Self.row("appointments", "A1", "I", #"{"id":"A1","status":"reservada","reason":"x"}"#, hlc: 50),
            Self.row("appointments", "A1", "U", #"{"status":"cancelada"}"#, hlc: 40),
            Self.row("appointments", "A2", "I", #"{"id":"A2","status":"reservada"}"#, hlc: 50),
            Self.row("appointments", "A2", "D", nil, hlc: 51),
            Self.row("appointments", "A2", "U", #"{"status":"atendida"}"#, hlc: 52),
            Self.row("appointments", "A3", "I", #"{"id":"A3","status":"reservada"}"#, hlc: 50),
            Self.row("appointments", "A3", "D", nil, hlc: 51),
            Self.row("appointments", "A3", "I", #"{"id":"A3","status":"atendida"}"#, hlc: 52),
        ])
        #expect(tables["owners"]?["O1"] == ["id": .text("O1"), "first_names": .text("Ana María"), "phone": .text("3"), "email": .text("b@x.pe")])
        #expect(tables["owners"]?["O2"] == nil)
        #expect(tables["appointments"]?["A1"] == ["id": .text("A1"), "status": .text("cancelada"), "reason": .text("x")])
        #expect(tables["appointments"]?["A2"] == nil)
        #expect(tables["appointments"]?["A3"] == ["id": .text("A3"), "status": .text("atendida")])
    }
}
