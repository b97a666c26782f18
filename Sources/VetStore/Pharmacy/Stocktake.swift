import Foundation
import GRDB
import VetCore

/// A stocktake (inventario) of the sede or one category.
public struct Stocktake: Sendable, Equatable {
    public var id: String
    public var sedeID: String
    public var category: String?
    public var startedAt: String
    public var state: String
    public var isOpen: Bool { state == "abierto" }
}

/// A lot's count as the supervisor reviews it before approving: the counted quantity against the
/// balance the lot had when it was counted (movements after the count stay on top of it).
public struct StocktakeDifference: Sendable, Equatable {
    public var item: CatalogItem
    public var lotCode: String
    public var expiry: CivilDate?
    public var counted: Int64
    public var system: Int64
    public var difference: Int64 { counted - system }
}

extension SedeStore {
    /// Opens a stocktake of the whole sede (`category` nil) or one category; one open at a time.
    @discardableResult
    public func startStocktake(category: String? = nil, by session: Session) throws -> Stocktake {
        try session.require(.manageStock, "Solo farmacia o un supervisor inician un inventario")
        let scope = category?.trimmingCharacters(in: .whitespaces)
        return try write(user: session.userID) { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stocktakes WHERE sede_id = ? AND state = 'abierto')", arguments: [session.sede.id])! {
                throw StoreError.conflict("Ya hay un inventario abierto en esta sede")
            }
            if let scope, !scope.isEmpty,
               try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM catalog_items WHERE category = ?)", arguments: [scope])! {
                throw StoreError.notFound("No existe la categoría \(scope)")
            }
            let take = Stocktake(id: newID(), sedeID: session.sede.id, category: (scope?.isEmpty ?? true) ? nil : scope, startedAt: nowText, state: "abierto")
            try db.execute(sql: "INSERT INTO stocktakes (id, sede_id, category, started_by, started_at, state) VALUES (?, ?, ?, ?, ?, 'abierto')",
                           arguments: [take.id, take.sedeID, take.category, session.userID, take.startedAt])
            return take
        }
    }

    /// The sede's open stocktake, if any.
    public func openStocktake(sedeID: String) throws -> Stocktake? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stocktakes WHERE sede_id = ? AND state = 'abierto' ORDER BY started_at DESC LIMIT 1",
                             arguments: [sedeID]).map {
                Stocktake(id: $0["id"], sedeID: $0["sede_id"], category: $0["category"], startedAt: $0["started_at"], state: $0["state"])
            }
        }
    }

    /// Records a blind count of one lot: the counter never sees the system quantity, which is kept
    /// with the count. A recount of the same lot replaces the earlier count.
    public func recordCount(stocktakeID: String, line: StockLine, by session: Session) throws {
        try session.require(.manageStock, "Solo farmacia o un supervisor cuentan el inventario")
        guard line.quantity >= 0, line.quantity <= StockRules.maxQuantity else {
            throw StoreError.invalid("Lo contado es un número entero entre 0 y \(StockRules.maxQuantity)")
        }
        try write(user: session.userID) { db in
            guard let take = try Row.fetchOne(db, sql: "SELECT state, category FROM stocktakes WHERE id = ? AND sede_id = ?",
                                              arguments: [stocktakeID, session.sede.id]) else {
                throw StoreError.notFound("El inventario no existe")
            }
            guard take["state"] as String == "abierto" else { throw StoreError.conflict("El inventario ya está cerrado") }
            let item = try Self.product(line.itemID, db)
            if let category: String = take["category"], item.category != category {
                throw StoreError.invalid("\(item.name) no es de la categoría de este inventario (\(category))")
            }
            let lotCode = item.tracksLots ? try Self.countedLot(line.lotCode, item) : ""
            let expiry = item.tracksLots ? line.expiry : nil
            let system = try Int64.fetchOne(db, sql: """
                SELECT quantity FROM stock_balances WHERE sede_id = ? AND item_id = ? AND lot_code = ? AND expiry = ?
                """, arguments: [session.sede.id, item.id, lotCode, expiry?.iso ?? ""]) ?? 0
            try db.execute(sql: """
                INSERT INTO stocktake_counts (id, stocktake_id, sede_id, item_id, lot_code, expiry, counted, system_qty, user_id, counted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [newID(), stocktakeID, session.sede.id, item.id, lotCode, expiry?.iso ?? "", line.quantity, system, session.userID, nowText])
        }
    }

    static func countedLot(_ text: String, _ item: CatalogItem) throws -> String {
        if text.isEmpty { return "" }
        do { return try StockRules.lotCode(text) } catch { throw StoreError.invalid("\(item.name): \(error)") }
    }

    /// The differences of a stocktake (latest count per lot), for the supervisor to review.
    public func stocktakeDifferences(stocktakeID: String) throws -> [StocktakeDifference] {
        try read { db in try Self.stocktakeDifferences(stocktakeID, db) }
    }

    static func stocktakeDifferences(_ stocktakeID: String, _ db: Database) throws -> [StocktakeDifference] {
        try Row.fetchAll(db, sql: """
            SELECT c.lot_code, c.expiry, c.counted, c.system_qty, i.* FROM stocktake_counts c JOIN catalog_items i ON i.id = c.item_id
            WHERE c.stocktake_id = ? AND c.id = (SELECT c2.id FROM stocktake_counts c2 WHERE c2.stocktake_id = c.stocktake_id
                AND c2.item_id = c.item_id AND c2.lot_code = c.lot_code AND c2.expiry = c.expiry ORDER BY c2.counted_at DESC, c2.id DESC LIMIT 1)
            ORDER BY i.name COLLATE NOCASE, c.expiry
            """, arguments: [stocktakeID]).map {
            StocktakeDifference(item: CatalogItem(row: $0), lotCode: $0["lot_code"], expiry: CivilDate(iso: $0["expiry"]),
                                counted: $0["counted"], system: $0["system_qty"])
        }
    }

    /// Approves a stocktake: every difference becomes an `inventario` movement (act = the
    /// stocktake), and the stocktake closes. Only a supervisor; once.
    @discardableResult
    public func approveStocktake(stocktakeID: String, by session: Session) throws -> [StockMovement] {
        try session.require(.approveStocktake, "Solo un supervisor aprueba un inventario")
        let act = try stockAct(stocktakeID, session)
        return try write(user: session.userID) { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM stocktakes WHERE id = ? AND sede_id = ?", arguments: [stocktakeID, session.sede.id]) else {
                throw StoreError.notFound("El inventario no existe")
            }
            guard state == "abierto" else { throw StoreError.conflict("El inventario ya está cerrado") }
            var out: [StockMovement] = []
            for diff in try Self.stocktakeDifferences(stocktakeID, db) where diff.difference != 0 {
                out.append(try Self.insertMovement(act, id: newID(), item: diff.item.id, lotCode: diff.lotCode, expiry: diff.expiry,
                                                   quantity: diff.difference, kind: .inventario, docType: "inventario", docRef: stocktakeID, db))
            }
            try db.execute(sql: "UPDATE stocktakes SET state = 'aprobado', closed_by = ?, closed_at = ? WHERE id = ?",
                           arguments: [session.userID, act.at, stocktakeID])
            return out
        }
    }
}
