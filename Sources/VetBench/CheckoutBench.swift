import Foundation
import GRDB
import VetCore
import VetStore

/// The till on a sede with a large catalog (5,000 products, each with a barcode, a price and stock):
/// - an item added to the cart by barcode (the item, its price in force and its stock in one read),
///   against the barcode index alone;
/// - a 5-line sale with 2 payments committed (lines, FEFO stock movements, payments, cash movements,
///   journal), against one write transaction inserting the same number of rows into a table without
///   triggers or rules.
enum CheckoutBench {
    static let items = 5_000
    static let lookups = 2_000
    static let sales = 400
    static let reports = 200
    static let closes = 60

    static let till = Benchmark(name: "checkout") { context in
        let path = context.workdir + "/checkout-bench.db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SedeStore.create(path: path)
        let sede = try store.initializeSede(code: "BEN02", name: "Sede de caja")
        var rng = SplitMix64(seed: 13)
        let ids = (0..<items).map { _ in store.newID() }
        let barcodes = (0..<items).map { i in EAN13.with(prefix: "776" + String(format: "%09d", i)) }
        let userID = store.newID()
        context.log("checkout: \(items) products with prices and stock…")
        try store.applyingRemote { db in
            try db.execute(sql: "INSERT INTO users (id, username, full_name, pass_hash, created_at) VALUES (?, 'caja', 'Caja Bench', '!', ?)",
                           arguments: [userID, store.nowText])
            try db.execute(sql: "INSERT INTO user_roles (id, user_id, sede_id, role) VALUES (?, ?, ?, 'supervisor')", arguments: [store.newID(), userID, sede.id])
            let item = try db.makeStatement(sql: """
                INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, tracks_lots, created_at, updated_at)
                VALUES (?, ?, ?, 'medicamento', 'Bench', 'NIU', ?, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                """)
            let code = try db.makeStatement(sql: "INSERT INTO catalog_barcodes (id, item_id, code) VALUES (?, ?, ?)")
            let price = try db.makeStatement(sql: """
                INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, ?, '2026-01-01', '2026-01-01T00:00:00Z')
                """)
            for i in 0..<items {
                try item.execute(arguments: [ids[i], "CAJ-\(i)", "Producto de caja \(i)", i % 7 == 0 ? "20" : "10"])
                try code.execute(arguments: [store.newID(), ids[i], barcodes[i]])
                try price.execute(arguments: [store.newID(), ids[i], 100 + Int64(rng.next() % 20_000)])
            }
        }
        let session = Session(userID: userID, username: "caja", fullName: "Caja Bench", roles: [.supervisor], sede: sede)
        let today = store.today
        try store.receive(actID: store.newID(), document: "F001-1", supplier: "Bench", lines: (0..<items).map {
            StockLine(itemID: ids[$0], lotCode: "L\($0 % 3)", expiry: today.adding(days: 200 + $0 % 50), quantity: 1_000_000)
        }, by: session)
        try store.openCashSession(id: store.newID(), drawer: "Caja 1", counts: [10_000: 5], by: session)

        // An item by barcode, as the cart adds it.
        let codes = (0..<lookups).map { _ in barcodes[Int(rng.next() % UInt64(items))] }
        for code in codes.prefix(200) { _ = try store.saleItem(code: code, sedeID: sede.id) }
        var byBarcode: [Double] = []
        for code in codes { byBarcode.append(try Stats.timeMs { _ = try store.saleItem(code: code, sedeID: sede.id) }) }
        var byBarcodeBase: [Double] = []
        try store.read { db in
            let statement = try db.makeStatement(sql: "SELECT item_id FROM catalog_barcodes WHERE code = ?")
            for code in codes { byBarcodeBase.append(try Stats.timeMs { _ = try String.fetchOne(statement, arguments: [code]) }) }
        }

        // A 5-line sale with 2 payments (cash with change, then card), committed.
        var commit: [Double] = []
        for n in 0..<sales {
            let lines = (0..<5).map { _ in SaleDraft.Line(itemID: ids[Int(rng.next() % UInt64(items))], quantity: 1 + Int64(rng.next() % 3)) }
            let draft = SaleDraft(id: store.newID(), lines: lines, drawer: "Caja 1")
            let payments = [PaymentDraft(id: store.newID(), method: .efectivo, amount: Money(centimos: 1_000), tendered: Money(centimos: 2_000)),
                            PaymentDraft(id: store.newID(), method: .tarjeta, amount: Money(centimos: 1),
                                         card: CardDetails(brand: "VISA", last4: "4242", authCode: "A\(n)", terminal: "NB01", batch: "1"))]
            // The card pays what the cash left: the amount is set from the sale's total, known after pricing.
            var priced = Money.zero
            for line in lines { priced = try priced.adding((try store.price(itemID: line.itemID, sedeID: sede.id, on: today) ?? .zero).multiplied(by: line.quantity)) }
            var paying = payments
            paying[1].amount = Money(centimos: priced.centimos - 1_000)
            var state = SaleState.abierta
            commit.append(try Stats.timeMs { state = try store.checkout(draft, payments: paying, by: session).state })
            guard state == .pagada else { throw BenchFailure(description: "la venta \(n) quedó \(state.label)") }
        }
        try store.write(user: nil) { db in
            try db.execute(sql: "CREATE TABLE bench_rows (id TEXT PRIMARY KEY, a TEXT, b INTEGER, c INTEGER, d TEXT)")
        }
        var commitBase: [Double] = []
        for _ in 0..<sales {
            commitBase.append(try Stats.timeMs {
                try store.write(user: nil) { db in
                    let insert = try db.cachedStatement(sql: "INSERT INTO bench_rows (id, a, b, c, d) VALUES (?, ?, ?, ?, ?)")
                    for _ in 0..<(1 + 5 + 5 + 2 + 2) { try insert.execute(arguments: [store.newID(), sede.id, 1, 2, "x"]) }
                }
            })
        }
        // The X report of the drawer that took those sales (figures from every movement and
        // payment of the session), against one sum over its movements.
        guard let drawerSession = try store.currentCashSession(drawer: "Caja 1", sedeID: sede.id) else {
            throw BenchFailure(description: "la caja del bench no está abierta")
        }
        var xReport: [Double] = [], xReportBase: [Double] = []
        for _ in 0..<reports {
            xReport.append(try Stats.timeMs { _ = try store.cashReport(sessionID: drawerSession.id, by: session) })
            xReportBase.append(try Stats.timeMs {
                _ = try store.read { db in
                    try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM cash_movements WHERE session_id = ?", arguments: [drawerSession.id])
                }
            })
        }
        // A close of a drawer with 20 movements (the count, its level and the Z report), against
        // one write of two plain rows.
        var closing: [Double] = []
        for n in 0..<closes {
            let drawer = "Caja B\(n)"
            let cash = try store.openCashSession(id: store.newID(), drawer: drawer, counts: [10_000: 2], by: session)
            for m in 0..<20 {
                try store.recordCashMovement(CashMovementDraft(id: store.newID(), drawer: drawer, kind: m % 2 == 0 ? .egreso : .ingreso,
                                                               amount: Money(centimos: 100 + Int64(m)), concept: .compraMenor, reason: "Bench \(m)"),
                                             by: session)
            }
            let draft = CashCloseDraft(id: store.newID(), sessionID: cash.id, counts: [10_000: 1, 5_000: 1], declared: [.tarjeta: .zero], note: "Bench")
            closing.append(try Stats.timeMs { _ = try store.closeCashSession(draft, by: session) })
        }
        var closingBase: [Double] = []
        for _ in 0..<closes {
            closingBase.append(try Stats.timeMs {
                try store.write(user: nil) { db in
                    let insert = try db.cachedStatement(sql: "INSERT INTO bench_rows (id, a, b, c, d) VALUES (?, ?, ?, ?, ?)")
                    for _ in 0..<2 { try insert.execute(arguments: [store.newID(), sede.id, 1, 2, "x"]) }
                }
            })
        }
        try store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return [
            BenchResult(name: "cash.x_report_\(sales)_sales", unit: "ms", samples: xReport, baselineSamples: xReportBase,
                        goal: "p99 < 20 ms for a drawer with \(sales) sales; baseline: one sum over its movements"),
            BenchResult(name: "cash.close_20_movements", unit: "ms", samples: closing, baselineSamples: closingBase,
                        goal: "p99 < 20 ms (count, level, note, Z figures); baseline: 2 plain rows in one write"),
            BenchResult(name: "checkout.add_item_by_barcode", unit: "ms", samples: byBarcode, baselineSamples: byBarcodeBase,
                        goal: "p99 < 1 ms over \(items) items (item, price, stock); baseline: the barcode index alone"),
            BenchResult(name: "checkout.commit_5_lines_2_payments", unit: "ms", samples: commit, baselineSamples: commitBase,
                        goal: "p99 < 10 ms (lines, FEFO stock, payments, cash, journal); baseline: 15 plain rows in one write"),
        ]
    }
}
