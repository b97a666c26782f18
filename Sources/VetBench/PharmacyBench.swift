import Foundation
import GRDB
import VetCore
import VetStore

/// The pharmacy's reads on a sede with a large catalog (5,000 items, each with a barcode) and one
/// item with 1,000,000 stock movements over 50 lots:
/// - an item by barcode (a scanner's Enter), against an indexed lookup of the barcode table alone;
/// - an item's balance from the trigger-kept cache, against `SUM()` over its movements;
/// - a FEFO pick (the item's lots and the plan for a take), against grouping its movements by lot.
enum PharmacyBench {
    static let items = 5_000
    static let movements = 1_000_000
    static let lots = 50
    static let rounds = 2_000

    static let reads = Benchmark(name: "pharmacy") { context in
        let path = context.workdir + "/pharmacy-bench.db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SedeStore.create(path: path)
        let sede = try store.initializeSede(code: "BEN01", name: "Sede de prueba")
        let today = store.today
        var rng = SplitMix64(seed: 12)
        let ids = (0..<items).map { _ in store.newID() }
        let barcodes = (0..<items).map { i in EAN13.with(prefix: "775" + String(format: "%09d", i)) }
        context.log("pharmacy: \(items) items, \(movements) movements over \(lots) lots of one item…")
        try store.applyingRemote { db in
            let item = try db.makeStatement(sql: """
                INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, tracks_lots, created_at, updated_at)
                VALUES (?, ?, ?, 'medicamento', 'Bench', 'NIU', '10', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """)
            let code = try db.makeStatement(sql: "INSERT INTO catalog_barcodes (id, item_id, code) VALUES (?, ?, ?)")
            for i in 0..<items {
                try item.execute(arguments: [ids[i], "BEN-\(i)", "Producto de prueba \(i)"])
                try code.execute(arguments: [store.newID(), ids[i], barcodes[i]])
            }
            // The ledger of one busy item: receipts into 50 lots, then takes out of them.
            let movement = try db.makeStatement(sql: """
                INSERT INTO stock_movements (id, sede_id, act_id, item_id, lot_code, expiry, quantity, kind, user_id, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2026-01-01T00:00:00Z')
                """)
            let busy = ids[0]
            for n in 0..<movements {
                let lot = n % lots
                let inbound = n % 10 == 0
                let id = String(format: "m%08d", n)
                try movement.execute(arguments: [id, sede.id, id, busy, "L\(lot)", today.adding(days: 30 + lot * 7).iso,
                                                 inbound ? 100 : -Int64(1 + Int(rng.next() % 5)), inbound ? "recepcion" : "dispensacion"])
            }
        }
        let busy = ids[0]

        // Item by barcode.
        let lookups = (0..<rounds).map { _ in barcodes[Int(rng.next() % UInt64(items))] }
        for code in lookups.prefix(200) { _ = try store.catalogItem(code: code) }
        var byBarcode: [Double] = []
        for code in lookups { byBarcode.append(try Stats.timeMs { _ = try store.catalogItem(code: code) }) }
        var byBarcodeBase: [Double] = []
        try store.read { db in
            let statement = try db.makeStatement(sql: "SELECT item_id FROM catalog_barcodes WHERE code = ?")
            for code in lookups { byBarcodeBase.append(try Stats.timeMs { _ = try String.fetchOne(statement, arguments: [code]) }) }
        }

        // Balance of the item with a million movements.
        var balance: [Double] = []
        var held: Int64 = 0
        for _ in 0..<rounds { balance.append(try Stats.timeMs { held = try store.onHand(itemID: busy, sedeID: sede.id) }) }
        var balanceBase: [Double] = []
        var summed: Int64 = 0
        try store.read { db in
            let statement = try db.makeStatement(sql: "SELECT sum(quantity) FROM stock_movements WHERE sede_id = ? AND item_id = ?")
            for _ in 0..<5 { balanceBase.append(try Stats.timeMs { summed = try Int64.fetchOne(statement, arguments: [sede.id, busy]) ?? 0 }) }
        }
        guard held == summed else { throw BenchFailure(description: "el saldo en caché (\(held)) no es la suma de los movimientos (\(summed))") }

        // FEFO pick: the lots and the plan for a take.
        var fefo: [Double] = []
        for _ in 0..<rounds {
            fefo.append(try Stats.timeMs { _ = FEFO.plan(quantity: 250, lots: try store.lots(itemID: busy, sedeID: sede.id), today: today) })
        }
        var fefoBase: [Double] = []
        try store.read { db in
            let statement = try db.makeStatement(sql: """
                SELECT lot_code, expiry, sum(quantity) FROM stock_movements WHERE sede_id = ? AND item_id = ? GROUP BY lot_code, expiry
                """)
            for _ in 0..<5 { fefoBase.append(try Stats.timeMs { _ = try Row.fetchAll(statement, arguments: [sede.id, busy]) }) }
        }
        try store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return [
            BenchResult(name: "pharmacy.item_by_barcode", unit: "ms", samples: byBarcode, baselineSamples: byBarcodeBase,
                        goal: "p99 < 1 ms over \(items) items; baseline: the barcode index alone"),
            BenchResult(name: "pharmacy.balance_1m_movements", unit: "ms", samples: balance, baselineSamples: balanceBase,
                        goal: "< 2 ms with \(movements) movements; baseline: SUM() over them"),
            BenchResult(name: "pharmacy.fefo_pick", unit: "ms", samples: fefo, baselineSamples: fefoBase,
                        goal: "p99 < 2 ms over \(lots) lots; baseline: movements grouped by lot"),
        ]
    }
}

/// An EAN-13 with its check digit.
enum EAN13 {
    static func with(prefix twelve: String) -> String {
        let digits = twelve.compactMap(\.wholeNumberValue)
        let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return twelve + String((10 - sum % 10) % 10)
    }
}
