import Foundation
import GRDB
import VetCore

/// A cash drawer's session, opened by a cashier with a float counted by denomination.
public struct CashSession: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cash_sessions"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var drawer: String
    public var openingFloat: Int64
    /// JSON object: céntimos of the denomination → count.
    public var denominations: String
    public var openedBy: String
    public var openedAt: String
}

/// Cash in (+) or out (−) of a session. Append-only.
public struct CashMovement: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cash_movements"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var sessionId: String
    public var actId: String
    /// apertura, cobro, vuelto, devolucion.
    public var kind: String
    public var amount: Int64
    public var saleId: String?
    public var paymentId: String?
    public var userId: String
    public var at: String
    /// A manual movement's concept (an expense: proveedor, compra_menor, caja_chica, otro), reason and receipt number.
    public var concept: String?
    public var reason: String?
    public var document: String?
    /// The supervisor who authorised a withdrawal to the safe.
    public var authorizedBy: String?
    /// The movement this one cancels (a correction: the opposite amount).
    public var reversesId: String?

    public var movementKind: CashMovementKind { CashMovementKind(rawValue: kind) }
}

extension SedeStore {
    /// The drawer name a terminal charges into when none is configured.
    public static let defaultDrawer = "Caja 1"

    /// Opens `drawer` with its float counted by denomination (céntimos → count). `id` is made before
    /// the act. A drawer has one open session at a time.
    @discardableResult
    public func openCashSession(id: String, drawer: String, counts: [Int64: Int64], by session: Session) throws -> CashSession {
        try session.require(.openCashDrawer, "Solo recepción o un supervisor abren la caja")
        try Self.checkID(id)
        let name = drawer.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 40 else { throw StoreError.invalid("Indique el nombre de la caja (hasta 40 caracteres)") }
        let total: Money
        do { total = try Denomination.total(counts) } catch { throw StoreError.invalid(error.message) }
        let json = Self.countsJSON(counts)
        let now = nowText
        return try write(user: session.userID) { db in
            if let done = try CashSession.fetchOne(db, key: id) { return done }
            switch try drawerStatus(drawer: name, sedeID: session.sede.id, db) {
            case .closed: break
            case .open(let open, _, let stale):
                let since = LimaTime.parseISO8601(open.openedAt).map(LimaTime.dayAndClock) ?? open.openedAt
                if stale { throw StoreError.refused(.drawerUnresolved, "\(name) quedó abierta desde el \(since): ciérrela antes de abrirla de nuevo") }
                throw StoreError.conflict("\(name) ya está abierta desde \(since)")
            case .unresolved(_, let why):
                throw StoreError.refused(.drawerUnresolved, why)
            }
            let cash = CashSession(id: id, sedeId: session.sede.id, drawer: name, openingFloat: total.centimos, denominations: json,
                                   openedBy: session.userID, openedAt: now)
            try cash.insert(db)
            try Self.insertCashMovement(id: newID(), session: id, act: id, kind: "apertura", amount: total.centimos, sale: nil, payment: nil,
                                        sedeID: session.sede.id, userID: session.userID, at: now, db)
            return cash
        }
    }

    /// The open session of `drawer` at the sede, if any.
    public func currentCashSession(drawer: String, sedeID: String) throws -> CashSession? {
        try read { db in try Self.currentCashSession(drawer: drawer, sedeID: sedeID, db) }
    }

    /// The drawer's open session: its latest one, unless that one is closed.
    static func currentCashSession(drawer: String, sedeID: String, _ db: Database) throws -> CashSession? {
        guard let latest = try latestCashSession(drawer: drawer, sedeID: sedeID, db),
              try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_closes WHERE session_id = ?)", arguments: [latest.id]) ?? false) else { return nil }
        return latest
    }

    static func latestCashSession(drawer: String, sedeID: String, _ db: Database) throws -> CashSession? {
        try CashSession.filter(sql: "sede_id = ? AND drawer = ?", arguments: [sedeID, drawer]).order(sql: "opened_at DESC, id DESC").fetchOne(db)
    }

    /// The session's movements, oldest first.
    public func cashMovements(sessionID: String) throws -> [CashMovement] {
        try read { db in try CashMovement.filter(sql: "session_id = ?", arguments: [sessionID]).order(sql: "at, id").fetchAll(db) }
    }

    /// What the drawer should hold: the sum of the session's movements.
    public func expectedCash(sessionID: String) throws -> Money {
        try read { db in
            Money(centimos: try Int64.fetchOne(db, sql: "SELECT coalesce(sum(amount), 0) FROM cash_movements WHERE session_id = ?",
                                               arguments: [sessionID]) ?? 0)
        }
    }

    static func insertCashMovement(id: String, session: String, act: String, kind: String, amount: Int64, sale: String?, payment: String?,
                                   sedeID: String, userID: String, at: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cash_movements (id, sede_id, session_id, act_id, kind, amount, sale_id, payment_id, user_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, sedeID, session, act, kind, amount, sale, payment, userID, at])
    }
}

/// A terminal's till: the drawer it charges into and its receipt printer, from the environment
/// (`VETDESK_CAJA`, `VETDESK_PRINTER` as `file:/ruta`, `device:/dev/usb/lp0` or `tcp:host:9100`, and
/// `VETDESK_PRINTER_COLUMNS`, 42 or 48).
public struct TillConfig: Sendable, Equatable {
    public var drawer: String
    public var printer: String?
    public var columns: Int

    public init(drawer: String = SedeStore.defaultDrawer, printer: String? = nil, columns: Int = 42) {
        self.drawer = drawer; self.printer = printer; self.columns = columns
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TillConfig {
        let drawer = environment["VETDESK_CAJA"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(40)) }
        let printer = environment["VETDESK_PRINTER"].flatMap { $0.isEmpty ? nil : $0 }
        let columns = environment["VETDESK_PRINTER_COLUMNS"] == "48" ? 48 : 42
        return TillConfig(drawer: drawer ?? SedeStore.defaultDrawer, printer: printer, columns: columns)
    }
}

extension SedeStore {
    /// Sales of the sede of the last `days` days that still owe something and are not on credit
    /// (abierta, or waiting for a PagoEfectivo CIP), newest first: the till's «ventas por cobrar».
    public func openSales(sedeID: String, days: Int = 30) throws -> [SaleSummary] {
        let from = AgendaTime.iso(AgendaTime.instant(today.adding(days: -days), minute: 0))
        return try read { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT s.id FROM sales s WHERE s.sede_id = ? AND s.kind = 'venta' AND s.at >= ?
                  AND NOT EXISTS (SELECT 1 FROM sale_credits c WHERE c.sale_id = s.id)
                  AND NOT EXISTS (SELECT 1 FROM sales r WHERE r.reverses_sale_id = s.id AND r.kind = 'anulacion')
                  AND s.total > coalesce((SELECT sum(p.amount + p.rounding) FROM payments p WHERE p.sale_id = s.id AND p.method <> 'pagoefectivo'), 0)
                ORDER BY s.at DESC LIMIT 200
                """, arguments: [sedeID, from])
            return try ids.compactMap { try Self.saleSummary(id: $0, db) }.filter { $0.state == .abierta || $0.state == .pendienteDePago }
        }
    }
}
