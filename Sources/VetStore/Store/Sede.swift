import GRDB
import VetCore

extension Sede: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sedes"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
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
            if try Self.setting(.sedeID, db) != nil { throw StoreError.conflict("Esta base ya tiene una sede configurada") }
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
