import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// A sede store with a small catalog (written as pulled from the central), a farmacia user and a
/// warehouse sede, on top of `PatientFixture`.
struct PharmacyFixture {
    let p: PatientFixture
    let pharmacy: Session
    let warehouse: Sede
    let amoxiBox: CatalogItem
    let amoxiTab: CatalogItem
    let ketamine: CatalogItem
    let gauze: CatalogItem
    let consult: CatalogItem

    var store: SedeStore { p.store }
    var sedeID: String { p.supervisor.sede.id }
    var today: CivilDate { store.today }

    init() throws {
        p = try PatientFixture()
        pharmacy = try PatientFixture.user(p.store, p.supervisor.sede, "farmacia", "Lucía Paredes", [.farmacia])
        let store = p.store
        warehouse = Sede(id: store.newID(), code: "ALM01", name: "Almacén central", kind: "almacen", createdAt: store.nowText)
        amoxiTab = CatalogItem(id: store.newID(), sku: "MED-AMOX-250-TAB", name: "Amoxicilina 250 mg tableta", kind: .medicamento, category: "Antibióticos",
                               unitCode: "NIU", igv: .gravado, presentation: "Tableta", baseUnit: "tableta", tracksLots: true, prescription: true)
        amoxiBox = CatalogItem(id: store.newID(), sku: "MED-AMOX-250-CJ", name: "Amoxicilina 250 mg caja x 100", kind: .medicamento, category: "Antibióticos",
                               unitCode: "BX", igv: .gravado, presentation: "Caja x 100 tabletas", baseUnit: "caja", unitItemID: amoxiTab.id,
                               packUnits: 100, tracksLots: true, prescription: true)
        ketamine = CatalogItem(id: store.newID(), sku: "MED-KETA-50", name: "Ketamina 50 mg/ml frasco 10 ml", kind: .medicamento, category: "Anestésicos",
                               unitCode: "NIU", igv: .gravado, presentation: "Frasco 10 ml", baseUnit: "frasco", tracksLots: true, controlled: true, prescription: true)
        gauze = CatalogItem(id: store.newID(), sku: "INS-GASA-10", name: "Gasa estéril 10x10", kind: .insumo, category: "Insumos",
                            unitCode: "NIU", igv: .gravado)
        consult = CatalogItem(id: store.newID(), sku: "SRV-CONSULTA", name: "Consulta general", kind: .consulta, category: "Consultas",
                              unitCode: "ZZ", igv: .gravado)
        let items = [amoxiTab, amoxiBox, ketamine, gauze, consult], warehouse = warehouse
        try store.applyingRemote { db in
            try warehouse.insert(db)
            for item in items {
                try db.execute(sql: """
                    INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, presentation, base_unit, unit_item_id,
                        pack_units, tracks_lots, controlled, prescription, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    """, arguments: [item.id, item.sku, item.name, item.kind.rawValue, item.category, item.unitCode, item.igv.rawValue,
                                     item.presentation, item.baseUnit, item.unitItemID, item.packUnits, item.tracksLots, item.controlled,
                                     item.prescription, store.nowText, store.nowText])
            }
            try db.execute(sql: "INSERT INTO catalog_barcodes (id, item_id, code) VALUES (?, ?, '7751234567893')", arguments: [store.newID(), items[1].id])
        }
    }

    func cleanup() { p.cleanup() }

    /// Receives `quantity` of a lot expiring `days` from today.
    @discardableResult
    func receive(_ item: CatalogItem, lot: String, days: Int, _ quantity: Int64, by session: Session? = nil) throws -> [StockMovement] {
        try store.receive(actID: store.newID(), document: "F001-000\(quantity)", supplier: "Droguería Andina SAC",
                          lines: [StockLine(itemID: item.id, lotCode: lot, expiry: today.adding(days: days), quantity: quantity)], by: session ?? pharmacy)
    }

