import Foundation
import GRDB
import VetCore

/// The result of saving a form: the row saved, the problems per field (nothing written), or, for a
/// new owner whose document is already registered, the existing owner (nothing written).
public enum SaveOutcome<Value: Sendable>: Sendable {
    case saved(Value)
    case invalid(FieldProblems)
    case existing(Owner)
}

extension SedeStore {
    /// Today in Lima by this store's clock.
    public var today: CivilDate { CivilDate(limaDayOf: clock.now) }

    /// Runs a write, turning the database's clinical rules (triggers) into the user's message.
    func writeChecked<T>(user: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try write(user: user, body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError.refused(.recordLocked, error.message ?? "Regla de la historia clínica")
        }
    }

    // MARK: Owners

    /// The owner with this document, following merges to the owner that lives on.
    public func findOwner(docType: DocumentType, docNumber: String) throws -> Owner? {
        try read { db in
            guard var owner = try Owner.filter(sql: "doc_type = ? AND doc_number = ?", arguments: [docType.rawValue, docNumber.uppercased()])
                .order(sql: "merged_into IS NOT NULL, created_at").fetchOne(db) else { return nil }
            var hops = 0
            while let next = owner.mergedInto, hops < 10, let kept = try Owner.fetchOne(db, key: next) { owner = kept; hops += 1 }
            return owner
        }
    }

    public func owner(id: String) throws -> Owner? { try read { db in try Owner.fetchOne(db, key: id) } }

