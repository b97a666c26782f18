import Foundation
import VetCore
import VetStore

/// A consultation being typed is never lost: it is kept (`clinical_recovery`) a few seconds after
/// each change and on every way out the program sees (F10, a signal, a sign-out, the idle lock), and
/// forgotten once signed, saved as a draft or discarded. Its author gets it back at the next sign-in.
extension ClinicalFormScreen: KeepsTypedWork {
    /// Seconds between two writes while the vet keeps typing.
    static let keepEvery: TimeInterval = 3

    /// What is to be kept now, if anything: a consultation with something typed in it.
    var recovery: ClinicalRecovery? {
        guard kind == .consultation, dirty else { return nil }
        return ClinicalRecovery(id: recoveryID, userID: session.userID, petID: pet.id, consultationID: correcting?.id, input: consultationInput)
    }

    public func keepTypedWork(_ services: AppServices) throws {
        if let recovery { try services.store.keepRecovery(recovery) }
    }

    struct Kept {}

    /// Keeps the form now if the last write is old enough; else on a coming tick.
    mutating func autosave(_ now: Date) -> Command {
        guard let recovery else { return .none }
        if let keptAt, now.timeIntervalSince(keptAt) < Self.keepEvery, now >= keptAt {
            unkept = true
            return .none
        }
        keptAt = now
        unkept = false
        // Typing does not wait for the write.
        return .background { services in
            try services.store.keepRecovery(recovery)
            return Kept()
        }
    }

    func dropRecovery() -> Command {
        guard kind == .consultation else { return .none }
        let id = recoveryID
        return .perform { services in
            try services.store.dropRecovery(id: id)
            return Kept()
        }
    }

    /// Puts kept values back in the form.
    mutating func fill(_ c: ConsultationInput) {
        form["reason"] = c.reason; form["anamnesis"] = c.anamnesis; form["weight"] = c.weight; form["temperature"] = c.temperature
        form["heartRate"] = c.heartRate; form["respRate"] = c.respRate; form["mucous"] = c.mucous; form["crt"] = c.capillaryRefill
        form["bodyCondition"] = c.bodyCondition; form["dxPresumptive"] = c.dxPresumptive; form["dxDefinitive"] = c.dxDefinitive; form["plan"] = c.plan
    }
}