    /// Writes a lot that has already expired, the way it would be held: received back when it was good.
    func receiveExpired(_ item: CatalogItem, lot: String, _ quantity: Int64) throws {
        let act = StockAct(id: store.newID(), sedeID: sedeID, userID: pharmacy.userID, at: store.nowText)
        try store.write(user: pharmacy.userID) { db in
            try SedeStore.insertMovement(act, id: store.newID(), item: item.id, lotCode: lot, expiry: today.adding(days: -1), quantity: quantity,
                                         kind: .recepcion, docType: "proveedor", docRef: "G001-1", db)
        }
    }

    /// Every per-lot balance of the cache against the SUM of the movements.
    func balancesMatchLedger() throws -> Bool {
        try store.read { db in
            let cached = try Row.fetchAll(db, sql: "SELECT sede_id, item_id, lot_code, expiry, quantity FROM stock_balances WHERE quantity <> 0 ORDER BY 1, 2, 3, 4")
            let summed = try Row.fetchAll(db, sql: """
                SELECT sede_id, item_id, lot_code, expiry, sum(quantity) AS quantity FROM stock_movements
                GROUP BY 1, 2, 3, 4 HAVING sum(quantity) <> 0 ORDER BY 1, 2, 3, 4
                """)
            return cached == summed
        }
    }