    /// Saves a new owner (`id == nil`) or changes an existing one. A new owner whose document is
    /// already registered is not created: the existing owner is returned instead.
    public func saveOwner(_ input: OwnerInput, id: String? = nil, by session: Session) throws -> SaveOutcome<Owner> {
        try session.require(.editPatients, "Su rol no permite registrar propietarios")
        var input = input
        input.homeDistrict = try homeDistrict()
        let problems = input.problems()
        if !problems.isEmpty { return .invalid(problems) }
        let doc = input.normalizedDocNumber
        let now = nowText
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Owner> in
            if let existing = try Owner.filter(sql: "doc_type = ? AND doc_number = ? AND merged_into IS NULL",
                                               arguments: [input.docType.rawValue, doc]).fetchOne(db), existing.id != id {
                if id == nil { return .existing(existing) }
                return .invalid(["doc": "Documento ya registrado para \(existing.fullName)"])
            }
            var owner: Owner
            if let id {
                guard let found = try Owner.fetchOne(db, key: id) else { throw StoreError.notFound("El propietario ya no existe") }
                owner = found
            } else {
                owner = Owner(id: newID(), docType: input.docType, docNumber: doc, firstNames: "", lastNames: "", createdAt: now, updatedAt: now)
            }
            let district = input.resolvedDistrict
            owner.docType = input.docType
            owner.docNumber = doc
            owner.firstNames = input.firstNames.trimmingCharacters(in: .whitespaces)
            owner.lastNames = input.lastNames.trimmingCharacters(in: .whitespaces)
            owner.phone = PhoneRules.normalize(input.phone)
            owner.phone2 = PhoneRules.normalize(input.phone2)
            owner.email = input.email.trimmingCharacters(in: .whitespaces).lowercased().nilIfEmpty
            owner.address = input.address.trimmingCharacters(in: .whitespaces).nilIfEmpty
            owner.district = district?.name
            owner.ubigeo = district?.code
            owner.consentWhatsapp = input.consentWhatsApp
            owner.consentEmail = input.consentEmail
            owner.updatedAt = now
            if id == nil { try owner.insert(db) } else { try owner.update(db) }
            return .saved(owner)
        }
    }

    /// The owner's pets (and those of owners merged into it), living first, by name.
    public func pets(ofOwner ownerID: String) throws -> [Pet] {
        try read { db in
            try Pet.fetchAll(db, sql: """
                SELECT * FROM pets WHERE merged_into IS NULL AND owner_id IN (
                    WITH RECURSIVE g(id) AS (SELECT ? UNION SELECT o.id FROM owners o JOIN g ON o.merged_into = g.id) SELECT id FROM g)
                ORDER BY deceased_on IS NOT NULL, name
                """, arguments: [ownerID])
        }
    }

    // MARK: Pets

    public func pet(id: String) throws -> Pet? { try read { db in try Pet.fetchOne(db, key: id) } }

    /// Saves a new pet of `ownerID` or changes an existing one (its owner changes through `changeOwner`).
    /// A weight, when given, goes to the weight history.
    public func savePet(_ input: PetInput, ownerID: String, id: String? = nil, by session: Session) throws -> SaveOutcome<Pet> {
        try session.require(.editPatients, "Su rol no permite registrar mascotas")
        let today = self.today
        var problems = input.problems(today: today)
        if !problems.isEmpty { return .invalid(problems) }
        let chip = input.microchip.trimmingCharacters(in: .whitespaces).nilIfEmpty
        let now = nowText
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Pet> in
            guard try Owner.fetchOne(db, key: ownerID) != nil else { throw StoreError.notFound("El propietario ya no existe") }
            if let chip, let other = try Pet.filter(sql: "microchip = ?", arguments: [chip]).fetchOne(db), other.id != id {
                problems["chip"] = "Microchip ya registrado para \(other.name)"
                return .invalid(problems)
            }
            var pet: Pet
            if let id {
                guard let found = try Pet.fetchOne(db, key: id) else { throw StoreError.notFound("La mascota ya no existe") }
                pet = found
            } else {
                pet = Pet(id: newID(), ownerId: ownerID, name: "", species: "", createdAt: now, updatedAt: now)
            }
            let birth = input.birth(today: today)
            pet.name = input.name.trimmingCharacters(in: .whitespaces)
            pet.species = input.parsedSpecies?.rawValue ?? Species.otro.rawValue
            pet.breed = input.breed.trimmingCharacters(in: .whitespaces).nilIfEmpty
            pet.sex = input.parsedSex?.rawValue
            pet.neutered = input.neutered
            if let birth {
                pet.birthDate = birth.date.iso
                pet.birthEstimated = birth.estimated
            } else if id == nil {
                pet.birthDate = nil
            }
            pet.color = input.color.trimmingCharacters(in: .whitespaces).nilIfEmpty
            pet.microchip = chip
            pet.alerts = input.alertList.isEmpty ? nil : input.alertList.joined(separator: "; ")
            pet.deceasedOn = CivilDate(display: input.deceasedOn)?.iso
            pet.updatedAt = now
            if id == nil { try pet.insert(db) } else { try pet.update(db) }
            if let grams = WeightRules.grams(fromKilograms: input.weight), grams > 0 {
                try Self.recordWeight(petID: pet.id, grams: grams, sourceID: nil, store: self, user: session, db)
            }
            return .saved(pet)
        }
    }

    static func recordWeight(petID: String, grams: Int64, sourceID: String?, store: SedeStore, user: Session, _ db: Database) throws {
        let last = try Int64.fetchOne(db, sql: "SELECT grams FROM pet_weights WHERE pet_id = ? ORDER BY measured_at DESC LIMIT 1", arguments: [petID])
        if last == grams && sourceID == nil { return }
        try PetWeight(id: store.newID(), petId: petID, grams: grams, measuredAt: store.nowText, sedeId: user.sede.id,
                      userId: user.userID, sourceId: sourceID).insert(db)
    }

    /// Adds a weighing to the pet's history.
    public func recordWeight(petID: String, grams: Int64, by session: Session) throws {
        try session.require(.editPatients, "Su rol no permite registrar pesos")
        guard let pet = try pet(id: petID) else { throw StoreError.notFound("La mascota ya no existe") }
        if let m = WeightRules.problem(grams: grams, species: pet.speciesValue ?? .otro) { throw StoreError.invalid(m) }
        try writeChecked(user: session.userID) { db in
            try PetWeight(id: newID(), petId: petID, grams: grams, measuredAt: nowText, sedeId: session.sede.id,
                          userId: session.userID, sourceId: nil).insert(db)
        }
    }

    public func weights(petID: String) throws -> [PetWeight] {
        try read { db in try PetWeight.filter(sql: "pet_id = ?", arguments: [petID]).order(sql: "measured_at DESC").fetchAll(db) }
    }

    /// Gives the pet to another owner; the change is kept in the pet's history.
    public func changeOwner(petID: String, to ownerID: String, by session: Session) throws {
        try session.require(.editPatients, "Su rol no permite cambiar el propietario")
        try writeChecked(user: session.userID) { db in
            guard var pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota ya no existe") }
            guard try Owner.fetchOne(db, key: ownerID) != nil else { throw StoreError.notFound("El propietario ya no existe") }
            guard pet.ownerId != ownerID else { throw StoreError.conflict("La mascota ya es de ese propietario") }
            try Self.moveOwner(&pet, to: ownerID, store: self, session: session, db)
        }
    }

    static func moveOwner(_ pet: inout Pet, to ownerID: String, store: SedeStore, session: Session, _ db: Database) throws {
        let now = store.nowText
        try db.execute(sql: """
            INSERT INTO pet_owner_changes (id, pet_id, from_owner_id, to_owner_id, sede_id, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [store.newID(), pet.id, pet.ownerId, ownerID, session.sede.id, session.userID, now])
        pet.ownerId = ownerID
        pet.updatedAt = now
        try pet.update(db)
    }

    // MARK: Clinical record

    /// Whether a signed consultation can no longer be changed (24 h after signing, by this store's clock).
    public func isLocked(_ consultation: Consultation) -> Bool {
        guard let signed = consultation.signedAt.flatMap(LimaTime.parseISO8601) else { return false }
        return clock.now.timeIntervalSince(signed) >= ClinicalRules.lockSeconds
    }

    /// Writes a new consultation, or corrects one (its author only, until it is locked). `sign` signs it now.
    public func saveConsultation(_ input: ConsultationInput, petID: String, id: String? = nil, sign: Bool,
                                 by session: Session) throws -> SaveOutcome<Consultation> {
        try session.require(.writeClinicalRecords, "Solo un veterinario escribe en la historia clínica")
        guard let pet = try pet(id: petID) else { throw StoreError.notFound("La mascota ya no existe") }
        let problems = input.problems(species: pet.speciesValue ?? .otro)
        if !problems.isEmpty { return .invalid(problems) }
        let now = nowText
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Consultation> in
            var c: Consultation
            var previous: Consultation?
            if let id {
                guard let found = try Consultation.fetchOne(db, key: id) else { throw StoreError.notFound("La consulta ya no existe") }
                guard found.vetId == session.userID else { throw StoreError.forbidden("Solo el veterinario que la escribió puede corregirla; agregue una adenda") }
                if isLocked(found) { throw StoreError.refused(.recordLocked, ClinicalRules.lockedMessage) }
                c = found
                previous = found
            } else {
                c = Consultation(id: newID(), petId: petID, sedeId: session.sede.id, vetId: session.userID, seenAt: now,
                                 reason: "", createdAt: now, updatedAt: now)
            }
            c.reason = input.reason.trimmingCharacters(in: .whitespaces)
            c.anamnesis = input.anamnesis.trimmingCharacters(in: .whitespaces).nilIfEmpty
            c.weightGrams = WeightRules.grams(fromKilograms: input.weight)
            c.temperatureDc = VitalRules.tenths(input.temperature)
            c.heartRate = Int(input.heartRate.trimmingCharacters(in: .whitespaces))
            c.respRate = Int(input.respRate.trimmingCharacters(in: .whitespaces))
            c.mucous = input.mucous.trimmingCharacters(in: .whitespaces).nilIfEmpty
            c.crtSeconds = Int(input.capillaryRefill.trimmingCharacters(in: .whitespaces))
            c.bodyCondition = Int(input.bodyCondition.trimmingCharacters(in: .whitespaces))
            c.dxPresumptive = input.dxPresumptive.trimmingCharacters(in: .whitespaces).nilIfEmpty
            c.dxDefinitive = input.dxDefinitive.trimmingCharacters(in: .whitespaces).nilIfEmpty
            c.plan = input.plan.trimmingCharacters(in: .whitespaces).nilIfEmpty
            // A draft's weight becomes the pet's weight when it is signed, not before.
            let signingNow = sign && c.signedAt == nil
            if signingNow { c.signedAt = now }
            c.updatedAt = now
            if id == nil { try c.insert(db) } else { try c.update(db) }
            if let grams = c.weightGrams, signingNow {
                try Self.recordWeight(petID: petID, grams: grams, sourceID: c.id, store: self, user: session, db)
            }
            // A correction of a signed consultation keeps what it replaced, as an addendum under it.
            if let previous, previous.signedAt != nil {
                let replaced = ClinicalCorrection.replaced(old: previous, new: c)
                if !replaced.isEmpty {
                    try ConsultationAddendum(id: newID(), consultationId: c.id, sedeId: session.sede.id, authorId: session.userID,
                                             text: "Corregida. Antes: " + replaced.joined(separator: "; "), createdAt: now).insert(db)
                }
            }
            return .saved(c)
        }
    }

    /// Signs a draft consultation (its author only).
    public func signConsultation(id: String, by session: Session) throws {
        try writeChecked(user: session.userID) { db in
            guard var c = try Consultation.fetchOne(db, key: id) else { throw StoreError.notFound("La consulta ya no existe") }
            guard c.vetId == session.userID else { throw StoreError.forbidden("Solo el veterinario que la escribió puede firmarla") }
            guard c.signedAt == nil else { throw StoreError.conflict("La consulta ya está firmada") }
            let now = nowText
            c.signedAt = now
            c.updatedAt = now
            try c.update(db)
            if let grams = c.weightGrams {
                try Self.recordWeight(petID: c.petId, grams: grams, sourceID: c.id, store: self, user: session, db)
            }
        }
    }

    public func consultation(id: String) throws -> Consultation? { try read { db in try Consultation.fetchOne(db, key: id) } }

    public func addenda(consultationID: String) throws -> [ConsultationAddendum] {
        try read { db in
            try ConsultationAddendum.filter(sql: "consultation_id = ?", arguments: [consultationID]).order(sql: "created_at").fetchAll(db)
        }
    }

    /// Adds a correction under a signed consultation (any vet).
    @discardableResult
    public func addAddendum(consultationID: String, text: String, by session: Session) throws -> ConsultationAddendum {
        try session.require(.writeClinicalRecords, "Solo un veterinario escribe en la historia clínica")
        let body = text.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else { throw StoreError.invalid("Escriba el texto de la adenda") }
        return try writeChecked(user: session.userID) { db in
            guard let c = try Consultation.fetchOne(db, key: consultationID) else { throw StoreError.notFound("La consulta ya no existe") }
            guard c.signedAt != nil else { throw StoreError.conflict("La consulta no está firmada: corríjala directamente") }
            let addendum = ConsultationAddendum(id: newID(), consultationId: consultationID, sedeId: session.sede.id,
                                                authorId: session.userID, text: body, createdAt: nowText)
            try addendum.insert(db)
            return addendum
        }
    }

    /// Records a vaccination or deworming given today or earlier.
    public func recordVaccination(_ input: VaccinationInput, petID: String, by session: Session) throws -> SaveOutcome<Vaccination> {
        try session.require(.writeClinicalRecords, "Solo un veterinario registra vacunas y desparasitaciones")
        let problems = input.problems(today: today)
        if !problems.isEmpty { return .invalid(problems) }
        guard let expiry = CivilDate(display: input.expiry), let applied = CivilDate(display: input.appliedOn) else {
            return .invalid(["appliedOn": "Fecha no válida (dd/mm/aaaa)"])
        }
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Vaccination> in
            guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota ya no existe") }
            if let d = pet.deceasedOn { throw StoreError.conflict("\(pet.name) falleció el \(CivilDate(iso: d)?.display ?? d)") }
            let v = Vaccination(id: newID(), petId: petID, kind: input.kind.rawValue,
                                product: input.product.trimmingCharacters(in: .whitespaces),
                                lot: input.lot.trimmingCharacters(in: .whitespaces).uppercased(),
                                expiry: expiry.iso, appliedOn: applied.iso,
                                nextDue: CivilDate(display: input.nextDue)?.iso, sedeId: session.sede.id, vetId: session.userID,
                                createdAt: nowText)
            try v.insert(db)
            return .saved(v)
        }
    }

    /// Issues a prescription of one or more drugs. Problems are those of the first incomplete drug.
    /// A drug that matches one of the pet's alerts (`AllergyRules`) is refused with
    /// `ConfirmationNeeded` (code `allergy_alert`, one line per match) until the vet confirms it;
    /// the confirmed matches are kept in the prescription's `allergy_override`.
    public func issuePrescription(items: [PrescriptionItemInput], petID: String, consultationID: String? = nil,
                                  allergyConfirmed: Bool = false, by session: Session) throws -> SaveOutcome<Prescription> {
        try session.require(.writeClinicalRecords, "Solo un veterinario emite recetas")
        guard !items.isEmpty else { return .invalid(["drug": "Agregue al menos un medicamento"]) }
        for item in items {
            let p = item.problems()
            if !p.isEmpty { return .invalid(p) }
        }
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Prescription> in
            guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota ya no existe") }
            let conflicts = AllergyRules.conflicts(drugs: items.map(\.drug), alerts: pet.alertList)
            if !conflicts.isEmpty && !allergyConfirmed {
                throw ConfirmationNeeded(code: "allergy_alert", message: conflicts.map(\.line).joined(separator: "\n"))
            }
            let rx = Prescription(id: newID(), petId: petID, consultationId: consultationID, sedeId: session.sede.id,
                                  vetId: session.userID, createdAt: nowText,
                                  allergyOverride: conflicts.isEmpty ? nil : conflicts.map(\.line).joined(separator: "; "))
            try rx.insert(db)
            for item in items {
                guard let itemID = item.itemID else { continue }
                guard let product = try Self.catalogItem(id: itemID, db), product.isProduct, product.active else {
                    throw StoreError.notFound("El producto recetado no está en el catálogo")
                }
            }
            for (i, item) in items.enumerated() {
                try PrescriptionItem(id: newID(), prescriptionId: rx.id, position: i + 1,
                                     drug: item.drug.trimmingCharacters(in: .whitespaces), dose: item.dose.trimmingCharacters(in: .whitespaces),
                                     frequency: item.frequency.trimmingCharacters(in: .whitespaces),
                                     duration: item.duration.trimmingCharacters(in: .whitespaces),
                                     instructions: item.instructions.trimmingCharacters(in: .whitespaces).nilIfEmpty,
                                     itemId: item.itemID, quantity: item.itemID == nil ? nil : item.quantity).insert(db)
            }
            return .saved(rx)
        }
    }

    /// Attaches a file (lab result, image) that exists at `path` on this host.
    public func addAttachment(petID: String, path: String, description: String, by session: Session) throws -> SaveOutcome<Attachment> {
        try session.require(.writeClinicalRecords, "Solo un veterinario adjunta a la historia clínica")
        var problems = FieldProblems()
        let p = path.trimmingCharacters(in: .whitespaces)
        var isDirectory: ObjCBool = false
        if p.isEmpty { problems["path"] = "Ingrese la ruta del archivo" }
        else if !p.hasPrefix("/") { problems["path"] = "Use la ruta completa (empieza con /)" }
        else if !FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory) || isDirectory.boolValue {
            problems["path"] = "No existe el archivo"
        }
        let d = description.trimmingCharacters(in: .whitespaces)
        if d.isEmpty { problems["description"] = "Describa el adjunto (ej. hemograma)" }
        if !problems.isEmpty { return .invalid(problems) }
        return try writeChecked(user: session.userID) { db -> SaveOutcome<Attachment> in
            let a = Attachment(id: newID(), petId: petID, path: p, description: d, sedeId: session.sede.id, userId: session.userID, createdAt: nowText)
            try a.insert(db)
            return .saved(a)
        }
    }
}

/// What a correction of a signed consultation replaced, field by field, as the history shows it.
enum ClinicalCorrection {
    static func replaced(old: Consultation, new: Consultation) -> [String] {
        func text(_ value: String?) -> String { value.map { "«\($0)»" } ?? "—" }
        let fields: [(String, String?, String?)] = [
            ("Motivo", old.reason, new.reason),
            ("Anamnesis", old.anamnesis, new.anamnesis),
            ("Peso", old.weightGrams.map { WeightRules.kilograms($0) + " kg" }, new.weightGrams.map { WeightRules.kilograms($0) + " kg" }),
            ("Temperatura", old.temperatureDc.map { "\($0 / 10),\($0 % 10) °C" }, new.temperatureDc.map { "\($0 / 10),\($0 % 10) °C" }),
            ("FC", old.heartRate.map(String.init), new.heartRate.map(String.init)),
            ("FR", old.respRate.map(String.init), new.respRate.map(String.init)),
            ("Mucosas", old.mucous, new.mucous),
            ("TLLC", old.crtSeconds.map(String.init), new.crtSeconds.map(String.init)),
            ("Condición corporal", old.bodyCondition.map(String.init), new.bodyCondition.map(String.init)),
            ("Dx presuntivo", old.dxPresumptive, new.dxPresumptive),
            ("Dx definitivo", old.dxDefinitive, new.dxDefinitive),
            ("Plan", old.plan, new.plan),
        ]
        return fields.filter { $0.1 != $0.2 }.map { "\($0.0) \(text($0.1))" }
    }
}

/// The rules of the clinical record that do not depend on storage.
public enum ClinicalRules {
    /// A signed consultation locks this long after signing.
    public static let lockSeconds: TimeInterval = 24 * 3600
    public static let lockedMessage = "Consulta firmada y bloqueada (más de 24 h): solo se admiten adendas"
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
