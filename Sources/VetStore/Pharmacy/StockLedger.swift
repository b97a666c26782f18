import Foundation
import GRDB
import VetCore

/// One row of the stock ledger (append-only: the database refuses UPDATE and DELETE).
public struct StockMovement: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "stock_movements"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var actId: String
    public var itemId: String
    public var lotCode: String
    public var expiry: String
    public var quantity: Int64
    public var kind: StockMovementKind
    public var reason: String?
    public var docType: String?
    public var docRef: String?
    public var toSedeId: String?
    public var transferId: String?
    public var petId: String?
    public var ownerId: String?
    public var witnessUserId: String?
    public var note: String?
    public var userId: String
    public var at: String

    public var expiryDate: CivilDate? { CivilDate(iso: expiry) }
}

extension StockMovement {
    // Columns by hand: every sale and dispense writes movements, and Codable with a key strategy is slow.
    public init(row: Row) throws {
        id = row["id"]; sedeId = row["sede_id"]; actId = row["act_id"]; itemId = row["item_id"]; lotCode = row["lot_code"]
        expiry = row["expiry"]; quantity = row["quantity"]; kind = StockMovementKind.parse(row["kind"]); reason = row["reason"]
        docType = row["doc_type"]; docRef = row["doc_ref"]; toSedeId = row["to_sede_id"]; transferId = row["transfer_id"]
        petId = row["pet_id"]; ownerId = row["owner_id"]; witnessUserId = row["witness_user_id"]; note = row["note"]
        userId = row["user_id"]; at = row["at"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["sede_id"] = sedeId; container["act_id"] = actId; container["item_id"] = itemId
        container["lot_code"] = lotCode; container["expiry"] = expiry; container["quantity"] = quantity; container["kind"] = kind.rawValue
        container["reason"] = reason; container["doc_type"] = docType; container["doc_ref"] = docRef; container["to_sede_id"] = toSedeId
        container["transfer_id"] = transferId; container["pet_id"] = petId; container["owner_id"] = ownerId
        container["witness_user_id"] = witnessUserId; container["note"] = note; container["user_id"] = userId; container["at"] = at
    }
}

/// A quantity of one item, optionally of one lot, in an act (a receipt line, a transfer line, a count).
public struct StockLine: Sendable, Equatable {
    public var itemID: String
    public var lotCode: String
    public var expiry: CivilDate?
    public var quantity: Int64

    public init(itemID: String, lotCode: String = "", expiry: CivilDate? = nil, quantity: Int64) {
        self.itemID = itemID; self.lotCode = lotCode; self.expiry = expiry; self.quantity = quantity
    }
}

/// The lot a person picked or scanned instead of the FEFO choice.
public struct LotChoice: Sendable, Equatable {
    public var lotCode: String
    public var expiry: CivilDate?
    public init(lotCode: String, expiry: CivilDate?) { self.lotCode = lotCode; self.expiry = expiry }
}

/// What a take of stock did: its movements and what no recorded stock covered (the balance went
/// negative and the lot is on the «Stock a regularizar» list).
public struct TakeOutcome: Sendable, Equatable {
    public var movements: [StockMovement]
    public var uncovered: Int64
}

/// A lot with a negative balance, waiting for a count to settle it.
public struct NegativeBalance: Sendable, Equatable {
    public var item: CatalogItem
    public var lotCode: String
    public var expiry: CivilDate?
    public var quantity: Int64
}

/// An act given to the ledger: every movement it writes carries `actID`, made before the act, so
/// retrying an act already recorded (a crash, a double Enter) writes nothing again.
struct StockAct {
    var id: String
    var sedeID: String
    var userID: String
    var at: String
}

extension SedeStore {
    // MARK: Balances (derived: the trigger-kept cache always equals the SUM of movements)

    /// What the sede holds of the item, all lots.
    public func onHand(itemID: String, sedeID: String) throws -> Int64 {
        try read { db in try Self.onHand(itemID: itemID, sedeID: sedeID, db) }
    }

    static func onHand(itemID: String, sedeID: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(sum(quantity), 0) FROM stock_balances WHERE sede_id = ? AND item_id = ?"),
                           arguments: [sedeID, itemID]) ?? 0
    }

