import Foundation
import VetCore
import VetProtocol

/// A vet's calendar at one sede built from central's read model (`current_rows`): the sede's
/// appointments and rooms, the shared pets and owners and the appointment types as every sede
/// holds them, written with the same rule (`AppointmentCalendar`) and writer (`ICalendar`) as the
/// sede's `vetdesk agenda ics`.
public enum CentralCalendar {
    /// The current rows one vet's calendar at one sede reads.
    public struct Rows: Sendable {
        /// The vet's appointments at the sede.
        public var appointments: [CurrentRow]
        /// The pets, owners and rooms those appointments name, and every appointment type, by id.
        public var pets: [String: [String: SQLValue]]
        public var owners: [String: [String: SQLValue]]
        public var rooms: [String: [String: SQLValue]]
        public var types: [String: [String: SQLValue]]

        public init(appointments: [CurrentRow], pets: [String: [String: SQLValue]], owners: [String: [String: SQLValue]],
                    rooms: [String: [String: SQLValue]], types: [String: [String: SQLValue]]) {
            self.appointments = appointments; self.pets = pets; self.owners = owners; self.rooms = rooms; self.types = types
        }
    }

    /// Reads the rows of `vet`'s calendar at `sede` from the read model.
    public static func rows(_ storage: any CentralStorage, sede: CentralSede, vet: CentralUser) async throws -> Rows {
        func byID(_ rows: [CurrentRow]) -> [String: [String: SQLValue]] {
            Dictionary(rows.map { ($0.rowID, $0.cols) }, uniquingKeysWith: { $1 })
        }
        func ids(_ rows: [CurrentRow], _ column: String) -> [String] { Set(rows.compactMap { $0.cols[column]?.text }).sorted() }
        let appointments = try await storage.currentRows(RowQuery(table: "appointments", ownerSede: sede.id,
                                                                  equals: ["sede_id": .text(sede.id), "vet_id": .text(vet.id)]))
        let pets = try await storage.currentRows(RowQuery(table: "pets", ids: ids(appointments, "pet_id")))
        let owners = try await storage.currentRows(RowQuery(table: "owners", ids: ids(pets, "owner_id")))
        let rooms = try await storage.currentRows(RowQuery(table: "rooms", ids: ids(appointments, "room_id"), ownerSede: sede.id))
        let types = try await storage.currentRows(RowQuery(table: "appointment_types"))
        return Rows(appointments: appointments, pets: byID(pets), owners: byID(owners), rooms: byID(rooms), types: byID(types))
    }

    /// The vet's appointments at the sede starting on `from` … `to` (Lima days, both included).
    public static func document(_ rows: Rows, sede: CentralSede, vet: CentralUser, from: CivilDate, to: CivilDate, stamp: Date) -> String {
        func text(_ row: [String: SQLValue]?, _ column: String) -> String? { row?[column]?.text }
        let lower = AgendaTime.instant(from, minute: 0), upper = AgendaTime.instant(to.adding(days: 1), minute: 0)
        var entries: [AppointmentCalendar.Entry] = []
        for appointment in rows.appointments {
            let id = appointment.rowID, row = appointment.cols
            guard text(row, "sede_id") == sede.id, text(row, "vet_id") == vet.id,
                  let start = text(row, "starts_at").flatMap(AgendaTime.parse), let end = text(row, "ends_at").flatMap(AgendaTime.parse),
                  start >= lower, start < upper,
                  let status = text(row, "status").flatMap(AppointmentStatus.init(rawValue:)), AppointmentCalendar.isListed(status),
                  // Like the sede's export (which joins pets), an appointment whose pet is gone is left out.
                  let petID = text(row, "pet_id"), let pet = rows.pets[petID] else { continue }
            let owner = text(pet, "owner_id").flatMap { rows.owners[$0] }
            entries.append(AppointmentCalendar.Entry(
                id: id, start: start, end: end, status: status, typeName: text(row, "type_id").flatMap { text(rows.types[$0], "name") } ?? "",
                petName: text(pet, "name") ?? "", species: text(pet, "species") ?? "",
                ownerName: AppointmentCalendar.ownerName(first: text(owner, "first_names") ?? "", last: text(owner, "last_names") ?? ""),
                phone: text(owner, "phone").map(PhoneRules.display) ?? "", reason: text(row, "reason") ?? "",
                alerts: AppointmentCalendar.alerts(text(pet, "alerts") ?? ""), cancelReason: text(row, "cancel_reason"),
                roomName: text(row, "room_id").flatMap { text(rows.rooms[$0], "name") } ?? ""))
        }
        entries.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return ICalendar.document(name: AppointmentCalendar.name(vetName: vet.fullName, sedeCode: sede.code),
                                  events: entries.map { AppointmentCalendar.event($0, sedeName: sede.name) }, stamp: stamp)
    }
}
