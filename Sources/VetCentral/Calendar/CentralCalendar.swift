import Foundation
import VetCore
import VetSync

/// A vet's calendar at one sede built from central's log: the `changes` of the sede's
/// appointments and rooms and of the shared pets and owners are folded per row into their
/// current values, then written with the same rule (`AppointmentCalendar`) and writer
/// (`ICalendar`) as the sede's `vetdesk agenda ics`.
public enum CentralCalendar {
    /// Appointment types are central data seeded with fixed ids by the sede's migration 0003;
    /// central keeps no table of them, only any change it logs for `appointment_types`.
    public static let seededTypeNames: [String: String] = [
        "01900000-0000-7000-8000-000000000001": "Consulta",
        "01900000-0000-7000-8000-000000000002": "Vacunación",
        "01900000-0000-7000-8000-000000000003": "Control",
        "01900000-0000-7000-8000-000000000004": "Cirugía",
        "01900000-0000-7000-8000-000000000005": "Baño y corte",
        "01900000-0000-7000-8000-000000000006": "Emergencia",
    ]

    /// Current rows per table after applying `rows` in order. Sede-owned rows take each change as
    /// it comes (only their sede writes them); shared rows (pets, owners) keep, per column, the
    /// value with the highest (hlc, origin sede), as sedes do. A delete drops the row for good: as at
    /// the sedes, it wins over any update, even one with a newer HLC.
    static func fold(_ rows: [CalendarLogRow]) -> [String: [String: [String: SQLValue]]] {
        struct Version: Comparable {
            var hlc: Int64
            var sede: String
            static func < (a: Version, b: Version) -> Bool { (a.hlc, a.sede) < (b.hlc, b.sede) }
        }
        let decoder = JSONDecoder()
        var tables: [String: [String: [String: SQLValue]]] = [:]
        var versions: [String: [String: Version]] = [:]
        var deleted: Set<String> = []
        for row in rows {
            if row.op == "D" {
                tables[row.tbl, default: [:]][row.rowID] = nil
                versions[CentralRules.ownerKey(row.tbl, row.rowID)] = nil
                deleted.insert(CentralRules.ownerKey(row.tbl, row.rowID))
                continue
            }
            if deleted.contains(CentralRules.ownerKey(row.tbl, row.rowID)) { continue }
            let cols = row.colsJSON.flatMap { try? decoder.decode([String: SQLValue].self, from: Data($0.utf8)) } ?? [:]
            var current = tables[row.tbl]?[row.rowID] ?? [:]
            if row.tbl == "pets" || row.tbl == "owners" {
                let key = CentralRules.ownerKey(row.tbl, row.rowID)
                let incoming = Version(hlc: row.hlc, sede: row.origin ?? "")
                for (column, value) in cols where versions[key]?[column].map({ incoming >= $0 }) ?? true {
                    current[column] = value
                    versions[key, default: [:]][column] = incoming
                }
            } else {
                current.merge(cols) { $1 }
            }
            tables[row.tbl, default: [:]][row.rowID] = current
        }
        return tables
    }

    /// The vet's appointments at the sede starting on `from` … `to` (Lima days, both included).
    public static func document(rows: [CalendarLogRow], sede: CentralSede, vet: CentralUser, from: CivilDate, to: CivilDate, stamp: Date) -> String {
        let tables = fold(rows)
        func text(_ row: [String: SQLValue]?, _ column: String) -> String? { row?[column]?.text }
        var typeNames = seededTypeNames
        for (id, row) in tables["appointment_types"] ?? [:] { if let name = text(row, "name") { typeNames[id] = name } }
        let lower = AgendaTime.instant(from, minute: 0), upper = AgendaTime.instant(to.adding(days: 1), minute: 0)
        var entries: [AppointmentCalendar.Entry] = []
        for (id, row) in tables["appointments"] ?? [:] {
            guard text(row, "sede_id") == sede.id, text(row, "vet_id") == vet.id,
                  let start = text(row, "starts_at").flatMap(AgendaTime.parse), let end = text(row, "ends_at").flatMap(AgendaTime.parse),
                  start >= lower, start < upper,
                  let status = text(row, "status").flatMap(AppointmentStatus.init(rawValue:)), AppointmentCalendar.isListed(status),
                  // Like the sede's export (which joins pets), an appointment whose pet is gone is left out.
                  let petID = text(row, "pet_id"), let pet = tables["pets"]?[petID] else { continue }
            let owner = text(pet, "owner_id").flatMap { tables["owners"]?[$0] }
            entries.append(AppointmentCalendar.Entry(
                id: id, start: start, end: end, status: status, typeName: text(row, "type_id").flatMap { typeNames[$0] } ?? "",
                petName: text(pet, "name") ?? "", species: text(pet, "species") ?? "",
                ownerName: AppointmentCalendar.ownerName(first: text(owner, "first_names") ?? "", last: text(owner, "last_names") ?? ""),
                phone: text(owner, "phone").map(PhoneRules.display) ?? "", reason: text(row, "reason") ?? "",
                alerts: AppointmentCalendar.alerts(text(pet, "alerts") ?? ""), cancelReason: text(row, "cancel_reason"),
                roomName: text(row, "room_id").flatMap { text(tables["rooms"]?[$0], "name") } ?? ""))
        }
        entries.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return ICalendar.document(name: AppointmentCalendar.name(vetName: vet.fullName, sedeCode: sede.code),
                                  events: entries.map { AppointmentCalendar.event($0, sedeName: sede.name) }, stamp: stamp)
    }
}
