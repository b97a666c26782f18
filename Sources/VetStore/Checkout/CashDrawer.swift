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
        let json = "{" + counts.filter { $0.value > 0 }.sorted { $0.key > $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
        let now = nowText
        return try write(user: session.userID) { db in
            if let done = try CashSession.fetchOne(db, key: id) { return done }
            if let open = try Self.currentCashSession(drawer: name, sedeID: session.sede.id, db) {
                throw StoreError.conflict("\(name) ya está abierta desde \(LimaTime.parseISO8601(open.openedAt).map(LimaTime.dayAndClock) ?? open.openedAt)")
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

    /// The drawer's open session: its latest one (closing a session is the cash close's act).
    static func currentCashSession(drawer: String, sedeID: String, _ db: Database) throws -> CashSession? {
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
