import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// The pharmacy fixture with prices, an owner with a pet, a supervisor who can sign with a clave
/// and an open cash drawer.
struct CheckoutFixture {
    let ph: PharmacyFixture
    let owner: Owner
    let pet: Pet
    static let drawer = "Caja 1"
    static let supervisorClave = Clave(username: "supervisor", password: "clave-super-1")

    var store: SedeStore { ph.store }
    var reception: Session { ph.p.reception }
    var vet: Session { ph.p.vet }
    var supervisor: Session { ph.p.supervisor }

    init(openDrawer: Bool = true) throws {
        ph = try PharmacyFixture()
        let store = ph.store
        owner = try ph.p.owner()
        pet = try ph.p.pet("Toby", owner: owner)
        let prices: [(CatalogItem, Int64, String)] = [(ph.consult, 8_000, ph.today.adding(days: -30).iso), (ph.gauze, 1_235, ph.today.iso),
                                                      (ph.amoxiTab, 137, ph.today.adding(days: -1).iso)]
        let supervisorID = ph.p.supervisor.userID
        try store.applyingRemote { db in
            for (item, price, from) in prices {
                try db.execute(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, NULL, ?, ?, ?)",
                               arguments: [store.newID(), item.id, price, from, store.nowText])
            }
            try db.execute(sql: "UPDATE users SET pass_hash = ? WHERE id = ?", arguments: [PasswordHasher.hash(Self.supervisorClave.password), supervisorID])
        }
        try ph.receive(ph.gauze, lot: "", days: 0, 20)
        try ph.receive(ph.amoxiTab, lot: "L-LATE", days: 300, 50)
        try ph.receive(ph.amoxiTab, lot: "L-SOON", days: 40, 10)
        if openDrawer {
            try store.openCashSession(id: store.newID(), drawer: Self.drawer, counts: [10_000: 1, 1_000: 5, 100: 10], by: ph.p.reception)
        }
    }

    func cleanup() { ph.cleanup() }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// The vet's charges for the pet: a consultation, 2 gauzes and 12 amoxicillin tablets.
    func vetCharges() throws -> [Charge] {
        [try store.addCharge(id: store.newID(), itemID: ph.consult.id, quantity: 1, petID: pet.id, by: vet),
         try store.addCharge(id: store.newID(), itemID: ph.gauze.id, quantity: 2, petID: pet.id, by: vet),
         try store.addCharge(id: store.newID(), itemID: ph.amoxiTab.id, quantity: 12, petID: pet.id, by: vet)]
    }

    func draft(from charges: [PendingCharge], id: String? = nil) -> SaleDraft {
        SaleDraft(id: id ?? store.newID(), ownerID: owner.id,
                  lines: charges.map { .init(itemID: $0.item.id, quantity: $0.charge.quantity, chargeID: $0.charge.id) }, drawer: Self.drawer)
    }

    func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let error as StoreError { return error.code.rawValue } catch { return "\(error)" }
    }
}

@Suite struct CheckoutStoreTests {
    @Test func chargesBecomeASalePaidInCashAndYapeWithStockOutByFEFO() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        _ = try f.vetCharges()
        let owners = try f.store.ownersWithPendingCharges(sedeID: f.ph.sedeID)
        #expect(owners.map(\.ownerID) == [f.owner.id] && owners.first?.lines == 3)
        // 80.00 + 2 × 12.35 + 12 × 1.37 = 121.14
        #expect(owners.first?.total == Money(centimos: 12_114))
        let pending = try f.store.pendingCharges(ownerID: f.owner.id, sedeID: f.ph.sedeID)
        let summary = try f.store.createSale(f.draft(from: pending), by: f.reception)
        #expect(summary.sale.total == 12_114 && summary.state == .abierta && summary.balance == Money(centimos: 12_114))
        #expect(summary.sale.gravada + summary.sale.igv == summary.sale.total)
        #expect(try f.store.pendingCharges(ownerID: f.owner.id, sedeID: f.ph.sedeID).isEmpty)
        // FEFO: 10 from the lot expiring soon, 2 from the later one.
        let taken = try f.store.read { db in
            try Row.fetchAll(db, sql: "SELECT lot_code, quantity FROM stock_movements WHERE act_id = ? AND kind = 'venta' ORDER BY lot_code",
                             arguments: [summary.sale.id]).map { "\($0["lot_code"] as String):\($0["quantity"] as Int64)" }
        }
        #expect(taken == [":-2", "L-LATE:-2", "L-SOON:-10"])
        #expect(try f.store.onHand(itemID: f.ph.amoxiTab.id, sedeID: f.ph.sedeID) == 48)
        #expect(try f.store.onHand(itemID: f.ph.gauze.id, sedeID: f.ph.sedeID) == 18)

