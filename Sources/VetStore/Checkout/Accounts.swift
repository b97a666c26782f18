import Foundation
import GRDB
import VetCore

/// An instalment with what of it is paid, by allocating what was paid off the credit to the
/// instalments in order of due date.
public struct InstalmentStatus: Sendable, Equatable {
    public var instalment: PlanInstalment
    public var paid: Money
    public var remaining: Money { Money(centimos: instalment.amount - paid.centimos) }
    public var dueDate: CivilDate? { CivilDate(iso: instalment.dueDate) }
}

/// An owner's account (cuenta corriente), from the rows of every sede this one has received.
public struct OwnerAccount: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var sale: Sale
        public var sedeCode: String
        public var state: SaleState
        public var balance: Money
    }
    /// What was charged (sales net of voids and returns), what was paid (with cash rounding given)
    /// and what is owed.
    public var charged: Money
    public var paid: Money
    public var owed: Money
    /// Instalments past their due date, not yet paid.
    public var overdue: Money
    public var entries: [Entry]
    public var instalments: [InstalmentStatus]
}

/// A credit as the cashier asks for it: a plan (instalments adding up to the balance), or none
/// (a supervisor authorises leaving the balance owing). `id` is made before the act.
public struct CreditDraft: Sendable, Equatable {
    public var id: String
    public var instalments: [Instalment]?
    public init(id: String, instalments: [Instalment]?) { self.id = id; self.instalments = instalments }
}

/// A void (all the sale) or a return (some lines). `id` is the opposite sale's id and `refundID`
/// the refund payment's, both made before the act.
public struct ReversalDraft: Sendable, Equatable {
    public var id: String
    public var saleID: String
    /// Sale line id → quantity returned; nil voids the whole sale.
    public var lines: [String: Int64]?
    public var reason: String
    public var refundID: String
    public var refundMethod: PaymentMethod
    public var drawer: String?
    /// How the sale's document is voided: a nota de crédito, or (a whole anulación within SUNAT's
    /// limit) by baja.
    public var fiscalVoid: FiscalVoidMethod
    public init(id: String, saleID: String, lines: [String: Int64]? = nil, reason: String, refundID: String,
                refundMethod: PaymentMethod = .efectivo, drawer: String? = nil, fiscalVoid: FiscalVoidMethod = .notaCredito) {
        self.id = id; self.saleID = saleID; self.lines = lines; self.reason = reason; self.refundID = refundID
        self.refundMethod = refundMethod; self.drawer = drawer; self.fiscalVoid = fiscalVoid
    }
}

extension SedeStore {
    // MARK: Credit and payment plans

    /// Leaves the sale's payable balance owing: on a plan whose instalments add up to it exactly,
    /// or (no plan) with a supervisor's authorisation. The sale needs an owner.
    @discardableResult
    public func leaveBalance(_ credit: CreditDraft, saleID: String, approval: Clave? = nil, by session: Session) throws -> SaleSummary {
        try session.require(.charge, "Solo recepción o un supervisor cobran")
        try Self.checkID(credit.id)
        var approver: String?
        if credit.instalments == nil && !session.may(.authorizeCheckout) {
            guard let approval else {
                throw StoreError.refused(.needsSupervisor, "Dejar un saldo pendiente sin plan de pagos necesita la clave de un supervisor")
            }
            approver = try authorizer(approval, session: session)
        } else if credit.instalments == nil {
            approver = session.userID
        }
        let today = self.today, now = nowText
        let fiscal = try fiscalContext()
        return try write(user: session.userID) { db in
            if try SaleCredit.fetchOne(db, key: credit.id) == nil {
                try Self.insertCredit(credit, saleID: saleID, approver: approver, session: session, today: today, now: now, newID: newID, db)
            }
            try Self.issueFiscalDocument(forSale: saleID, fiscal, newID: newID, db)
            return try Self.saleSummary(id: saleID, db)!
        }
    }

