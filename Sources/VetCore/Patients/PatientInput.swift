import Foundation

/// An owner as typed in the owner form. `problems()` gives the message for each wrong field.
public struct OwnerInput: Sendable, Equatable {
    public var docType: DocumentType
    public var docNumber: String
    public var firstNames: String
    public var lastNames: String
    public var phone: String
    public var phone2: String
    public var email: String
    public var address: String
    /// A district name (`miraflores`, `miraflores, arequipa`) or a 6-digit ubigeo code.
    public var district: String
    public var consentWhatsApp: Bool
    public var consentEmail: Bool
    /// The sede's own district: a bare district name is looked for in its province first.
    public var homeDistrict: District?

    public init(docType: DocumentType = .dni, docNumber: String = "", firstNames: String = "", lastNames: String = "",
                phone: String = "", phone2: String = "", email: String = "", address: String = "", district: String = "",
                consentWhatsApp: Bool = false, consentEmail: Bool = false) {
        self.docType = docType; self.docNumber = docNumber; self.firstNames = firstNames; self.lastNames = lastNames
        self.phone = phone; self.phone2 = phone2; self.email = email; self.address = address; self.district = district
        self.consentWhatsApp = consentWhatsApp; self.consentEmail = consentEmail
    }

    /// The longest first or last names accepted (a company's name, for a RUC, goes in the first).
    public static let nameMaxLength = 60

    /// The document number as stored: trimmed, letters upper-cased.
    public var normalizedDocNumber: String { docNumber.trimmingCharacters(in: .whitespaces).uppercased() }

    /// The district the text names, when it names exactly one.
    public var resolvedDistrict: District? {
        let matches = Ubigeo.matches(district, home: homeDistrict)
        return matches.count == 1 ? matches[0] : nil
    }

    public func problems() -> FieldProblems {
        var p = FieldProblems()
        if let m = DocumentValidation.problem(type: docType, number: normalizedDocNumber) { p["doc"] = m }
        if firstNames.trimmingCharacters(in: .whitespaces).isEmpty { p["firstNames"] = "Ingrese los nombres" }
        else if let m = NameRules.problem(firstNames, maxLength: Self.nameMaxLength) { p["firstNames"] = m }
        if lastNames.trimmingCharacters(in: .whitespaces).isEmpty && docType != .ruc { p["lastNames"] = "Ingrese los apellidos" }
        else if let m = NameRules.problem(lastNames, maxLength: Self.nameMaxLength) { p["lastNames"] = m }
        if phone.trimmingCharacters(in: .whitespaces).isEmpty {
            p["phone"] = "Ingrese un celular o teléfono"
        } else if let m = PhoneRules.problem(phone) { p["phone"] = m }
        if let m = PhoneRules.problem(phone2) { p["phone2"] = m }
        if let m = EmailRules.problem(email) { p["email"] = m }
        if consentEmail && email.trimmingCharacters(in: .whitespaces).isEmpty {
            p["email"] = "Para recordatorios por correo, ingrese el correo"
        }
        if !district.trimmingCharacters(in: .whitespaces).isEmpty {
            let matches = Ubigeo.matches(district, home: homeDistrict)
            if matches.isEmpty {
                p["district"] = "Distrito no encontrado en el ubigeo"
            } else if matches.count > 1 {
                let options = matches.prefix(3).map { "\($0.name), \($0.province)" }.joined(separator: " · ")
                p["district"] = "\(matches.count) distritos: precise (\(options)) o use el código"
            }
        }
        return p
    }
}

/// A pet as typed in the pet form.
public struct PetInput: Sendable, Equatable {
    public var name: String
    public var species: String
    public var breed: String
    public var sex: String
    public var neutered: Bool
    /// `dd/mm/aaaa`; or leave empty and give `approximateAge`.
    public var birthDate: String
    public var approximateAge: String
    public var color: String
    public var microchip: String
    /// Kilograms (`4,25`); recorded in the weight history when given.
    public var weight: String
    /// Separated by `;` or `,`.
    public var alerts: String
    /// `dd/mm/aaaa` when the pet died.
    public var deceasedOn: String

