import Foundation
import GRDB
import VetCore

/// A transfer between two sedes as either end sees it: what was shipped, per lot, and once the
/// receiving sede confirmed it, what arrived.
public struct StockTransfer: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var item: CatalogItem
        public var lotCode: String
        public var expiry: CivilDate?
        public var shipped: Int64
        /// Nil until the receipt; then what arrived (shipped − received is the difference).
        public var received: Int64?
        public var difference: Int64? { received.map { shipped - $0 } }
    }
    public var id: String
    public var fromSedeID: String
    public var fromCode: String
    public var toSedeID: String
    public var toCode: String
    public var requestID: String?
    public var shippedAt: String
    public var receivedAt: String?
    public var lines: [Line]
    /// Shipped and not yet confirmed by the receiving sede.
    public var inTransit: Bool { receivedAt == nil }
}

extension SedeStore {
    /// Ships goods to another sede: a transfer (id `transferID`, made before the act) whose lines
    /// are `transferencia_salida` movements addressed to the receiving sede, lots taken FEFO unless
    /// a lot is given. The goods stay «en tránsito» until the receiving sede confirms them. A
    /// transfer ships only stock the sede holds, never an expired lot. All lines or none.
    @discardableResult
    public func shipTransfer(transferID: String, to toSedeID: String, lines: [StockLine], requestID: String? = nil, note: String = "",
                             by session: Session) throws -> StockTransfer {
        try session.require(.manageStock, "Solo farmacia o un supervisor envían transferencias")
        guard toSedeID != session.sede.id else { throw StoreError.invalid("No se puede transferir a la propia sede") }
        guard !lines.isEmpty else { throw StoreError.invalid("La transferencia no tiene líneas") }
        let text = note.trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else { throw StoreError.invalid("La nota tiene como máximo 200 caracteres") }
        let act = try stockAct(transferID, session)
        let today = self.today
        try write(user: session.userID) { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stock_transfers WHERE id = ?)", arguments: [act.id])! { return }
            guard let target = try Sede.fetchOne(db, key: toSedeID), target.active else { throw StoreError.notFound("La sede de destino no existe") }
            try db.execute(sql: """
                INSERT INTO stock_transfers (id, sede_id, to_sede_id, request_id, note, user_id, shipped_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [act.id, act.sedeID, target.id, requestID, text.isEmpty ? nil : text, act.userID, act.at])
            for line in lines {
                let item = try Self.product(line.itemID, db)
                try Self.checkQuantity(line.quantity, of: item)
                let held = try Self.lots(itemID: item.id, sedeID: act.sedeID, db)
                var takes: [FEFO.Take]
                if item.tracksLots && !line.lotCode.isEmpty {
                    if let expiry = line.expiry, expiry < today {
                        throw StoreError.refused(.expiredLot, Self.expiredMessage(item, lot: line.lotCode, expiry: expiry))
                    }
                    let have = held.first { $0.lotCode == line.lotCode && $0.expiry == line.expiry }?.quantity ?? 0
                    guard have >= line.quantity else {
                        throw StoreError.conflict("No hay \(line.quantity) de \(item.name) en el lote \(line.lotCode) (hay \(max(0, have)))")
                    }
                    takes = [FEFO.Take(lotCode: line.lotCode, expiry: line.expiry, quantity: line.quantity)]
                } else {
                    let plan = FEFO.plan(quantity: line.quantity, lots: held, today: today)
                    guard plan.uncovered == 0 else {
                        throw StoreError.conflict("Stock insuficiente de \(item.name): se envían \(line.quantity) y hay \(line.quantity - plan.uncovered) sin vencer")
                    }
                    takes = plan.takes
                }
                for take in takes {
                    try Self.insertMovement(act, id: newID(), item: item.id, lotCode: take.lotCode, expiry: take.expiry, quantity: -take.quantity,
                                            kind: .transferenciaSalida, docType: "transferencia", docRef: act.id, toSede: target.id,
                                            transfer: act.id, db)
                }
                try Self.replenishIfNeeded(item: item, sedeID: act.sedeID, userID: act.userID, at: act.at, newID: newID, db)
            }
        }
        guard let shipped = try transfer(id: act.id) else { throw StoreError.notFound("La transferencia no existe") }
        return shipped
    }

    /// Confirms a transfer addressed to this sede with what arrived, per shipped lot (missing lines
    /// arrived whole). Writes the `transferencia_entrada` movements (addressed back to the sender,
    /// so it sees the receipt) and the receipt; shipped − received is the recorded difference.
    /// A transfer is received once: a second confirmation is refused.
    @discardableResult
    public func receiveTransfer(transferID: String, received: [StockLine], note: String = "", by session: Session) throws -> StockTransfer {
        try session.require(.manageStock, "Solo farmacia o un supervisor reciben transferencias")
        let text = note.trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else { throw StoreError.invalid("La nota tiene como máximo 200 caracteres") }
        guard let shipped = try transfer(id: transferID) else { throw StoreError.notFound("La transferencia no existe o aún no llegó a esta sede") }
        guard shipped.toSedeID == session.sede.id else { throw StoreError.forbidden("La transferencia no está dirigida a esta sede") }
        for line in received {
            guard shipped.lines.contains(where: { $0.item.id == line.itemID && $0.lotCode == line.lotCode && $0.expiry == line.expiry }) else {
                throw StoreError.invalid("La línea recibida no está en la transferencia")
            }
        }
        let act = StockAct(id: newID(), sedeID: session.sede.id, userID: session.userID, at: nowText)
        try write(user: session.userID) { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stock_transfer_receipts WHERE transfer_id = ?)", arguments: [transferID])! {
                throw StoreError.conflict("La transferencia ya fue recibida")
            }
            for line in shipped.lines {
                let arrived = received.first { $0.itemID == line.item.id && $0.lotCode == line.lotCode && $0.expiry == line.expiry }?.quantity ?? line.shipped
                guard arrived >= 0, arrived <= line.shipped else {
                    throw StoreError.invalid("\(line.item.name): lo recibido debe estar entre 0 y \(line.shipped)")
                }
                if arrived > 0 {
                    try Self.insertMovement(act, id: newID(), item: line.item.id, lotCode: line.lotCode, expiry: line.expiry, quantity: arrived,
                                            kind: .transferenciaEntrada, docType: "transferencia", docRef: transferID, toSede: shipped.fromSedeID,
                                            transfer: transferID, db)
                }
            }
            try db.execute(sql: """
                INSERT INTO stock_transfer_receipts (id, sede_id, to_sede_id, transfer_id, note, user_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [act.id, act.sedeID, shipped.fromSedeID, transferID, text.isEmpty ? nil : text, act.userID, act.at])
        }
        guard let done = try transfer(id: transferID) else { throw StoreError.notFound("La transferencia no existe") }
        return done
    }

