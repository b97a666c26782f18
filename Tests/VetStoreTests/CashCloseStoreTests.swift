import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
import VetTestSupport

/// Issue 14 in the store: a drawer's session with sales, manual movements and a blind close whose
/// figures are the sums of its rows; deviation levels, notes and sign-offs; bad input refused in
/// Spanish with nothing written; a session left open past midnight.
@Suite struct CashCloseStoreTests {
    typealias F = CheckoutFixture

    /// A cash sale of the gauze (12.35 each) paid with `tendered`, at the fixture's drawer.
    @discardableResult
    static func cashSale(_ f: F, quantity: Int64, tendered: Int64) throws -> SaleSummary {
        let store = f.store
        let amount = Money(centimos: 1_235 * quantity)
        return try store.checkout(SaleDraft(id: store.newID(), lines: [.init(itemID: f.ph.gauze.id, quantity: quantity)], drawer: F.drawer),
                                  payments: [PaymentDraft(id: store.newID(), method: .efectivo, amount: amount, tendered: Money(centimos: tendered))],
                                  by: f.reception)
    }

    static func cardSale(_ f: F, quantity: Int64) throws {
        let store = f.store
        try store.checkout(SaleDraft(id: store.newID(), lines: [.init(itemID: f.ph.gauze.id, quantity: quantity)], drawer: F.drawer),
                           payments: [PaymentDraft(id: store.newID(), method: .tarjeta, amount: Money(centimos: 1_235 * quantity),
                                                   card: CardDetails(brand: "VISA", last4: "4242", authCode: "A\(quantity)", reference: "", terminal: "", batch: "7"))],
                           by: f.reception)
    }

    static func session(_ f: F) throws -> CashSession { try #require(try f.store.currentCashSession(drawer: F.drawer, sedeID: f.ph.sedeID)) }

    static func expected(_ f: F, _ sessionID: String) throws -> Int64 {
        try f.store.read { db in try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM cash_movements WHERE session_id = ?", arguments: [sessionID]) ?? 0 }
    }

    /// A greedy count by denomination of `centimos` (a multiple of 10).
    static func counts(_ centimos: Int64) -> [Int64: Int64] {
        var left = centimos, out: [Int64: Int64] = [:]
        for d in Denomination.all where left >= d { out[d] = left / d; left %= d }
        return out
    }

    static func movement(_ f: F, _ kind: CashMovementKind, _ centimos: Int64, concept: CashConcept? = nil, reason: String = "Motivo",
                         supervisor: Clave? = nil) throws -> CashMovement {
        try f.store.recordCashMovement(CashMovementDraft(id: f.store.newID(), drawer: F.drawer, kind: kind, amount: Money(centimos: centimos),
                                                         concept: concept, reason: reason, document: "B001-\(centimos)", supervisor: supervisor),
                                       by: f.reception)
    }

    @Test func theZReportsFiguresAreTheSumsOfTheSessionsRowsAndAShortCountNeedsANote() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        try Self.cashSale(f, quantity: 2, tendered: 5_000)      // 24.70 paid with 50.00
        try Self.cashSale(f, quantity: 3, tendered: 10_000)     // 37.05 → 37.00 paid with 100.00
        try Self.cardSale(f, quantity: 1)
        try Self.movement(f, .egreso, 1_250, concept: .compraMenor, reason: "Útiles de limpieza")
        try Self.movement(f, .sangria, 5_000, reason: "Al caja fuerte", supervisor: F.supervisorClave)
        try Self.movement(f, .deposito, 2_000, reason: "Sencillo")
        let wrong = try Self.movement(f, .ingreso, 900, reason: "Fotocopias")
        try f.store.correctCashMovement(id: f.store.newID(), movementID: wrong.id, reason: "Era de otra caja", by: f.reception)
        #expect(throws: StoreError.self) { try f.store.correctCashMovement(id: f.store.newID(), movementID: wrong.id, reason: "Otra vez", by: f.reception) }

        let expected = try Self.expected(f, cash.id)
        // 160 float + 24.70 + 37.00 − 12.50 − 50.00 + 20.00 + 9.00 − 9.00
        #expect(expected == 16_000 + 2_470 + 3_700 - 1_250 - 5_000 + 2_000)
        let report = try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: Self.counts(expected - 500),
                                                                 declared: [.tarjeta: Money(centimos: 1_235)]), by: f.reception)
        #expect(report.expectedCash.centimos == expected && report.countedCash?.centimos == expected - 500)
        #expect(report.cashDifference == Money(centimos: -500) && report.level == .nota)
        let sums = try f.store.read { db in
            (float: try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'apertura'", arguments: [cash.id]) ?? 0,
             taken: try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'cobro'", arguments: [cash.id]) ?? 0,
             change: try Int64.fetchOne(db, sql: "SELECT -sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'vuelto'", arguments: [cash.id]) ?? 0,
             income: try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'ingreso'", arguments: [cash.id]) ?? -1,
             expense: try Int64.fetchOne(db, sql: "SELECT -sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'egreso'", arguments: [cash.id]) ?? 0,
             withdrawn: try Int64.fetchOne(db, sql: "SELECT -sum(amount) FROM cash_movements WHERE session_id = ? AND kind = 'sangria'", arguments: [cash.id]) ?? 0,
             cashPaid: try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM payments WHERE cash_session_id = ? AND method = 'efectivo'", arguments: [cash.id]) ?? 0,
             card: try Int64.fetchOne(db, sql: "SELECT sum(amount) FROM payments WHERE cash_session_id = ? AND method = 'tarjeta'", arguments: [cash.id]) ?? 0)
        }
        #expect(report.float.centimos == sums.float && report.cashTaken.centimos == sums.taken && report.changeGiven.centimos == sums.change)
        #expect(report.income.centimos == sums.income && sums.income == 0 && report.expense.centimos == sums.expense && report.withdrawals.centimos == sums.withdrawn)
        #expect(report.byMethod.first { $0.method == .efectivo }?.recorded.centimos == sums.cashPaid && sums.cashPaid == 2_470 + 3_700)
        #expect(report.byMethod.first { $0.method == .tarjeta }?.recorded.centimos == sums.card && sums.card == 1_235)

