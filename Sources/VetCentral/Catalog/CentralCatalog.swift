import Foundation
import VetCore
import VetProtocol

/// The catalog at the central: items, barcodes and prices (central data, DESIGN.md §3). It lives
/// in the log and the read model only; sedes receive it by pull. Every change goes through
/// `CentralStorage.appendCentral`, checked against the read model version it was decided on, so
/// two admins importing at once never both write.
///
/// Prices are never overwritten: a change of price is a new `catalog_prices` row effective from a
/// day, and no row of `catalog_prices` is ever updated or deleted.
public enum CentralCatalog {
    static let tables = ["catalog_items", "catalog_barcodes", "catalog_prices"]

    /// The catalog as the read model holds it.
    struct Snapshot {
        var version: ReadVersion
        var items: [CurrentRow]
        var barcodes: [CurrentRow]
        var prices: [CurrentRow]

        var itemsBySKU: [String: CurrentRow] {
            Dictionary(items.compactMap { row in row.cols["sku"]?.text.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
        }
        var skuByID: [String: String] {
            Dictionary(items.compactMap { row in row.cols["sku"]?.text.map { (row.rowID, $0) } }, uniquingKeysWith: { first, _ in first })
        }
        /// Each item's barcode rows, in the order they were created (ids are UUIDv7).
        var barcodesByItem: [String: [(id: String, code: String)]] {
            var out: [String: [(id: String, code: String)]] = [:]
            for row in barcodes.sorted(by: { $0.rowID < $1.rowID }) {
                guard let item = row.cols["item_id"]?.text, let code = row.cols["code"]?.text else { continue }
                out[item, default: []].append((row.rowID, code))
            }
            return out
        }
        var pricesByItem: [String: [PriceEntry]] {
            var out: [String: [PriceEntry]] = [:]
            for row in prices {
                guard let item = row.cols["item_id"]?.text, case .int(let centimos)? = row.cols["price"],
                      let from = row.cols["effective_from"]?.text.flatMap(CivilDate.init(iso:)) else { continue }
                out[item, default: []].append(PriceEntry(sedeID: row.cols["sede_id"]?.text, price: Money(centimos: centimos), effectiveFrom: from,
                                                         createdAt: row.cols["created_at"]?.text ?? ""))
            }
            return out
        }
    }

    static func snapshot(_ storage: any CentralStorage) async throws -> Snapshot {
        // The version first: a change made while the rows are read makes the write refuse.
        let version = try await storage.readVersion(tables)
        return Snapshot(version: version,
                        items: try await storage.currentRows(RowQuery(table: "catalog_items")),
                        barcodes: try await storage.currentRows(RowQuery(table: "catalog_barcodes")),
                        prices: try await storage.currentRows(RowQuery(table: "catalog_prices")))
    }

    // MARK: Import

    /// What an import did. When a line was rejected without `partial`, nothing was counted or written:
    /// only the problems are there.
    public struct ImportSummary: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var pricesAdded = 0
        public var barcodesAdded = 0
        public var barcodesRemoved = 0
        /// Every problem found, each with its line.
        public var problems: [CatalogCSV.Problem] = []
        /// Whether anything was written.
        public var applied = false
        /// Whether the valid lines were to be applied even with lines rejected (`--partial`).
        public var partial = false

        /// How many lines were rejected (a line may have several problems).
        public var rejectedLines: Int { Set(problems.map(\.line)).count }

        /// The one-line Spanish summary the command prints.
        public var text: String {
            func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
            let rejected = count(rejectedLines, "línea rechazada", "líneas rechazadas")
            if !applied && rejectedLines > 0 {
                return partial ? "Nada que aplicar: \(rejected)"
                    : "No se aplicó nada: \(rejected); corríjalas o use --partial para aplicar las demás"
            }
            let head = applied ? (rejectedLines > 0 ? "Catálogo importado en parte" : "Catálogo importado") : "Catálogo sin cambios"
            return "\(head): " + [
                count(created, "artículo nuevo", "artículos nuevos"), count(updated, "actualizado", "actualizados"), "\(unchanged) sin cambios",
                count(pricesAdded, "precio nuevo", "precios nuevos"), count(barcodesAdded, "código de barras agregado", "códigos de barras agregados"),
                count(barcodesRemoved, "quitado", "quitados"), rejected,
            ].joined(separator: ", ")
        }
    }

