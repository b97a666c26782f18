/// Where a queued message (a reminder) is: waiting to be sent, sent, failed, or cancelled with its
/// appointment.
///
/// Stored as its text; a value this version does not know reads as `.unknown(text)`, is never
/// taken for a pending message, and is written back with the same text.
public enum OutboxState: Hashable, Sendable, CaseIterable, RawRepresentable, Codable {
    case pendiente
    case enviado
    case fallido
    case cancelado
    case unknown(String)

    public static let allCases: [OutboxState] = [.pendiente, .enviado, .fallido, .cancelado]

    public init(rawValue: String) {
        self = Self.allCases.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .pendiente: "pendiente"
        case .enviado: "enviado"
        case .fallido: "fallido"
        case .cancelado: "cancelado"
        case .unknown(let text): text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
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