    static func insertCredit(_ credit: CreditDraft, saleID: String, approver: String?, session: Session, today: CivilDate, now: String,
                             newID: () -> String, _ db: Database) throws {
        guard let summary = try saleSummary(id: saleID, db) else { throw StoreError.notFound("La venta no existe") }
        guard summary.state == .abierta else {
            throw StoreError.conflict("La venta \(saleNumberText(summary.sale.number)) está \(summary.state.label.lowercased()): no se deja a cuenta")
        }
        guard let owner = summary.sale.ownerId else { throw StoreError.invalid("Para dejar un saldo pendiente la venta necesita un propietario") }
        let balance = summary.payable
        guard balance.centimos > 0 else { throw StoreError.conflict("La venta no tiene saldo pendiente") }
        if let instalments = credit.instalments {
            do { try PaymentPlanRules.check(instalments, balance: balance, today: today) } catch { throw StoreError.invalid(error.message) }
        }
        try SaleCredit(id: credit.id, sedeId: session.sede.id, saleId: saleID, ownerId: owner, amount: balance.centimos,
                       plan: credit.instalments != nil, authorizedBy: approver, userId: session.userID, at: now).insert(db)
        for (i, instalment) in (credit.instalments ?? []).enumerated() {
            try PlanInstalment(id: newID(), sedeId: session.sede.id, creditId: credit.id, saleId: saleID, ownerId: owner, n: Int64(i + 1),
                               dueDate: instalment.dueDate.iso, amount: instalment.amount.centimos).insert(db)
        }
    }

    /// The plan's instalments with what of each is paid: what was paid off the credit (credit −
    /// balance now) goes to the instalments in order.
    static func instalmentStatus(_ summary: SaleSummary) -> [InstalmentStatus] {
        guard let credit = summary.credit else { return [] }
        var covered = max(0, credit.amount - summary.balance.centimos)
        return summary.instalments.map { instalment in
            let paid = min(covered, instalment.amount)
            covered -= paid
            return InstalmentStatus(instalment: instalment, paid: Money(centimos: paid))
        }
    }

    public func instalments(saleID: String) throws -> [InstalmentStatus] {
        try read { db in try Self.saleSummary(id: saleID, db).map(Self.instalmentStatus) ?? [] }
    }

    // MARK: The owner's account

    /// The owner's account across every sede whose sales have reached this one.
    public func ownerAccount(ownerID: String) throws -> OwnerAccount {
        let today = self.today
        return try read { db in
            let sales = try Sale.filter(sql: "owner_id = ? AND kind = 'venta'", arguments: [ownerID]).order(sql: "at, id").fetchAll(db)
            var charged: Int64 = 0, paid: Int64 = 0, overdue: Int64 = 0
            var entries: [OwnerAccount.Entry] = []
            var instalments: [InstalmentStatus] = []
            for sale in sales {
                guard let summary = try Self.saleSummary(id: sale.id, db) else { continue }
                let reversed = summary.reversals.reduce(Int64(0)) { $0 + $1.total }
                charged += sale.total + reversed
                paid += summary.paid.centimos + summary.rounding.centimos
                let plan = Self.instalmentStatus(summary)
                for status in plan where status.remaining.centimos > 0 {
                    if let due = status.dueDate, due < today { overdue += status.remaining.centimos }
                }
                instalments += plan
                entries.append(OwnerAccount.Entry(sale: sale, sedeCode: summary.sedeCode, state: summary.state, balance: summary.balance))
            }
            return OwnerAccount(charged: Money(centimos: charged), paid: Money(centimos: paid),
                                owed: Money(centimos: max(0, charged - paid)), overdue: Money(centimos: overdue),
                                entries: entries.reversed(), instalments: instalments)
        }
    }

    // MARK: Voids and returns

    /// Reverses a sale, all of it (a void) or some lines (a return), as a new sale with opposite
    /// lines; the products go back to the lots they left; what was paid beyond the new total is
    /// refunded (a negative payment; cash from the drawer's open session). Needs a supervisor.
    /// The sale's document is reversed by a nota de crédito, or, when the draft asks `.baja` for a
    /// whole anulación, given de baja (RA or resumen diario) in the same transaction; a baja that
    /// is not possible refuses the whole act with the reason.
    @discardableResult
    public func reverseSale(_ draft: ReversalDraft, approval: Clave? = nil, by session: Session) throws -> SaleSummary {
        try session.require(.charge, "Solo recepción o un supervisor anulan o devuelven ventas")
        try Self.checkID(draft.id)
        try Self.checkID(draft.refundID)
        let reason = draft.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty, reason.count <= 200 else { throw StoreError.invalid("Escriba el motivo (hasta 200 caracteres)") }
        var approver = session.userID
        if !session.may(.authorizeCheckout) {
            guard let approval else {
                throw StoreError.refused(.needsSupervisor, "Anular o devolver una venta necesita la clave de un supervisor")
            }
            approver = try authorizer(approval, session: session)
        }
        let now = nowText
        let fiscal = try fiscalContext()
        return try write(user: session.userID) { db in
            if try Sale.fetchOne(db, key: draft.id) == nil {
                try Self.insertReversal(draft, reason: reason, approver: approver, session: session, now: now, newID: newID, db)
                if draft.fiscalVoid == .baja {
                    try Self.voidByBaja(reversalID: draft.id, reason: reason, context: fiscal, session: session, newID: newID, db)
                }
            }
            try Self.issueFiscalDocument(forSale: draft.id, fiscal, newID: newID, db)
            return try Self.saleSummary(id: draft.id, db)!
        }
    }

