import Foundation
import GRDB
import VetCore

/// A pending charge: a service or product used for an owner's pet, waiting for a sale to take it.
public struct Charge: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "charges"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var ownerId: String
    public var petId: String?
    public var appointmentId: String?
    public var consultationId: String?
    public var dispensationId: String?
    public var itemId: String
    public var quantity: Int64
    public var stockActId: String?
    public var addedBy: String
    public var addedAt: String
    public var updatedAt: String
    public var removedBy: String?
    public var removedAt: String?
    public var saleId: String?
}

/// A pending charge as the till shows it: the item, its price in force and the pet it was for.
public struct PendingCharge: Sendable, Equatable, Identifiable {
    public var charge: Charge
    public var item: CatalogItem
    public var petName: String?
    public var addedByName: String
    /// The price in force at the sede today; nil when the item has none (it cannot be sold yet).
    public var unitPrice: Money?
    public var id: String { charge.id }
}

/// An owner with pending charges at the sede: the till's list.
public struct OwnerWithCharges: Sendable, Equatable, Identifiable {
    public var ownerID: String
    public var ownerName: String
    public var docNumber: String
    public var petNames: [String]
    public var lines: Int
    public var total: Money
    /// One of the owner's pets was attended today (the till lists those first).
    public var attendedToday: Bool
    public var id: String { ownerID }
}

extension SedeStore {
    /// Adds a charge for a pet (its owner's account) or, with no pet, for an owner. `id` is made
    /// before the act: adding it again changes nothing. Services and products of the catalog only.
    @discardableResult
    public func addCharge(id: String, itemID: String, quantity: Int64, petID: String? = nil, ownerID: String? = nil,
                          appointmentID: String? = nil, consultationID: String? = nil, by session: Session) throws -> Charge {
        try session.require(.addCharges, "Solo veterinarios, recepción, farmacia o un supervisor agregan cargos")
        guard !id.isEmpty, id.count <= 64 else { throw StoreError.invalid("Identificador de operación inválido") }
        do { _ = try SaleMath.price(CartLine(quantity: quantity, unitPrice: .zero, affectation: .gravado)) } catch {
            throw StoreError.invalid(error.message)
        }
        let now = nowText
        return try write(user: session.userID) { db in
            if let done = try Charge.fetchOne(db, key: id) { return done }
            guard let item = try Self.catalogItem(id: itemID, db) else { throw StoreError.notFound("El producto o servicio no está en el catálogo") }
            guard item.active else { throw StoreError.invalid("\(item.name) está desactivado en el catálogo") }
            var owner = ownerID
            if let petID {
                guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota no existe") }
                if let ownerID, ownerID != pet.ownerId { throw StoreError.invalid("La mascota no es de ese propietario") }
                owner = pet.ownerId
            }
            guard let owner, try Owner.fetchOne(db, key: owner) != nil else { throw StoreError.notFound("Indique la mascota o el propietario del cargo") }
            let charge = Charge(id: id, sedeId: session.sede.id, ownerId: owner, petId: petID, appointmentId: appointmentID,
                                consultationId: consultationID, dispensationId: nil, itemId: item.id, quantity: quantity, stockActId: nil,
                                addedBy: session.userID, addedAt: now, updatedAt: now, removedBy: nil, removedAt: nil, saleId: nil)
            try charge.insert(db)
            return charge
        }
    }

    /// The charge a dispense adds in its own transaction (its stock already left through the dispense).
    static func addDispenseCharge(dispensationID: String, itemID: String, quantity: Int64, petID: String, ownerID: String,
                                  act: StockAct, _ db: Database) throws {
        try Charge(id: dispensationID, sedeId: act.sedeID, ownerId: ownerID, petId: petID, appointmentId: nil, consultationId: nil,
                   dispensationId: dispensationID, itemId: itemID, quantity: quantity, stockActId: dispensationID, addedBy: act.userID,
                   addedAt: act.at, updatedAt: act.at, removedBy: nil, removedAt: nil, saleId: nil).insert(db)
    }

    /// Changes a pending charge's quantity (not one a dispense added: its stock already left).
    public func setChargeQuantity(chargeID: String, quantity: Int64, by session: Session) throws {
        try session.require(.editCharges, "Solo recepción o un supervisor cambian los cargos")
        do { _ = try SaleMath.price(CartLine(quantity: quantity, unitPrice: .zero, affectation: .gravado)) } catch {
            throw StoreError.invalid(error.message)
        }
        let now = nowText
        try write(user: session.userID) { db in
            let charge = try Self.pendingCharge(chargeID, session, db)
            guard charge.stockActId == nil else {
                throw StoreError.conflict("Este cargo viene de una dispensación: la cantidad dispensada no se cambia aquí")
            }
            try db.execute(sql: "UPDATE charges SET quantity = ?, updated_at = ? WHERE id = ?", arguments: [quantity, now, chargeID])
        }
    }

