import Foundation
import GRDB
import VetCore

/// The close of a drawer's session: the blind count, the declared non-cash totals and the level
/// decided with the sede's thresholds. One per session, written in one transaction.
public struct CashClose: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cash_closes"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var sedeId: String
    public var sessionId: String
    public var counted: Int64
    public var denominations: String
    public var firstCount: Int64?
    public var firstDenominations: String?
    public var declaredTarjeta: Int64
    public var declaredYape: Int64
    public var declaredPlin: Int64
    public var declaredTransferencia: Int64
    public var declaredPagoefectivo: Int64
    public var level: String
    public var closedBy: String
    public var closedAt: String

    public var deviationLevel: DeviationLevel { DeviationLevel(rawValue: level) }

    public func declared(_ method: PaymentMethod) -> Money? {
        switch method {
        case .tarjeta: Money(centimos: declaredTarjeta)
        case .yape: Money(centimos: declaredYape)
        case .plin: Money(centimos: declaredPlin)
        case .transferencia: Money(centimos: declaredTransferencia)
        case .pagoefectivo: Money(centimos: declaredPagoefectivo)
        case .efectivo: Money(centimos: counted)
        case .unknown: nil
        }
    }
}

public struct CashCloseNote: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cash_close_notes"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    public var id: String
    public var sedeId: String
    public var closeId: String
    public var note: String
    public var userId: String
    public var at: String
}

public struct CashSignoff: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cash_signoffs"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
    public var id: String
    public var sedeId: String
    public var closeId: String
    public var supervisorId: String
    public var note: String
    public var at: String
}

/// Where a drawer's session stands, derived from its rows.
public enum CashSessionState: String, Sendable, Equatable, CaseIterable {
    case abierta
    /// Open since an earlier day: it must be closed before the drawer opens again.
    case abiertaDiaAnterior
    /// Closed with a deviation that needs the cashier's note, and none yet.
    case faltaNota
    /// Closed beyond the note level: waits for a supervisor's sign-off.
    case esperaFirma
    case cerrada
    case firmada

    public var label: String {
        switch self {
        case .abierta: "Abierta"
        case .abiertaDiaAnterior: "Abierta desde otro día"
        case .faltaNota: "Cerrada: falta la nota"
        case .esperaFirma: "Espera firma del supervisor"
        case .cerrada: "Cerrada"
        case .firmada: "Cerrada y firmada"
        }
    }

    /// Whether the session keeps the drawer from opening again.
    public var blocksDrawer: Bool { self != .cerrada && self != .firmada }
    public var isOpen: Bool { self == .abierta || self == .abiertaDiaAnterior }
}

/// A drawer as the till shows it, without a figure (the count is blind).
public enum DrawerStatus: Sendable, Equatable {
    case closed
    case open(CashSession, since: CivilDate, stale: Bool)
    /// The last session's close waits for a note or a sign-off, or it is open since another day.
    case unresolved(CashSession, String)
}

/// A session as the supervisor's close screen lists it, with its figures.
public struct CashSessionOverview: Sendable, Equatable {
    public var session: CashSession
    public var cashierName: String
    public var state: CashSessionState
    public var expectedCash: Money
    public var close: CashClose?
    public var closedByName: String?
    public var cashDifference: Money? { close.map { Money(centimos: $0.counted &- expectedCash.centimos) } }
}

/// A manual movement of a drawer's session: income, expense, withdrawal to the safe or deposit.
public struct CashMovementDraft: Sendable {
    public var id: String
    public var drawer: String
    public var kind: CashMovementKind
    public var amount: Money
    public var concept: CashConcept?
    public var reason: String
    public var document: String?
    /// A withdrawal to the safe needs a supervisor's clave.
    public var supervisor: Clave?

    public init(id: String, drawer: String, kind: CashMovementKind, amount: Money, concept: CashConcept? = nil, reason: String,
                document: String? = nil, supervisor: Clave? = nil) {
        self.id = id; self.drawer = drawer; self.kind = kind; self.amount = amount; self.concept = concept; self.reason = reason
        self.document = document; self.supervisor = supervisor
    }
}