    static func insertReversal(_ draft: ReversalDraft, reason: String, approver: String, session: Session, now: String,
                               newID: () -> String, _ db: Database) throws {
        guard let original = try saleSummary(id: draft.saleID, db) else { throw StoreError.notFound("La venta no existe") }
        guard original.sale.kind == Sale.Kind.venta.rawValue else { throw StoreError.invalid("Solo se anulan o devuelven ventas") }
        guard original.sale.sedeId == session.sede.id else { throw StoreError.invalid("La venta es de otra sede: se anula o devuelve allí") }
        guard original.state != .anulada else { throw StoreError.conflict("La venta \(saleNumberText(original.sale.number)) ya está anulada") }
        // What of each line was already returned.
        var returned: [String: (quantity: Int64, total: Int64, base: Int64, igv: Int64, discount: Int64)] = [:]
        for reversal in original.reversals {
            for line in try SaleLine.filter(sql: "sale_id = ?", arguments: [reversal.id]).fetchAll(db) {
                guard let of = line.reversesLineId else { continue }
                let r = returned[of] ?? (0, 0, 0, 0, 0)
                returned[of] = (r.quantity - line.quantity, r.total - line.total, r.base - line.base, r.igv - line.igv, r.discount - line.discount)
            }
        }
        if let asked = draft.lines {
            guard !asked.isEmpty, asked.values.allSatisfy({ $0 > 0 }) else { throw StoreError.invalid("Indique qué se devuelve y cuánto") }
            for id in asked.keys where !original.lines.contains(where: { $0.id == id }) {
                throw StoreError.notFound("La línea no es de la venta \(saleNumberText(original.sale.number))")
            }
        }
        var lines: [SaleLine] = []
        var priced: [(PricedLine, IGVAffectation)] = []
        for line in original.lines {
            let done = returned[line.id] ?? (0, 0, 0, 0, 0)
            let left = line.quantity - done.quantity
            let quantity = draft.lines == nil ? left : (draft.lines?[line.id] ?? 0)
            guard quantity > 0 else { continue }
            guard quantity <= left else {
                throw StoreError.invalid("\(line.description): se vendieron \(line.quantity) y quedan \(left) por devolver")
            }
            // The share of the line's amounts; the last units take what is left, so nothing drifts.
            func share(_ whole: Int64, _ done: Int64) -> Int64 {
                quantity == left ? whole - done : IGV.divideRoundingHalfUp(whole * quantity, by: line.quantity)
            }
            let total = share(line.total, done.total), discount = share(line.discount, done.discount)
            var base = total, igv: Int64 = 0
            if IGVAffectation.parse(line.igvAffectation) == .gravado {
                if quantity == left {
                    base = line.base - done.base; igv = line.igv - done.igv
                } else if let split = try? IGV.split(gross: Money(centimos: total)) {
                    base = split.base.centimos; igv = split.igv.centimos
                }
            }
            lines.append(SaleLine(id: newID(), saleId: draft.id, sedeId: session.sede.id, lineNo: Int64(lines.count + 1), itemId: line.itemId,
                                  description: line.description, unitCode: line.unitCode, igvAffectation: line.igvAffectation,
                                  quantity: -quantity, unitPrice: line.unitPrice, discountPercentBp: line.discountPercentBp,
                                  discount: -discount, base: -base, igv: -igv, total: -total, chargeId: line.chargeId, petId: line.petId,
                                  reversesLineId: line.id))
            priced.append((PricedLine(gross: Money(centimos: -(total + discount)), discount: Money(centimos: -discount), total: Money(centimos: -total),
                                      base: Money(centimos: -base), igv: Money(centimos: -igv)), IGVAffectation.parse(line.igvAffectation)))
        }
        guard !lines.isEmpty else { throw StoreError.conflict("No queda nada por devolver de la venta \(saleNumberText(original.sale.number))") }
        let isVoid = lines.count == original.lines.count && zip(lines, original.lines).allSatisfy { -$0.quantity == $1.quantity }
            && returned.isEmpty
        let totals: SaleTotals
        do { totals = try SaleMath.totals(priced) } catch { throw StoreError.invalid(error.message) }
        let number = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(number), 0) + 1 FROM sales WHERE sede_id = ?", arguments: [session.sede.id])) ?? 1
        let sale = Sale(id: draft.id, sedeId: session.sede.id, number: number,
                        kind: (isVoid ? Sale.Kind.anulacion : Sale.Kind.devolucion).rawValue, reversesSaleId: original.sale.id,
                        ownerId: original.sale.ownerId, customerDocType: original.sale.customerDocType,
                        customerDocNumber: original.sale.customerDocNumber, customerName: original.sale.customerName,
                        fiscalDocType: original.sale.fiscalDocType, gravada: totals.gravada.centimos, exonerada: totals.exonerada.centimos,
                        inafecta: totals.inafecta.centimos, igv: totals.igv.centimos, discount: totals.discount.centimos,
                        total: totals.total.centimos, reason: reason, authorizedBy: approver, drawer: draft.drawer,
                        userId: session.userID, at: now)
        try sale.insert(db)
        let act = StockAct(id: draft.id, sedeID: session.sede.id, userID: session.userID, at: now)
        for line in lines {
            try line.insert(db)
            try returnStock(line, original: original.sale, act: act, newID: newID, db)
        }
        // Refund what was paid beyond the new total.
        let newTotal = original.sale.total + original.reversals.reduce(Int64(0)) { $0 + $1.total } + sale.total
        let refund = original.paid.centimos - max(0, newTotal)
        guard refund > 0 else { return }
        let cashSession = try draft.drawer.flatMap { try currentCashSession(drawer: $0, sedeID: session.sede.id, db)?.id }
        if draft.refundMethod == .efectivo && cashSession == nil {
            throw StoreError.refused(.noCashSession, "No hay una caja abierta en esta terminal para devolver el efectivo")
        }
        let payment = Payment(id: draft.refundID, sedeId: session.sede.id, saleId: original.sale.id, instalmentId: nil, method: draft.refundMethod,
                              amount: -refund, tendered: nil, change: nil, rounding: 0, cardBrand: nil, cardLast4: nil, authCode: nil,
                              reference: nil, posTerminal: nil, batch: nil, operationNumber: nil, securityCode: nil, bank: nil,
                              cashSessionId: cashSession, authorizedBy: approver, userId: session.userID, at: now)
        try payment.insert(db)
        if draft.refundMethod == .efectivo, let cashSession {
            try insertCashMovement(id: newID(), session: cashSession, act: payment.id, kind: "devolucion", amount: -refund, sale: original.sale.id,
                                   payment: payment.id, sedeID: session.sede.id, userID: session.userID, at: now, db)
        }
    }

    /// Puts a returned line's products back into the lots its sale (or its dispense) took them from,
    /// latest-expiring first, as `devolucion` movements.
    static func returnStock(_ line: SaleLine, original: Sale, act: StockAct, newID: () -> String, _ db: Database) throws {
        guard let item = try catalogItem(id: line.itemId, db), item.isProduct else { return }
        var takenAct = original.id
        if let chargeID = line.chargeId, let stockAct = try String.fetchOne(db, sql: "SELECT stock_act_id FROM charges WHERE id = ?", arguments: [chargeID]) {
            takenAct = stockAct
        }
        let taken = try StockMovement.filter(sql: "act_id = ? AND item_id = ? AND quantity < 0", arguments: [takenAct, item.id])
            .fetchAll(db).sorted { FEFO.order(LotBalance(lotCode: $1.lotCode, expiry: $1.expiryDate, quantity: 0),
                                               LotBalance(lotCode: $0.lotCode, expiry: $0.expiryDate, quantity: 0)) }
        let alreadyBack = try Int64.fetchOne(db, sql: """
            SELECT coalesce(sum(m.quantity), 0) FROM stock_movements m JOIN sales s ON s.id = m.act_id
            WHERE s.reverses_sale_id = ? AND m.item_id = ? AND m.kind = 'devolucion'
            """, arguments: [original.id, item.id]) ?? 0
        var skip = alreadyBack
        var toReturn = -line.quantity
        var fallback: (String, CivilDate?) = ("", nil)
        for movement in taken where toReturn > 0 {
            fallback = (movement.lotCode, movement.expiryDate)
            var available = -movement.quantity
            let skipped = min(skip, available)
            skip -= skipped; available -= skipped
            let back = min(available, toReturn)
            guard back > 0 else { continue }
            try insertMovement(act, id: newID(), item: item.id, lotCode: movement.lotCode, expiry: movement.expiryDate, quantity: back,
                               kind: .devolucion, docType: "venta", docRef: act.id, pet: line.petId, owner: original.ownerId, db)
            toReturn -= back
        }
        if toReturn > 0 {
            try insertMovement(act, id: newID(), item: item.id, lotCode: fallback.0, expiry: fallback.1, quantity: toReturn,
                               kind: .devolucion, docType: "venta", docRef: act.id, pet: line.petId, owner: original.ownerId, db)
        }
    }
}
