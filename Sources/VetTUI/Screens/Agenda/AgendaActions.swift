import VetCore
import VetStore

/// What the agenda's screens do to an appointment from the keyboard, the same on every screen.
enum AgendaActions {
    /// A finished action, with the toast it leaves.
    struct Done { let text: String }

    /// `k`: the vet calls the pet in.
    static func callIn(_ item: AgendaItem, by session: Session) -> Command {
        let id = item.id, pet = item.petName
        return .perform { services in
            try services.store.callIn(appointmentID: id, by: session)
            return Done(text: "\(pet) en consulta")
        }
    }

    /// `a`: the appointment was attended.
    static func markAttended(_ item: AgendaItem, by session: Session) -> Command {
        let id = item.id, pet = item.petName
        return .perform { services in
            try services.store.markAttended(appointmentID: id, by: session)
            return Done(text: "\(pet): Atendida")
        }
    }
}
