import Foundation
import GRDB
import VetCore

/// A kind of appointment with its default length, the kind of room it needs and its theme colour.
/// Central data.
public struct AppointmentType: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "appointment_types"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var code: String
    public var name: String
    public var minutes: Int
    public var roomKind: String
    public var color: String
    public var position: Int
    public var active: Bool
}

/// A consultorio, quirófano or grooming table of a sede.
public struct Room: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rooms"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var name: String
    public var kind: String
    public var position: Int
    public var active: Bool
    public var createdAt: String

    public static let kinds: [(code: String, label: String)] = [("consultorio", "Consultorio"), ("quirofano", "Quirófano"), ("grooming", "Mesa de grooming")]
    public static func kindLabel(_ code: String) -> String { kinds.first { $0.code == code }?.label ?? code }
}

/// One block of a vet's weekly template at a sede.
public struct VetSchedule: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vet_schedules"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var vetId: String
    public var weekday: Int
    public var startMin: Int
    public var endMin: Int
    public var createdAt: String
}

/// A day that departs from the template (vacation, sick day, holiday, extra block).
public struct ScheduleException: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "schedule_exceptions"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var vetId: String?
    public var day: String
    public var kind: String
    public var startMin: Int?
    public var endMin: Int?
    public var note: String?
    public var createdAt: String

    public var dayException: DayException? {
        guard let k = ScheduleExceptionKind(rawValue: kind) else { return nil }
        if let s = startMin, let e = endMin { return DayException(kind: k, span: MinuteSpan(s, e)) }
        return DayException(kind: k, span: nil)
    }
}

/// An appointment or a walk-in. Sede-owned.
public struct Appointment: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "appointments"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var petId: String
    public var vetId: String?
    public var roomId: String?
    public var typeId: String
    public var startsAt: String
    public var endsAt: String
    public var reason: String?
    public var status: AppointmentStatus
    public var walkIn: Bool
    public var scheduleOverride: Bool
    public var checkedInAt: String?
    public var calledAt: String?
    public var doneAt: String?
    public var consultationId: String?
    public var cancelReason: String?
    public var cancelledAt: String?
    public var createdBy: String?
    public var createdAt: String
    public var updatedAt: String

    public var start: Date { AgendaTime.parse(startsAt) ?? .distantPast }
    public var end: Date { AgendaTime.parse(endsAt) ?? .distantPast }
}

/// A message waiting to be delivered.
public struct OutboxMessage: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var channel: String
    public var recipient: String
    public var template: String
    public var payload: String
    public var state: OutboxState
    public var dueAt: String
    public var appointmentId: String?
    public var createdAt: String
    public var updatedAt: String
}
