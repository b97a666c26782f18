import Foundation
import VetCore
import VetProtocol

/// The network-wide recall trace, answered from the read model: every sede's stock movements of
/// one lot of one item, with the pets and owners it reached.
public enum CentralTrace {
    /// How far a chain of merges (`merged_into`) is followed to the pet or owner that lives on.
    static let maxMergeHops = 5

    /// The trace of `lot` of the item `sku`. Throws `unknown_sku` (404) for an SKU the catalog does
    /// not have and `invalid_lot` (400) for a lot code no box could carry; a lot without movements
    /// is an empty trace.
    public static func trace(_ storage: any CentralStorage, sku skuText: String, lot lotText: String) async throws -> LotTrace {
        let sku = skuText.trimmingCharacters(in: .whitespaces).uppercased()
        guard !sku.isEmpty else { throw CentralError(400, "missing_sku", "Indique el SKU del artículo") }
        let lot: String
        do { lot = try StockRules.lotCode(lotText) } catch { throw CentralError(400, "invalid_lot", error.description) }
        guard let item = try await storage.currentRows(RowQuery(table: "catalog_items", equals: ["sku": .text(sku)])).first else {
            throw CentralError(404, "unknown_sku", "No existe el artículo \(sku) en el catálogo")
        }
        let rows = try await storage.currentRows(RowQuery(table: "stock_movements", equals: ["item_id": .text(item.rowID), "lot_code": .text(lot)]))
        let sedes = Dictionary(try await storage.listSedes().map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
        let pets = try await resolve(storage, table: "pets", ids: rows.compactMap { $0.cols["pet_id"]?.text })
        let ownerIDs = rows.compactMap { row in row.cols["owner_id"]?.text ?? row.cols["pet_id"]?.text.flatMap { pets($0)?.cols["owner_id"]?.text } }
        let owners = try await resolve(storage, table: "owners", ids: ownerIDs)

        var movements: [LotTrace.Movement] = []
        var balances: [String: Int64] = [:]
        for row in rows {
            let cols = row.cols
            guard case .int(let quantity)? = cols["quantity"] else { continue }
            let sedeID = cols["sede_id"]?.text ?? row.ownerSede ?? ""
            let pet = cols["pet_id"]?.text.flatMap { pets($0) }
            let owner = (cols["owner_id"]?.text ?? pet?.cols["owner_id"]?.text).flatMap { owners($0) }
            movements.append(LotTrace.Movement(
                id: row.rowID, sedeID: sedeID, sedeCode: sedes[sedeID] ?? "", at: cols["at"]?.text ?? "", kind: cols["kind"]?.text ?? "",
                quantity: quantity, expiry: cols["expiry"]?.text ?? "", docType: cols["doc_type"]?.text, docRef: cols["doc_ref"]?.text,
                pet: pet.map { LotTrace.Pet(id: $0.rowID, name: $0.cols["name"]?.text ?? "", species: $0.cols["species"]?.text) },
                owner: owner.map { owner in
                    let name = [owner.cols["first_names"]?.text, owner.cols["last_names"]?.text].compactMap { $0 }.joined(separator: " ")
                    return LotTrace.Owner(id: owner.rowID, name: name.trimmingCharacters(in: .whitespaces),
                                          phone: owner.cols["phone"]?.text ?? owner.cols["phone2"]?.text)
                }))
            balances[sedeID, default: 0] &+= quantity
        }
        movements.sort { ($0.at, $0.sedeCode, $0.id) < ($1.at, $1.sedeCode, $1.id) }
        let balanceList = balances.map { LotTrace.Balance(sedeID: $0.key, sedeCode: sedes[$0.key] ?? "", quantity: $0.value) }
            .sorted { ($0.sedeCode, $0.sedeID) < ($1.sedeCode, $1.sedeID) }
        return LotTrace(sku: sku, lot: lot, itemID: item.rowID, itemName: item.cols["name"]?.text ?? "", movements: movements, balances: balanceList)
    }

    /// The rows of `ids` (deleted ones too: they keep their last values), each followed through
    /// merges to the row that lives on; a lookup by the original id.
    static func resolve(_ storage: any CentralStorage, table: String, ids: [String]) async throws -> (String) -> CurrentRow? {
        var rows: [String: CurrentRow] = [:]
        var wanted = Set(ids)
        for _ in 0...maxMergeHops where !wanted.isEmpty {
            for row in try await storage.currentRows(RowQuery(table: table, ids: wanted.sorted(), includeDeleted: true)) { rows[row.rowID] = row }
            wanted = Set(rows.values.compactMap { $0.cols["merged_into"]?.text }).subtracting(rows.keys)
        }
        let found = rows
        return { id in
            var row = found[id]
            for _ in 0..<maxMergeHops {
                guard let next = row?.cols["merged_into"]?.text, let kept = found[next] else { break }
                row = kept
            }
            return row
        }
    }

    /// The trace as JSON, as `GET /v1/trace` answers it (keys sorted, for people and diffs).
    public static func json(_ trace: LotTrace) throws -> Data {
        let encoder = SyncCoding.encoder()
        encoder.outputFormatting.insert(.sortedKeys)
        return try encoder.encode(trace)
    }

    /// The trace as the `vetcentral trace` command prints it: one line per movement, then the
    /// balance per sede and how many pets and owners it reached.
    public static func table(_ trace: LotTrace) -> String {
        var out = "Lote \(trace.lot) de \(trace.sku) — \(trace.itemName)\n"
        guard !trace.movements.isEmpty else { return out + "Sin movimientos de este lote en ninguna sede.\n" }
        let header = ["Fecha", "Sede", "Movimiento", "Cantidad", "Vence", "Mascota", "Propietario", "Teléfono"]
        let rows = trace.movements.map { m -> [String] in
            let at = LimaTime.parseISO8601(m.at).map(LimaTime.dayAndClock) ?? m.at
            let expiry = CivilDate(iso: m.expiry)?.display ?? ""
            return [at, m.sedeCode.isEmpty ? m.sedeID : m.sedeCode, StockMovementKind.parse(m.kind).label, String(m.quantity), expiry,
                    m.pet?.name ?? "", m.owner?.name ?? "", m.owner?.phone ?? ""]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            var text = cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 3 ? pad + cell : cell + pad
            }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        out += line(header)
        for row in rows { out += line(row) }
        out += "Saldo por sede: " + trace.balances.map { "\($0.sedeCode.isEmpty ? $0.sedeID : $0.sedeCode) \($0.quantity)" }.joined(separator: " · ") + "\n"
        let pets = Set(trace.movements.compactMap { $0.pet?.id }).count
        let owners = Set(trace.movements.compactMap { $0.owner?.id }).count
        out += "Llegó a \(pets) \(pets == 1 ? "mascota" : "mascotas") de \(owners) \(owners == 1 ? "propietario" : "propietarios").\n"
        return out
    }
}