/// The cashier's declaration at the close: the cash counted by denomination (and the first count
/// when they recounted) and the non-cash totals. `id` is made when the close begins.
public struct CashCloseDraft: Sendable {
    public var id: String
    public var sessionID: String
    public var counts: [Int64: Int64]
    public var firstCounts: [Int64: Int64]?
    public var declared: [PaymentMethod: Money]
    public var note: String?

    public init(id: String, sessionID: String, counts: [Int64: Int64], firstCounts: [Int64: Int64]? = nil,
                declared: [PaymentMethod: Money] = [:], note: String? = nil) {
        self.id = id; self.sessionID = sessionID; self.counts = counts; self.firstCounts = firstCounts; self.declared = declared; self.note = note
    }
}

extension SedeStore {
    // MARK: Thresholds

    public func cashThresholds() throws -> CashThresholds {
        try read { db in try Self.cashThresholds(db) }
    }

    static func cashThresholds(_ db: Database) throws -> CashThresholds {
        let accept = try setting(.cashAcceptCentimos, db).flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let note = try setting(.cashNoteCentimos, db).flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let a = accept ?? CashThresholds.defaults.accept.centimos
        return CashThresholds(accept: Money(centimos: a), note: Money(centimos: max(a, note ?? CashThresholds.defaults.note.centimos)))
    }

    /// Sets the sede's deviation levels (a supervisor's act).
    public func setCashThresholds(_ thresholds: CashThresholds, by session: Session) throws {
        try session.require(.superviseCash, "Solo un supervisor cambia las tolerancias del cierre de caja")
        guard thresholds.accept.centimos >= 0, thresholds.note >= thresholds.accept else {
            throw StoreError.invalid("La tolerancia con nota debe ser mayor o igual que la aceptada")
        }
        try write(user: session.userID) { db in
            try Self.setSetting(.cashAcceptCentimos, String(thresholds.accept.centimos), db)
            try Self.setSetting(.cashNoteCentimos, String(thresholds.note.centimos), db)
        }
    }

    // MARK: Drawer status

    /// The drawer as the till shows it: closed, open (since when), or waiting for something.
    public func drawerStatus(drawer: String, sedeID: String) throws -> DrawerStatus {
        try read { db in try drawerStatus(drawer: drawer, sedeID: sedeID, db) }
    }

    func drawerStatus(drawer: String, sedeID: String, _ db: Database) throws -> DrawerStatus {
        guard let latest = try Self.latestCashSession(drawer: drawer, sedeID: sedeID, db) else { return .closed }
        let state = try Self.sessionState(latest, today: today, db)
        let opened = LimaTime.parseISO8601(latest.openedAt).map { CivilDate(limaDayOf: $0) } ?? today
        let since = LimaTime.parseISO8601(latest.openedAt).map(LimaTime.dayAndClock) ?? latest.openedAt
        switch state {
        case .abierta: return .open(latest, since: opened, stale: false)
        case .abiertaDiaAnterior: return .open(latest, since: opened, stale: true)
        case .faltaNota:
            return .unresolved(latest, "El cierre de \(drawer) abierta el \(since) tiene una diferencia y espera la nota de quien la cerró")
        case .esperaFirma:
            return .unresolved(latest, "El cierre de \(drawer) abierta el \(since) espera la firma de un supervisor (F7 Cierre)")
        case .cerrada, .firmada: return .closed
        }
    }

    static func sessionState(_ session: CashSession, today: CivilDate, _ db: Database) throws -> CashSessionState {
        guard let close = try CashClose.filter(sql: "session_id = ?", arguments: [session.id]).fetchOne(db) else {
            let opened = LimaTime.parseISO8601(session.openedAt).map { CivilDate(limaDayOf: $0) } ?? today
            return opened < today ? .abiertaDiaAnterior : .abierta
        }
        return try closeState(close, db)
    }