    public init(name: String = "", species: String = "perro", breed: String = "", sex: String = "", neutered: Bool = false,
                birthDate: String = "", approximateAge: String = "", color: String = "", microchip: String = "",
                weight: String = "", alerts: String = "", deceasedOn: String = "") {
        self.name = name; self.species = species; self.breed = breed; self.sex = sex; self.neutered = neutered
        self.birthDate = birthDate; self.approximateAge = approximateAge; self.color = color; self.microchip = microchip
        self.weight = weight; self.alerts = alerts; self.deceasedOn = deceasedOn
    }

    /// The longest pet name accepted.
    public static let nameMaxLength = 40

    public var parsedSpecies: Species? { Species(loose: species) }

    public var parsedSex: PetSex? {
        switch Ubigeo.fold(sex) {
        case "m", "macho": .male
        case "h", "hembra": .female
        default: nil
        }
    }

    /// Alerts one per entry, trimmed, without repeats.
    public var alertList: [String] {
        var seen = Set<String>()
        return alerts.split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert(Ubigeo.fold($0)).inserted }
    }

    /// The birth date given, or estimated from the approximate age, and whether it was estimated.
    public func birth(today: CivilDate) -> (date: CivilDate, estimated: Bool)? {
        if let d = CivilDate(display: birthDate) { return (d, false) }
        if let months = BirthRules.approximateMonths(approximateAge) { return (today.adding(months: -months), true) }
        return nil
    }

    public func problems(today: CivilDate) -> FieldProblems {
        var p = FieldProblems()
        if name.trimmingCharacters(in: .whitespaces).isEmpty { p["name"] = "Ingrese el nombre" }
        else if let m = NameRules.problem(name, maxLength: Self.nameMaxLength) { p["name"] = m }
        let species = parsedSpecies
        if species == nil { p["species"] = "Especie: " + Species.allCases.map(\.rawValue).joined(separator: ", ") }
        if !sex.trimmingCharacters(in: .whitespaces).isEmpty && parsedSex == nil { p["sex"] = "Sexo: M (macho) o H (hembra)" }
        if let m = BirthRules.problem(birthDate, today: today) { p["birth"] = m }
        if let m = BirthRules.ageProblem(approximateAge) { p["age"] = m }
        if let m = MicrochipRules.problem(microchip) { p["chip"] = m }
        if let species, let m = WeightRules.problem(weight, species: species) { p["weight"] = m }
        let deceased = deceasedOn.trimmingCharacters(in: .whitespaces)
        if !deceased.isEmpty {
            if let d = CivilDate(display: deceased) {
                if d > today { p["deceased"] = "La fecha de fallecimiento no puede ser futura" }
                else if let b = birth(today: today)?.date, d < b { p["deceased"] = "Fallece antes de nacer: revise las fechas" }
            } else {
                p["deceased"] = "Fecha no válida (dd/mm/aaaa)"
            }
        }
        return p
    }
}

/// A consultation as typed by the vet.
public struct ConsultationInput: Sendable, Equatable {
    public var reason = ""
    public var anamnesis = ""
    public var weight = ""
    public var temperature = ""
    public var heartRate = ""
    public var respRate = ""
    public var mucous = ""
    public var capillaryRefill = ""
    public var bodyCondition = ""
    public var dxPresumptive = ""
    public var dxDefinitive = ""
    public var plan = ""

    public init() {}

