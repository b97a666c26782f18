import Foundation
import GRDB
import VetCore

/// A pet's owner (shared data: any sede may write it).
public struct Owner: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "owners"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var docType: DocumentType
    public var docNumber: String
    public var firstNames: String
    public var lastNames: String
    public var phone: String?
    public var email: String?
    public var district: String?
    public var address: String?
    public var createdAt: String
    public var updatedAt: String
    public var phone2: String?
    /// SUNAT catálogo 13 code of `district`.
    public var ubigeo: String?
    public var consentWhatsapp: Bool = false
    public var consentEmail: Bool = false
    /// The owner this one was merged into by a supervisor.
    public var mergedInto: String?

    public init(id: String, docType: DocumentType, docNumber: String, firstNames: String, lastNames: String,
                phone: String? = nil, email: String? = nil, district: String? = nil, address: String? = nil,
                createdAt: String, updatedAt: String) {
        self.id = id; self.docType = docType; self.docNumber = docNumber; self.firstNames = firstNames
        self.lastNames = lastNames; self.phone = phone; self.email = email; self.district = district
        self.address = address; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    public var fullName: String { firstNames + " " + lastNames }
}

extension Pet {
    public var alertList: [String] {
        (alerts ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    public var speciesValue: Species? { Species(loose: species) }
}

/// A patient (shared data).
public struct Pet: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "pets"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var ownerId: String
    public var name: String
    public var species: String
    public var breed: String?
    public var sex: String?
    public var birthDate: String?
    public var microchip: String?
    public var createdAt: String
    public var updatedAt: String
    public var neutered: Bool = false
    /// Whether `birthDate` was estimated from an approximate age.
    public var birthEstimated: Bool = false
    public var color: String?
    /// Alerts separated by `; `, shown highlighted wherever the pet appears.
    public var alerts: String?
    /// Day of death (`aaaa-mm-dd`); no reminders after it.
    public var deceasedOn: String?
    /// The pet this one was merged into by a supervisor.
    public var mergedInto: String?

    public init(id: String, ownerId: String, name: String, species: String, breed: String? = nil, sex: String? = nil,
                birthDate: String? = nil, microchip: String? = nil, createdAt: String, updatedAt: String) {
        self.id = id; self.ownerId = ownerId; self.name = name; self.species = species; self.breed = breed
        self.sex = sex; self.birthDate = birthDate; self.microchip = microchip; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
