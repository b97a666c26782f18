import Foundation
import GRDB
import Testing
import VetCore
import VetTestSupport
@testable import VetStore
@testable import VetTUI

/// Issue 10 item 2: the week view crashed (SIGILL) at 101 columns or less and when the window shrank.
/// Every screen of VetTUI, with the demo sede's data loaded, is drawn at terminal sizes from 20×8
/// to 200×60 (each screen type at every one of them, every state with VETDESK_ALL_SIZES=1), as a window resized cell by cell would draw
/// it: none may crash, and none may leave the canvas without its bottom lines.
@Suite struct AllSizesRenderTests {
    static let widths = 20...200
    static let heights = 8...60

    private static let statesLock = NSLock()
    nonisolated(unsafe) private static var madeStates: Result<[(name: String, model: AppModel)], any Error>?

    /// The states below, made once per test process for every test here (drawing only reads them).
    static func states() throws -> [(name: String, model: AppModel)] {
        try statesLock.withLock {
            if let madeStates { return try madeStates.get() }
            let made = Result { try makeStates() }
            madeStates = made
            return try made.get()
        }
    }

    /// Each screen type in a realistic state, reached the way a user reaches it where that is short.
    static func makeStates() throws -> [(name: String, model: AppModel)] {
        var states: [(String, AppModel)] = []
        var h = try Harness()
        h.type("recep"); h.press(.enter); h.press(.enter)
        states.append(("login", h.model))
        h.press(.function(1))
        states.append(("help", h.model))

        h = try Harness()
        h.login("admin")
        states.append(("home", h.model))
        h.type("u"); states.append(("users", h.model)); h.press(.escape)
        h.type("c"); states.append(("sync", h.model)); h.press(.escape)
        h.type("b"); states.append(("lock", h.model))
        h.type("0000"); h.press(.enter); states.append(("lock with message", h.model))

        h = try Harness()
        h.login("veterinario")
        let session = try #require(h.model.session)
        let store = h.model.services.store
        let (petID, ownerID, otherPetID, appointmentID) = try store.read { db -> (String, String, String, String) in
            let pet = try Row.fetchOne(db, sql: """
                SELECT p.id, p.owner_id FROM pets p JOIN consultations c ON c.pet_id = p.id
                WHERE p.deceased_on IS NULL GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1
                """)!
            let other = try String.fetchOne(db, sql: "SELECT id FROM pets WHERE id <> ? ORDER BY id LIMIT 1", arguments: [pet["id"] as String])!
            let appointment = try String.fetchOne(db, sql: "SELECT id FROM appointments ORDER BY starts_at LIMIT 1")!
            return (pet["id"], pet["owner_id"], other, appointment)
        }
        let pet = try #require(try store.pet(id: petID))
        let owner = try #require(try store.owner(id: ownerID))

        h.press(.function(2))
        h.type(String(pet.name.prefix(3)))
        states.append(("search", h.model))
        h.press(.escape)

        func push(_ name: String, _ screen: any Screen, then keys: [Key] = []) {
            var m = h.model
            m.apply(.push(screen))
            for key in keys { m.handle(.key(key)) }
            states.append((name, m))
        }
        push("pet history", PetScreen(session: session, petID: petID), then: [.down])
        push("history entry, whole", PetScreen(session: session, petID: petID), then: [.enter, .pageDown])
        var typed = ConsultationInput()
        typed.reason = "Tos seca desde hace dos días"
        typed.anamnesis = String(repeating: "Sin fiebre, come bien, vacunas al día. ", count: 8)
        try store.keepRecovery(ClinicalRecovery(id: "r1", userID: session.userID, petID: petID, consultationID: nil, input: typed))
        push("unfinished consultations", RecoveryScreen(session: session), then: [.char("d")])
        push("consultation, restored", ClinicalFormScreen(session: session, pet: pet, kind: .consultation,
                                                          restoring: ClinicalRecovery(id: "r1", userID: session.userID, petID: petID,
                                                                                      consultationID: nil, input: typed)))
        push("owner", OwnerScreen(session: session, ownerID: ownerID))
        push("owner form", OwnerFormScreen(session: session), then: [.char("1"), .char("2"), .enter, .ctrl("s")])
        push("owner form, editing", OwnerFormScreen(session: session, existing: owner), then: [.tab, .char("x"), .escape])
        push("pet form", PetFormScreen(session: session, ownerID: ownerID), then: [.ctrl("s")])
        push("pet form, editing", PetFormScreen(session: session, ownerID: ownerID, existing: pet))
        let kinds: [ClinicalFormScreen.Kind] = [.consultation, .vaccination, .deworming, .prescription, .attachment, .weight, .addendum(consultationID: "x")]
        for kind in kinds {
            push("clinical form \(kind)", ClinicalFormScreen(session: session, pet: pet, kind: kind), then: [.char("9"), .tab])
        }
        push("consultation, signing", ClinicalFormScreen(session: session, pet: pet, kind: .consultation), then: [.char("T"), .ctrl("s")])
        push("consultation, problems", ClinicalFormScreen(session: session, pet: pet, kind: .consultation),
             then: [.char("T"), .tab, .tab, .tab, .char("9"), .ctrl("s")])
        push("prescription, two drugs", ClinicalFormScreen(session: session, pet: pet, kind: .prescription),
             then: [.char("A"), .enter, .char("1"), .enter, .char("c"), .enter, .char("7"), .ctrl("a"), .char("B")])
        push("consultation, leaving", ClinicalFormScreen(session: session, pet: pet, kind: .consultation), then: [.char("T"), .escape])
        push("change owner", ChangeOwnerScreen(session: session, pet: pet), then: [.char("1")])
        push("merge pet", MergePetScreen(session: session, kept: pet))
        if let other = try store.pet(id: otherPetID) { push("merge other pet", MergePetScreen(session: session, kept: other)) }
        push("appointment", AppointmentScreen(session: session, appointmentID: appointmentID))

        h.press(.function(3))
        states.append(("agenda", h.model))
        h.type("s"); states.append(("week", h.model))
        var fromWeek = h.model
        fromWeek.handle(.key(.enter)); states.append(("week, enter", fromWeek))
        h.press(.escape)
        h.type("l"); states.append(("agenda list", h.model)); h.type("l")
        h.type("e"); states.append(("waiting room", h.model)); h.press(.escape)
        var fromAgenda = h.model
        fromAgenda.handle(.key(.enter)); states.append(("agenda, enter", fromAgenda))
        h.type("w"); states.append(("walk-in, pet search", h.model))
        h.type(String(pet.name.prefix(3))); h.press(.enter); states.append(("walk-in form", h.model))
        h.press(.ctrl("s")); states.append(("walk-in form, saved or problems", h.model))

        // The pharmacy (issue 12), as farmacia, on an item the demo holds in stock.
        h = try Harness()
        h.login("farmacia")
        let pharmacist = try #require(h.model.session)
        let pharmacy = h.model.services.store
        let itemID = try pharmacy.read { db in
            try String.fetchOne(db, sql: "SELECT item_id FROM stock_balances WHERE quantity > 0 ORDER BY item_id LIMIT 1")
        }
        let row = try itemID.flatMap { id in try pharmacy.stockSearch(try pharmacy.catalogItem(id: id)?.sku ?? "", sedeID: pharmacist.sede.id).first }
            ?? StockRow(item: CatalogItem(id: "x", sku: "MED-X", name: "Meloxicam 2 mg tableta", kind: .medicamento, category: "Antiinflamatorios",
                                          unitCode: "NIU", igv: .gravado, tracksLots: true, controlled: true),
                        onHand: 12, inTransit: 0, price: Money(centimos: 150), minimum: 20, ideal: 60)
        h.press(.function(5)); states.append(("stock", h.model))
        h.type("a"); states.append(("stock, searched", h.model)); h.press(.escape)
        push("stock item", StockItemScreen(session: pharmacist, itemID: row.item.id), then: [.down])
        push("receive goods", ReceiveScreen(session: pharmacist),
             then: [.char("F"), .enter, .char("D"), .enter, .char("z"), .enter, .char("L"), .enter, .char("1"), .enter, .char("5"), .enter])
        push("adjust", AdjustStockScreen(session: pharmacist, item: row.item, lot: nil), then: [.char("x"), .ctrl("s")])
        push("levels", StockLevelScreen(session: pharmacist, row: row), then: [.char("x"), .enter, .enter])
        push("alerts", StockAlertsScreen(session: pharmacist), then: [.down])
        push("dispense", DispenseScreen(session: pharmacist), then: [.enter])
        push("pharmacy menu", PharmacyMenuScreen(session: pharmacist), then: [.down])
        push("transfers", TransfersScreen(session: pharmacist))
        push("ship transfer", ShipTransferScreen(session: pharmacist), then: [.char("z"), .enter, .char("2"), .enter])
        push("receive transfer", ReceiveTransferScreen(session: pharmacist, transfer: StockTransfer(
            id: "t", fromSedeID: "a", fromCode: "ALM01", toSedeID: pharmacist.sede.id, toCode: pharmacist.sede.code, requestID: nil,
            shippedAt: "2026-11-21T12:00:00Z", receivedAt: nil,
            lines: [StockTransfer.Line(item: row.item, lotCode: "L1", expiry: CivilDate(year: 2027, month: 5, day: 31), shipped: 10, received: nil)])),
             then: [.backspace, .char("9"), .ctrl("s")])
        push("replenishment", ReplenishmentScreen(session: pharmacist), then: [.char("a")])
        push("stocktake", StocktakeScreen(session: pharmacist), then: [.char("i")])
        push("trace", TraceScreen(session: pharmacist), then: [.char("z"), .enter, .char("L"), .enter])
        push("controlled register", ControlledRegisterScreen(session: pharmacist), then: [.char("z"), .enter, .enter])

        // The till (issue 13), as reception: a sale of a priced service with a cash payment, open drawer.
        h = try Harness()
        h.login("recepcion")
        let cashier = try #require(h.model.session)
        let till = h.model.services.store
        let service = try #require(try till.read { db in
            try String.fetchOne(db, sql: """
                SELECT i.id FROM catalog_items i WHERE i.kind = 'consulta' AND EXISTS (SELECT 1 FROM catalog_prices p WHERE p.item_id = i.id) ORDER BY i.sku LIMIT 1
                """)
        })
        if try till.currentCashSession(drawer: h.model.services.till.drawer, sedeID: cashier.sede.id) == nil {
            try till.openCashSession(id: till.newID(), drawer: h.model.services.till.drawer, counts: [10_000: 1], by: cashier)
        }
        let sold = try till.createSale(SaleDraft(id: till.newID(), ownerID: ownerID, lines: [.init(itemID: service, quantity: 2)],
                                                 drawer: h.model.services.till.drawer), by: cashier)
        try till.addCharge(id: till.newID(), itemID: service, quantity: 1, petID: petID, by: cashier)
        h.press(.function(6)); states.append(("till", h.model))
        push("cart", CartScreen(session: cashier, ownerID: ownerID, ownerName: "\(owner.firstNames) \(owner.lastNames)"), then: [.char("d"), .char("9"), .char("%")])
        push("cart from a pet", CartScreen(session: cashier, petID: petID, petName: pet.name), then: [.char("a"), .char("x")])
        push("payment", PaymentScreen(session: cashier, saleID: sold.sale.id, summary: sold), then: [.char("1"), .char("0")])
        push("payment plan", PaymentPlanScreen(session: cashier, summary: sold), then: [.enter])
        push("open drawer", OpenDrawerScreen(session: cashier, drawer: "Caja 2"), then: [.char("2"), .enter, .char("5")])
        push("receipt", ReceiptScreen(session: cashier, saleID: sold.sale.id, autoPrint: false))
        push("sales today", SalesTodayScreen(session: cashier), then: [.char("a")])

        // The cash close (issue 14): a movement, the blind count up to its confirmation, as reception;
        // the supervisor's F7 list, a session, its report and a close's result.
        let drawer = h.model.services.till.drawer
        let open = try #require(try till.currentCashSession(drawer: drawer, sedeID: cashier.sede.id))
        push("cash movement", CashMovementScreen(session: cashier, drawer: drawer), then: [.right, .right, .enter, .char("5"), .ctrl("s")])
        push("close drawer, count", CloseDrawerScreen(session: cashier, drawer: drawer, sessionID: open.id), then: [.char("1"), .enter, .char("2")])
        push("close drawer, review", CloseDrawerScreen(session: cashier, drawer: drawer, sessionID: open.id), then: [.char("1"), .ctrl("s")])
        push("close drawer, declare", CloseDrawerScreen(session: cashier, drawer: drawer, sessionID: open.id),
             then: [.char("1"), .ctrl("s"), .enter, .char("9"), .ctrl("s")])
        h = try Harness()
        h.login("supervisor")
        let supervisor = try #require(h.model.session)
        let sessions = try h.model.services.store.cashSessionOverviews(sedeID: supervisor.sede.id)
        let past = try #require(sessions.last)
        h.press(.function(7)); states.append(("cash close list", h.model))
        push("cash session", CashSessionScreen(session: supervisor, sessionID: past.session.id), then: [.down])
        push("cash session, note", CashSessionScreen(session: supervisor, sessionID: past.session.id), then: [.char("n"), .char("x")])
        push("cash report", CashReportScreen(session: supervisor, sessionID: past.session.id), then: [.down])
        push("close result", CloseDrawerScreen(session: supervisor, drawer: past.session.drawer, sessionID: past.session.id, closed: true))
        // SUNAT's documents (issue 15), the supervisor's F8, all and only those pending.
        h.press(.escape); h.press(.function(8)); states.append(("fiscal documents", h.model))
        push("fiscal documents, pending", FiscalScreen(session: supervisor), then: [.char("p"), .down])
        return states
    }

    /// The screen types declared in Sources/VetTUI: a new screen is drawn here too, or this fails.
    static func declaredScreens() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/VetTUI")
        var names: Set<String> = []
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = try Regex(#"struct\s+(\w+)\s*:\s*(?:Screen|KeyBound)\b"#)
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let name = match.output[1].substring { names.insert(String(name)) }
            }
        }
        return names
    }

    @Test func everyScreenTypeIsDrawnHere() throws {
        let drawn = Set(try Self.states().map { String(describing: type(of: $0.model.top)) })
        let declared = try Self.declaredScreens()
        #expect(declared.count > 10)
        #expect(declared.subtracting(drawn).isEmpty, "not drawn at every size: \(declared.subtracting(drawn).sorted())")
    }

    /// Every size from 20×8 to 200×60 for a screen type's first state; for its other states
    /// (modals, messages, other modes) every width at the smallest, common and largest heights,
    /// and every height at the narrowest, common and widest widths. `VETDESK_ALL_SIZES=1` draws
    /// every state at every size (several minutes more in a debug build).
    static func sizes(full: Bool) -> [(width: Int, height: Int)] {
        if full || ProcessInfo.processInfo.environment["VETDESK_ALL_SIZES"] == "1" {
            return heights.reversed().flatMap { h in widths.reversed().map { (width: $0, height: h) } }
        }
        return [8, 24, 60].flatMap { h in widths.reversed().map { (width: $0, height: h) } }
            + [20, 80, 101, 200].flatMap { w in heights.reversed().map { (width: w, height: $0) } }
    }

    /// Each screen type's first state at every size; its other states at the sizes above.
    @Test(arguments: 0..<4) func everyScreenAtEverySizeFrom20x8To200x60(part: Int) throws {
        let all = try Self.states()
        var seen: Set<String> = []
        for (index, state) in all.enumerated() {
            let full = seen.insert(String(describing: type(of: state.model.top))).inserted
            guard index % 4 == part else { continue }
            // Wide to narrow, as a window being shrunk draws it.
            for (width, height) in Self.sizes(full: full) {
                var canvas = Canvas(width: width, height: height)
                state.model.render(into: &canvas)
                // The status line (user or sede │ clock) is still the last row.
                if canvas.height != height || !canvas.row(height - 1).contains(where: { $0.text == "│" }) {
                    Issue.record("\(state.name) at \(width)×\(height):\n\(canvas.text)")
                    return
                }
            }
        }
    }
}