        // The Z report as a file: the same figures, as a person reads them.
        let dir = TempDir()
        let path = try SedeStore.writeCashReport(report, folder: dir.file("cierres"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for needle in ["REPORTE Z", "Fondo inicial", Money(centimos: sums.float).formatted, Money(centimos: sums.taken).formatted,
                       Money(centimos: sums.change).formatted, Money(centimos: sums.expense).formatted, Money(centimos: sums.withdrawn).formatted,
                       "Efectivo esperado", Money(centimos: expected).formatted, "Efectivo contado", Money(centimos: expected - 500).formatted,
                       "Faltante S/ 5.00", "Requiere una nota", "Tarjeta declarado"] {
            #expect(text.contains(needle), "\(needle) not in\n\(text)")
        }
        #expect((SedeFiles.mode(path) ?? 0o777) & 0o007 == 0, "the report is not world-readable")

        // The note is missing: the drawer does not open again until it is written.
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .faltaNota)
        #expect(f.code { try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception) } == "drawer_unresolved")
        #expect(throws: StoreError.self) { try Self.movement(f, .ingreso, 100) }
        let closeID = try #require(try f.store.cashClose(sessionID: cash.id)).close.id
        #expect(f.code { try f.store.addCloseNote(id: f.store.newID(), closeID: closeID, note: "   ", by: f.reception) } == "invalid")
        try f.store.addCloseNote(id: f.store.newID(), closeID: closeID, note: "Vuelto mal dado a un cliente", by: f.reception)
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .cerrada)
        try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception)
        // A closed session takes no movement, even written by hand.
        #expect(throws: DatabaseError.self) {
            try f.store.write(user: nil) { db in
                try db.execute(sql: "INSERT INTO cash_movements (id, sede_id, session_id, act_id, kind, amount, user_id, at) VALUES ('x', ?, ?, 'x', 'ingreso', 1, 'u', 'now')",
                               arguments: [f.ph.sedeID, cash.id])
            }
        }
    }

    @Test func aCardBatchTotalTenSolesOffIsADifferenceForCards() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        try Self.cardSale(f, quantity: 4)      // 49.40 by card
        let expected = try Self.expected(f, cash.id)
        let report = try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: Self.counts(expected),
                                                                 declared: [.tarjeta: Money(centimos: 4_940 - 1_000)]), by: f.reception)
        let card = try #require(report.byMethod.first { $0.method == .tarjeta })
        #expect(card.recorded == Money(centimos: 4_940) && card.declared == Money(centimos: 3_940) && card.difference == Money(centimos: -1_000))
        #expect(report.cashDifference == .zero && report.level == .nota)
        let text = CashReportLayout(columns: .narrow).text(for: report)
        #expect(text.contains("Tarjeta declarado") && text.contains("Faltante S/ 10.00"), "\(text)")
        #expect(text.split(separator: "\n").allSatisfy { TextCells.width(of: String($0)) <= 42 })
    }

    @Test func beyondTheNoteLevelACloseWaitsForASupervisorsSignOff() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        try Self.cashSale(f, quantity: 2, tendered: 2_470)
        let expected = try Self.expected(f, cash.id)
        let closeID = f.store.newID()
        let draft = CashCloseDraft(id: closeID, sessionID: cash.id, counts: Self.counts(expected - 5_000), note: "No cuadra")
        let report = try f.store.closeCashSession(draft, by: f.reception)
        #expect(report.level == .supervisor && report.cashDifference == Money(centimos: -5_000) && report.notes == ["No cuadra"])
        // The same close sent again is the same close; another one is refused.
        #expect(try f.store.closeCashSession(draft, by: f.reception) == report.with(printedAt: try f.store.closeCashSession(draft, by: f.reception).printedAt))
        #expect(f.code { try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [1_000: 1]), by: f.reception) } == "session_closed")
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .esperaFirma)
        #expect(f.code { try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception) } == "drawer_unresolved")
        #expect(try f.store.cashSessionOverviews(sedeID: f.ph.sedeID).first { $0.session.id == cash.id }?.state == .esperaFirma)
        // Only a supervisor signs, with their own clave and a note.
        #expect(f.code { try f.store.signOffClose(id: f.store.newID(), closeID: closeID, note: "Visto", clave: F.supervisorClave, by: f.reception) } == "forbidden")
        #expect(f.code { try f.store.signOffClose(id: f.store.newID(), closeID: closeID, note: "Visto", clave: Clave(username: "supervisor", password: "mala"), by: f.supervisor) } == "needs_supervisor")
        #expect(f.code { try f.store.signOffClose(id: f.store.newID(), closeID: closeID, note: "", clave: F.supervisorClave, by: f.supervisor) } == "invalid")
        try f.store.signOffClose(id: f.store.newID(), closeID: closeID, note: "Faltante descontado al cajero", clave: F.supervisorClave, by: f.supervisor)
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .firmada)
        let signed = try f.store.cashReport(sessionID: cash.id, by: f.reception)
        #expect(signed.signed?.note == "Faltante descontado al cajero" && signed.signed?.supervisor == f.supervisor.fullName)
        #expect(CashReportLayout(columns: .wide).text(for: signed).contains("Firmado por \(f.supervisor.fullName)"))
        try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception)
    }

    @Test func theCountIsBlindUntilTheDeclaration() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        try Self.cashSale(f, quantity: 3, tendered: 5_000)
        let expected = Money(centimos: try Self.expected(f, cash.id)).formatted
        // The cashier cannot read the figures of an open drawer; a supervisor can (the X report).
        #expect(f.code { _ = try f.store.cashReport(sessionID: cash.id, by: f.reception) } == "forbidden")
        let x = try f.store.cashReport(sessionID: cash.id, by: f.supervisor)
        #expect(!x.isClose && x.expectedCash.formatted == expected && CashReportLayout(columns: .wide).text(for: x).contains("REPORTE X"))
        // No refusal before the close says the expected amount.
        for bad in [CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [300: 1]),
                    CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [1_000: -1]),
                    CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [1_000: 1], declared: [.yape: Money(centimos: -5)]),
                    CashCloseDraft(id: "no válido", sessionID: cash.id, counts: [1_000: 1])] {
            do {
                try f.store.closeCashSession(bad, by: f.reception)
                Issue.record("accepted \(bad)")
            } catch let error as StoreError {
                #expect(!error.message.contains(expected) && !error.message.contains("esperad"), "\(error.message)")
            }
        }
        #expect(try f.count("SELECT count(*) FROM cash_closes") == 0)
    }

    @Test func badInputIsRefusedInSpanishAndNothingIsWritten() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        func rows() throws -> [Int] {
            try ["cash_movements", "cash_closes", "cash_close_notes", "cash_signoffs", "cash_sessions"].map { try f.count("SELECT count(*) FROM \($0)") }
        }
        let before = try rows()
        let cases: [(String, () throws -> Void)] = [
            ("La cantidad de S/ 10 no puede ser negativa", { try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [1_000: -2]), by: f.reception) }),
            ("Denominación desconocida", { try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: [300: 1]), by: f.reception) }),
            ("Escriba el motivo del egreso", { try Self.movement(f, .egreso, 500, concept: .proveedor, reason: "  ") }),
            ("Elija el concepto del egreso", { try Self.movement(f, .egreso, 500, reason: "Pago") }),
            ("El monto debe ser mayor que cero", { try Self.movement(f, .ingreso, 0) }),
            ("necesita la clave de un supervisor", { try Self.movement(f, .sangria, 500) }),
            ("Usuario o clave del supervisor incorrectos", { try Self.movement(f, .sangria, 500, supervisor: Clave(username: "supervisor", password: "x")) }),
            ("Movimiento de caja no válido", { try Self.movement(f, .cobro, 500) }),
            ("El monto no puede pasar de", { try Self.movement(f, .deposito, 10_000_001) }),
            ("La tolerancia con nota", { try f.store.setCashThresholds(CashThresholds(accept: Money(centimos: 500), note: Money(centimos: 100)), by: f.supervisor) }),
        ]
        for (message, act) in cases {
            do {
                try act()
                Issue.record("accepted: \(message)")
            } catch let error as StoreError {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
        #expect(try rows() == before)
    }

    @Test func aSessionLeftOpenPastMidnightMustBeClosedBeforeTheDrawerOpensAgain() throws {
        let f = try F()
        defer { f.cleanup() }
        let cash = try Self.session(f)
        f.ph.p.clock.advance(seconds: 24 * 3600)
        guard case .open(let open, _, let stale) = try f.store.drawerStatus(drawer: F.drawer, sedeID: f.ph.sedeID) else {
            Issue.record("not open"); return
        }
        #expect(open.id == cash.id && stale)
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .abiertaDiaAnterior)
        #expect(f.code { try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception) } == "drawer_unresolved")
        try f.store.closeCashSession(CashCloseDraft(id: f.store.newID(), sessionID: cash.id, counts: Self.counts(try Self.expected(f, cash.id))), by: f.reception)
        #expect(try f.store.cashSessionState(sessionID: cash.id) == .cerrada)
        try f.store.openCashSession(id: f.store.newID(), drawer: F.drawer, counts: [1_000: 1], by: f.reception)
    }

    @Test func deviationLevelsFollowTheSedesThresholds() {
        let t = CashThresholds.defaults
        #expect(t.level([Money(centimos: -100)]) == .aceptado && t.level([Money(centimos: 101)]) == .nota)
        #expect(t.level([Money(centimos: -2_000)]) == .nota && t.level([Money(centimos: -2_001)]) == .supervisor)
        #expect(t.level([.zero, Money(centimos: 1_000)]) == .nota && t.level([Money(centimos: .min)]) == .supervisor)
    }
}

extension CashReport {
    func with(printedAt: String) -> CashReport { var copy = self; copy.printedAt = printedAt; return copy }
}
