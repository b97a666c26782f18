/// Where an appointment is in the day's flow: reservada → en_espera (llegó) → en_consulta →
/// atendida; or cancelada (with a reason) / no_asistio.
public enum AppointmentStatus: String, CaseIterable, Sendable, Codable {
    case reservada
    case enEspera = "en_espera"
    case enConsulta = "en_consulta"
    case atendida
    case cancelada
    case noAsistio = "no_asistio"

    public var label: String {
        switch self {
        case .reservada: "Reservada"
        case .enEspera: "En espera"
        case .enConsulta: "En consulta"
        case .atendida: "Atendida"
        case .cancelada: "Cancelada"
        case .noAsistio: "No asistió"
        }
    }

    /// Whether it still holds its vet's and room's time.
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