    func movementCount() throws -> Int { try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements") ?? 0 } }
}

/// Issue 12, items 2–6 and 8: the stock ledger at one sede, on a real SQLite store.
@Suite struct PharmacyStoreTests {
    @Test func balancesAreTheSumOfMovementsAndTheLedgerRefusesChanges() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiBox, lot: "A1", days: 300, 5)
        try f.receive(f.gauze, lot: "", days: 0, 200)
        // Desarme: one box becomes 100 tablets of the same lot and expiry.
        let opened = try f.store.openPacks(actID: f.store.newID(), packItemID: f.amoxiBox.id,
                                           lot: LotChoice(lotCode: "A1", expiry: f.today.adding(days: 300)), packs: 1, by: f.pharmacy)
        #expect(opened.map(\.quantity) == [-1, 100])
        #expect(try f.store.lots(itemID: f.amoxiTab.id, sedeID: f.sedeID) == [LotBalance(lotCode: "A1", expiry: f.today.adding(days: 300), quantity: 100)])
        let owner = try f.p.owner(), pet = try f.p.pet("Rocky", owner: owner)
        _ = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.gauze.id, quantity: 15, petID: pet.id, by: f.p.vet)
        try f.store.adjust(actID: f.store.newID(), itemID: f.gauze.id, lot: LotChoice(lotCode: "", expiry: nil), quantity: -3, reason: .rotura, by: f.pharmacy)
        #expect(try f.store.onHand(itemID: f.gauze.id, sedeID: f.sedeID) == 182)
        #expect(try f.store.onHand(itemID: f.amoxiBox.id, sedeID: f.sedeID) == 4)
        #expect(try f.balancesMatchLedger())

        let id = try f.store.read { db in try String.fetchOne(db, sql: "SELECT id FROM stock_movements LIMIT 1")! }
        #expect(throws: DatabaseError.self) { try f.store.write(user: nil) { db in try db.execute(sql: "UPDATE stock_movements SET quantity = 1 WHERE id = ?", arguments: [id]) } }
        #expect(throws: DatabaseError.self) { try f.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM stock_movements WHERE id = ?", arguments: [id]) } }
        // The shell is refused too, and a shell insert is journaled and kept in the balance.
        #expect(try sqlite3(f.store.path, "DELETE FROM stock_movements;").status != 0)
        let shell = try sqlite3(f.store.path, """
            INSERT INTO stock_movements (id, sede_id, act_id, item_id, quantity, kind, user_id, at)
            VALUES ('shell-mov-1', '\(f.sedeID)', 'shell-act', '\(f.gauze.id)', 10, 'recepcion', '\(f.pharmacy.userID)', '2026-11-21T12:00:00Z');
            """)
        #expect(shell.status == 0, "\(shell.stderr)")
        let journaled = try f.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'stock_movements' AND row_id = 'shell-mov-1' AND op = 'I'")
        }
        #expect(journaled == 1)
        #expect(try f.store.onHand(itemID: f.gauze.id, sedeID: f.sedeID) == 192)
        #expect(try f.balancesMatchLedger())
        // The cache is never journaled.
        #expect(try f.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'stock_balances'") } == 0)
    }

    @Test func fefoTakesTheSoonestExpiringLotAndNeverAnExpiredOne() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiTab, lot: "L200", days: 200, 50)
        try f.receive(f.amoxiTab, lot: "L10", days: 10, 30)
        try f.receiveExpired(f.amoxiTab, lot: "LVENC", 40)
        let owner = try f.p.owner(), pet = try f.p.pet("Luna", owner: owner)
        let took = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 45, petID: pet.id, by: f.p.vet)
        #expect(took.movements.map(\.lotCode) == ["L10", "L200"])
        #expect(took.movements.map(\.quantity) == [-30, -15])
        #expect(took.uncovered == 0)
        let lots = try f.store.lots(itemID: f.amoxiTab.id, sedeID: f.sedeID)
        #expect(lots.first { $0.lotCode == "LVENC" }?.quantity == 40)
        #expect(lots.first { $0.lotCode == "L10" } == nil)
        // Picking the expired lot by hand is refused, with its code, and writes nothing.
        let before = try f.movementCount()
        let error = #expect(throws: StoreError.self) {
            try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 1,
                                       lot: LotChoice(lotCode: "LVENC", expiry: f.today.adding(days: -1)), petID: pet.id, by: f.p.vet)
        }
        #expect(error?.code == .expiredLot)
        #expect(error?.message.contains("venció") == true)
        #expect(try f.movementCount() == before)
        // The expired lot is on the alerts and can be written off.
        let alerts = try f.store.stockAlerts(sedeID: f.sedeID, today: f.today)
        #expect(alerts.expired.map(\.lotCode) == ["LVENC"])
        #expect(alerts.expiring.contains { $0.lotCode == "L200" } == false)
        try f.store.writeOffExpired(actID: f.store.newID(), itemID: f.amoxiTab.id, lot: LotChoice(lotCode: "LVENC", expiry: f.today.adding(days: -1)), by: f.pharmacy)
        #expect(try f.store.stockAlerts(sedeID: f.sedeID, today: f.today).expired.isEmpty)
        #expect(try f.balancesMatchLedger())
    }

    @Test func aTakeWithoutStockGoesNegativeAndWaitsOnTheRegularisationList() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiTab, lot: "B1", days: 100, 5)
        let owner = try f.p.owner(), pet = try f.p.pet("Toby", owner: owner)
        let took = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 8, petID: pet.id, by: f.p.vet)
        #expect(took.uncovered == 3)
        let negative = try f.store.negativeBalances(sedeID: f.sedeID)
        #expect(negative.map(\.quantity) == [-3])
        #expect(negative.first?.item.id == f.amoxiTab.id)
        // A stocktake settles it: the lot counted as it is, the unknown lot counted as none.
        let take = try f.store.startStocktake(by: f.pharmacy)
        try f.store.recordCount(stocktakeID: take.id, line: StockLine(itemID: f.amoxiTab.id, lotCode: "", quantity: 0), by: f.pharmacy)
        // Sales go on during the count; a recount replaces the count.
        try f.store.recordCount(stocktakeID: take.id, line: StockLine(itemID: f.amoxiTab.id, lotCode: "B1", expiry: f.today.adding(days: 100), quantity: 1), by: f.pharmacy)
        try f.store.recordCount(stocktakeID: take.id, line: StockLine(itemID: f.amoxiTab.id, lotCode: "B1", expiry: f.today.adding(days: 100), quantity: 0), by: f.pharmacy)
        #expect(throws: StoreError.self) { try f.store.approveStocktake(stocktakeID: take.id, by: f.pharmacy) }
        let moves = try f.store.approveStocktake(stocktakeID: take.id, by: f.p.supervisor)
        #expect(moves.map(\.quantity).sorted() == [3])
        #expect(try f.store.negativeBalances(sedeID: f.sedeID).isEmpty)
        #expect(try f.store.onHand(itemID: f.amoxiTab.id, sedeID: f.sedeID) == 0)
        let again = #expect(throws: StoreError.self) { try f.store.approveStocktake(stocktakeID: take.id, by: f.p.supervisor) }
        #expect(again?.code == .conflict)
    }

    @Test func movementsDuringACountAreAccountedFor() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiTab, lot: "C1", days: 100, 20)
        let lot = LotChoice(lotCode: "C1", expiry: f.today.adding(days: 100))
        let take = try f.store.startStocktake(category: "Antibióticos", by: f.pharmacy)
        let outside = #expect(throws: StoreError.self) {
            try f.store.recordCount(stocktakeID: take.id, line: StockLine(itemID: f.gauze.id, quantity: 3), by: f.pharmacy)
        }
        #expect(outside?.message.contains("no es de la categoría") == true)
        // Counted 18 (two tablets missing), then 5 more leave while the count goes on.
        try f.store.recordCount(stocktakeID: take.id, line: StockLine(itemID: f.amoxiTab.id, lotCode: "C1", expiry: lot.expiry, quantity: 18), by: f.pharmacy)
        let owner = try f.p.owner(), pet = try f.p.pet("Max", owner: owner)
        _ = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 5, petID: pet.id, by: f.p.vet)
        #expect(try f.store.stocktakeDifferences(stocktakeID: take.id).map(\.difference) == [-2])
        try f.store.approveStocktake(stocktakeID: take.id, by: f.p.supervisor)
        #expect(try f.store.onHand(itemID: f.amoxiTab.id, sedeID: f.sedeID) == 13)
    }

    @Test func anActIsRecordedOnceWhateverTheRetries() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        let act = f.store.newID()
        let line = StockLine(itemID: f.gauze.id, quantity: 50)
        let first = try f.store.receive(actID: act, document: "G001-77", supplier: "", lines: [line], by: f.pharmacy)
        let second = try f.store.receive(actID: act, document: "G001-77", supplier: "", lines: [line], by: f.pharmacy)
        #expect(first == second)
        #expect(try f.store.onHand(itemID: f.gauze.id, sedeID: f.sedeID) == 50)
        let use = f.store.newID()
        _ = try f.store.useInProcedure(actID: use, itemID: f.gauze.id, quantity: 4, by: f.p.vet)
        _ = try f.store.useInProcedure(actID: use, itemID: f.gauze.id, quantity: 4, by: f.p.vet)
        #expect(try f.store.onHand(itemID: f.gauze.id, sedeID: f.sedeID) == 46)
    }

    @Test func badInputIsRefusedInSpanishAndWritesNothing() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        for (text, fragment) in [("0", "mayor que cero"), ("-2", "mayor que cero"), ("1.5", "sin decimales"), ("2,5", "sin decimales"),
                                 ("diez", "no es un número"), ("", "Indique la cantidad"), ("99999999999", "no puede pasar")] {
            #expect(throws: StockRules.Problem.self) { try StockRules.quantity(text) }
            do { _ = try StockRules.quantity(text) } catch { #expect(error.description.contains(fragment), "\(text): \(error)") }
        }
        #expect(throws: StockRules.Problem.self) { try StockRules.lotCode(String(repeating: "A", count: 21)) }
        #expect(try StockRules.expiry("03/2027") == CivilDate(year: 2027, month: 3, day: 31))
        #expect(throws: StockRules.Problem.self) { try StockRules.expiry("31/02/2027") }
        let before = try f.movementCount()
        func refused(_ body: () throws -> Void) -> StoreError? {
            do { try body(); return nil } catch let error as StoreError { return error } catch { return nil }
        }
        let zero = refused { try f.store.receive(actID: f.store.newID(), document: "F1", supplier: "", lines: [StockLine(itemID: f.gauze.id, quantity: 0)], by: f.pharmacy) }
        #expect(zero?.code == .invalid && zero?.message.contains("mayor que cero") == true)
        let negative = refused { try f.store.receive(actID: f.store.newID(), document: "F1", supplier: "", lines: [StockLine(itemID: f.gauze.id, quantity: -5)], by: f.pharmacy) }
        #expect(negative?.code == .invalid)
        let past = refused { try f.receive(f.amoxiTab, lot: "OLD", days: -3, 10) }
        #expect(past?.code == .invalid && past?.message.contains("no se recibe mercadería vencida") == true)
        let longLot = refused { try f.receive(f.amoxiTab, lot: String(repeating: "X", count: 40), days: 30, 10) }
        #expect(longLot?.message.contains("como máximo 20") == true)
        let noLot = refused { try f.receive(f.amoxiTab, lot: "", days: 30, 10) }
        #expect(noLot?.message.contains("Indique el lote") == true)
        // Half a receipt is never written: a good line with a bad one.
        let mixed = refused {
            try f.store.receive(actID: f.store.newID(), document: "F2", supplier: "", lines: [
                StockLine(itemID: f.gauze.id, quantity: 10), StockLine(itemID: f.amoxiTab.id, lotCode: "Z", expiry: f.today.adding(days: -1), quantity: 5),
            ], by: f.pharmacy)
        }
        #expect(mixed != nil)
        let service = refused { try f.store.receive(actID: f.store.newID(), document: "F3", supplier: "", lines: [StockLine(itemID: f.consult.id, quantity: 1)], by: f.pharmacy) }
        #expect(service?.message.contains("es un servicio") == true)
        let noDoc = refused { try f.store.receive(actID: f.store.newID(), document: " ", supplier: "", lines: [StockLine(itemID: f.gauze.id, quantity: 1)], by: f.pharmacy) }
        #expect(noDoc?.message.contains("guía o factura") == true)
        let own = refused { try f.store.shipTransfer(transferID: f.store.newID(), to: f.sedeID, lines: [StockLine(itemID: f.gauze.id, quantity: 1)], by: f.pharmacy) }
        #expect(own?.code == .invalid && own?.message == "No se puede transferir a la propia sede")
        let short = refused { try f.store.shipTransfer(transferID: f.store.newID(), to: f.warehouse.id, lines: [StockLine(itemID: f.gauze.id, quantity: 1)], by: f.pharmacy) }
        #expect(short?.code == .conflict && short?.message.contains("Stock insuficiente") == true)
        let reception = refused { try f.receive(f.gauze, lot: "", days: 0, 10, by: f.p.reception) }
        #expect(reception?.code == .forbidden)
        #expect(try f.store.catalogItem(code: "7750000000000") == nil)
        #expect(try f.store.catalogItem(code: "7751234567893")?.id == f.amoxiBox.id)
        #expect(try f.store.catalogItem(code: "med-amox-250-tab")?.id == f.amoxiTab.id)
        #expect(try f.movementCount() == before)
        #expect(try f.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_transfers") } == 0)
    }

    @Test func theCatalogIsReadOnlyAtTheSede() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        #expect(throws: DatabaseError.self) {
            try f.store.write(user: nil) { db in try db.execute(sql: "UPDATE catalog_items SET name = 'x' WHERE id = ?", arguments: [f.gauze.id]) }
        }
        #expect(try sqlite3(f.store.path, "INSERT INTO catalog_prices (id, item_id, price, effective_from, created_at) VALUES ('p', 'i', 1, '2026-01-01', 'x');").status != 0)
    }

    @Test func dispensingUnderTheMinimumAsksTheWarehouseForWholePacks() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiTab, lot: "R1", days: 200, 120)
        try f.store.setLevel(itemID: f.amoxiTab.id, minimum: 100, ideal: 250, by: f.pharmacy)
        #expect(try f.store.replenishmentRequests(from: f.sedeID).isEmpty)
        let owner = try f.p.owner(), pet = try f.p.pet("Coco", owner: owner)
        _ = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 30, petID: pet.id, by: f.p.vet)
        let requests = try f.store.replenishmentRequests(from: f.sedeID, openOnly: true)
        #expect(requests.count == 1)
        #expect(requests.first?.toSedeID == f.warehouse.id)
        // 90 left, ideal 250: 160 tablets, asked as 2 boxes of 100.
        #expect(requests.first?.lines.map(\.item.id) == [f.amoxiBox.id])
        #expect(requests.first?.lines.map(\.quantity) == [2])
        // Another take does not add the line twice.
        _ = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.amoxiTab.id, quantity: 10, petID: pet.id, by: f.p.vet)
        #expect(try f.store.replenishmentRequests(from: f.sedeID, openOnly: true).first?.lines.count == 1)
        #expect(try f.store.stockAlerts(sedeID: f.sedeID, today: f.today).belowMinimum.map(\.item.id) == [f.amoxiTab.id])
        #expect(throws: StoreError.self) { try f.store.setLevel(itemID: f.amoxiTab.id, minimum: 10, ideal: 5, by: f.pharmacy) }
    }

    @Test func controlledDrugsNeedAWitnessAndKeepTheirRegister() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        let witness = try f.store.addUser(username: "testigo", fullName: "Ana Testigo", password: "clave-segura-1", roles: [.veterinario], sedeID: f.sedeID)
        _ = witness
        try f.receive(f.ketamine, lot: "K1", days: 400, 10)
        let lot = LotChoice(lotCode: "K1", expiry: f.today.adding(days: 400))
        let noWitness = #expect(throws: StoreError.self) {
            try f.store.adjust(actID: f.store.newID(), itemID: f.ketamine.id, lot: lot, quantity: -1, reason: .rotura, by: f.pharmacy)
        }
        #expect(noWitness?.message.contains("testigo") == true)
        #expect(throws: StoreError.self) {
            try f.store.adjust(actID: f.store.newID(), itemID: f.ketamine.id, lot: lot, quantity: -1, reason: .rotura,
                               witness: ("testigo", "mal-clave"), by: f.pharmacy)
        }
        try f.store.adjust(actID: f.store.newID(), itemID: f.ketamine.id, lot: lot, quantity: -1, reason: .rotura,
                           witness: ("testigo", "clave-segura-1"), by: f.pharmacy)
        let use = #expect(throws: StoreError.self) { try f.store.useInProcedure(actID: f.store.newID(), itemID: f.ketamine.id, quantity: 1, by: f.p.vet) }
        #expect(use?.message.contains("indique el paciente") == true)
        let owner = try f.p.owner(), pet = try f.p.pet("Bruno", owner: owner)
        _ = try f.store.useInProcedure(actID: f.store.newID(), itemID: f.ketamine.id, quantity: 2, petID: pet.id, by: f.p.vet)
        let register = try f.store.controlledRegister(itemID: f.ketamine.id, sedeID: f.sedeID, month: f.today)
        #expect(register.opening == 0)
        #expect(register.lines.map(\.balance) == [10, 9, 7])
        #expect(register.lines[1].witnessName == "Ana Testigo")
        #expect(register.lines[2].petName == "Bruno")
        #expect(register.lines[2].ownerDocument == "DNI 45678912")
    }

    @Test func aPrescriptionIsDispensedInPartsAndShowsWhatWasGiven() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.receive(f.amoxiTab, lot: "D1", days: 90, 100)
        let owner = try f.p.owner(), pet = try f.p.pet("Nala", owner: owner)
        guard case .saved(let rx) = try f.store.issuePrescription(items: [
            PrescriptionItemInput(drug: "Amoxicilina 250 mg", dose: "1 tableta", frequency: "cada 12 h", duration: "7 días", itemID: f.amoxiTab.id, quantity: 14),
            PrescriptionItemInput(drug: "Suero oral", dose: "a voluntad", frequency: "diario", duration: "3 días"),
        ], petID: pet.id, by: f.p.vet) else { Issue.record("no receta"); return }
        var waiting = try f.store.prescriptionsToDispense()
        #expect(waiting.map(\.id) == [rx.id])
        #expect(waiting.first?.lines.count == 1)
        let line = try #require(waiting.first?.lines.first)
        let act = f.store.newID()
        let first = try f.store.dispense(actID: act, prescriptionItemID: line.prescriptionItemID, quantity: 10, by: f.pharmacy)
        #expect(first.movements.map(\.petId) == [pet.id])
        #expect(first.movements.map(\.ownerId) == [owner.id])
        _ = try f.store.dispense(actID: act, prescriptionItemID: line.prescriptionItemID, quantity: 10, by: f.pharmacy)
        let over = #expect(throws: StoreError.self) {
            try f.store.dispense(actID: f.store.newID(), prescriptionItemID: line.prescriptionItemID, quantity: 5, by: f.pharmacy)
        }
        #expect(over?.message.contains("quedan 4") == true)
        #expect(throws: StoreError.self) { try f.store.dispense(actID: f.store.newID(), prescriptionItemID: line.prescriptionItemID, quantity: 4, by: f.p.reception) }
        _ = try f.store.dispense(actID: f.store.newID(), prescriptionItemID: line.prescriptionItemID, quantity: 4, by: f.p.vet)
        waiting = try f.store.prescriptionsToDispense()
        #expect(waiting.isEmpty)
        let done = try #require(try f.store.dispensablePrescription(id: rx.id))
        #expect(done.lines.first?.dispensed.map(\.quantity) == [10, 4])
        #expect(done.lines.first?.dispensed.first?.sedeCode == "LIM01")
        #expect(try f.store.onHand(itemID: f.amoxiTab.id, sedeID: f.sedeID) == 86)
        let trace = try f.store.traceLot(itemID: f.amoxiTab.id, lotCode: "D1")
        #expect(trace.filter { $0.movement.kind == .dispensacion }.map(\.petName) == ["Nala", "Nala"])
        #expect(trace.first { $0.movement.kind == .dispensacion }?.ownerPhone == "987654321")
    }

    @Test func aPriceEffectiveTomorrowIsNotUsedToday() throws {
        let f = try PharmacyFixture()
        defer { f.cleanup() }
        try f.store.applyingRemote { db in
            for (sede, price, from) in [(nil, 1200, f.today.adding(days: -30)), (nil, 1500, f.today.adding(days: 1)), (f.sedeID, 1100, f.today.adding(days: -2))] as [(String?, Int, CivilDate)] {
                try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [f.store.newID(), f.gauze.id, sede, price, from.iso, f.store.nowText])
            }
        }
        #expect(try f.store.price(itemID: f.gauze.id, sedeID: f.sedeID, on: f.today) == Money(centimos: 1100))
        #expect(try f.store.price(itemID: f.gauze.id, sedeID: f.warehouse.id, on: f.today) == Money(centimos: 1200))
        #expect(try f.store.price(itemID: f.gauze.id, sedeID: f.warehouse.id, on: f.today.adding(days: 1)) == Money(centimos: 1500))
        #expect(try f.store.stockSearch("gasa", sedeID: f.sedeID).map(\.price) == [Money(centimos: 1100)])
    }
}
