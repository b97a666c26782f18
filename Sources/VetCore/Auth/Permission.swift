/// Something a user may do at a sede. The store refuses an operation whose permission the session
/// lacks, and the screens and the home menu ask the same question, so what a role sees is what it
/// may do. A new module adds cases here and a row in `roles`, not role checks in its code.
public enum Permission: String, CaseIterable, Sendable {
    /// Search owners and pets and read their records.
    case searchPatients = "search_patients"
    /// Open the agenda and the waiting room.
    case viewAgenda = "view_agenda"
    /// Book, move and cancel appointments, and mark them as missed.
    case bookAppointments = "book_appointments"
    /// Register arrivals (with or without an appointment) and undo them.
    case checkIn = "check_in"
    /// Call a waiting patient in and mark the appointment as attended.
    case attendPatients = "attend_patients"
    /// Calling in or attending a patient without a vet makes the caller its vet.
    case takeUnassignedPatients = "take_unassigned_patients"
    /// Book or move outside a vet's schedule.
    case overrideSchedule = "override_schedule"
    /// Register the arrival of an appointment of another day.
    case checkInOtherDay = "check_in_other_day"
    /// Add and arrange the sede's rooms.
    case configureRooms = "configure_rooms"
    /// Set the vets' weekly schedules.
    case editSchedules = "edit_schedules"
    /// Record days off and extra blocks in a vet's schedule.
    case recordScheduleExceptions = "record_schedule_exceptions"
    /// Register and edit owners and pets, weights and ownership changes.
    case editPatients = "edit_patients"
    /// Write consultations, addenda, vaccinations, prescriptions and attachments.
    case writeClinicalRecords = "write_clinical_records"
    /// Merge duplicate owners or pets.
    case mergePatients = "merge_patients"
    /// See the sede's users and their roles.
    case manageUsers = "manage_users"
    /// Lift a user's lockout before it expires.
    case unlockUsers = "unlock_users"
    /// Review the central's rejections and edit conflicts.
    case reviewSync = "review_sync"
    /// Lock the terminal, keeping the session open.
    case lockTerminal = "lock_terminal"
    /// See the catalog, prices, stock and lots (read-only).
    case viewStock = "view_stock"
    /// Receive goods, adjust, open packs, transfer, set levels, ask for replenishment and count stock.
    case manageStock = "manage_stock"
    /// Dispense prescriptions.
    case dispense
    /// Approve a stocktake's differences and settle the «Stock a regularizar» list.
    case approveStocktake = "approve_stocktake"
    /// Witness, with one's clave, an adjustment or write-off of a controlled drug.
    case witnessControlled = "witness_controlled"
    /// Add services and products used to a consultation or an appointment (pending charges).
    case addCharges = "add_charges"
    /// Change quantities of and remove pending charges before payment.
    case editCharges = "edit_charges"
    /// Charge owners: sales and payments at the till.
    case charge
    /// Open a cash drawer with its float.
    case openCashDrawer = "open_cash_drawer"
    /// Authorise with one's clave: discounts over a role's limit, voids, returns and balances left owing.
    case authorizeCheckout = "authorize_checkout"
    /// The F7 close screen: every drawer's figures, X reports of open drawers, and signing off closes.
    case superviseCash = "supervise_cash"
    /// The company's SUNAT data, its certificate and the sede's series.
    case configureFiscal = "configure_fiscal"
    /// The F8 SUNAT screen: every document's state and deadline, SUNAT's answers, and a new
    /// document for a sale whose document SUNAT rejected.
    case superviseFiscal = "supervise_fiscal"

    /// The table: the roles that grant this permission.
    public var roles: Set<Role> {
        switch self {
        case .searchPatients: Set(Role.allCases)
        case .viewAgenda: [.recepcionista, .veterinario, .supervisor, .administrador]
        case .bookAppointments: [.recepcionista, .veterinario, .supervisor, .administrador]
        case .checkIn: [.recepcionista, .veterinario, .supervisor, .administrador]
        case .attendPatients: [.veterinario, .supervisor]
        case .takeUnassignedPatients: [.veterinario]
        case .overrideSchedule: [.supervisor]
        case .checkInOtherDay: [.supervisor]
        case .configureRooms: [.supervisor, .administrador]
        case .editSchedules: [.supervisor, .administrador]
        case .recordScheduleExceptions: [.supervisor, .administrador]
        case .editPatients: [.recepcionista, .veterinario, .supervisor, .administrador]
        case .writeClinicalRecords: [.veterinario]
        case .mergePatients: [.supervisor]
        case .manageUsers: [.supervisor, .administrador]
        case .unlockUsers: [.supervisor, .administrador]
        case .reviewSync: [.supervisor, .administrador]
        case .lockTerminal: Set(Role.allCases)
        case .viewStock: Set(Role.allCases)
        case .manageStock: [.farmacia, .supervisor]
        case .dispense: [.veterinario, .farmacia, .supervisor]
        case .approveStocktake: [.supervisor]
        case .witnessControlled: [.veterinario, .farmacia, .supervisor]
        case .addCharges: [.recepcionista, .veterinario, .farmacia, .supervisor]
        case .editCharges: [.recepcionista, .supervisor]
        case .charge: [.recepcionista, .supervisor]
        case .openCashDrawer: [.recepcionista, .supervisor]
        case .authorizeCheckout: [.supervisor]
        case .superviseCash: [.supervisor]
        case .configureFiscal: [.administrador]
        case .superviseFiscal: [.supervisor, .administrador]
        }
    }
}

extension Role {
    /// The permissions this role grants, in the table's order.
    public var permissions: [Permission] { Permission.allCases.filter { $0.roles.contains(self) } }
}
