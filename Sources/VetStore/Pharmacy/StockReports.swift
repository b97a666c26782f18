import Foundation
import GRDB
import VetCore

/// A lot that needs attention: about to expire (with the band it fell in) or expired.
public struct ExpiryAlert: Sendable, Equatable {
    public var item: CatalogItem
    public var lotCode: String
    public var expiry: CivilDate
    public var quantity: Int64
    /// Days until the expiry (negative: days since it expired).
    public var daysLeft: Int
    /// The alert band it is in (30, 60 or 90 days by default); nil when expired.
    public var band: Int?
}

/// What the pharmacy's alerts screen lists.
public struct StockAlerts: Sendable, Equatable {
    public var belowMinimum: [StockRow]
    public var expiring: [ExpiryAlert]
    public var expired: [ExpiryAlert]
    public var negative: [NegativeBalance]
}

/// One movement of a lot, with who it reached: a recall trace line.
public struct TraceLine: Sendable, Equatable {
    public var sedeCode: String
    public var movement: StockMovement
    public var petName: String?
    public var ownerName: String?
    public var ownerPhone: String?
}

/// One line of a controlled drug's register (libro de control), with the running balance.
public struct ControlledRegisterLine: Sendable, Equatable {
    public var movement: StockMovement
    public var balance: Int64
    public var userName: String
    public var witnessName: String?
    public var prescriber: String?
    public var petName: String?
    public var ownerDocument: String?
}

/// A month of a controlled drug's register: the balance it opened with and its lines.
public struct ControlledRegister: Sendable, Equatable {
    public var item: CatalogItem
    public var month: CivilDate
    public var opening: Int64
    public var lines: [ControlledRegisterLine]
    public var closing: Int64 { lines.last?.balance ?? opening }
}

extension SedeStore {
    /// The sede's expiry alert bands in days (90/60/30 unless configured), largest first.
    public func expiryAlertDays() throws -> [Int] {
        let configured = (try setting(.expiryAlertDays) ?? "").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .filter { (1...730).contains($0) }
        return (configured.isEmpty ? StockRules.defaultExpiryAlertDays : configured).sorted(by: >)
    }

    /// Sets the expiry alert bands, e.g. `[90, 60, 30]`.
    public func setExpiryAlertDays(_ days: [Int]) throws {
        guard !days.isEmpty, days.count <= 5, days.allSatisfy({ (1...730).contains($0) }) else {
            throw StoreError.invalid("Indique de 1 a 5 plazos de alerta entre 1 y 730 días")
        }
        try pool.write { db in try Self.setSetting(.expiryAlertDays, days.sorted(by: >).map(String.init).joined(separator: ","), db) }
    }