    static func closeState(_ close: CashClose, _ db: Database) throws -> CashSessionState {
        switch close.deviationLevel {
        case .nota:
            let noted = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_close_notes WHERE close_id = ?)", arguments: [close.id]) ?? false
            return noted ? .cerrada : .faltaNota
        case .supervisor, .unknown:
            let signed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_signoffs WHERE close_id = ?)", arguments: [close.id]) ?? false
            return signed ? .firmada : .esperaFirma
        case .aceptado:
            return .cerrada
        }
    }

    // MARK: Manual movements

    /// Records an income, expense, withdrawal to the safe (with a supervisor's clave) or deposit in
    /// the drawer's open session. `id` is made before the act: sending it again records nothing twice.
    @discardableResult
    public func recordCashMovement(_ draft: CashMovementDraft, by session: Session) throws -> CashMovement {
        try session.require(.openCashDrawer, "Solo recepción o un supervisor registran movimientos de caja")
        try Self.checkID(draft.id)
        guard draft.kind.isManual else { throw StoreError.invalid("Movimiento de caja no válido: ingreso, egreso, retiro o depósito") }
        guard draft.amount.centimos > 0 else { throw StoreError.invalid("El monto debe ser mayor que cero") }
        guard draft.amount.centimos <= Self.maxCashMovement else {
            throw StoreError.invalid("El monto no puede pasar de \(Money(centimos: Self.maxCashMovement).formatted)")
        }
        let reason = draft.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if (draft.kind == .ingreso || draft.kind == .egreso) && reason.isEmpty {
            throw StoreError.invalid(draft.kind == .egreso ? "Escriba el motivo del egreso" : "Escriba el motivo del ingreso")
        }
        guard reason.count <= 200 else { throw StoreError.invalid("El motivo tiene como máximo 200 caracteres") }
        let document = draft.document?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        guard (document?.count ?? 0) <= 40 else { throw StoreError.invalid("El número de comprobante tiene como máximo 40 caracteres") }
        if case .unknown(let text)? = draft.concept { throw StoreError.invalid("Concepto desconocido: \(text)") }
        if draft.kind == .egreso && draft.concept == nil {
            throw StoreError.invalid("Elija el concepto del egreso: pago a proveedor, compra menor, caja chica u otro")
        }
        var approver: String?
        if draft.kind == .sangria {
            // A supervisor signed in at the till authorises their own withdrawal (they gave their clave to sign in).
            if let clave = draft.supervisor { approver = try authorizer(clave, session: session) }
            else if session.may(.authorizeCheckout) { approver = session.userID }
            else { throw StoreError.refused(.needsSupervisor, "El retiro a caja fuerte necesita la clave de un supervisor") }
        }
        let now = nowText
        return try write(user: session.userID) { db in
            if let done = try CashMovement.fetchOne(db, key: draft.id) { return done }
            guard let open = try Self.currentCashSession(drawer: draft.drawer, sedeID: session.sede.id, db) else {
                throw StoreError.refused(.noCashSession, "\(draft.drawer) no está abierta: ábrala con su fondo antes de registrar movimientos")
            }
            let amount = draft.kind.takesOut ? -draft.amount.centimos : draft.amount.centimos
            let movement = CashMovement(id: draft.id, sedeId: session.sede.id, sessionId: open.id, actId: draft.id, kind: draft.kind.rawValue,
                                        amount: amount, saleId: nil, paymentId: nil, userId: session.userID, at: now,
                                        concept: draft.concept?.rawValue, reason: reason.nilIfEmpty, document: document,
                                        authorizedBy: approver, reversesId: nil)
            try movement.insert(db)
            return movement
        }
    }

    /// Cancels a manual movement of the open session with an opposite one (once). A withdrawal's
    /// correction needs a supervisor's clave like the withdrawal did.
    @discardableResult
    public func correctCashMovement(id: String, movementID: String, reason: String, supervisor: Clave? = nil, by session: Session) throws -> CashMovement {
        try session.require(.openCashDrawer, "Solo recepción o un supervisor corrigen movimientos de caja")
        try Self.checkID(id)
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty, why.count <= 200 else { throw StoreError.invalid("Escriba por qué se corrige el movimiento (hasta 200 caracteres)") }
        let original = try read { db in try CashMovement.fetchOne(db, key: movementID) }
        guard let original, original.sedeId == session.sede.id else { throw StoreError.notFound("El movimiento de caja no existe") }
        var approver: String?
        if original.movementKind == .sangria {
            if let supervisor { approver = try authorizer(supervisor, session: session) }
            else if session.may(.authorizeCheckout) { approver = session.userID }
            else { throw StoreError.refused(.needsSupervisor, "Corregir un retiro a caja fuerte necesita la clave de un supervisor") }
        }
        let now = nowText
        return try write(user: session.userID) { db in
            if let done = try CashMovement.fetchOne(db, key: id) { return done }
            guard original.movementKind.isManual, original.reversesId == nil else {
                throw StoreError.invalid("Solo se corrigen ingresos, egresos, retiros y depósitos registrados a mano")
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_movements WHERE reverses_id = ?)", arguments: [original.id]) ?? false {
                throw StoreError.conflict("Ese movimiento ya se corrigió")
            }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_closes WHERE session_id = ?)", arguments: [original.sessionId]) ?? false {
                throw StoreError.refused(.sessionClosed, "La caja de ese movimiento ya está cerrada")
            }
            let movement = CashMovement(id: id, sedeId: session.sede.id, sessionId: original.sessionId, actId: id, kind: original.kind,
                                        amount: -original.amount, saleId: nil, paymentId: nil, userId: session.userID, at: now,
                                        concept: original.concept, reason: "Corrección: " + why, document: original.document,
                                        authorizedBy: approver, reversesId: original.id)
            try movement.insert(db)
            return movement
        }
    }

    static let maxCashMovement: Int64 = 10_000_000   // S/ 100,000.00

    // MARK: Close

    /// Closes a session with the cashier's declaration, in one transaction: the close, and the note
    /// if one came with it. The level (accepted, needs a note, needs a supervisor) is decided here,
    /// from the largest deviation of cash and each non-cash method. Returns the Z report: only now
    /// are the expected figures shown. Sending the same `id` again returns the same close.
    @discardableResult
    public func closeCashSession(_ draft: CashCloseDraft, by session: Session) throws -> CashReport {
        try session.require(.openCashDrawer, "Solo recepción o un supervisor cierran la caja")
        try Self.checkID(draft.id)
        // Every check before the close is about the input only: nothing may hint at the figures.
        let counted: Money, first: Money?
        do {
            counted = try Denomination.total(draft.counts)
            first = try draft.firstCounts.map { counts throws(CheckoutProblem) in try Denomination.total(counts) }
        } catch { throw StoreError.invalid(error.message) }
        for (method, amount) in draft.declared {
            guard CashDeclaration.methods.contains(method) else { throw StoreError.invalid("\(method.label) no se declara en el cierre") }
            guard amount.centimos >= 0 else { throw StoreError.invalid("El total de \(method.label) no puede ser negativo") }
            guard amount.centimos <= 1_000_000_000 else { throw StoreError.invalid("El total de \(method.label) es demasiado grande") }
        }
        let note = draft.note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        guard (note?.count ?? 0) <= 500 else { throw StoreError.invalid("La nota tiene como máximo 500 caracteres") }
        let now = nowText
        let closeID = try write(user: session.userID) { db -> String in
            if let done = try CashClose.fetchOne(db, key: draft.id) { return done.id }
            guard let cash = try CashSession.fetchOne(db, key: draft.sessionID), cash.sedeId == session.sede.id else {
                throw StoreError.notFound("La sesión de caja no existe")
            }
            if try CashClose.filter(sql: "session_id = ?", arguments: [cash.id]).fetchOne(db) != nil {
                throw StoreError.refused(.sessionClosed, "\(cash.drawer) ya se cerró")
            }
            let figures = try Self.sessionFigures(cash.id, db)
            var differences = [Money(centimos: counted.centimos &- figures.expected)]
            for method in CashDeclaration.methods {
                differences.append(Money(centimos: (draft.declared[method]?.centimos ?? 0) &- (figures.recorded[method.rawValue] ?? 0)))
            }
            let level = try Self.cashThresholds(db).level(differences)
            let close = CashClose(id: draft.id, sedeId: session.sede.id, sessionId: cash.id, counted: counted.centimos,
                                  denominations: Self.countsJSON(draft.counts), firstCount: first?.centimos,
                                  firstDenominations: draft.firstCounts.map(Self.countsJSON),
                                  declaredTarjeta: draft.declared[.tarjeta]?.centimos ?? 0, declaredYape: draft.declared[.yape]?.centimos ?? 0,
                                  declaredPlin: draft.declared[.plin]?.centimos ?? 0,
                                  declaredTransferencia: draft.declared[.transferencia]?.centimos ?? 0,
                                  declaredPagoefectivo: draft.declared[.pagoefectivo]?.centimos ?? 0,
                                  level: level.rawValue, closedBy: session.userID, closedAt: now)
            try close.insert(db)
            if let note {
                try CashCloseNote(id: newID(), sedeId: session.sede.id, closeId: close.id, note: note, userId: session.userID, at: now).insert(db)
            }
            return close.id
        }
        return try read { db in
            guard let close = try CashClose.fetchOne(db, key: closeID) else { throw StoreError.notFound("El cierre no existe") }
            return try Self.cashReport(sessionID: close.sessionId, printedAt: now, db)
        }
    }

    /// Adds a note to a close (the explanation of a deviation, or a later remark).
    public func addCloseNote(id: String, closeID: String, note: String, by session: Session) throws {
        guard session.may(.openCashDrawer) || session.may(.superviseCash) else {
            throw StoreError.forbidden("Solo recepción o un supervisor anotan un cierre")
        }
        try Self.checkID(id)
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw StoreError.invalid("Escriba la nota: qué explica la diferencia") }
        guard text.count <= 500 else { throw StoreError.invalid("La nota tiene como máximo 500 caracteres") }
        let now = nowText
        try write(user: session.userID) { db in
            if try CashCloseNote.fetchOne(db, key: id) != nil { return }
            guard let close = try CashClose.fetchOne(db, key: closeID), close.sedeId == session.sede.id else {
                throw StoreError.notFound("El cierre de caja no existe")
            }
            try CashCloseNote(id: id, sedeId: session.sede.id, closeId: close.id, note: text, userId: session.userID, at: now).insert(db)
        }
    }

    /// A supervisor signs a close off with their clave and a note.
    public func signOffClose(id: String, closeID: String, note: String, clave: Clave, by session: Session) throws {
        try session.require(.superviseCash, "Solo un supervisor firma los cierres de caja")
        try Self.checkID(id)
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw StoreError.invalid("Escriba una nota para firmar el cierre") }
        guard text.count <= 500 else { throw StoreError.invalid("La nota tiene como máximo 500 caracteres") }
        let supervisor = try authorizer(clave, session: session)
        let now = nowText
        try write(user: session.userID) { db in
            if try CashSignoff.fetchOne(db, key: id) != nil { return }
            guard let close = try CashClose.fetchOne(db, key: closeID), close.sedeId == session.sede.id else {
                throw StoreError.notFound("El cierre de caja no existe")
            }
            if try CashSignoff.filter(sql: "close_id = ?", arguments: [close.id]).fetchOne(db) != nil {
                throw StoreError.conflict("Ese cierre ya está firmado")
            }
            try CashSignoff(id: id, sedeId: session.sede.id, closeId: close.id, supervisorId: supervisor, note: text, at: now).insert(db)
        }
    }

    // MARK: Reading

    /// The session's figures for a report. An open session's (an X report) only for a supervisor:
    /// the cashier's count is blind.
    public func cashReport(sessionID: String, by session: Session) throws -> CashReport {
        let now = nowText
        return try read { db in
            guard let cash = try CashSession.fetchOne(db, key: sessionID), cash.sedeId == session.sede.id else {
                throw StoreError.notFound("La sesión de caja no existe")
            }
            let closed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cash_closes WHERE session_id = ?)", arguments: [cash.id]) ?? false
            if !closed { try session.require(.superviseCash, "El reporte X de una caja abierta es solo para un supervisor: el conteo del cierre es a ciegas") }
            else if !session.may(.openCashDrawer) && !session.may(.superviseCash) {
                try session.require(.superviseCash, "Solo recepción o un supervisor ven el reporte de cierre")
            }
            return try Self.cashReport(sessionID: cash.id, printedAt: now, db)
        }
    }

    /// The sessions of the last `days` days at the sede and any older one still open or waiting,
    /// newest first, with their figures: the supervisor's close screen.
    public func cashSessionOverviews(sedeID: String, days: Int = 14) throws -> [CashSessionOverview] {
        let from = AgendaTime.iso(AgendaTime.instant(today.adding(days: -days), minute: 0))
        return try read { db in
            let sessions = try CashSession.fetchAll(db, sql: """
                SELECT s.* FROM cash_sessions s WHERE s.sede_id = ? AND (s.opened_at >= ?
                    OR NOT EXISTS (SELECT 1 FROM cash_closes c WHERE c.session_id = s.id)
                    OR EXISTS (SELECT 1 FROM cash_closes c WHERE c.session_id = s.id AND c.level = 'supervisor'
                               AND NOT EXISTS (SELECT 1 FROM cash_signoffs f WHERE f.close_id = c.id))
                    OR EXISTS (SELECT 1 FROM cash_closes c WHERE c.session_id = s.id AND c.level = 'nota'
                               AND NOT EXISTS (SELECT 1 FROM cash_close_notes n WHERE n.close_id = c.id)))
                ORDER BY s.opened_at DESC, s.id DESC LIMIT 500
                """, arguments: [sedeID, from])
            return try sessions.map { cash in
                let close = try CashClose.filter(sql: "session_id = ?", arguments: [cash.id]).fetchOne(db)
                return CashSessionOverview(session: cash, cashierName: try Self.userName(cash.openedBy, db),
                                           state: try Self.sessionState(cash, today: today, db),
                                           expectedCash: Money(centimos: try Self.sessionFigures(cash.id, db).expected), close: close,
                                           closedByName: try close.map { try Self.userName($0.closedBy, db) })
            }
        }
    }

    /// Where one session stands.
    public func cashSessionState(sessionID: String) throws -> CashSessionState? {
        try read { db in try CashSession.fetchOne(db, key: sessionID).map { try Self.sessionState($0, today: today, db) } }
    }

    /// The payments recorded in a session, oldest first (the rows behind each method's figure).
    public func sessionPayments(sessionID: String) throws -> [Payment] {
        try read { db in try Payment.filter(sql: "cash_session_id = ?", arguments: [sessionID]).order(sql: "at, id").fetchAll(db) }
    }

    /// The numbers (`V-000123`) of the sales a session's movements and payments belong to.
    public func sessionSaleNumbers(sessionID: String) throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT id, number FROM sales WHERE id IN (SELECT sale_id FROM cash_movements WHERE session_id = ?
                                                          UNION SELECT sale_id FROM payments WHERE cash_session_id = ?)
                """, arguments: [sessionID, sessionID]) {
                out[row["id"]] = Self.saleNumberText(row["number"])
            }
            return out
        }
    }

    /// A session's close, its notes and its sign-off.
    public func cashClose(sessionID: String) throws -> (close: CashClose, notes: [CashCloseNote], signoff: CashSignoff?)? {
        try read { db in
            guard let close = try CashClose.filter(sql: "session_id = ?", arguments: [sessionID]).fetchOne(db) else { return nil }
            return (close, try CashCloseNote.filter(sql: "close_id = ?", arguments: [close.id]).order(sql: "at, id").fetchAll(db),
                    try CashSignoff.filter(sql: "close_id = ?", arguments: [close.id]).fetchOne(db))
        }
    }

    struct SessionFigures {
        var expected: Int64 = 0
        var byKind: [String: Int64] = [:]
        var recorded: [String: Int64] = [:]
    }

    static func sessionFigures(_ sessionID: String, _ db: Database) throws -> SessionFigures {
        var figures = SessionFigures()
        for row in try Row.fetchAll(db, sql: "SELECT kind, sum(amount) AS total FROM cash_movements WHERE session_id = ? GROUP BY kind",
                                    arguments: [sessionID]) {
            let total: Int64 = row["total"] ?? 0
            figures.byKind[row["kind"] as String? ?? ""] = total
            figures.expected = figures.expected &+ total
        }
        for row in try Row.fetchAll(db, sql: "SELECT method, sum(amount) AS total FROM payments WHERE cash_session_id = ? GROUP BY method",
                                    arguments: [sessionID]) {
            figures.recorded[row["method"] as String? ?? ""] = row["total"] ?? 0
        }
        return figures
    }

    static func userName(_ id: String, _ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT coalesce(nullif(full_name, ''), username) FROM users WHERE id = ?", arguments: [id]) ?? id
    }

    static func cashReport(sessionID: String, printedAt: String, _ db: Database) throws -> CashReport {
        guard let cash = try CashSession.fetchOne(db, key: sessionID) else { throw StoreError.notFound("La sesión de caja no existe") }
        let figures = try sessionFigures(cash.id, db)
        let close = try CashClose.filter(sql: "session_id = ?", arguments: [cash.id]).fetchOne(db)
        let sede = try Row.fetchOne(db, sql: "SELECT name, code FROM sedes WHERE id = ?", arguments: [cash.sedeId])
        let sedeName: String = sede?["name"] ?? sede?["code"] ?? cash.sedeId
        let business = try setting(.businessTradeName, db) ?? sedeName
        var methods = PaymentMethod.allCases.map { method in
            CashReport.MethodLine(method: method, recorded: Money(centimos: figures.recorded[method.rawValue] ?? 0),
                                  declared: close.flatMap { $0.declared(method) })
        }
        for (raw, total) in figures.recorded.sorted(by: { $0.key < $1.key }) where !PaymentMethod.allCases.contains(where: { $0.rawValue == raw }) {
            methods.append(CashReport.MethodLine(method: .unknown(raw), recorded: Money(centimos: total), declared: nil))
        }
        let notes = try close.map { try CashCloseNote.filter(sql: "close_id = ?", arguments: [$0.id]).order(sql: "at, id").fetchAll(db) } ?? []
        let signoff = try close.flatMap { try CashSignoff.filter(sql: "close_id = ?", arguments: [$0.id]).fetchOne(db) }
        func kind(_ k: CashMovementKind) -> Money { Money(centimos: figures.byKind[k.rawValue] ?? 0) }
        func positive(_ k: CashMovementKind) -> Money { Money(centimos: abs(figures.byKind[k.rawValue] ?? 0)) }
        return CashReport(
            business: business, sede: sedeName, drawer: cash.drawer, sessionID: cash.id, openedBy: try userName(cash.openedBy, db),
            openedAt: cash.openedAt, closedBy: try close.map { try userName($0.closedBy, db) }, closedAt: close?.closedAt, printedAt: printedAt,
            float: kind(.apertura), byMethod: methods, cashTaken: kind(.cobro), changeGiven: positive(.vuelto), refunds: positive(.devolucion),
            income: kind(.ingreso), expense: positive(.egreso), withdrawals: positive(.sangria), deposits: kind(.deposito),
            expectedCash: Money(centimos: figures.expected), countedCash: close.map { Money(centimos: $0.counted) },
            firstCount: close?.firstCount.map { Money(centimos: $0) }, counts: close.map { parseCounts($0.denominations) } ?? [:],
            level: close?.deviationLevel, notes: notes.map(\.note),
            signed: try signoff.map { CashReport.Signed(supervisor: try userName($0.supervisorId, db), at: $0.at, note: $0.note) })
    }

    static func countsJSON(_ counts: [Int64: Int64]) -> String {
        "{" + counts.filter { $0.value > 0 }.sorted { $0.key > $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    static func parseCounts(_ json: String) -> [Int64: Int64] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var out: [Int64: Int64] = [:]
        for (key, value) in object {
            guard let denomination = Int64(key), let count = (value as? NSNumber)?.int64Value else { continue }
            out[denomination] = count
        }
        return out
    }

    /// Writes the report as a text file in `folder` (created if missing), not world-readable.
    /// Returns its path.
    public static func writeCashReport(_ report: CashReport, columns: ReceiptColumns = .wide, folder: String) throws -> String {
        try SedeFiles.createFolder(folder)
        let day = LimaTime.parseISO8601(report.closedAt ?? report.printedAt).map { CivilDate(limaDayOf: $0).iso } ?? "sin-fecha"
        let drawer = String(report.drawer.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        let name = "\(report.isClose ? "Z" : "X")-\(drawer)-\(day)-\(report.sessionID.suffix(12)).txt"
        let path = (folder as NSString).appendingPathComponent(name)
        try SedeFiles.write(Data(CashReportLayout(columns: columns).text(for: report).utf8), to: path)
        return path
    }
}

extension SedeStore {
    /// Where X and Z reports are written as text files: `cierres/` beside the database.
    public var cashReportsFolder: String { (path as NSString).deletingLastPathComponent + "/cierres" }
}
