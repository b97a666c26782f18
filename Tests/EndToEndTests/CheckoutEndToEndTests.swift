import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport

/// Issue 13 through the real binary in tmux, on two terminals: a vet attends a pet and adds two
/// services and a product; reception charges the owner, pays part in cash (the change shows) and
/// the rest by Yape; the receipt file holds the lines, totals, payments and accents; the product's
/// stock fell through its FEFO lot. Then a second owner is charged in cash with the keystrokes counted.
@Suite struct CheckoutEndToEndTests {
    static func row(_ db: String, _ sql: String, _ args: StatementArguments = []) throws -> Row? {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: db, configuration: config)
        defer { try? queue.close() }
        return try queue.read { try Row.fetchOne($0, sql: sql, arguments: args) }
    }

    static func write(_ db: String, _ sql: String, _ args: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: db)
        defer { try? queue.close() }
        try queue.write { try $0.execute(sql: sql, arguments: args) }
    }

    /// Marks a booked appointment of today of the vet as arrived, as the desk does at check-in
    /// (the agenda's own end-to-end test drives that part).
    /// Where the till lists `owner` (0 = top), in the till's order.
    static func tillPosition(_ db: String, owner: String) throws -> Int {
        let today = CivilDate(limaDayOf: Date())
        let owners = try DatabaseQueue(path: db).read { db in
            try String.fetchAll(db, sql: """
                SELECT c.owner_id FROM charges c WHERE c.sale_id IS NULL AND c.removed_at IS NULL GROUP BY c.owner_id
                ORDER BY EXISTS (SELECT 1 FROM appointments a JOIN pets ap ON ap.id = a.pet_id WHERE ap.owner_id = c.owner_id
                                   AND a.status = 'atendida' AND a.starts_at >= ? AND a.starts_at < ?) DESC, max(c.added_at) DESC
                """, arguments: [AgendaTime.iso(AgendaTime.instant(today, minute: 0)), AgendaTime.iso(AgendaTime.instant(today.adding(days: 1), minute: 0))])
        }
        return owners.firstIndex(of: owner) ?? 0
    }

    static func arrived(_ db: String, except: [String] = []) throws -> (appointment: String, pet: String, owner: String, ownerName: String) {
        let today = CivilDate(limaDayOf: Date())
        let found = try #require(try row(db, """
            SELECT a.id, p.name, o.id AS owner, o.first_names || ' ' || o.last_names AS owner_name FROM appointments a
            JOIN users u ON u.id = a.vet_id JOIN pets p ON p.id = a.pet_id JOIN owners o ON o.id = p.owner_id
            WHERE u.username = 'veterinario' AND a.status = 'reservada' AND a.starts_at >= ? AND a.starts_at < ?
              AND coalesce(p.alerts, '') = '' AND o.id NOT IN (SELECT value FROM json_each(?))
              AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.owner_id = o.id AND c.sale_id IS NULL AND c.removed_at IS NULL)
            ORDER BY a.starts_at LIMIT 1
            """, [AgendaTime.iso(AgendaTime.instant(today, minute: 0)), AgendaTime.iso(AgendaTime.instant(today.adding(days: 1), minute: 0)),
                  String(decoding: try JSONEncoder().encode(except), as: UTF8.self)]))
        try write(db, "UPDATE appointments SET status = 'en_espera', checked_in_at = ? WHERE id = ?", [LimaTime.iso8601(Date()), found["id"] as String])
        return (found["id"], found["name"], found["owner"], found["owner_name"])
    }

    /// The vet calls the waiting pet in, marks it attended and adds `codes` as its charges.
    static func vetAttends(_ vet: TmuxSession, pet: String, codes: [String], names: [String]) throws {
        // Back to the home menu from wherever the vet was.
        for _ in 0..<6 {
            let before = try vet.screen()
            if before.contains("Bienvenido") { break }
            try vet.press("Escape")
            // The next screen is drawn before the next Escape.
            _ = try waitUntil(seconds: 5) { try vet.screen() != before }
        }
        #expect(try vet.waitFor("Bienvenido").found)
        try vet.type("e")
        var step = try vet.waitFor(pet)
        #expect(step.found, "\(step.screen)")
        try vet.press("Enter")
        step = try vet.waitFor("Cita · \(pet)")
        #expect(step.found, "\(step.screen)")
        try vet.type("k")
        #expect(try vet.waitFor("en consulta").found)
        try vet.type("a")
        #expect(try vet.waitFor("Atendida").found)
        try vet.type("g")
        step = try vet.waitFor("Cargos · \(pet)")
        #expect(step.found, "\(step.screen)")
        for (code, name) in zip(codes, names) {
            try vet.type("a")
            #expect(try vet.waitFor("Código, SKU o nombre:").found)
            try vet.type(code)
            try vet.press("Enter")
            step = try vet.waitFor("Agregado: \(name.prefix(30))")
            #expect(step.found, "\(step.screen)")
        }
    }

    @Test func aVetChargesReceptionCollectsInCashAndYapeAndTheReceiptPrints() throws {
        let dir = TempDir()
        let db = dir.file("sede.db")
        let receiptFile = dir.file("recibos.prn")
        let made = try runProcess(Binaries.vetdesk, ["demo", "--db", db, "--pets", "200", "--seed", "11"])
        #expect(made.status == 0, "\(made.stderr)")
        let opened = try runProcess(Binaries.vetdesk, ["cash", "open", "--db", db, "--drawer", "Caja 2", "--float", "100x1,20x5,1x20,0.50x10", "--by", "recepcion"])
        #expect(opened.status == 0, "\(opened.stderr)")
        // Two services (one whose name has accents) and a lot-tracked product with stock in two lots or more.
        let accented = try #require(try Self.row(db, """
            SELECT i.sku, i.name FROM catalog_items i WHERE i.kind NOT IN ('medicamento','vacuna','antiparasitario','insumo','alimento','accesorio')
              AND i.active = 1 AND (i.name LIKE '%ó%' OR i.name LIKE '%á%' OR i.name LIKE '%í%' OR i.name LIKE '%é%' OR i.name LIKE '%ñ%')
              AND EXISTS (SELECT 1 FROM catalog_prices p WHERE p.item_id = i.id) ORDER BY i.sku LIMIT 1
            """))
        let plain = try #require(try Self.row(db, """
            SELECT i.sku, i.name FROM catalog_items i WHERE i.kind = 'consulta' AND i.active = 1 AND i.sku <> ?
              AND EXISTS (SELECT 1 FROM catalog_prices p WHERE p.item_id = i.id) ORDER BY i.sku LIMIT 1
            """, [accented["sku"] as String]))
        let product = try #require(try Self.row(db, """
            SELECT i.id, i.sku, i.name, (SELECT b.lot_code FROM stock_balances b WHERE b.item_id = i.id AND b.quantity > 0 AND b.expiry >= date('now')
                                         ORDER BY b.expiry, b.lot_code LIMIT 1) AS fefo_lot
            FROM catalog_items i WHERE i.tracks_lots = 1 AND i.controlled = 0 AND i.active = 1 AND i.unit_item_id IS NULL
              AND (SELECT count(*) FROM stock_balances b WHERE b.item_id = i.id AND b.quantity > 5 AND b.expiry >= date('now')) >= 2
              AND EXISTS (SELECT 1 FROM catalog_prices p WHERE p.item_id = i.id)
              AND (SELECT count(*) FROM catalog_items j WHERE j.name = i.name) = 1 ORDER BY i.sku LIMIT 1
            """))
        let productID: String = product["id"], fefoLot: String = product["fefo_lot"]
        let before = try #require(try Self.row(db, "SELECT coalesce(sum(quantity), 0) AS q FROM stock_balances WHERE item_id = ? AND lot_code = ?",
                                               [productID, fefoLot]))["q"] as Int64
        let first = try Self.arrived(db)

        let vet = try TmuxSession.signedIn(db: db, user: "veterinario")
        defer { vet.kill() }
        try Self.vetAttends(vet, pet: first.pet, codes: [accented["sku"], plain["sku"], product["sku"]],
                            names: [accented["name"], plain["name"], product["name"]])

        // Reception, on its own terminal with its receipt printer.
        let desk = try TmuxSession.signedIn(db: db, user: "recepcion", environment: ["VETDESK_PRINTER": "file:\(receiptFile) 42", "VETDESK_CAJA": "Caja 2"])
        defer { desk.kill() }
        try desk.press("F6")
        var step = try desk.waitFor("Caja 2 · abierta")
        #expect(step.found, "\(step.screen)")
        step = try desk.waitFor(first.ownerName)
        #expect(step.found, "\(step.screen)")
        // The till lists owners attended today first, the one charged last on top; the demo's own
        // pending charges of today may sort above this owner's (before the morning, they are later).
        for _ in 0..<(try Self.tillPosition(db, owner: first.owner)) { try desk.press("Down") }
        try desk.press("Enter")
        step = try desk.waitFor(String((product["name"] as String).prefix(20)))
        #expect(step.found && step.screen.contains("TOTAL"), "\(step.screen)")
        let charges = try #require(try Self.row(db, "SELECT count(*) AS n FROM charges WHERE owner_id = ? AND sale_id IS NULL", [first.owner]))
        #expect(charges["n"] as Int == 3)
        try desk.type("c")
        step = try desk.waitFor("Falta pagar")
        #expect(step.found, "\(step.screen)")
        let sale = try #require(try Self.row(db, "SELECT id, total FROM sales WHERE owner_id = ? ORDER BY at DESC, number DESC LIMIT 1", [first.owner]))
        let saleID: String = sale["id"], total: Int64 = sale["total"]
        // Part in cash: S/ 50.00 of it, paid with a S/ 100 note.
        try desk.press("Tab")
        try desk.press("C-u")
        try desk.type("50")
        try desk.press("BTab")
        try desk.type("100")
        try desk.press("Enter")
        step = try desk.waitFor("Vuelto S/ 50.00")
        #expect(step.found, "\(step.screen)")
        // The rest by Yape.
        try desk.type("y")
        try desk.press("Enter")
        try desk.press("Enter")
        try desk.type("99887766")
        try desk.press("Enter")
        step = try desk.waitFor("Impreso en")
        #expect(step.found, "\(step.screen)")

        let paid = try #require(try Self.row(db, """
            SELECT (SELECT count(*) FROM payments WHERE sale_id = ?) AS payments, (SELECT sum(amount) FROM payments WHERE sale_id = ?) AS paid,
                   (SELECT change FROM payments WHERE sale_id = ? AND method = 'efectivo') AS change,
                   (SELECT amount FROM payments WHERE sale_id = ? AND method = 'yape') AS yape
            """, [saleID, saleID, saleID, saleID]))
        // Optional reads: a missing payment is a failed expectation, not a trap that ends the test run.
        #expect(paid["payments"] as Int? == 2 && paid["paid"] as Int64? == total && paid["change"] as Int64? == 5_000, "\(paid)")
        #expect(paid["yape"] as Int64? == total - 5_000, "\(paid)")
        // The product left through its FEFO lot.
        let taken = try #require(try Self.row(db, "SELECT lot_code, quantity FROM stock_movements WHERE act_id = ? AND kind = 'venta'", [saleID]))
        #expect(taken["lot_code"] as String == fefoLot && taken["quantity"] as Int64 == -1)
        let after = try #require(try Self.row(db, "SELECT coalesce(sum(quantity), 0) AS q FROM stock_balances WHERE item_id = ? AND lot_code = ?",
                                              [productID, fefoLot]))["q"] as Int64
        #expect(after == before - 1)
        // The receipt as printed: decoded from the printer's code page, it has the lines, the totals, the payments and the accents.
        let decoded = try runProcess("/usr/bin/iconv", ["-f", "CP850", "-t", "UTF-8", receiptFile])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        let printed = decoded.stdout
        for expected in [String((accented["name"] as String).prefix(18)), String((plain["name"] as String).prefix(18)),
                         String((product["name"] as String).prefix(18)), "TOTAL", Money(centimos: total).formatted, "Efectivo", "Yape",
                         "S/ 100.00", "S/ 50.00", "IGV"] {
            #expect(printed.contains(expected), "«\(expected)» no está en el recibo:\n\(printed)")
        }

        // The keystroke budget: a second owner, attended, paid wholly in cash, receipt printed.
        let second = try Self.arrived(db, except: [first.owner])
        try Self.vetAttends(vet, pet: second.pet, codes: [plain["sku"]], names: [plain["name"]])
        var keys = 0
        func press(_ key: String) throws { keys += 1; try desk.press(key) }
        try desk.press("Escape")
        #expect(try desk.waitFor("Caja").found)
        try desk.press("Escape")
        try press("F6")
        step = try desk.waitFor(second.ownerName)
        #expect(step.found, "\(step.screen)")
        // Not counted: the owner at the desk is on top unless the demo's own charges of today sort above it.
        for _ in 0..<(try Self.tillPosition(db, owner: second.owner)) { try desk.press("Down") }
        try press("Enter")
        #expect(try desk.waitFor(String((plain["name"] as String).prefix(20))).found)
        try press("c")
        #expect(try desk.waitFor("Falta pagar").found)
        try desk.type("200")
        try press("Enter")
        step = try desk.waitFor("Impreso en")
        #expect(step.found, "\(step.screen)")
        print("checkout e2e: from the attended pet to a paid cash sale with its receipt printed in \(keys) keystrokes (budget 10)")
        #expect(keys <= 10)
        let secondSale = try #require(try Self.row(db, """
            SELECT s.total, p.amount, p.rounding, p.change FROM sales s JOIN payments p ON p.sale_id = s.id
            WHERE s.id = (SELECT id FROM sales WHERE owner_id = ? ORDER BY at DESC, number DESC LIMIT 1)
            """, [second.owner]))
        let secondTotal: Int64 = secondSale["total"]
        #expect(secondSale["amount"] as Int64 == secondTotal - secondTotal % 10 && secondSale["rounding"] as Int64 == secondTotal % 10)
        #expect(secondSale["change"] as Int64 == 20_000 - (secondTotal - secondTotal % 10))
        try desk.press("F10")
        try vet.press("F10")
    }
}
