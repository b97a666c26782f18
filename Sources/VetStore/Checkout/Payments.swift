import Foundation
import GRDB
import VetCore

/// A payment toward a sale (negative: a refund). Append-only.
public struct Payment: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "payments"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var saleId: String
    public var instalmentId: String?
    public var method: PaymentMethod
    public var amount: Int64
    public var tendered: Int64?
    public var change: Int64?
    public var rounding: Int64
    public var cardBrand: String?
    public var cardLast4: String?
    public var authCode: String?
    public var reference: String?
    public var posTerminal: String?
    public var batch: String?
    public var operationNumber: String?
    public var securityCode: String?
    public var bank: String?
    public var cashSessionId: String?
    public var authorizedBy: String?
    public var userId: String
    public var at: String

    /// «Efectivo», «Tarjeta VISA ****4242», «Yape 123456», «Transferencia BCP 0012».
    public var label: String {
        switch method {
        case .tarjeta: "Tarjeta \(cardBrand ?? "") ****\(cardLast4 ?? "")"
        case .yape, .plin: "\(method.label) \(operationNumber ?? "")"
        case .transferencia: "Transferencia \(bank ?? "") \(operationNumber ?? "")"
        default: method.label
        }
    }
}

/// A payment as the cashier enters it. `id` is made when the payment form opens, before anything
/// is charged: recording it again (a retry after a crash or a lost link) writes nothing.
/// For cash, `amount` is what goes to the sale and `tendered` what was handed over.
public struct PaymentDraft: Sendable, Equatable {
    public var id: String
    public var method: PaymentMethod
    public var amount: Money
    public var tendered: Money?
    public var card: CardDetails?
    public var operationNumber: String?
    public var securityCode: String?
    public var bank: String?
    public var instalmentID: String?

    public init(id: String, method: PaymentMethod, amount: Money, tendered: Money? = nil, card: CardDetails? = nil,
                operationNumber: String? = nil, securityCode: String? = nil, bank: String? = nil, instalmentID: String? = nil) {
        self.id = id; self.method = method; self.amount = amount; self.tendered = tendered; self.card = card
        self.operationNumber = operationNumber; self.securityCode = securityCode; self.bank = bank; self.instalmentID = instalmentID
    }
}

/// A balance left owing: on a payment plan, or authorised by a supervisor.
public struct SaleCredit: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sale_credits"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    public var id: String
    public var sedeId: String
    public var saleId: String
    public var ownerId: String
    public var amount: Int64
    public var plan: Bool
    public var authorizedBy: String?
    public var userId: String
    public var at: String
}

public struct PlanInstalment: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_instalments"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    public var id: String
    public var sedeId: String
    public var creditId: String
    public var saleId: String
    public var ownerId: String
    public var n: Int64
    public var dueDate: String
    public var amount: Int64
}

/// What a sale's payments add up to: paid (the payments that count, net of refunds), the cash
/// rounding given, and PagoEfectivo CIPs still waiting.
struct PaymentStanding {
    var paid = Money.zero
    var rounding = Money.zero
    var pendingPagoEfectivo = Money.zero
}

/// The same operation number used for more than one payment (found once both reached this sede).
public struct DuplicateOperation: Sendable, Equatable {
    public struct Use: Sendable, Equatable {
        public var saleNumber: String
        public var sedeCode: String
        public var amount: Money
        public var at: String
    }
    public var method: PaymentMethod
    public var operationNumber: String
    public var uses: [Use]
}

extension SedeStore {
    /// Records one payment toward a sale; see `PaymentDraft`. Cash needs an open session of
    /// `drawer`; a sale paid wholly in cash is rounded down to S/ 0.10 in the customer's favour.
    @discardableResult
    public func recordPayment(_ draft: PaymentDraft, saleID: String, drawer: String?, by session: Session) throws -> Payment {
        try session.require(.charge, "Solo recepción o un supervisor cobran")
        let now = nowText
        let fiscal = try fiscalContext()
        return try write(user: session.userID) { db in
            let payment = try Self.recordPayment(draft, saleID: saleID, drawer: drawer, session: session, now: now, newID: newID, db)
            try Self.issueFiscalDocument(forSale: saleID, fiscal, newID: newID, db)
            return payment
        }
    }