    /// What other sedes shipped to this one and it has not received yet.
    static func inTransit(itemID: String, to sedeID: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT coalesce(-sum(m.quantity), 0) FROM stock_movements m
            WHERE m.to_sede_id = ? AND m.item_id = ? AND m.kind = 'transferencia_salida'
              AND NOT EXISTS (SELECT 1 FROM stock_transfer_receipts r WHERE r.transfer_id = m.transfer_id)
            """), arguments: [sedeID, itemID]) ?? 0
    }

    /// The lots of the item at the sede with their balances (zero balances left out), FEFO order.
    public func lots(itemID: String, sedeID: String) throws -> [LotBalance] {
        try read { db in try Self.lots(itemID: itemID, sedeID: sedeID, db) }
    }

    static func lots(itemID: String, sedeID: String, _ db: Database) throws -> [LotBalance] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT lot_code, expiry, quantity FROM stock_balances WHERE sede_id = ? AND item_id = ? AND quantity <> 0
            """), arguments: [sedeID, itemID])
            .map { LotBalance(lotCode: $0["lot_code"], expiry: CivilDate(iso: $0["expiry"]), quantity: $0["quantity"]) }
            .sorted(by: FEFO.order)
    }

    /// The item's movements at the sede, newest first.
    public func movements(itemID: String, sedeID: String, limit: Int = 200) throws -> [StockMovement] {
        try read { db in
            try StockMovement.filter(sql: "sede_id = ? AND item_id = ?", arguments: [sedeID, itemID])
                .order(sql: "at DESC, id DESC").limit(limit).fetchAll(db)
        }
    }

    /// The lots with a negative balance (sold or dispensed without recorded stock): the supervisor's
    /// «Stock a regularizar» list, until a count or an adjustment settles each.
    public func negativeBalances(sedeID: String) throws -> [NegativeBalance] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT b.lot_code, b.expiry, b.quantity, i.* FROM stock_balances b JOIN catalog_items i ON i.id = b.item_id
                WHERE b.sede_id = ? AND b.quantity < 0 ORDER BY i.name COLLATE NOCASE, b.lot_code
                """, arguments: [sedeID]).map {
                NegativeBalance(item: CatalogItem(row: $0), lotCode: $0["lot_code"], expiry: CivilDate(iso: $0["expiry"]), quantity: $0["quantity"])
            }
        }
    }

    // MARK: Checks shared by the acts

    static func product(_ itemID: String, _ db: Database) throws -> CatalogItem {
        guard let item = try catalogItem(id: itemID, db) else { throw StoreError.notFound("El producto no está en el catálogo") }
        guard item.isProduct else { throw StoreError.invalid("\(item.name) es un servicio: no tiene stock") }
        return item
    }

    static func checkQuantity(_ quantity: Int64, of item: CatalogItem) throws {
        do { try StockRules.check(quantity: quantity) } catch { throw StoreError.invalid("\(item.name): \(error)") }
    }

    /// The movements already recorded for an act, or nil if it is new.
    static func recorded(act actID: String, _ db: Database) throws -> [StockMovement]? {
        let rows = try StockMovement.filter(sql: "act_id = ?", arguments: [actID]).order(sql: "id").fetchAll(db)
        return rows.isEmpty ? nil : rows
    }

    func stockAct(_ actID: String, _ session: Session) throws -> StockAct {
        guard !actID.isEmpty, actID.count <= 64 else { throw StoreError.invalid("Identificador de operación inválido") }
        return StockAct(id: actID, sedeID: session.sede.id, userID: session.userID, at: nowText)
    }

    @discardableResult
    static func insertMovement(_ act: StockAct, id: String, item: String, lotCode: String, expiry: CivilDate?, quantity: Int64,
                               kind: StockMovementKind, reason: String? = nil, docType: String? = nil, docRef: String? = nil,
                               toSede: String? = nil, transfer: String? = nil, pet: String? = nil, owner: String? = nil,
                               witness: String? = nil, note: String? = nil, _ db: Database) throws -> StockMovement {
        let movement = StockMovement(id: id, sedeId: act.sedeID, actId: act.id, itemId: item, lotCode: lotCode, expiry: expiry?.iso ?? "",
                                     quantity: quantity, kind: kind, reason: reason, docType: docType, docRef: docRef, toSedeId: toSede,
                                     transferId: transfer, petId: pet, ownerId: owner, witnessUserId: witness, note: note,
                                     userId: act.userID, at: act.at)
        try movement.insert(db)
        return movement
    }

    static func expiredMessage(_ item: CatalogItem, lot: String, expiry: CivilDate) -> String {
        "El lote \(lot) de \(item.name) venció el \(expiry.display): no se vende, no se dispensa ni se envía; dele de baja por vencimiento"
    }

    // MARK: Receipt from a supplier

    /// Records goods received from a supplier with its guía or factura: one `recepcion` movement per
    /// line. Lot-tracked items need a lot and an expiry that has not passed. All lines or none.
    @discardableResult
    public func receive(actID: String, document: String, supplier: String, lines: [StockLine], by session: Session) throws -> [StockMovement] {
        try session.require(.manageStock, "Solo farmacia o un supervisor registran la recepción de mercadería")
        let doc = document.trimmingCharacters(in: .whitespaces)
        guard !doc.isEmpty else { throw StoreError.invalid("Indique el número de la guía o factura del proveedor") }
        guard doc.count <= 40 else { throw StoreError.invalid("El número de guía o factura tiene como máximo 40 caracteres") }
        let supplierName = supplier.trimmingCharacters(in: .whitespaces)
        guard supplierName.count <= 120 else { throw StoreError.invalid("El nombre del proveedor tiene como máximo 120 caracteres") }
        guard !lines.isEmpty else { throw StoreError.invalid("La recepción no tiene líneas") }
        let act = try stockAct(actID, session)
        let today = self.today
        return try write(user: session.userID) { db in
            if let done = try Self.recorded(act: act.id, db) { return done }
            var out: [StockMovement] = []
            for line in lines {
                let item = try Self.product(line.itemID, db)
                try Self.checkQuantity(line.quantity, of: item)
                let (lot, expiry) = try Self.receivedLot(line, item: item, today: today)
                out.append(try Self.insertMovement(act, id: newID(), item: item.id, lotCode: lot, expiry: expiry, quantity: line.quantity,
                                                   kind: .recepcion, docType: "proveedor", docRef: doc,
                                                   note: supplierName.isEmpty ? nil : supplierName, db))
            }
            return out
        }
    }

    /// The lot and expiry a received line goes to, checked.
    static func receivedLot(_ line: StockLine, item: CatalogItem, today: CivilDate) throws -> (String, CivilDate?) {
        guard item.tracksLots else { return ("", nil) }
        let lot: String
        do { lot = try StockRules.lotCode(line.lotCode) } catch { throw StoreError.invalid("\(item.name): \(error)") }
        guard let expiry = line.expiry else { throw StoreError.invalid("\(item.name): indique el vencimiento del lote \(lot)") }
        do { try StockRules.receivable(expiry: expiry, today: today) } catch { throw StoreError.invalid("\(item.name): \(error)") }
        return (lot, expiry)
    }

    // MARK: Taking stock (sale, dispensing, internal use)

    /// Takes `quantity` of a product out of the sede's stock in one act: from the lot chosen, or
    /// FEFO. Never blocked by missing recorded stock: what no lot covers is taken from the lot chosen
    /// or, without one, from «sin lote», whose balance goes negative and waits for a count. An
    /// expired lot is never used. A service takes nothing.
    static func takeStock(_ act: StockAct, item: CatalogItem, quantity: Int64, kind: StockMovementKind, lot: LotChoice?,
                          docType: String?, docRef: String?, pet: String?, owner: String?, note: String? = nil,
                          today: CivilDate, newID: () -> String, _ db: Database) throws -> TakeOutcome {
        guard item.isProduct else { return TakeOutcome(movements: [], uncovered: 0) }
        try checkQuantity(quantity, of: item)
        var movements: [StockMovement] = []
        var uncovered: Int64 = 0
        func take(_ lotCode: String, _ expiry: CivilDate?, _ qty: Int64) throws {
            movements.append(try insertMovement(act, id: newID(), item: item.id, lotCode: lotCode, expiry: expiry, quantity: -qty, kind: kind,
                                                docType: docType, docRef: docRef, pet: pet, owner: owner, note: note, db))
        }
        if let lot {
            if let expiry = lot.expiry, expiry < today {
                throw StoreError.refused(.expiredLot, expiredMessage(item, lot: lot.lotCode, expiry: expiry))
            }
            let held = try lots(itemID: item.id, sedeID: act.sedeID, db).first { $0.lotCode == lot.lotCode && $0.expiry == lot.expiry }
            uncovered = max(0, quantity - max(0, held?.quantity ?? 0))
            try take(lot.lotCode, lot.expiry, quantity)
        } else {
            let plan = FEFO.plan(quantity: quantity, lots: try lots(itemID: item.id, sedeID: act.sedeID, db), today: today)
            for step in plan.takes { try take(step.lotCode, step.expiry, step.quantity) }
            uncovered = plan.uncovered
            if plan.uncovered > 0 { try take("", nil, plan.uncovered) }
        }
        try replenishIfNeeded(item: item, sedeID: act.sedeID, userID: act.userID, at: act.at, newID: newID, db)
        return TakeOutcome(movements: movements, uncovered: uncovered)
    }

    /// A product used in a procedure (uso interno), FEFO unless a lot is chosen. A controlled
    /// drug names the patient it was used on.
    @discardableResult
    public func useInProcedure(actID: String, itemID: String, quantity: Int64, lot: LotChoice? = nil, petID: String? = nil,
                               note: String = "", by session: Session) throws -> TakeOutcome {
        try session.require(.dispense, "Solo un veterinario, farmacia o un supervisor registran el uso de productos")
        let act = try stockAct(actID, session)
        let today = self.today
        let text = note.trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else { throw StoreError.invalid("La nota tiene como máximo 200 caracteres") }
        return try write(user: session.userID) { db in
            if let done = try Self.recorded(act: act.id, db) { return TakeOutcome(movements: done, uncovered: 0) }
            let item = try Self.product(itemID, db)
            var owner: String?
            if let petID {
                guard let pet = try Pet.fetchOne(db, key: petID) else { throw StoreError.notFound("La mascota no existe") }
                owner = pet.ownerId
            } else if item.controlled {
                throw StoreError.invalid("\(item.name) es un medicamento controlado: indique el paciente en el que se usó")
            }
            return try Self.takeStock(act, item: item, quantity: quantity, kind: .usoInterno, lot: lot, docType: nil, docRef: nil,
                                      pet: petID, owner: owner, note: text.isEmpty ? nil : text, today: today, newID: newID, db)
        }
    }

    // MARK: Adjustments and write-offs

    /// A correction by hand: `quantity` in (> 0) or out (< 0) of one lot, with its reason. For a
    /// controlled drug a second user (not the one adjusting) witnesses it with their clave.
    @discardableResult
    public func adjust(actID: String, itemID: String, lot: LotChoice, quantity: Int64, reason: AdjustmentReason, note: String = "",
                       witness: (username: String, password: String)? = nil, by session: Session) throws -> StockMovement {
        try session.require(.manageStock, "Solo farmacia o un supervisor ajustan el stock")
        guard reason.isKnown else { throw StoreError.invalid("Motivo de ajuste desconocido: \(reason.rawValue)") }
        guard quantity != 0 else { throw StoreError.invalid("La cantidad del ajuste no puede ser cero") }
        let text = note.trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else { throw StoreError.invalid("La nota tiene como máximo 200 caracteres") }
        let act = try stockAct(actID, session)
        let witnessID = try witnessIfNeeded(itemID: itemID, witness: witness, session: session)
        return try write(user: session.userID) { db in
            if let done = try Self.recorded(act: act.id, db), let first = done.first { return first }
            let item = try Self.product(itemID, db)
            try Self.checkQuantity(quantity == .min ? .max : abs(quantity), of: item)
            if item.controlled && witnessID == nil {
                throw StoreError.invalid("\(item.name) es un medicamento controlado: el ajuste necesita la clave de un testigo")
            }
            let movement = try Self.insertMovement(act, id: newID(), item: item.id, lotCode: item.tracksLots ? lot.lotCode : "", expiry: lot.expiry,
                                                   quantity: quantity, kind: .ajuste, reason: reason.rawValue, witness: witnessID,
                                                   note: text.isEmpty ? nil : text, db)
            if quantity < 0 { try Self.replenishIfNeeded(item: item, sedeID: act.sedeID, userID: act.userID, at: act.at, newID: newID, db) }
            return movement
        }
    }

    /// The witness of an adjustment of a controlled drug: another active user of this sede who may
    /// witness, with the right clave. Nil when the item is not controlled and no witness was given.
    func witnessIfNeeded(itemID: String, witness: (username: String, password: String)?, session: Session) throws -> String? {
        guard let witness else { return nil }
        let name = witness.username.trimmingCharacters(in: .whitespaces).lowercased()
        guard name != session.username.lowercased() else { throw StoreError.invalid("El testigo debe ser otra persona") }
        let found = try read { db in
            try Row.fetchOne(db, sql: """
                SELECT u.id, u.pass_hash, group_concat(r.role) AS roles FROM users u JOIN user_roles r ON r.user_id = u.id
                WHERE u.username = ? AND u.active = 1 AND r.sede_id = ? GROUP BY u.id
                """, arguments: [name, session.sede.id])
        }
        guard let found, let hash: String = found["pass_hash"], PasswordHasher.verify(witness.password, hash: hash) else {
            throw StoreError.invalid("Usuario o clave del testigo incorrectos")
        }
        let roles = ((found["roles"] as String?) ?? "").split(separator: ",").compactMap { Role(rawValue: String($0)) }
        guard roles.contains(where: { Permission.witnessControlled.roles.contains($0) }) else {
            throw StoreError.forbidden("\(name) no puede ser testigo de movimientos de controlados")
        }
        return found["id"]
    }

    /// Writes off what is left of an expired lot (an `ajuste` out, reason vencimiento).
    @discardableResult
    public func writeOffExpired(actID: String, itemID: String, lot: LotChoice, witness: (username: String, password: String)? = nil,
                                by session: Session) throws -> StockMovement {
        let held = try lots(itemID: itemID, sedeID: session.sede.id).first { $0.lotCode == lot.lotCode && $0.expiry == lot.expiry }
        guard let held, held.quantity > 0 else { throw StoreError.conflict("El lote \(lot.lotCode) no tiene stock que dar de baja") }
        return try adjust(actID: actID, itemID: itemID, lot: lot, quantity: -held.quantity, reason: .vencimiento,
                          note: "Baja por vencimiento", witness: witness, by: session)
    }

    // MARK: Desarme

    /// Opens `packs` packs of one lot into the item they hold (a box of 100 tablets becomes 100
    /// tablets of the same lot and expiry): two `desarme` movements of one act.
    @discardableResult
    public func openPacks(actID: String, packItemID: String, lot: LotChoice, packs: Int64, by session: Session) throws -> [StockMovement] {
        try session.require(.manageStock, "Solo farmacia o un supervisor abren empaques")
        let act = try stockAct(actID, session)
        let today = self.today
        return try write(user: session.userID) { db in
            if let done = try Self.recorded(act: act.id, db) { return done }
            let pack = try Self.product(packItemID, db)
            try Self.checkQuantity(packs, of: pack)
            guard let unitID = pack.unitItemID, let perPack = pack.packUnits else {
                throw StoreError.invalid("\(pack.name) no se vende por unidades: no tiene desarme")
            }
            let units = try Self.product(unitID, db)
            let (total, overflow) = packs.multipliedReportingOverflow(by: perPack)
            guard !overflow, total <= StockRules.maxQuantity else { throw StoreError.invalid("Demasiadas unidades en un desarme") }
            if let expiry = lot.expiry, expiry < today {
                throw StoreError.refused(.expiredLot, Self.expiredMessage(pack, lot: lot.lotCode, expiry: expiry))
            }
            let lotCode = pack.tracksLots ? lot.lotCode : ""
            let held = try Self.lots(itemID: pack.id, sedeID: act.sedeID, db).first { $0.lotCode == lotCode && $0.expiry == lot.expiry }?.quantity ?? 0
            guard held >= packs else {
                throw StoreError.conflict("No hay \(packs) \(packs == 1 ? "empaque" : "empaques") de \(pack.name) en el lote \(lotCode.isEmpty ? "sin lote" : lotCode) (hay \(held))")
            }
            return [
                try Self.insertMovement(act, id: newID(), item: pack.id, lotCode: lotCode, expiry: lot.expiry, quantity: -packs, kind: .desarme, db),
                try Self.insertMovement(act, id: newID(), item: units.id, lotCode: units.tracksLots ? lotCode : "", expiry: lot.expiry,
                                        quantity: total, kind: .desarme, db),
            ]
        }
    }
}