        // 50.00 in cash (change 0.00 here: applies all of it), the rest by Yape.
        let cash = try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 5_000),
                                                          tendered: Money(centimos: 5_000)), saleID: summary.sale.id, drawer: CheckoutFixture.drawer, by: f.reception)
        #expect(cash.amount == 5_000 && cash.change == 0 && cash.rounding == 0)
        let yape = try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 7_114), operationNumber: "00123456"),
                                             saleID: summary.sale.id, drawer: CheckoutFixture.drawer, by: f.reception)
        #expect(yape.amount == 7_114)
        let paid = try #require(try f.store.saleSummary(id: summary.sale.id))
        #expect(paid.state == .pagada && paid.balance == .zero && paid.rounding == .zero)
        let session = try #require(try f.store.currentCashSession(drawer: CheckoutFixture.drawer, sedeID: f.ph.sedeID))
        #expect(try f.store.expectedCash(sessionID: session.id) == Money(centimos: 10_000 + 5_000 + 1_000 + 5_000))
    }

    @Test func anAllCashSaleIsRoundedDownAndChangeIsAMovement() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        // 3 × 12.35 + 1 × 1.37 = 38.42 → 38.40 in cash.
        let sale = try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [
            .init(itemID: f.ph.gauze.id, quantity: 3), .init(itemID: f.ph.amoxiTab.id, quantity: 1),
        ], drawer: CheckoutFixture.drawer), by: f.reception)
        #expect(sale.sale.total == 3_842)
        let pay = try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 3_842),
                                                         tendered: Money(centimos: 5_000)), saleID: sale.sale.id, drawer: CheckoutFixture.drawer, by: f.reception)
        #expect(pay.amount == 3_840 && pay.rounding == 2 && pay.change == 1_160 && pay.tendered == 5_000)
        #expect(try f.store.saleSummary(id: sale.sale.id)?.state == .pagada)
        let kinds = try f.store.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, amount FROM cash_movements WHERE payment_id = ? ORDER BY amount DESC", arguments: [pay.id])
                .map { "\($0["kind"] as String) \($0["amount"] as Int64)" }
        }
        #expect(kinds == ["cobro 5000", "vuelto -1160"])

        // Not all cash: Plin first, then cash for the rest, exact (no rounding).
        let mixed = try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [.init(itemID: f.ph.gauze.id, quantity: 3)],
                                                     drawer: CheckoutFixture.drawer), by: f.reception)
        try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .plin, amount: Money(centimos: 1_003), operationNumber: "777"),
                                  saleID: mixed.sale.id, drawer: CheckoutFixture.drawer, by: f.reception)
        let rest = try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 2_702),
                                                          tendered: Money(centimos: 3_000)), saleID: mixed.sale.id, drawer: CheckoutFixture.drawer, by: f.reception)
        #expect(rest.amount == 2_702 && rest.rounding == 0 && rest.change == 298)
        #expect(try f.store.saleSummary(id: mixed.sale.id)?.state == .pagada)
    }

    @Test func aRetriedCheckoutRecordsNothingTwice() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        _ = try f.vetCharges()
        let draft = f.draft(from: try f.store.pendingCharges(ownerID: f.owner.id, sedeID: f.ph.sedeID))
        let payments = [PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 2_000), tendered: Money(centimos: 2_000)),
                        PaymentDraft(id: f.store.newID(), method: .tarjeta, amount: Money(centimos: 10_114),
                                     card: CardDetails(brand: "VISA", last4: "4242", authCode: "A1B2C3", reference: "000123", terminal: "NB01", batch: "45"))]
        let first = try f.store.checkout(draft, payments: payments, by: f.reception)
        let journal = try f.count("SELECT count(*) FROM journal")
        let movements = try f.count("SELECT count(*) FROM stock_movements")
        let again = try f.store.checkout(draft, payments: payments, by: f.reception)
        #expect(again == first && first.state == .pagada)
        #expect(try f.count("SELECT count(*) FROM journal") == journal)
        #expect(try f.count("SELECT count(*) FROM stock_movements") == movements)
        #expect(try f.count("SELECT count(*) FROM payments") == 2 && f.count("SELECT count(*) FROM sales") == 1)
    }

    @Test func twoTerminalsChargingTheSameChargesOnlyOneGetsThem() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        _ = try f.vetCharges()
        let pending = try f.store.pendingCharges(ownerID: f.owner.id, sedeID: f.ph.sedeID)
        let other = try SedeStore.open(path: f.store.path, clock: f.ph.p.clock)
        defer { try? other.close() }
        let results = [f.code { try f.store.createSale(f.draft(from: pending), by: f.reception) },
                       f.code { try other.createSale(f.draft(from: pending), by: f.ph.p.supervisor) }]
        #expect(results.compactMap { $0 } == ["charges_taken"])
        #expect(try f.count("SELECT count(*) FROM sales") == 1)
        #expect(try f.count("SELECT count(*) FROM stock_movements WHERE kind = 'venta'") == 3)
    }

    @Test func badInputIsRefusedAndNothingIsWritten() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        let sale = try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [.init(itemID: f.ph.consult.id, quantity: 1)],
                                                    drawer: CheckoutFixture.drawer), by: f.reception)
        let before = try f.count("SELECT count(*) FROM journal")
        func pay(_ d: PaymentDraft) -> String? {
            f.code { try f.store.recordPayment(d, saleID: sale.sale.id, drawer: CheckoutFixture.drawer, by: f.reception) }
        }
        #expect(pay(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 8_000), tendered: Money(centimos: 5_000))) == "invalid")
        #expect(pay(PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 9_000), operationNumber: "1")) == "invalid")
        #expect(f.code { try f.store.createSale(SaleDraft(id: f.store.newID(), lines: [.init(itemID: f.ph.gauze.id, quantity: -2)]), by: f.reception) } == "invalid")
        #expect(f.code { try f.store.createSale(SaleDraft(id: f.store.newID(), lines: [
            .init(itemID: f.ph.gauze.id, quantity: 1, discount: .percent(basisPoints: 10_001))]), by: f.reception) } == "invalid")
        #expect(f.code { try f.store.addCharge(id: f.store.newID(), itemID: f.ph.gauze.id, quantity: 0, petID: f.pet.id, by: f.vet) } == "invalid")
        #expect(try f.count("SELECT count(*) FROM journal") == before)
        // An operation number used before is refused, network-wide as far as this sede knows.
        #expect(pay(PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 1_000), operationNumber: "555")) == nil)
        #expect(pay(PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 1_000), operationNumber: "555")) == "duplicate_operation")
        #expect(try f.count("SELECT count(*) FROM payments") == 1)
    }

    @Test func cashNeedsAnOpenDrawer() throws {
        let f = try CheckoutFixture(openDrawer: false)
        defer { f.cleanup() }
        let sale = try f.store.createSale(SaleDraft(id: f.store.newID(), lines: [.init(itemID: f.ph.consult.id, quantity: 1)], drawer: "Caja 2"), by: f.reception)
        #expect(f.code {
            try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 8_000)),
                                      saleID: sale.sale.id, drawer: "Caja 2", by: f.reception)
        } == "no_cash_session")
        try f.store.openCashSession(id: f.store.newID(), drawer: "Caja 2", counts: [1_000: 2], by: f.reception)
        #expect(f.code { try f.store.openCashSession(id: f.store.newID(), drawer: "Caja 2", counts: [1_000: 2], by: f.reception) } == "conflict")
        #expect(f.code {
            try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 8_000)),
                                      saleID: sale.sale.id, drawer: "Caja 2", by: f.reception)
        } == nil)
    }

    @Test func aDiscountOverTheRoleLimitNeedsASupervisorsClave() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        let draft = SaleDraft(id: f.store.newID(), lines: [.init(itemID: f.ph.consult.id, quantity: 1, discount: .percent(basisPoints: 2_500))])
        #expect(f.code { try f.store.createSale(draft, by: f.reception) } == "needs_supervisor")
        #expect(f.code { try f.store.createSale(draft, approval: Clave(username: "supervisor", password: "mala"), by: f.reception) } == "needs_supervisor")
        let sale = try f.store.createSale(draft, approval: CheckoutFixture.supervisorClave, by: f.reception)
        #expect(sale.sale.total == 6_000 && sale.sale.authorizedBy == f.supervisor.userID)
        // Within the limit (10 %) reception needs nobody.
        let small = try f.store.createSale(SaleDraft(id: f.store.newID(), lines: [
            .init(itemID: f.ph.consult.id, quantity: 1, discount: .amount(Money(centimos: 800)))]), by: f.reception)
        #expect(small.sale.total == 7_200 && small.sale.authorizedBy == nil)
    }

    @Test func aPaymentPlanMustAddUpAndInstalmentsPayItOff() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        let sale = try f.store.createSale(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [.init(itemID: f.ph.consult.id, quantity: 2)],
                                                    drawer: CheckoutFixture.drawer), by: f.reception)
        try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 4_000), operationNumber: "9001"),
                                  saleID: sale.sale.id, drawer: nil, by: f.reception)
        let today = f.ph.today
        let bad = [Instalment(dueDate: today.adding(days: 30), amount: Money(centimos: 6_000)),
                   Instalment(dueDate: today.adding(days: 60), amount: Money(centimos: 5_000))]
        #expect(f.code { try f.store.leaveBalance(CreditDraft(id: f.store.newID(), instalments: bad), saleID: sale.sale.id, by: f.reception) } == "invalid")
        #expect(f.code { try f.store.leaveBalance(CreditDraft(id: f.store.newID(), instalments: nil), saleID: sale.sale.id, by: f.reception) } == "needs_supervisor")
        let plan = PaymentPlanRules.even(balance: Money(centimos: 12_000), count: 3, first: today.adding(days: 30))
        let credited = try f.store.leaveBalance(CreditDraft(id: f.store.newID(), instalments: plan), saleID: sale.sale.id, by: f.reception)
        #expect(credited.state == .aCuenta && credited.instalments.count == 3)
        var account = try f.store.ownerAccount(ownerID: f.owner.id)
        #expect(account.charged == Money(centimos: 16_000) && account.paid == Money(centimos: 4_000) && account.owed == Money(centimos: 12_000))
        for status in try f.store.instalments(saleID: sale.sale.id) {
            try f.store.recordPayment(PaymentDraft(id: f.store.newID(), method: .tarjeta, amount: status.remaining,
                                                   card: CardDetails(brand: "MASTERCARD", last4: "5454", authCode: "X\(status.instalment.n)"),
                                                   instalmentID: status.instalment.id), saleID: sale.sale.id, drawer: nil, by: f.reception)
        }
        account = try f.store.ownerAccount(ownerID: f.owner.id)
        #expect(account.owed == .zero && account.overdue == .zero)
        #expect(try f.store.saleSummary(id: sale.sale.id)?.state == .pagada)
    }

    @Test func aVoidNeedsASupervisorPutsStockBackAndRefunds() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        let sale = try f.store.checkout(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [
            .init(itemID: f.ph.amoxiTab.id, quantity: 12), .init(itemID: f.ph.consult.id, quantity: 1),
        ], drawer: CheckoutFixture.drawer), payments: [
            PaymentDraft(id: f.store.newID(), method: .efectivo, amount: Money(centimos: 9_644), tendered: Money(centimos: 10_000)),
        ], by: f.reception)
        #expect(sale.state == .pagada && sale.paid == Money(centimos: 9_640))
        let draft = ReversalDraft(id: f.store.newID(), saleID: sale.sale.id, reason: "Cobro duplicado", refundID: f.store.newID(),
                                  drawer: CheckoutFixture.drawer)
        #expect(f.code { try f.store.reverseSale(draft, by: f.reception) } == "needs_supervisor")
        let void = try f.store.reverseSale(draft, approval: CheckoutFixture.supervisorClave, by: f.reception)
        #expect(void.sale.kind == "anulacion" && void.sale.total == -9_644 && void.lines.allSatisfy { $0.quantity < 0 })
        #expect(try f.store.onHand(itemID: f.ph.amoxiTab.id, sedeID: f.ph.sedeID) == 60)
        #expect(try f.store.lots(itemID: f.ph.amoxiTab.id, sedeID: f.ph.sedeID).map(\.quantity) == [10, 50])
        let original = try #require(try f.store.saleSummary(id: sale.sale.id))
        #expect(original.state == .anulada && original.paid == .zero)
        #expect(original.payments.map(\.amount) == [9_640, -9_640])
        #expect(f.code { try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: sale.sale.id, reason: "otra vez", refundID: f.store.newID(),
                                                               drawer: CheckoutFixture.drawer), by: f.supervisor) } == "conflict")
        // The ledgers refuse changes even from SQL.
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "UPDATE sales SET total = 0") } }
        #expect(throws: (any Error).self) { try f.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM payments") } }
    }

    @Test func aReturnOfSomeUnitsRefundsTheirShare() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        let sale = try f.store.checkout(SaleDraft(id: f.store.newID(), ownerID: f.owner.id, lines: [.init(itemID: f.ph.gauze.id, quantity: 3)],
                                                  drawer: CheckoutFixture.drawer),
                                        payments: [PaymentDraft(id: f.store.newID(), method: .yape, amount: Money(centimos: 3_705), operationNumber: "4242")],
                                        by: f.reception)
        let line = try #require(sale.lines.first)
        let back = try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: sale.sale.id, lines: [line.id: 1], reason: "Empaque roto",
                                                         refundID: f.store.newID(), refundMethod: .yape), by: f.supervisor)
        #expect(back.sale.kind == "devolucion" && back.sale.total == -1_235)
        #expect(try f.store.onHand(itemID: f.ph.gauze.id, sedeID: f.ph.sedeID) == 18)
        let after = try #require(try f.store.saleSummary(id: sale.sale.id))
        #expect(after.paid == Money(centimos: 2_470) && after.state == .pagada)
        #expect(f.code { try f.store.reverseSale(ReversalDraft(id: f.store.newID(), saleID: sale.sale.id, lines: [line.id: 3], reason: "x",
                                                               refundID: f.store.newID(), refundMethod: .yape), by: f.supervisor) } == "invalid")
    }

    @Test func aDispenseBecomesAChargeWhoseStockIsNotTakenAgain() throws {
        let f = try CheckoutFixture()
        defer { f.cleanup() }
        guard case .saved(let rx) = try f.store.issuePrescription(items: [
            PrescriptionItemInput(drug: "Amoxicilina 250 mg", dose: "1 tableta", frequency: "cada 12 h", duration: "5 días", itemID: f.ph.amoxiTab.id, quantity: 10),
        ], petID: f.pet.id, by: f.vet) else { Issue.record("receta"); return }
        let line = try #require(try f.store.dispensablePrescription(id: rx.id)?.lines.first)
        try f.store.dispense(actID: f.store.newID(), prescriptionItemID: line.prescriptionItemID, quantity: 10, by: f.ph.pharmacy)
        #expect(try f.store.onHand(itemID: f.ph.amoxiTab.id, sedeID: f.ph.sedeID) == 50)
        let pending = try f.store.pendingCharges(ownerID: f.owner.id, sedeID: f.ph.sedeID)
        #expect(pending.map(\.charge.quantity) == [10] && pending.first?.charge.dispensationId != nil)
        #expect(f.code { try f.store.setChargeQuantity(chargeID: pending[0].id, quantity: 5, by: f.reception) } == "conflict")
        let sale = try f.store.createSale(f.draft(from: pending), by: f.reception)
        #expect(sale.sale.total == 1_370)
        #expect(try f.store.onHand(itemID: f.ph.amoxiTab.id, sedeID: f.ph.sedeID) == 50)
    }
}
