import GRDB
import VetCore

/// A consultation (shared, append-only once locked: 24 h after signing only addenda are accepted).
public struct Consultation: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consultations"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var petId: String
    public var sedeId: String
    public var vetId: String
    public var seenAt: String
    public var reason: String
    public var anamnesis: String?
    public var weightGrams: Int64?
    /// Tenths of a degree Celsius.
    public var temperatureDc: Int?
    public var heartRate: Int?
    public var respRate: Int?
    public var mucous: String?
    public var crtSeconds: Int?
    public var bodyCondition: Int?
    public var dxPresumptive: String?
    public var dxDefinitive: String?
    public var plan: String?
    public var signedAt: String?
    public var createdAt: String
    public var updatedAt: String
}

public struct ConsultationAddendum: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consultation_addenda"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var consultationId: String
    public var sedeId: String
    public var authorId: String
    public var text: String
    public var createdAt: String
}

/// A vaccination or deworming (append-only).
public struct Vaccination: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vaccinations"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var petId: String
    /// `vacuna` or `desparasitacion`.
    public var kind: String
    public var product: String
    public var lot: String
    /// `aaaa-mm-dd`.
    public var expiry: String
    public var appliedOn: String
    public var nextDue: String?
    public var sedeId: String
    public var vetId: String
    public var createdAt: String
}

public struct Prescription: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "prescriptions"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var petId: String
    public var consultationId: String?
    public var sedeId: String
    public var vetId: String
    public var createdAt: String
    /// The allergy alerts the vet confirmed issuing it over, as shown to them; `nil` when none matched.
    public var allergyOverride: String? = nil
}

public struct PrescriptionItem: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "prescription_items"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var prescriptionId: String
    public var position: Int
    public var drug: String
    public var dose: String
    public var frequency: String
    public var duration: String
    public var instructions: String?
    /// The catalog item to dispense and the quantity, in its base unit; nil for free text.
    public var itemId: String? = nil
    public var quantity: Int64? = nil
}

public struct Attachment: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attachments"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var petId: String
    public var path: String
    public var description: String
    public var sedeId: String
    public var userId: String
    public var createdAt: String
}

public struct PetWeight: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "pet_weights"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var petId: String
    public var grams: Int64
    public var measuredAt: String
    public var sedeId: String
    public var userId: String?
    /// The consultation the weight was taken in, if any.
    public var sourceId: String?
}
