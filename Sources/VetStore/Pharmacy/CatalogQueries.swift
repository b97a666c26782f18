import Foundation
import GRDB
import VetCore

/// An item of the stock list: the catalog item, what this sede holds of it and its price today.
public struct StockRow: Sendable, Equatable {
    public var item: CatalogItem
    public var onHand: Int64
    public var inTransit: Int64
    public var price: Money?
    public var minimum: Int64?
    public var ideal: Int64?

    public init(item: CatalogItem, onHand: Int64, inTransit: Int64, price: Money?, minimum: Int64?, ideal: Int64?) {
        self.item = item; self.onHand = onHand; self.inTransit = inTransit; self.price = price; self.minimum = minimum; self.ideal = ideal
    }

    public var isBelowMinimum: Bool { minimum.map { onHand + inTransit < $0 } ?? false }
}

extension CatalogItem {
    /// Reads a `catalog_items` row.
    init(row: Row) {
        self.init(id: row["id"], sku: row["sku"], name: row["name"], kind: CatalogKind.parse(row["kind"]), category: row["category"],
                  unitCode: row["unit_code"], igv: IGVAffectation.parse(row["igv_affectation"]), presentation: row["presentation"],
                  baseUnit: row["base_unit"], unitItemID: row["unit_item_id"], packUnits: row["pack_units"],
                  tracksLots: row["tracks_lots"], controlled: row["controlled"], prescription: row["prescription"], active: row["active"])
    }
}

extension SedeStore {
    // MARK: Catalog (central data, read-only here)

    public func catalogItem(id: String) throws -> CatalogItem? {
        try read { db in try Self.catalogItem(id: id, db) }
    }

    static func catalogItem(id: String, _ db: Database) throws -> CatalogItem? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM catalog_items WHERE id = ?"), arguments: [id]).map(CatalogItem.init(row:))
    }

    /// The item a scanner or a person names exactly: by barcode or by SKU (any letter case).
    public func catalogItem(code: String) throws -> CatalogItem? {
        let text = code.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.count <= 64 else { return nil }
        return try read { db in try Self.catalogItem(code: text, db) }
    }

    static func catalogItem(code: String, _ db: Database) throws -> CatalogItem? {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT i.* FROM catalog_barcodes b JOIN catalog_items i ON i.id = b.item_id WHERE b.code = ?
            """), arguments: [code]) {
            return CatalogItem(row: row)
        }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM catalog_items WHERE sku = ?"), arguments: [code.uppercased()])
            .map(CatalogItem.init(row:))
    }

    public func barcodes(itemID: String) throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT code FROM catalog_barcodes WHERE item_id = ? ORDER BY code", arguments: [itemID]) }
    }

    /// The items a search names, with this sede's stock and today's price: an exact barcode or SKU
    /// first (a scanner types a barcode and Enter), then items whose name or SKU contains every word
    /// typed. Inactive items only when asked. At most `limit`.
    public func stockSearch(_ text: String, sedeID: String, includeInactive: Bool = false, productsOnly: Bool = false, limit: Int = 200) throws -> [StockRow] {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).prefix(8)
        let today = self.today
        return try read { db in
            var items: [CatalogItem] = []
            if let exact = try Self.catalogItem(code: text.trimmingCharacters(in: .whitespaces), db) { items.append(exact) }
            var conditions: [String] = []
            var arguments: [DatabaseValueConvertible] = []
            for word in words {
                conditions.append("(lower(name) LIKE ? ESCAPE '\\' OR lower(sku) LIKE ? ESCAPE '\\')")
                let pattern = "%" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                arguments.append(pattern); arguments.append(pattern)
            }
            if !includeInactive { conditions.append("active = 1") }
            let whereSQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM catalog_items \(whereSQL) ORDER BY name COLLATE NOCASE LIMIT ?",
                                        arguments: StatementArguments(arguments))
            for row in rows where !items.contains(where: { $0.id == row["id"] as String }) { items.append(CatalogItem(row: row)) }
            if productsOnly { items = items.filter(\.isProduct) }
            return try items.prefix(limit).map { try Self.stockRow($0, sedeID: sedeID, today: today, db) }
        }
    }

    static func stockRow(_ item: CatalogItem, sedeID: String, today: CivilDate, _ db: Database) throws -> StockRow {
        let level = try Row.fetchOne(db.cachedStatement(sql: "SELECT minimum, ideal FROM stock_levels WHERE sede_id = ? AND item_id = ?"),
                                     arguments: [sedeID, item.id])
        return StockRow(item: item, onHand: try onHand(itemID: item.id, sedeID: sedeID, db),
                        inTransit: try inTransit(itemID: item.id, to: sedeID, db),
                        price: try price(itemID: item.id, sedeID: sedeID, on: today, db),
                        minimum: level?["minimum"], ideal: level?["ideal"])
    }

    /// The price in force at the sede on `day` (IGV included), or nil if the item has none.
    public func price(itemID: String, sedeID: String, on day: CivilDate) throws -> Money? {
        try read { db in try Self.price(itemID: itemID, sedeID: sedeID, on: day, db) }
    }

    static func price(itemID: String, sedeID: String, on day: CivilDate, _ db: Database) throws -> Money? {
        let entries = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT sede_id, price, effective_from, created_at FROM catalog_prices
            WHERE item_id = ? AND (sede_id IS NULL OR sede_id = ?) AND effective_from <= ?
            """), arguments: [itemID, sedeID, day.iso]).compactMap { row -> PriceEntry? in
            guard let from = CivilDate(iso: row["effective_from"]) else { return nil }
            return PriceEntry(sedeID: row["sede_id"], price: Money(centimos: row["price"]), effectiveFrom: from, createdAt: row["created_at"])
        }
        return PriceList.price(at: sedeID, on: day, from: entries)?.price
    }

    /// Every price of the item at this sede (network and own), newest first: the history.
    public func priceHistory(itemID: String, sedeID: String) throws -> [PriceEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT sede_id, price, effective_from, created_at FROM catalog_prices WHERE item_id = ? AND (sede_id IS NULL OR sede_id = ?)
                ORDER BY effective_from DESC, created_at DESC
                """, arguments: [itemID, sedeID]).compactMap { row in
                CivilDate(iso: row["effective_from"]).map {
                    PriceEntry(sedeID: row["sede_id"], price: Money(centimos: row["price"]), effectiveFrom: $0, createdAt: row["created_at"])
                }
            }
        }
    }

    /// The pack item that opens into `itemID` (desarme), if any.
    static func packItem(opening itemID: String, _ db: Database) throws -> CatalogItem? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM catalog_items WHERE unit_item_id = ? AND active = 1 ORDER BY sku LIMIT 1"),
                         arguments: [itemID]).map(CatalogItem.init(row:))
    }

    /// The sede's warehouse: the active sede of kind almacén (the first by code if there are several).
    static func warehouse(_ db: Database) throws -> Sede? {
        try Sede.filter(sql: "kind = 'almacen' AND active = 1").order(sql: "code").fetchOne(db)
    }
}