    /// The pharmacy's alerts at the sede on `today`.
    public func stockAlerts(sedeID: String, today: CivilDate) throws -> StockAlerts {
        let bands = try expiryAlertDays()
        let horizon = today.adding(days: bands.first ?? 90)
        return try read { db in
            let levelItems = try String.fetchAll(db, sql: "SELECT item_id FROM stock_levels WHERE sede_id = ?", arguments: [sedeID])
            let below = try levelItems.compactMap { id -> StockRow? in
                guard let item = try Self.catalogItem(id: id, db) else { return nil }
                let row = try Self.stockRow(item, sedeID: sedeID, today: today, db)
                return row.isBelowMinimum ? row : nil
            }.sorted { $0.item.name.localizedCaseInsensitiveCompare($1.item.name) == .orderedAscending }
            var expiring: [ExpiryAlert] = [], expired: [ExpiryAlert] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT b.lot_code, b.expiry, b.quantity, i.* FROM stock_balances b JOIN catalog_items i ON i.id = b.item_id
                WHERE b.sede_id = ? AND b.quantity > 0 AND b.expiry <> '' AND b.expiry <= ? ORDER BY b.expiry, i.name
                """, arguments: [sedeID, horizon.iso]) {
                guard let expiry = CivilDate(iso: row["expiry"]) else { continue }
                let days = expiry.daysSinceEpoch - today.daysSinceEpoch
                let alert = ExpiryAlert(item: CatalogItem(row: row), lotCode: row["lot_code"], expiry: expiry, quantity: row["quantity"],
                                        daysLeft: days, band: days < 0 ? nil : bands.filter { days <= $0 }.min())
                if days < 0 { expired.append(alert) } else { expiring.append(alert) }
            }
            return StockAlerts(belowMinimum: below, expiring: expiring, expired: expired, negative: try Self.negativeBalances(sedeID: sedeID, db))
        }
    }

    static func negativeBalances(sedeID: String, _ db: Database) throws -> [NegativeBalance] {
        try Row.fetchAll(db, sql: """
            SELECT b.lot_code, b.expiry, b.quantity, i.* FROM stock_balances b JOIN catalog_items i ON i.id = b.item_id
            WHERE b.sede_id = ? AND b.quantity < 0 ORDER BY i.name COLLATE NOCASE, b.lot_code
            """, arguments: [sedeID]).map {
            NegativeBalance(item: CatalogItem(row: $0), lotCode: $0["lot_code"], expiry: CivilDate(iso: $0["expiry"]), quantity: $0["quantity"])
        }
    }

    /// Every movement of one lot this store holds (this sede's, and those other sedes addressed to
    /// it), oldest first, with the pet and owner each reached. The central answers the network-wide trace.
    public func traceLot(itemID: String, lotCode: String) throws -> [TraceLine] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.*, coalesce(s.code, '?') AS sede_code, p.name AS pet_name, o.first_names || ' ' || o.last_names AS owner_name,
                       o.phone AS owner_phone
                FROM stock_movements m LEFT JOIN sedes s ON s.id = m.sede_id LEFT JOIN pets p ON p.id = m.pet_id
                LEFT JOIN owners o ON o.id = coalesce(m.owner_id, p.owner_id)
                WHERE m.item_id = ? AND m.lot_code = ? ORDER BY m.at, m.id
                """, arguments: [itemID, lotCode]).map { row in
                TraceLine(sedeCode: row["sede_code"], movement: try StockMovement(row: row), petName: row["pet_name"],
                          ownerName: row["owner_name"], ownerPhone: row["owner_phone"])
            }
        }
    }

    /// One month of a controlled drug's register at the sede: every movement in order with the
    /// running balance, who made it (and witnessed it), the prescriber, patient and owner's document.
    public func controlledRegister(itemID: String, sedeID: String, month: CivilDate) throws -> ControlledRegister {
        guard let first = CivilDate(year: month.year, month: month.month, day: 1) else { throw StoreError.invalid("Mes inválido") }
        let next = first.adding(months: 1)
        // Movement times are UTC; the month's bounds are Lima's midnights.
        let start = LimaTime.iso8601(AgendaTime.instant(first, minute: 0)), end = LimaTime.iso8601(AgendaTime.instant(next, minute: 0))
        return try read { db in
            guard let item = try Self.catalogItem(id: itemID, db) else { throw StoreError.notFound("El producto no está en el catálogo") }
            guard item.controlled else { throw StoreError.invalid("\(item.name) no es un medicamento controlado") }
            let opening = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(quantity), 0) FROM stock_movements WHERE sede_id = ? AND item_id = ? AND at < ?",
                                             arguments: [sedeID, itemID, start]) ?? 0
            var balance = opening
            let lines = try Row.fetchAll(db, sql: """
                SELECT m.*, coalesce(u.full_name, '?') AS user_name, w.full_name AS witness_name,
                       v.full_name || coalesce(' (CMVP ' || v.cmvp || ')', '') AS prescriber, p.name AS pet_name,
                       upper(o.doc_type) || ' ' || o.doc_number AS owner_doc
                FROM stock_movements m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN users w ON w.id = m.witness_user_id
                LEFT JOIN prescriptions rx ON m.doc_type = 'receta' AND rx.id = m.doc_ref LEFT JOIN users v ON v.id = rx.vet_id
                LEFT JOIN pets p ON p.id = m.pet_id LEFT JOIN owners o ON o.id = coalesce(m.owner_id, p.owner_id)
                WHERE m.sede_id = ? AND m.item_id = ? AND m.at >= ? AND m.at < ? ORDER BY m.at, m.id
                """, arguments: [sedeID, itemID, start, end]).map { row -> ControlledRegisterLine in
                let movement = try StockMovement(row: row)
                balance += movement.quantity
                return ControlledRegisterLine(movement: movement, balance: balance, userName: row["user_name"], witnessName: row["witness_name"],
                                              prescriber: row["prescriber"], petName: row["pet_name"], ownerDocument: row["owner_doc"])
            }
            return ControlledRegister(item: item, month: first, opening: opening, lines: lines)
        }
    }
}
