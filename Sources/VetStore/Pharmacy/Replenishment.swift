import Foundation
import GRDB
import VetCore

/// A sede's request to the warehouse, with its lines; open until a transfer answers it.
public struct ReplenishmentRequest: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var id: String
        public var item: CatalogItem
        public var quantity: Int64
        public var automatic: Bool
    }
    public var id: String
    public var sedeID: String
    public var sedeCode: String
    public var toSedeID: String
    public var createdAt: String
    public var lines: [Line]
    /// The transfer that answered it, once there is one.
    public var transferID: String?
}

extension SedeStore {
    // MARK: Levels

    /// Sets the item's minimum and ideal levels at the session's sede.
    public func setLevel(itemID: String, minimum: Int64, ideal: Int64, by session: Session) throws {
        try session.require(.manageStock, "Solo farmacia o un supervisor fijan los niveles de stock")
        guard minimum >= 0, ideal >= 0, minimum <= StockRules.maxQuantity, ideal <= StockRules.maxQuantity else {
            throw StoreError.invalid("Los niveles son números enteros entre 0 y \(StockRules.maxQuantity)")
        }
        guard ideal >= minimum else { throw StoreError.invalid("El nivel ideal no puede ser menor que el mínimo") }
        try write(user: session.userID) { db in
            let item = try Self.product(itemID, db)
            if let id = try String.fetchOne(db, sql: "SELECT id FROM stock_levels WHERE sede_id = ? AND item_id = ?", arguments: [session.sede.id, item.id]) {
                try db.execute(sql: "UPDATE stock_levels SET minimum = ?, ideal = ?, updated_at = ? WHERE id = ?", arguments: [minimum, ideal, nowText, id])
            } else {
                try db.execute(sql: "INSERT INTO stock_levels (id, sede_id, item_id, minimum, ideal, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [newID(), session.sede.id, item.id, minimum, ideal, nowText])
            }
            try Self.replenishIfNeeded(item: item, sedeID: session.sede.id, userID: session.userID, at: nowText, newID: newID, db)
        }
    }

    // MARK: Requests

    /// When what the sede has and has coming (on hand + in transit) is under the item's minimum,
    /// adds a line to its open request to the warehouse for what reaches the ideal, in whole packs
    /// when the item comes in packs (the line then asks for the pack). Nothing when the item already
    /// has a line in the open request, when there is no warehouse, or at the warehouse itself.
    static func replenishIfNeeded(item: CatalogItem, sedeID: String, userID: String?, at: String, newID: () -> String, _ db: Database) throws {
        guard let level = try Row.fetchOne(db.cachedStatement(sql: "SELECT minimum, ideal FROM stock_levels WHERE sede_id = ? AND item_id = ?"),
                                           arguments: [sedeID, item.id]) else { return }
        let minimum: Int64 = level["minimum"], ideal: Int64 = level["ideal"]
        let available = try onHand(itemID: item.id, sedeID: sedeID, db) + inTransit(itemID: item.id, to: sedeID, db)
        guard available < minimum, let warehouse = try warehouse(db), warehouse.id != sedeID else { return }
        var requested = item
        var quantity = ideal - available
        if let pack = try packItem(opening: item.id, db), let perPack = pack.packUnits, perPack > 0 {
            requested = pack
            quantity = (quantity + perPack - 1) / perPack
        }
        guard quantity > 0 else { return }
        let requestID = try openRequest(sedeID: sedeID, warehouseID: warehouse.id, userID: userID, at: at, newID: newID, db)
        guard try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM replenishment_lines WHERE request_id = ? AND item_id = ?)",
                                 arguments: [requestID, requested.id])! else { return }
        try db.execute(sql: """
            INSERT INTO replenishment_lines (id, request_id, sede_id, to_sede_id, item_id, quantity, automatic, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)
            """, arguments: [newID(), requestID, sedeID, warehouse.id, requested.id, quantity, at])
    }

    /// The sede's request no transfer has answered yet, made if there is none.
    static func openRequest(sedeID: String, warehouseID: String, userID: String?, at: String, newID: () -> String, _ db: Database) throws -> String {
        if let id = try String.fetchOne(db, sql: """
            SELECT q.id FROM replenishment_requests q WHERE q.sede_id = ? AND q.to_sede_id = ?
              AND NOT EXISTS (SELECT 1 FROM stock_transfers t WHERE t.request_id = q.id) ORDER BY q.created_at LIMIT 1
            """, arguments: [sedeID, warehouseID]) {
            return id
        }
        let id = newID()
        try db.execute(sql: "INSERT INTO replenishment_requests (id, sede_id, to_sede_id, created_at, user_id) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, sedeID, warehouseID, at, userID])
        return id
    }

    /// Adds a line by hand to the sede's open request to the warehouse.
    public func requestReplenishment(itemID: String, quantity: Int64, by session: Session) throws {
        try session.require(.manageStock, "Solo farmacia o un supervisor piden reposición")
        try write(user: session.userID) { db in
            let item = try Self.product(itemID, db)
            try Self.checkQuantity(quantity, of: item)
            guard let warehouse = try Self.warehouse(db) else { throw StoreError.notFound("No hay un almacén central registrado en la red") }
            guard warehouse.id != session.sede.id else { throw StoreError.invalid("El almacén no se pide reposición a sí mismo") }
            let requestID = try Self.openRequest(sedeID: session.sede.id, warehouseID: warehouse.id, userID: session.userID, at: nowText, newID: newID, db)
            try db.execute(sql: """
                INSERT INTO replenishment_lines (id, request_id, sede_id, to_sede_id, item_id, quantity, automatic, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)
                """, arguments: [newID(), requestID, session.sede.id, warehouse.id, item.id, quantity, nowText])
        }
    }

    /// Requests made by the sede (`from`) or addressed to it (`to`, the warehouse's incoming queue),
    /// newest first; `openOnly` leaves out those a transfer has answered.
    public func replenishmentRequests(from sedeID: String? = nil, to warehouseID: String? = nil, openOnly: Bool = false) throws -> [ReplenishmentRequest] {
        try read { db in
            var conditions: [String] = []
            var arguments: [DatabaseValueConvertible] = []
            if let sedeID { conditions.append("q.sede_id = ?"); arguments.append(sedeID) }
            if let warehouseID { conditions.append("q.to_sede_id = ?"); arguments.append(warehouseID) }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT q.id, q.sede_id, q.to_sede_id, q.created_at, coalesce(s.code, '?') AS code,
                       (SELECT t.id FROM stock_transfers t WHERE t.request_id = q.id ORDER BY t.shipped_at LIMIT 1) AS transfer_id
                FROM replenishment_requests q LEFT JOIN sedes s ON s.id = q.sede_id \(whereSQL) ORDER BY q.created_at DESC
                """, arguments: StatementArguments(arguments))
            return try rows.compactMap { row -> ReplenishmentRequest? in
                let transfer: String? = row["transfer_id"]
                if openOnly && transfer != nil { return nil }
                let lines = try Row.fetchAll(db, sql: """
                    SELECT l.id AS line_id, l.quantity AS line_quantity, l.automatic, i.* FROM replenishment_lines l
                    JOIN catalog_items i ON i.id = l.item_id WHERE l.request_id = ? ORDER BY i.name COLLATE NOCASE
                    """, arguments: [row["id"] as String]).map {
                    ReplenishmentRequest.Line(id: $0["line_id"], item: CatalogItem(row: $0), quantity: $0["line_quantity"], automatic: $0["automatic"])
                }
                return ReplenishmentRequest(id: row["id"], sedeID: row["sede_id"], sedeCode: row["code"], toSedeID: row["to_sede_id"],
                                            createdAt: row["created_at"], lines: lines, transferID: transfer)
            }
        }
    }
}