    /// Removes a pending charge (it stays as a removed row, with who and when).
    public func removeCharge(chargeID: String, by session: Session) throws {
        try session.require(.editCharges, "Solo recepción o un supervisor quitan cargos")
        let now = nowText
        try write(user: session.userID) { db in
            _ = try Self.pendingCharge(chargeID, session, db)
            try db.execute(sql: "UPDATE charges SET removed_by = ?, removed_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [session.userID, now, now, chargeID])
        }
    }

    static func pendingCharge(_ id: String, _ session: Session, _ db: Database) throws -> Charge {
        guard let charge = try Charge.fetchOne(db, key: id), charge.sedeId == session.sede.id else {
            throw StoreError.notFound("El cargo no existe")
        }
        guard charge.removedAt == nil else { throw StoreError.conflict("El cargo ya fue quitado") }
        guard charge.saleId == nil else { throw StoreError.conflict("El cargo ya fue cobrado") }
        return charge
    }

    /// The owner's pending charges at this sede, all pets, oldest first, with today's prices.
    public func pendingCharges(ownerID: String, sedeID: String) throws -> [PendingCharge] {
        let today = self.today
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.*, p.name AS pet_name, coalesce(u.full_name, '?') AS added_by_name FROM charges c
                LEFT JOIN pets p ON p.id = c.pet_id LEFT JOIN users u ON u.id = c.added_by
                WHERE c.sede_id = ? AND c.owner_id = ? AND c.sale_id IS NULL AND c.removed_at IS NULL
                ORDER BY c.added_at, c.id
                """, arguments: [sedeID, ownerID]).compactMap { row in
                let charge = try Charge(row: row)
                guard let item = try Self.catalogItem(id: charge.itemId, db) else { return nil }
                return PendingCharge(charge: charge, item: item, petName: row["pet_name"], addedByName: row["added_by_name"],
                                     unitPrice: try Self.price(itemID: item.id, sedeID: sedeID, on: today, db))
            }
        }
    }

    /// Owners with pending charges at the sede: those with a pet attended today first, the one
    /// charged last on top (the pet that just left the consulting room is the one at the desk).
    public func ownersWithPendingCharges(sedeID: String) throws -> [OwnerWithCharges] {
        let today = self.today
        let dayStart = LimaTime.iso8601(AgendaTime.instant(today, minute: 0))
        let dayEnd = LimaTime.iso8601(AgendaTime.instant(today.adding(days: 1), minute: 0))
        return try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.owner_id, o.first_names || ' ' || o.last_names AS owner_name, o.doc_number,
                       group_concat(DISTINCT p.name) AS pets, count(*) AS lines, max(c.added_at) AS last_at,
                       EXISTS (SELECT 1 FROM appointments a JOIN pets ap ON ap.id = a.pet_id
                               WHERE ap.owner_id = c.owner_id AND a.sede_id = ? AND a.status = 'atendida'
                                 AND a.starts_at >= ? AND a.starts_at < ?) AS attended
                FROM charges c JOIN owners o ON o.id = c.owner_id LEFT JOIN pets p ON p.id = c.pet_id
                WHERE c.sede_id = ? AND c.sale_id IS NULL AND c.removed_at IS NULL
                GROUP BY c.owner_id ORDER BY attended DESC, last_at DESC
                """, arguments: [sedeID, dayStart, dayEnd, sedeID])
            return try rows.map { row in
                let ownerID: String = row["owner_id"]
                var total = Money.zero
                for charge in try Charge.filter(sql: "sede_id = ? AND owner_id = ? AND sale_id IS NULL AND removed_at IS NULL",
                                                arguments: [sedeID, ownerID]).fetchAll(db) {
                    let price = try Self.price(itemID: charge.itemId, sedeID: sedeID, on: today, db) ?? .zero
                    total = (try? total.adding(price.multiplied(by: charge.quantity))) ?? total
                }
                let pets = ((row["pets"] as String?) ?? "").split(separator: ",").map(String.init)
                return OwnerWithCharges(ownerID: ownerID, ownerName: row["owner_name"], docNumber: row["doc_number"] ?? "",
                                        petNames: pets, lines: row["lines"], total: total, attendedToday: row["attended"])
            }
        }
    }
}

/// What the till needs of an item scanned or typed into the cart, read at once.
public struct SaleItem: Sendable, Equatable {
    public var item: CatalogItem
    /// The price in force at the sede today; nil when it has none (it cannot be sold yet).
    public var price: Money?
    /// What the sede holds (products only; nil for services).
    public var onHand: Int64?
}

extension SedeStore {
    /// The item named by a barcode or SKU, with its price in force and stock: a scanner's Enter at the till.
    public func saleItem(code: String, sedeID: String) throws -> SaleItem? {
        let text = code.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 64 else { return nil }
        let today = self.today
        return try read { db in
            guard let item = try Self.catalogItem(code: text, db) else { return nil }
            return SaleItem(item: item, price: try Self.price(itemID: item.id, sedeID: sedeID, on: today, db),
                            onHand: item.isProduct ? try Self.onHand(itemID: item.id, sedeID: sedeID, db) : nil)
        }
    }
}
