/// Where a queued message (a reminder) is: waiting to be sent, sent, failed, or cancelled with its
/// appointment.
///
/// Stored as its text; a value this version does not know reads as `.unknown(text)`, is never
/// taken for a pending message, and is written back with the same text.
public enum OutboxState: TextEnum {
    case pendiente
    case enviado
    case fallido
    case cancelado
    case unknown(String)

    public static let allCases: [OutboxState] = [.pendiente, .enviado, .fallido, .cancelado]

    public var rawValue: String {
        switch self {
        case .pendiente: "pendiente"
        case .enviado: "enviado"
        case .fallido: "fallido"
        case .cancelado: "cancelado"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .pendiente: "Pendiente"
        case .enviado: "Enviado"
        case .fallido: "Fallido"
        case .cancelado: "Cancelado"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }
}