    /// One transfer as this sede holds it (it shipped it or it was addressed here).
    public func transfer(id: String) throws -> StockTransfer? {
        try read { db in try Self.transfer(id: id, db) }
    }

    static func transfer(id: String, _ db: Database) throws -> StockTransfer? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT t.*, coalesce(f.code, '?') AS from_code, coalesce(d.code, '?') AS to_code, r.received_at
            FROM stock_transfers t LEFT JOIN sedes f ON f.id = t.sede_id LEFT JOIN sedes d ON d.id = t.to_sede_id
            LEFT JOIN stock_transfer_receipts r ON r.transfer_id = t.id WHERE t.id = ?
            """, arguments: [id]) else { return nil }
        let receivedAt: String? = row["received_at"]
        let fromSede: String = row["sede_id"]
        let lines = try Row.fetchAll(db, sql: """
            SELECT m.lot_code, m.expiry, -sum(m.quantity) AS shipped,
                   (SELECT sum(e.quantity) FROM stock_movements e WHERE e.transfer_id = m.transfer_id AND e.kind = 'transferencia_entrada'
                      AND e.item_id = m.item_id AND e.lot_code = m.lot_code AND e.expiry = m.expiry) AS received,
                   i.* FROM stock_movements m JOIN catalog_items i ON i.id = m.item_id
            WHERE m.transfer_id = ? AND m.kind = 'transferencia_salida' AND m.sede_id = ?
            GROUP BY m.item_id, m.lot_code, m.expiry ORDER BY i.name COLLATE NOCASE, m.expiry
            """, arguments: [id, fromSede]).map { line in
            StockTransfer.Line(item: CatalogItem(row: line), lotCode: line["lot_code"], expiry: CivilDate(iso: line["expiry"]),
                               shipped: line["shipped"], received: receivedAt == nil ? nil : ((line["received"] as Int64?) ?? 0))
        }
        return StockTransfer(id: id, fromSedeID: fromSede, fromCode: row["from_code"], toSedeID: row["to_sede_id"], toCode: row["to_code"],
                             requestID: row["request_id"], shippedAt: row["shipped_at"], receivedAt: receivedAt, lines: lines)
    }

    /// Transfers this sede shipped or that were addressed to it, newest first; `pendingOnly`: only
    /// those still in transit.
    public func transfers(sedeID: String, pendingOnly: Bool = false, limit: Int = 100) throws -> [StockTransfer] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT t.id FROM stock_transfers t WHERE (t.sede_id = ? OR t.to_sede_id = ?)
                  AND (? = 0 OR NOT EXISTS (SELECT 1 FROM stock_transfer_receipts r WHERE r.transfer_id = t.id))
                ORDER BY t.shipped_at DESC LIMIT ?
                """, arguments: [sedeID, sedeID, pendingOnly, limit]).compactMap { try Self.transfer(id: $0, db) }
        }
    }

    /// The other active sedes goods may be sent to.
    public func transferDestinations(from sedeID: String) throws -> [Sede] {
        try read { db in try Sede.filter(sql: "id <> ? AND active = 1", arguments: [sedeID]).order(sql: "code").fetchAll(db) }
    }
}
