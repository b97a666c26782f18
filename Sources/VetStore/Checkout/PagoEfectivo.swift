import Foundation
import GRDB
import VetCore

/// Who pays a PagoEfectivo CIP, as the sale names them (or its owner's record): what PagoEfectivo
/// asks for the CIP (`userEmail`, `userName`, …). Every field may be missing.
public struct PagoEfectivoCustomer: Sendable, Equatable {
    public var firstNames: String?
    public var lastNames: String?
    /// The sede's document type: `dni`, `ruc`, `ce`, `pasaporte` (or a SUNAT code, as the sale has it).
    public var docType: String?
    public var docNumber: String?
    public var email: String?
    public var phone: String?

    public init(firstNames: String? = nil, lastNames: String? = nil, docType: String? = nil, docNumber: String? = nil,
                email: String? = nil, phone: String? = nil) {
        self.firstNames = firstNames; self.lastNames = lastNames; self.docType = docType; self.docNumber = docNumber
        self.email = email; self.phone = phone
    }
}

/// A PagoEfectivo payment of this sede that has no CIP yet: what the sync daemon asks
/// PagoEfectivo for, with the payment's id as the CIP's `transactionCode`.
public struct PendingCIPRequest: Sendable, Equatable {
    public var paymentID: String
    public var saleID: String
    /// The sale's number at its sede (nil while the sale row is not there).
    public var saleNumber: Int64?
    public var amount: Money
    /// When the payment was recorded (UTC ISO-8601, as stored).
    public var recordedAt: String
    public var customer: PagoEfectivoCustomer
}

extension SedeStore {
    /// This sede's PagoEfectivo payments still waiting for their CIP (a `payments` row of method
    /// `pagoefectivo` and a positive amount, with no `pagoefectivo_cips` row), oldest first.
    /// Other sedes' payments are theirs to ask for; a voided sale's are never asked for (the
    /// customer must not be able to pay it).
    public func pendingCIPRequests(limit: Int = 100) throws -> [PendingCIPRequest] {
        let sedeID = try localSede().id
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.sale_id, p.amount, p.at, s.number, s.customer_name, s.customer_doc_type, s.customer_doc_number,
                       o.first_names, o.last_names, o.doc_type, o.doc_number, o.email, o.phone
                FROM payments p
                LEFT JOIN sales s ON s.id = p.sale_id
                LEFT JOIN owners o ON o.id = s.owner_id
                WHERE p.method = 'pagoefectivo' AND p.sede_id = ? AND p.amount > 0
                  AND NOT EXISTS (SELECT 1 FROM pagoefectivo_cips c WHERE c.payment_id = p.id)
                  AND NOT EXISTS (SELECT 1 FROM sales v WHERE v.reverses_sale_id = p.sale_id AND v.kind = 'anulacion')
                ORDER BY p.at, p.id
                LIMIT ?
                """, arguments: [sedeID, max(1, limit)]).map { row in
                // The customer the sale names (boleta or factura data) wins over the owner's record.
                let saleName: String? = row["customer_name"]
                let customer = PagoEfectivoCustomer(
                    firstNames: saleName ?? row["first_names"], lastNames: saleName == nil ? row["last_names"] : nil,
                    docType: row["customer_doc_type"] ?? row["doc_type"], docNumber: row["customer_doc_number"] ?? row["doc_number"],
                    email: row["email"], phone: row["phone"])
                return PendingCIPRequest(paymentID: row["id"], saleID: row["sale_id"], saleNumber: row["number"],
                                         amount: Money(centimos: row["amount"]), recordedAt: row["at"], customer: customer)
            }
        }
    }

    /// Records the CIP PagoEfectivo generated for a payment of this sede, in one journaled write.
    /// Idempotent: when the payment already has its CIP, nothing changes and the answer is false.
    /// Refuses (nothing written) a payment that is not this sede's PagoEfectivo payment, an empty
    /// CIP, or an amount other than the payment's (PagoEfectivo must charge exactly what was sold).
    @discardableResult
    public func recordCIP(paymentID: String, cip: String, amount: Money, expiresAt: Date, url: String?) throws -> Bool {
        let cipText = cip.trimmingCharacters(in: .whitespaces)
        guard !cipText.isEmpty, cipText.count <= 64 else { throw StoreError.invalid("El CIP de PagoEfectivo está vacío o es demasiado largo («\(cip.prefix(64))»)") }
        let sedeID = try localSede().id
        return try write(user: nil) { db in
            guard let payment = try Row.fetchOne(db, sql: "SELECT sede_id, method, amount FROM payments WHERE id = ?", arguments: [paymentID]) else {
                throw StoreError.notFound("No existe el pago \(paymentID)")
            }
            guard (payment["method"] as String?) == "pagoefectivo" else {
                throw StoreError.invalid("El pago \(paymentID) no es un pago con PagoEfectivo")
            }
            guard (payment["sede_id"] as String?) == sedeID else {
                throw StoreError.invalid("El pago \(paymentID) es de otra sede: su CIP lo registra esa sede")
            }
            let expected = Money(centimos: payment["amount"])
            guard amount == expected else {
                throw StoreError.invalid("PagoEfectivo generó el CIP \(cipText) por \(amount.formatted) y el pago es de \(expected.formatted): no se registra")
            }
            try db.execute(sql: """
                INSERT INTO pagoefectivo_cips (id, sede_id, payment_id, cip, amount, expires_at, url, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (payment_id) DO NOTHING
                """, arguments: [newID(), sedeID, paymentID, cipText, amount.centimos, LimaTime.iso8601(expiresAt), url, nowText])
            return db.changesCount > 0
        }
    }

    /// Where one PagoEfectivo payment stands: waiting for its CIP, pending, paid (a `cip.paid`
    /// notification for its CIP has arrived from the central) or expired (a `cip.expired` one, and
    /// no paid one). Only notifications decide: a CIP past its expiry with none stays pending, as
    /// a payment made at the last minute may still be notified.
    public func pagoEfectivoState(paymentID: String) throws -> PagoEfectivoState {
        try read { db in
            guard let method = try String.fetchOne(db, sql: "SELECT method FROM payments WHERE id = ?", arguments: [paymentID]) else {
                throw StoreError.notFound("No existe el pago \(paymentID)")
            }
            guard method == "pagoefectivo" else { throw StoreError.invalid("El pago \(paymentID) no es un pago con PagoEfectivo") }
            guard let cip = try Row.fetchOne(db, sql: "SELECT cip, expires_at FROM pagoefectivo_cips WHERE payment_id = ?", arguments: [paymentID]) else {
                return .waitingForCIP
            }
            let number: String = cip["cip"]
            let events = try Row.fetchAll(db, sql: "SELECT event, at FROM pagoefectivo_events WHERE cip = ? ORDER BY at", arguments: [number])
            if let paid = events.first(where: { ($0["event"] as String?) == PagoEfectivoEvent.paid.rawValue }) {
                return .paid(at: (paid["at"] as String?).flatMap(LimaTime.parseISO8601) ?? Date(timeIntervalSince1970: 0))
            }
            if events.contains(where: { ($0["event"] as String?) == PagoEfectivoEvent.expired.rawValue }) { return .expired }
            return .pending(cip: number, expiresAt: (cip["expires_at"] as String?).flatMap(LimaTime.parseISO8601) ?? Date(timeIntervalSince1970: 0))
        }
    }
}