    static func recordPayment(_ draft: PaymentDraft, saleID: String, drawer: String?, session: Session, now: String,
                              newID: () -> String, _ db: Database) throws -> Payment {
        try checkID(draft.id)
        if let done = try Payment.fetchOne(db, key: draft.id) {
            guard done.saleId == saleID else { throw StoreError.conflict("Ese pago ya se registró para otra venta") }
            return done
        }
        guard let summary = try saleStanding(id: saleID, withPlan: draft.instalmentID != nil, db) else { throw StoreError.notFound("La venta no existe") }
        guard summary.sale.kind == Sale.Kind.venta.rawValue else { throw StoreError.invalid("Solo se cobran ventas") }
        guard summary.state != .anulada else { throw StoreError.conflict("La venta \(saleNumberText(summary.sale.number)) está anulada") }
        var due = summary.payable
        if let instalmentID = draft.instalmentID {
            guard let instalment = summary.instalments.first(where: { $0.id == instalmentID }) else {
                throw StoreError.notFound("La cuota no es de esta venta")
            }
            let owedOnIt = instalmentStatus(summary).first { $0.instalment.id == instalment.id }?.remaining ?? .zero
            guard owedOnIt.centimos > 0 else { throw StoreError.conflict("La cuota \(instalment.n) ya está pagada") }
            due = Money(centimos: min(due.centimos, owedOnIt.centimos))
        }
        guard due.centimos > 0 else {
            throw StoreError.conflict(summary.pendingPagoEfectivo.centimos > 0
                ? "El saldo espera el pago del CIP de PagoEfectivo" : "La venta \(saleNumberText(summary.sale.number)) ya está pagada")
        }
        var amount = draft.amount
        var rounding = Money.zero
        if draft.method == .efectivo {
            let allCash = draft.instalmentID == nil && summary.payments.allSatisfy { $0.method == .efectivo }
            let settles = allCash ? CashRounding.roundedDown(due) : due
            if amount >= settles {
                amount = settles
                if allCash { rounding = CashRounding.waived(on: due) }
            }
            if amount.centimos == 0 && rounding.centimos > 0 {
                // Less than ten céntimos owed on an all-cash sale: nothing to hand over, the rest is waived.
                throw StoreError.invalid("Quedan \(due.formatted): en efectivo se redondea a S/ 0.00; cierre la venta con otro medio")
            }
        } else if amount > due {
            throw StoreError.refused(.invalid, "El monto (\(amount.formatted)) supera el saldo por pagar (\(due.formatted))")
        }
        let details: (card: CardDetails?, operationNumber: String?, securityCode: String?, bank: String?)
        do {
            details = try PaymentRules.check(method: draft.method, amount: amount, tendered: draft.method == .efectivo ? (draft.tendered ?? amount) : nil,
                                             card: draft.card, operationNumber: draft.operationNumber, securityCode: draft.securityCode, bank: draft.bank)
        } catch { throw StoreError.invalid(error.message) }
        if let operation = details.operationNumber, draft.method.hasOperationNumber,
           let used = try Row.fetchOne(db, sql: """
               SELECT s.number, coalesce(sd.code, '?') AS code FROM payments p JOIN sales s ON s.id = p.sale_id
               LEFT JOIN sedes sd ON sd.id = s.sede_id WHERE p.method = ? AND p.operation_number = ? AND p.amount > 0 LIMIT 1
               """, arguments: [draft.method.rawValue, operation]) {
            throw StoreError.refused(.duplicateOperation, """
                El número de operación \(operation) de \(draft.method.label) ya se registró en la venta \
                \(saleNumberText(used["number"])) (\(used["code"] as String)): verifique el comprobante
                """)
        }
        // Every payment taken at an open drawer belongs to its session: the close compares the
        // cashier's declared totals per method with them.
        var cashSession = try drawer.flatMap { try currentCashSession(drawer: $0, sedeID: session.sede.id, db)?.id }
        var tendered: Int64?, change: Int64?
        if draft.method == .efectivo {
            guard let open = cashSession else {
                throw StoreError.refused(.noCashSession, "No hay una caja abierta en esta terminal: abra la caja con su fondo antes de cobrar en efectivo")
            }
            cashSession = open
            let handed = draft.tendered ?? amount
            tendered = handed.centimos
            change = handed.centimos - amount.centimos
        }
        let payment = Payment(id: draft.id, sedeId: session.sede.id, saleId: saleID, instalmentId: draft.instalmentID, method: draft.method,
                              amount: amount.centimos, tendered: tendered, change: change, rounding: rounding.centimos,
                              cardBrand: details.card?.brand, cardLast4: details.card?.last4, authCode: details.card?.authCode,
                              reference: details.card?.reference.nilIfEmpty, posTerminal: details.card?.terminal.nilIfEmpty,
                              batch: details.card?.batch.nilIfEmpty, operationNumber: details.operationNumber,
                              securityCode: details.securityCode, bank: details.bank, cashSessionId: cashSession, authorizedBy: nil,
                              userId: session.userID, at: now)
        try payment.insert(db)
        if draft.method == .efectivo, let cashSession, let tendered, let change {
            try insertCashMovement(id: newID(), session: cashSession, act: payment.id, kind: "cobro", amount: tendered, sale: saleID, payment: payment.id,
                                   sedeID: session.sede.id, userID: session.userID, at: now, db)
            if change > 0 {
                try insertCashMovement(id: newID(), session: cashSession, act: payment.id, kind: "vuelto", amount: -change, sale: saleID, payment: payment.id,
                                       sedeID: session.sede.id, userID: session.userID, at: now, db)
            }
        }
        return payment
    }

