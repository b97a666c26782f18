import VetCore
import VetStore

/// Every screen a signed-in user can open, with the permission that opens it and its key. The home
/// screen and the global F-keys read this one list and the permission table, so a role sees exactly
/// what exists and what it may use.
public struct CatalogEntry: Sendable {
    public var id: String
    public var title: String
    public var summary: String
    /// F-key that opens it from anywhere (F2–F8), if any.
    public var functionKey: Int?
    /// Letter that opens it from the home screen.
    public var letter: Character
    /// The permission (`Permission.roles`) that lets a session open it.
    public var permission: Permission
    public var make: @Sendable (Session) -> any Screen
}

public enum Catalog {
    public static let entries: [CatalogEntry] = [
        CatalogEntry(id: "search", title: "Buscar", summary: "Paciente por mascota, propietario, documento, teléfono o microchip",
                     functionKey: 2, letter: "s", permission: .searchPatients,
                     make: { session in PatientSearchScreen(session: session) }),
        CatalogEntry(id: "patients", title: "Pacientes", summary: "Propietarios, mascotas e historia clínica",
                     functionKey: 4, letter: "p", permission: .searchPatients,
                     make: { session in PatientSearchScreen(session: session, heading: "Pacientes") }),
        CatalogEntry(id: "agenda", title: "Agenda", summary: "Citas del día por veterinario, reservas, llegadas y sin cita",
                     functionKey: 3, letter: "a", permission: .viewAgenda,
                     make: { session in AgendaScreen(session: session) }),
        CatalogEntry(id: "waiting", title: "Sala de espera", summary: "Pacientes que llegaron, con su tiempo de espera y alertas",
                     functionKey: nil, letter: "e", permission: .viewAgenda,
                     make: { session in WaitingRoomScreen(session: session) }),
        CatalogEntry(id: "pharmacy", title: "Farmacia", summary: "Stock, lotes y vencimientos, recepción, dispensación y alertas",
                     functionKey: 5, letter: "f", permission: .viewStock,
                     make: { session in StockScreen(session: session) }),
        CatalogEntry(id: "till", title: "Caja", summary: "Cobro de cargos pendientes, pagos por todo medio, comprobantes, anulaciones",
                     functionKey: 6, letter: "j", permission: .charge,
                     make: { session in TillScreen(session: session) }),
        CatalogEntry(id: "cashclose", title: "Cierre", summary: "Cierres de caja: conteos, diferencias, notas, firmas y reportes X/Z",
                     functionKey: 7, letter: "z", permission: .superviseCash,
                     make: { session in CashCloseListScreen(session: session) }),
        CatalogEntry(id: "fiscal", title: "SUNAT", summary: "Comprobantes electrónicos: estado ante SUNAT, plazos, rechazos y CDR",
                     functionKey: 8, letter: "t", permission: .superviseFiscal,
                     make: { session in FiscalScreen(session: session) }),
        CatalogEntry(id: "users", title: "Usuarios y roles", summary: "Personal de la sede y sus permisos",
                     functionKey: nil, letter: "u", permission: .manageUsers,
                     make: { _ in UsersScreen() }),
        CatalogEntry(id: "sync", title: "Sincronización", summary: "Rechazos de la central y conflictos de edición",
                     functionKey: nil, letter: "c", permission: .reviewSync,
                     make: { _ in SyncScreen() }),
        CatalogEntry(id: "lock", title: "Bloquear terminal", summary: "Deja la sesión abierta y pide la clave al volver",
                     functionKey: nil, letter: "b", permission: .lockTerminal,
                     make: { session in LockScreen(session: session, byUser: true) }),
    ]

    /// The screen a role starts on, over its home menu (Esc goes back to the menu): the agenda is
    /// the receptionist's home.
    public static func landing(for session: Session) -> CatalogEntry? {
        session.mainRole == .recepcionista ? entries.first { $0.id == "agenda" } : nil
    }

    public static func available(to session: Session) -> [CatalogEntry] {
        entries.filter { session.may($0.permission) }
    }
}
