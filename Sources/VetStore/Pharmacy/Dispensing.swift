import Foundation
import GRDB
import VetCore

/// A prescription as the pharmacy sees it: each line that names a catalog item, with what was
/// prescribed, what was dispensed (where and when) and what is left.
public struct DispensablePrescription: Sendable, Equatable {
    public struct Dispensed: Sendable, Equatable {
        public var quantity: Int64
        public var sedeCode: String
        public var at: String
    }
    public struct Line: Sendable, Equatable {
        public var prescriptionItemID: String
        public var drug: String
        public var dose: String
        public var item: CatalogItem
        public var prescribed: Int64
        public var dispensed: [Dispensed]
        public var remaining: Int64 { max(0, prescribed - dispensed.reduce(0) { $0 + $1.quantity }) }
    }
    public var id: String
    public var petID: String
    public var petName: String
    public var ownerName: String
    public var vetName: String
    public var sedeCode: String
    public var createdAt: String
    public var lines: [Line]
    public var isComplete: Bool { lines.allSatisfy { $0.remaining == 0 } }
}

extension SedeStore {
    /// Prescriptions from any sede with a catalog line not wholly dispensed, newest first (or
    /// every prescription of one pet that names catalog items, when `petID` is given).
    public func prescriptionsToDispense(petID: String? = nil, limit: Int = 100) throws -> [DispensablePrescription] {
        try read { db in
            let ids: [String]
            if let petID {
                ids = try String.fetchAll(db, sql: """
                    SELECT p.id FROM prescriptions p WHERE p.pet_id = ?
                      AND EXISTS (SELECT 1 FROM prescription_items i WHERE i.prescription_id = p.id AND i.item_id IS NOT NULL)
                    ORDER BY p.created_at DESC LIMIT ?
                    """, arguments: [petID, limit])
            } else {
                ids = try String.fetchAll(db, sql: """
                    SELECT p.id FROM prescriptions p WHERE EXISTS (
                        SELECT 1 FROM prescription_items i WHERE i.prescription_id = p.id AND i.item_id IS NOT NULL
                          AND i.quantity > coalesce((SELECT sum(d.quantity) FROM dispensations d WHERE d.prescription_item_id = i.id), 0))
                    ORDER BY p.created_at DESC LIMIT ?
                    """, arguments: [limit])
            }
            return try ids.compactMap { try Self.dispensablePrescription(id: $0, db) }
        }
    }

    public func dispensablePrescription(id: String) throws -> DispensablePrescription? {
        try read { db in try Self.dispensablePrescription(id: id, db) }
    }

    static func dispensablePrescription(id: String, _ db: Database) throws -> DispensablePrescription? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.id, p.pet_id, p.created_at, coalesce(pet.name, '?') AS pet_name,
                   coalesce(o.first_names || ' ' || o.last_names, '?') AS owner_name, coalesce(u.full_name, '?') AS vet_name,
                   coalesce(s.code, '?') AS sede_code
            FROM prescriptions p LEFT JOIN pets pet ON pet.id = p.pet_id LEFT JOIN owners o ON o.id = pet.owner_id
            LEFT JOIN users u ON u.id = p.vet_id LEFT JOIN sedes s ON s.id = p.sede_id WHERE p.id = ?
            """, arguments: [id]) else { return nil }
        let lines = try Row.fetchAll(db, sql: """
            SELECT pi.id AS line_id, pi.drug, pi.dose, pi.quantity AS prescribed, c.* FROM prescription_items pi
            JOIN catalog_items c ON c.id = pi.item_id WHERE pi.prescription_id = ? ORDER BY pi.position
            """, arguments: [id]).map { line in
            let dispensed = try Row.fetchAll(db, sql: """
                SELECT d.quantity, coalesce(s.code, '?') AS code, d.at FROM dispensations d LEFT JOIN sedes s ON s.id = d.sede_id
                WHERE d.prescription_item_id = ? ORDER BY d.at
                """, arguments: [line["line_id"] as String]).map { DispensablePrescription.Dispensed(quantity: $0["quantity"], sedeCode: $0["code"], at: $0["at"]) }
            return DispensablePrescription.Line(prescriptionItemID: line["line_id"], drug: line["drug"], dose: line["dose"],
                                                item: CatalogItem(row: line), prescribed: (line["prescribed"] as Int64?) ?? 0, dispensed: dispensed)
        }
        return DispensablePrescription(id: row["id"], petID: row["pet_id"], petName: row["pet_name"], ownerName: row["owner_name"],
                                       vetName: row["vet_name"], sedeCode: row["sede_code"], createdAt: row["created_at"], lines: lines)
    }

    /// Dispenses `quantity` of one prescription line (whole or in part): a dispensation (shared, so
    /// every sede sees what the prescription still needs) and its `dispensacion` movements, FEFO
    /// unless a lot is given. `actID`, made before the act, is the dispensation's id: a retry
    /// writes nothing again. Never more than what remains of the line.
    @discardableResult
    public func dispense(actID: String, prescriptionItemID: String, quantity: Int64, lot: LotChoice? = nil, by session: Session) throws -> TakeOutcome {
        try session.require(.dispense, "Solo un veterinario, farmacia o un supervisor dispensan recetas")
        let act = try stockAct(actID, session)
        let today = self.today
        return try write(user: session.userID) { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dispensations WHERE id = ?)", arguments: [act.id])! {
                return TakeOutcome(movements: try Self.recorded(act: act.id, db) ?? [], uncovered: 0)
            }
            guard let line = try Row.fetchOne(db, sql: """
                SELECT pi.prescription_id, pi.item_id, pi.quantity, p.pet_id, pet.owner_id FROM prescription_items pi
                JOIN prescriptions p ON p.id = pi.prescription_id LEFT JOIN pets pet ON pet.id = p.pet_id WHERE pi.id = ?
                """, arguments: [prescriptionItemID]) else { throw StoreError.notFound("La línea de receta no existe") }
            guard let itemID: String = line["item_id"], let prescribed: Int64 = line["quantity"] else {
                throw StoreError.invalid("La línea de receta no indica un producto del catálogo ni su cantidad")
            }
            let item = try Self.product(itemID, db)
            try Self.checkQuantity(quantity, of: item)
            let done = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(quantity), 0) FROM dispensations WHERE prescription_item_id = ?",
                                          arguments: [prescriptionItemID]) ?? 0
            let remaining = max(0, prescribed - done)
            guard remaining > 0 else { throw StoreError.conflict("\(item.name) ya fue dispensado por completo") }
            guard quantity <= remaining else {
                throw StoreError.invalid("\(item.name): quedan \(remaining) \(item.baseUnit) por dispensar de esta receta")
            }
            let prescriptionID: String = line["prescription_id"], petID: String = line["pet_id"]
            try db.execute(sql: """
                INSERT INTO dispensations (id, prescription_id, prescription_item_id, item_id, quantity, pet_id, sede_id, user_id, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [act.id, prescriptionID, prescriptionItemID, item.id, quantity, petID, act.sedeID, act.userID, act.at])
            // What is dispensed is charged to the owner at the till (its stock leaves here, not at the sale).
            if let ownerID: String = line["owner_id"] {
                try Self.addDispenseCharge(dispensationID: act.id, itemID: item.id, quantity: quantity, petID: petID, ownerID: ownerID, act: act, db)
            }
            return try Self.takeStock(act, item: item, quantity: quantity, kind: .dispensacion, lot: lot, docType: "receta", docRef: prescriptionID,
                                      pet: petID, owner: line["owner_id"], today: today, newID: newID, db)
        }
    }
}