    static func paymentStanding(saleID: String, _ db: Database) throws -> PaymentStanding {
        var standing = PaymentStanding()
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT p.method, p.amount, p.rounding,
                   (SELECT group_concat(e.event) FROM pagoefectivo_cips c JOIN pagoefectivo_events e ON e.cip = c.cip
                    WHERE c.payment_id = p.id) AS events
            FROM payments p WHERE p.sale_id = ?
            """), arguments: [saleID])
        for row in rows {
            let amount = Money(centimos: row["amount"])
            standing.rounding = Money(centimos: standing.rounding.centimos + (row["rounding"] as Int64))
            if PaymentMethod.parse(row["method"]) == .pagoefectivo && amount.centimos > 0 {
                let events = ((row["events"] as String?) ?? "").split(separator: ",")
                if events.contains("cip.paid") {
                    standing.paid = Money(centimos: standing.paid.centimos + amount.centimos)
                } else if !events.contains("cip.expired") {
                    standing.pendingPagoEfectivo = Money(centimos: standing.pendingPagoEfectivo.centimos + amount.centimos)
                }
            } else {
                standing.paid = Money(centimos: standing.paid.centimos + amount.centimos)
            }
        }
        return standing
    }

    /// Operation numbers used for more than one payment (Yape, Plin, transfers), network-wide as far
    /// as sync has brought the other sedes' payments: the supervisor's list to check.
    public func duplicateOperations() throws -> [DuplicateOperation] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.method, p.operation_number, p.amount, p.at, s.number, coalesce(sd.code, '?') AS code FROM payments p
                JOIN sales s ON s.id = p.sale_id LEFT JOIN sedes sd ON sd.id = p.sede_id
                WHERE p.operation_number IS NOT NULL AND p.amount > 0 AND (p.method, p.operation_number) IN (
                    SELECT method, operation_number FROM payments WHERE operation_number IS NOT NULL AND amount > 0
                    GROUP BY method, operation_number HAVING count(*) > 1)
                ORDER BY p.method, p.operation_number, p.at
                """)
            var out: [DuplicateOperation] = []
            for row in rows {
                let method = PaymentMethod.parse(row["method"]), number: String = row["operation_number"]
                let use = DuplicateOperation.Use(saleNumber: Self.saleNumberText(row["number"]), sedeCode: row["code"],
                                                 amount: Money(centimos: row["amount"]), at: row["at"])
                if let last = out.last, last.method == method, last.operationNumber == number {
                    out[out.count - 1].uses.append(use)
                } else {
                    out.append(DuplicateOperation(method: method, operationNumber: number, uses: [use]))
                }
            }
            return out
        }
    }
}
