import GRDB
import VetCore

/// A clinic site (or the central warehouse). Central data: created by central, pulled by sedes.
public struct Sede: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sedes"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var code: String
    public var name: String
    public var kind: String = "clinica"
    public var district: String?
    public var address: String?
    public var phone: String?
    public var active: Bool = true
    public var createdAt: String

    public init(id: String, code: String, name: String, kind: String = "clinica", district: String? = nil,
                address: String? = nil, phone: String? = nil, createdAt: String) {
        self.id = id; self.code = code; self.name = name; self.kind = kind
        self.district = district; self.address = address; self.phone = phone; self.createdAt = createdAt
    }

    /// `LIM01`: 2 to 10 capital letters and digits.
    public static func codeProblem(_ code: String) -> String? {
        guard (2...10).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            return "El código de sede tiene de 2 a 10 letras mayúsculas o dígitos (ej. LIM01)"
        }
        return nil
    }
}

extension SedeStore {
    /// Makes this store the home of a new sede. Sede rows are central data, so they are written as
    /// if received from central and are not journaled.
    @discardableResult
    public func initializeSede(code: String, name: String, district: String? = nil) throws -> Sede {
        if let problem = Sede.codeProblem(code) { throw StoreError.invalid(problem) }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw StoreError.invalid("El nombre de la sede es obligatorio") }
        let sede = Sede(id: newID(), code: code, name: trimmed, district: district, createdAt: nowText)
        try applyingRemote { db in
            if try Self.setting(.sedeID, db) != nil { throw StoreError.invalid("Esta base ya tiene una sede configurada") }
            try sede.insert(db)
            try Self.setSetting(.sedeID, sede.id, db)
        }
        return sede
    }

    /// The sede this store belongs to.
    public func localSede() throws -> Sede {
        try read { db in
            guard let id = try Self.setting(.sedeID, db), let sede = try Sede.fetchOne(db, key: id) else {
                throw StoreError.notInitialized(path: path)
            }
            return sede
        }
    }
}

import Foundation
