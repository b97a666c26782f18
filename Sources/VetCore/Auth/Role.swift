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

    /// `nil` when acceptable, else the message for the user.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < 4 { return "La clave debe tener al menos 4 caracteres" }
        if password.count > 64 { return "La clave admite como máximo 64 caracteres" }
        return nil
    }
}
