/// What a user may do at a sede.
public enum Role: String, CaseIterable, Sendable, Codable {
    case recepcionista
    case veterinario
    case farmacia
    case supervisor
    case administrador

    public var label: String {
        switch self {
        case .recepcionista: "Recepción"
        case .veterinario: "Veterinario"
        case .farmacia: "Farmacia"
        case .supervisor: "Supervisor"
        case .administrador: "Administrador"
        }
    }
}

/// Rules for PINs and passwords.
public enum Credentials {
    public static let maxFailures = 5
    public static let lockoutSeconds: Int64 = 5 * 60
    /// bcrypt cost of every new clave, at the sede and at the central.
    public static let bcryptCost: UInt8 = 12
    /// Shortest clave accepted for a new user (the demo's `1234` exists only in a demo database).
    public static let minimumLength = 6

    /// `nil` when acceptable, else the message for the user.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumLength { return "La clave debe tener al menos \(minimumLength) caracteres" }
        if password.count > 64 { return "La clave admite como máximo 64 caracteres" }
        return nil
    }
}