    /// Imports a catalog file (`CatalogCSV`). Every line is checked first; when any is rejected,
    /// nothing is written unless `partial`, and then the valid lines are. An existing SKU is
    /// updated (only the columns that change; its barcodes become those of the file); a new SKU
    /// is created; a price that differs from the network price in force on `from` becomes a new
    /// network price effective from that day. Items the file does not name are left as they are.
    /// `from` may not be before `today` (what was charged is history).
    public static func importCSV(_ storage: any CentralStorage, bytes: [UInt8], partial: Bool, from: CivilDate, today: CivilDate,
                                 nowText: String = CentralAdmin.nowText) async throws -> ImportSummary {
        try checkNotPast(from, today: today)
        let snapshot = try await snapshot(storage)
        let itemsBySKU = snapshot.itemsBySKU, skuByID = snapshot.skuByID
        var existingBarcodes: [String: String] = [:]
        for (itemID, codes) in snapshot.barcodesByItem {
            guard let sku = skuByID[itemID] else { continue }
            for code in codes { existingBarcodes[code.code] = sku }
        }
        let validated = CatalogCSV.validate(bytes, existingSKUs: Set(itemsBySKU.keys), existingBarcodes: existingBarcodes)
        var summary = ImportSummary(problems: validated.problems, partial: partial)
        if !validated.problems.isEmpty && !partial { return summary }

        var idBySKU = itemsBySKU.mapValues(\.rowID)
        for entry in validated.entries where idBySKU[entry.item.sku] == nil { idBySKU[entry.item.sku] = CentralAdmin.newID() }
        let barcodesByItem = snapshot.barcodesByItem, pricesByItem = snapshot.pricesByItem

        // Barcodes leave before any arrives, so a sede applying the page in order never holds one twice.
        var removals: [CentralWrite] = [], items: [CentralWrite] = [], additions: [CentralWrite] = [], prices: [CentralWrite] = []
        for entry in validated.entries {
            let line = entry.item
            guard let id = idBySKU[line.sku] else { continue }
            let cols = itemCols(line, unitItemID: line.unitSKU.flatMap { idBySKU[$0] })
            if let existing = itemsBySKU[line.sku] {
                let changed = cols.filter { existing.cols[$0.key] != $0.value }
                if changed.isEmpty {
                    summary.unchanged += 1
                } else {
                    items.append(.update("catalog_items", id: id, changed.merging(["updated_at": .text(nowText)]) { $1 }))
                    summary.updated += 1
                }
            } else {
                items.append(.insert("catalog_items", cols.merging(["id": .text(id), "created_at": .text(nowText), "updated_at": .text(nowText)]) { $1 }))
                summary.created += 1
            }
            let held = barcodesByItem[id] ?? []
            for code in held where !line.barcodes.contains(code.code) {
                removals.append(.delete("catalog_barcodes", id: code.id))
                summary.barcodesRemoved += 1
            }
            for code in line.barcodes where !held.contains(where: { $0.code == code }) {
                additions.append(.insert("catalog_barcodes", ["id": .text(CentralAdmin.newID()), "item_id": .text(id), "code": .text(code)]))
                summary.barcodesAdded += 1
            }
            if let price = line.price, PriceList.networkPrice(on: from, from: pricesByItem[id] ?? [])?.price != price {
                prices.append(priceRow(itemID: id, sedeID: nil, price: price, from: from, nowText: nowText))
                summary.pricesAdded += 1
            }
        }
        let writes = removals + items + additions + prices
        try await storage.appendCentral(writes, nowText: nowText, unchangedSince: snapshot.version)
        summary.applied = !writes.isEmpty
        return summary
    }

    /// An item's columns as a sede stores them (`catalog_items`), without id and times.
    static func itemCols(_ line: CatalogLine, unitItemID: String?) -> [String: SQLValue] {
        func flag(_ value: Bool) -> SQLValue { .int(value ? 1 : 0) }
        return [
            "sku": .text(line.sku), "name": .text(line.name), "kind": .text(line.kind.rawValue), "category": .text(line.category),
            "unit_code": .text(line.unitCode), "igv_affectation": .text(line.igv.rawValue), "presentation": .text(line.presentation),
            "base_unit": .text(line.baseUnit), "unit_item_id": unitItemID.map(SQLValue.text) ?? .null,
            "pack_units": line.packUnits.map(SQLValue.int) ?? .null, "tracks_lots": flag(line.tracksLots),
            "controlled": flag(line.controlled), "prescription": flag(line.prescription), "active": flag(line.active),
        ]
    }

    static func priceRow(itemID: String, sedeID: String?, price: Money, from: CivilDate, nowText: String) -> CentralWrite {
        .insert("catalog_prices", ["id": .text(CentralAdmin.newID()), "item_id": .text(itemID), "sede_id": sedeID.map(SQLValue.text) ?? .null,
                                   "price": .int(price.centimos), "effective_from": .text(from.iso), "created_at": .text(nowText)])
    }

    static func checkNotPast(_ from: CivilDate, today: CivilDate) throws {
        guard from >= today else {
            throw CentralError(422, "past_date", "Un precio rige desde hoy (\(today.display)) o una fecha futura, no desde el \(from.display): lo cobrado no se cambia")
        }
    }

