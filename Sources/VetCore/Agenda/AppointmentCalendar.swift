import Foundation

/// How an appointment becomes a calendar event: one rule for the sede's `vetdesk agenda ics`
/// and for central's `GET /v1/calendars/{sede}/{vet}.ics`, so both feeds show the same events.
public enum AppointmentCalendar {
    /// An appointment with the names the event shows.
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var start: Date
        public var end: Date
        public var status: AppointmentStatus
        public var typeName: String
        public var petName: String
        public var species: String
        public var ownerName: String
        /// Already formatted for display (`PhoneRules.display`), or empty.
        public var phone: String
        public var reason: String
        public var alerts: [String]
        public var cancelReason: String?
        public var roomName: String

        public init(id: String, start: Date, end: Date, status: AppointmentStatus, typeName: String, petName: String, species: String,
                    ownerName: String, phone: String, reason: String, alerts: [String], cancelReason: String?, roomName: String) {
            self.id = id; self.start = start; self.end = end; self.status = status; self.typeName = typeName
            self.petName = petName; self.species = species; self.ownerName = ownerName; self.phone = phone
            self.reason = reason; self.alerts = alerts; self.cancelReason = cancelReason; self.roomName = roomName
        }
    }

    /// No-shows are left out; cancelled appointments stay, as CANCELLED, so subscribed calendars drop them.
    /// A status this version does not know is left out too (it is not told as a booked appointment).
    public static func isListed(_ status: AppointmentStatus) -> Bool { status.isKnown && status != .noAsistio }

    /// The calendar's name (X-WR-CALNAME).
    public static func name(vetName: String, sedeCode: String) -> String { "VetDesk · \(vetName) · \(sedeCode)" }

    /// `first last`, or just the first names.
    public static func ownerName(first: String, last: String) -> String { last.isEmpty ? first : first + " " + last }

    /// A pet's `alerts` column (`a; b`) as a list.
    public static func alerts(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public static func event(_ item: Entry, sedeName: String) -> CalendarEvent {
        var description = ["Propietario: \(item.ownerName)" + (item.phone.isEmpty ? "" : " · \(item.phone)")]
        if !item.reason.isEmpty { description.append("Motivo: \(item.reason)") }
        if !item.alerts.isEmpty { description.append("Alertas: \(item.alerts.joined(separator: "; "))") }
        if let why = item.cancelReason { description.append("Cancelada: \(why)") }
        let location = (item.roomName.isEmpty ? "" : item.roomName + " · ") + sedeName
        return CalendarEvent(uid: "\(item.id)@vetdesk", start: item.start, end: item.end,
                             summary: "\(item.typeName): \(item.petName) (\(item.species))",
                             description: description.joined(separator: "\n"), location: location,
                             cancelled: item.status == .cancelada, modified: nil)
    }
}