    public func problems(species: Species) -> FieldProblems {
        var p = FieldProblems()
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { p["reason"] = "Ingrese el motivo de consulta" }
        if let m = WeightRules.problem(weight, species: species) { p["weight"] = m }
        if let m = VitalRules.temperatureProblem(temperature) { p["temperature"] = m }
        if let m = VitalRules.integerProblem(heartRate, range: VitalRules.heartRate, what: "FC (lpm)") { p["heartRate"] = m }
        if let m = VitalRules.integerProblem(respRate, range: VitalRules.respiratoryRate, what: "FR (rpm)") { p["respRate"] = m }
        if let m = VitalRules.integerProblem(capillaryRefill, range: VitalRules.capillaryRefillSeconds, what: "TLLC (s)") { p["crt"] = m }
        if let m = VitalRules.integerProblem(bodyCondition, range: VitalRules.bodyCondition, what: "Condición corporal") { p["bodyCondition"] = m }
        return p
    }
}

/// A vaccination or deworming as typed.
public struct VaccinationInput: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case vaccine = "vacuna", deworming = "desparasitacion" }
    public var kind: Kind
    public var product: String
    public var lot: String
    /// `dd/mm/aaaa`.
    public var expiry: String
    public var appliedOn: String
    public var nextDue: String

    public init(kind: Kind = .vaccine, product: String = "", lot: String = "", expiry: String = "", appliedOn: String = "", nextDue: String = "") {
        self.kind = kind; self.product = product; self.lot = lot; self.expiry = expiry; self.appliedOn = appliedOn; self.nextDue = nextDue
    }

    public func problems(today: CivilDate) -> FieldProblems {
        var p = FieldProblems()
        if product.trimmingCharacters(in: .whitespaces).isEmpty { p["product"] = "Ingrese el producto" }
        if lot.trimmingCharacters(in: .whitespaces).isEmpty { p["lot"] = "Ingrese el lote" }
        let applied = CivilDate(display: appliedOn)
        if applied == nil { p["appliedOn"] = "Fecha no válida (dd/mm/aaaa)" }
        else if let applied, applied > today { p["appliedOn"] = "La fecha de aplicación no puede ser futura" }
        if let expiry = CivilDate(display: expiry) {
            if let applied, expiry < applied { p["expiry"] = "Producto vencido a la fecha de aplicación" }
        } else {
            p["expiry"] = "Fecha de vencimiento no válida (dd/mm/aaaa)"
        }
        if !nextDue.trimmingCharacters(in: .whitespaces).isEmpty {
            if let next = CivilDate(display: nextDue) {
                if let applied, next <= applied { p["nextDue"] = "La próxima dosis va después de la aplicación" }
            } else {
                p["nextDue"] = "Fecha no válida (dd/mm/aaaa)"
            }
        }
        return p
    }
}

/// One drug of a prescription.
public struct PrescriptionItemInput: Sendable, Equatable {
    public var drug: String
    public var dose: String
    public var frequency: String
    public var duration: String
    public var instructions: String
    /// The catalog item to dispense and how much of it, in its base unit (free text stays possible).
    public var itemID: String?
    public var quantity: Int64?

    public init(drug: String = "", dose: String = "", frequency: String = "", duration: String = "", instructions: String = "",
                itemID: String? = nil, quantity: Int64? = nil) {
        self.drug = drug; self.dose = dose; self.frequency = frequency; self.duration = duration; self.instructions = instructions
        self.itemID = itemID; self.quantity = quantity
    }

    public func problems() -> FieldProblems {
        var p = FieldProblems()
        if drug.trimmingCharacters(in: .whitespaces).isEmpty { p["drug"] = "Ingrese el medicamento" }
        if dose.trimmingCharacters(in: .whitespaces).isEmpty { p["dose"] = "Ingrese la dosis" }
        if frequency.trimmingCharacters(in: .whitespaces).isEmpty { p["frequency"] = "Ingrese la frecuencia" }
        if duration.trimmingCharacters(in: .whitespaces).isEmpty { p["duration"] = "Ingrese la duración" }
        if itemID != nil {
            if let quantity {
                if quantity <= 0 || quantity > StockRules.maxQuantity { p["quantity"] = "La cantidad a dispensar es un entero entre 1 y \(StockRules.maxQuantity)" }
            } else {
                p["quantity"] = "Indique la cantidad a dispensar"
            }
        }
        return p
    }
}
