/// Where an appointment is in the day's flow: reservada → en_espera (llegó) → en_consulta →
/// atendida; or cancelada (with a reason) / no_asistio.
///
/// Stored as its text. A value this version does not know (written by a newer sede) reads as
/// `.unknown(text)`: it is never taken for a real state (not bookable, not called in, not
/// attended), it is shown as «Desconocido (text)», and it is written back with the same text.
public enum AppointmentStatus: TextEnum {
    case reservada
    case enEspera
    case enConsulta
    case atendida
    case cancelada
    case noAsistio
    case unknown(String)

    /// The states this version knows, in the day's order.
    public static let allCases: [AppointmentStatus] = [.reservada, .enEspera, .enConsulta, .atendida, .cancelada, .noAsistio]

    public var rawValue: String {
        switch self {
        case .reservada: "reservada"
        case .enEspera: "en_espera"
        case .enConsulta: "en_consulta"
        case .atendida: "atendida"
        case .cancelada: "cancelada"
        case .noAsistio: "no_asistio"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .reservada: "Reservada"
        case .enEspera: "En espera"
        case .enConsulta: "En consulta"
        case .atendida: "Atendida"
        case .cancelada: "Cancelada"
        case .noAsistio: "No asistió"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }

    /// Whether it still holds its vet's and room's time. An unknown state holds it: a slot is
    /// not offered again on a guess.
    public var holdsTime: Bool { self != .cancelada && self != .noAsistio }
}

/// The agenda's messages for refused bookings, shown to the user as they are.
public enum AgendaRules {
    public static let slotTaken = "Horario ocupado"
    public static let outsideSchedule = "Fuera del horario"
    /// The grid of the day view and of `Próximo libre`, in minutes.
    public static let slotMinutes = 15
    /// The longest appointment, in minutes.
    public static let maxMinutes = 720
    /// Reminders are queued this long before the appointment.
    public static let reminderLeadSeconds: Double = 24 * 3600
}