    /// A day typed as `dd/mm/aaaa`.
    public static func day(_ text: String) throws -> CivilDate {
        guard let day = CivilDate(display: text) else {
            throw CentralError(422, "invalid_date", "Fecha inválida «\(text)»: use dd/mm/aaaa")
        }
        return day
    }

    // MARK: Export

    /// The whole catalog as a `CatalogCSV` file, ordered by SKU, with the network price in force
    /// on `today` (empty for an item without one yet), and how many items it holds. Importing it
    /// back changes nothing.
    public static func exportCSV(_ storage: any CentralStorage, today: CivilDate) async throws -> (csv: String, items: Int) {
        let lines = try await lines(storage, today: today)
        return (CatalogCSV.write(lines), lines.count)
    }

    /// The catalog's items as lines, ordered by SKU, with the network price in force on `today`.
    public static func lines(_ storage: any CentralStorage, today: CivilDate) async throws -> [CatalogLine] {
        let snapshot = try await snapshot(storage)
        let skuByID = snapshot.skuByID, barcodes = snapshot.barcodesByItem, prices = snapshot.pricesByItem
        return snapshot.items.compactMap { row -> CatalogLine? in
            let cols = row.cols
            guard let sku = cols["sku"]?.text else { return nil }
            func flag(_ name: String, _ empty: Bool) -> Bool { cols[name].map { $0 == .int(1) } ?? empty }
            var packUnits: Int64? = nil
            if case .int(let units)? = cols["pack_units"] { packUnits = units }
            return CatalogLine(sku: sku, name: cols["name"]?.text ?? "", kind: CatalogKind.parse(cols["kind"]?.text ?? ""),
                               category: cols["category"]?.text ?? "", presentation: cols["presentation"]?.text ?? "",
                               baseUnit: cols["base_unit"]?.text ?? "unidad", unitCode: cols["unit_code"]?.text ?? "",
                               igv: IGVAffectation.parse(cols["igv_affectation"]?.text ?? ""),
                               price: PriceList.networkPrice(on: today, from: prices[row.rowID] ?? [])?.price,
                               barcodes: (barcodes[row.rowID] ?? []).map(\.code),
                               unitSKU: cols["unit_item_id"]?.text.flatMap { skuByID[$0] }, packUnits: packUnits,
                               tracksLots: flag("tracks_lots", false), controlled: flag("controlled", false),
                               prescription: flag("prescription", false), active: flag("active", true))
        }.sorted { $0.sku < $1.sku }
    }

    // MARK: One price

    /// What `setPrice` did.
    public enum PriceOutcome: Sendable, Equatable {
        case added
        /// The same price for the same sede from the same day was already recorded: nothing written.
        case alreadyRecorded
    }

    /// Records a price of one item, for the network or (`sedeCode`) one sede's override, effective
    /// from `from` (`dd/mm/aaaa`, today or later). Never changes an existing price row.
    public static func setPrice(_ storage: any CentralStorage, sku skuText: String, price priceText: String, sedeCode: String?, from fromText: String,
                                today: CivilDate, nowText: String = CentralAdmin.nowText) async throws -> PriceOutcome {
        let sku = skuText.trimmingCharacters(in: .whitespaces).uppercased()
        let price: Money
        do { price = try Money.parse(priceText) } catch {
            throw CentralError(422, "invalid_price", "Precio inválido «\(priceText)»: \(error.description.lowercased()) (use soles con punto decimal, p. ej. 35.50)")
        }
        guard price.centimos >= 0 else { throw CentralError(422, "invalid_price", "El precio no puede ser negativo («\(priceText)»)") }
        let from = try day(fromText)
        try checkNotPast(from, today: today)
        var sedeID: String? = nil
        if let sedeCode {
            let code = sedeCode.trimmingCharacters(in: .whitespaces).uppercased()
            guard let sede = try await storage.listSedes().first(where: { $0.code == code }) else {
                throw CentralError(404, "unknown_sede", "No existe la sede \(code)")
            }
            sedeID = sede.id
        }
        let snapshot = try await snapshot(storage)
        guard let item = snapshot.itemsBySKU[sku] else { throw CentralError(404, "unknown_sku", "No existe el artículo \(sku) en el catálogo") }
        let recorded = snapshot.pricesByItem[item.rowID] ?? []
        if recorded.contains(where: { $0.sedeID == sedeID && $0.price == price && $0.effectiveFrom == from }) { return .alreadyRecorded }
        try await storage.appendCentral([priceRow(itemID: item.rowID, sedeID: sedeID, price: price, from: from, nowText: nowText)],
                                        nowText: nowText, unchangedSince: snapshot.version)
        return .added
    }
}
