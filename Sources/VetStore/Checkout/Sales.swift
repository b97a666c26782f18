import Foundation
import GRDB
import VetCore

/// A sale, or the opposite of one (a void or a return). Append-only: the database refuses
/// UPDATE and DELETE.
public struct Sale: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sales"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public enum Kind: String, Codable, Sendable {
        case venta, anulacion, devolucion
    }

    public var id: String
    public var sedeId: String
    public var number: Int64
    public var kind: String
    public var reversesSaleId: String?
    public var ownerId: String?
    public var customerDocType: String?
    public var customerDocNumber: String?
    public var customerName: String?
    public var fiscalDocType: String?
    public var gravada: Int64
    public var exonerada: Int64
    public var inafecta: Int64
    public var igv: Int64
    public var discount: Int64
    public var total: Int64
    public var reason: String?
    public var authorizedBy: String?
    public var drawer: String?
    public var userId: String
    public var at: String
    /// The customer's fiscal address (a factura's domicilio fiscal).
    public var customerAddress: String? = nil

    public var totals: SaleTotals {
        SaleTotals(gravada: Money(centimos: gravada), exonerada: Money(centimos: exonerada), inafecta: Money(centimos: inafecta),
                   igv: Money(centimos: igv), discount: Money(centimos: discount), total: Money(centimos: total))
    }
}

public struct SaleLine: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sale_lines"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var saleId: String
    public var sedeId: String
    public var lineNo: Int64
    public var itemId: String
    public var description: String
    public var unitCode: String
    public var igvAffectation: String
    public var quantity: Int64
    public var unitPrice: Int64
    public var discountPercentBp: Int64?
    public var discount: Int64
    public var base: Int64
    public var igv: Int64
    public var total: Int64
    public var chargeId: String?
    public var petId: String?
    public var reversesLineId: String?
}

/// A person's clave given on the spot (a supervisor authorising).
public struct Clave: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) { self.username = username; self.password = password }
}

/// The customer a document is made out to (a boleta to a DNI, a factura to a RUC).
public struct SaleCustomer: Sendable, Equatable, Codable {
    public var docType: String
    public var docNumber: String
    public var name: String
    /// The fiscal address (domicilio fiscal), required for a factura.
    public var address: String?
    public init(docType: String, docNumber: String, name: String, address: String? = nil) {
        self.docType = docType; self.docNumber = docNumber; self.name = name; self.address = address
    }
}

/// A sale as the cashier makes it. `id` is made before anything is written: committing the same
/// draft again returns the sale already recorded and writes nothing.
public struct SaleDraft: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var itemID: String
        public var quantity: Int64
        public var discount: Discount
        /// The pending charge this line sells (its quantity must be the charge's).
        public var chargeID: String?
        public var petID: String?
        public var lot: LotChoice?
        public init(itemID: String, quantity: Int64, discount: Discount = .none, chargeID: String? = nil, petID: String? = nil, lot: LotChoice? = nil) {
            self.itemID = itemID; self.quantity = quantity; self.discount = discount; self.chargeID = chargeID; self.petID = petID; self.lot = lot
        }
    }
    public var id: String
    public var ownerID: String?
    public var customer: SaleCustomer?
    /// 03 boleta or 01 factura, as the customer asked; nil when not yet known.
    public var fiscalDocType: String?
    public var lines: [Line]
    public var drawer: String?
    public init(id: String, ownerID: String? = nil, customer: SaleCustomer? = nil, fiscalDocType: String? = nil, lines: [Line], drawer: String? = nil) {
        self.id = id; self.ownerID = ownerID; self.customer = customer; self.fiscalDocType = fiscalDocType; self.lines = lines; self.drawer = drawer
    }
}

/// Where a sale stands, derived from its rows.
public enum SaleState: String, Sendable, Equatable, Codable {
    /// Something is still owed and no credit covers it.
    case abierta
    /// A PagoEfectivo CIP is waiting to be paid.
    case pendienteDePago = "pendiente_de_pago"
    /// Nothing is owed.
    case pagada
    /// The balance was left owing: on a payment plan or authorised by a supervisor.
    case aCuenta = "a_cuenta"
    /// A void reversed it.
    case anulada

    public var label: String {
        switch self {
        case .abierta: "Abierta"
        case .pendienteDePago: "Pendiente de pago"
        case .pagada: "Pagada"
        case .aCuenta: "A cuenta"
        case .anulada: "Anulada"
        }
    }
}

/// A sale with everything a receipt, the till or an integration reads about it.
public struct SaleSummary: Sendable, Equatable {
    public var sale: Sale
    public var lines: [SaleLine]
    public var payments: [Payment]
    /// What the payments that count have paid (net of refunds), and the cash rounding given.
    public var paid: Money
    public var rounding: Money
    /// PagoEfectivo CIPs not yet paid (nor expired).
    public var pendingPagoEfectivo: Money
    /// What is still owed: total − paid − rounding (never below zero on a sale).
    public var balance: Money
    public var credit: SaleCredit?
    public var instalments: [PlanInstalment]
    public var reversals: [Sale]
    public var state: SaleState
    /// What more may be paid now: the balance minus CIPs waiting.
    public var payable: Money { Money(centimos: max(0, balance.centimos - pendingPagoEfectivo.centimos)) }
    public var sedeCode: String
    public var cashierName: String
}

extension SedeStore {
    // MARK: Creating a sale

    /// Records a sale: its lines at today's prices, the pending charges it takes, and the stock of
    /// its products (FEFO, `venta` movements). All of it or nothing.
    @discardableResult
    public func createSale(_ draft: SaleDraft, approval: Clave? = nil, by session: Session) throws -> SaleSummary {
        try checkout(draft, payments: [], approval: approval, by: session)
    }

    /// A sale and its payments in one transaction (an integration, a bench, a cashier's «cobrar»).
    /// The sale and each payment are recorded once, whatever the retries.
    @discardableResult
    public func checkout(_ draft: SaleDraft, payments: [PaymentDraft], approval: Clave? = nil, by session: Session) throws -> SaleSummary {
        try session.require(.charge, "Solo recepción o un supervisor cobran")
        try Self.checkID(draft.id)
        guard !draft.lines.isEmpty else { throw StoreError.invalid("La venta no tiene líneas") }
        guard draft.lines.count <= 200 else { throw StoreError.invalid("Una venta tiene como máximo 200 líneas") }
        for line in draft.lines {
            do { _ = try SaleMath.price(CartLine(quantity: line.quantity, unitPrice: .zero, affectation: .gravado, discount: line.discount)) }
            catch where error.field != .discount { throw StoreError.invalid(error.message) }
            catch {}
        }
        let approver = try approval.map { try authorizer($0, session: session) }
        let today = self.today, now = nowText
        // The certificate is checked before anything is written: a sale that cannot have its
        // document is refused with the reason, and no number is taken.
        let fiscal = try fiscalContext()
        return try write(user: session.userID) { db in
            if try Sale.fetchOne(db, key: draft.id) == nil {
                try Self.insertSale(draft, approver: approver, session: session, today: today, now: now, newID: newID, db)
                if fiscal != nil { try Self.checkBoletaBuyer(saleID: draft.id, db) }
            }
            for payment in payments {
                _ = try Self.recordPayment(payment, saleID: draft.id, drawer: draft.drawer, session: session, now: now, newID: newID, db)
            }
            try Self.issueFiscalDocument(forSale: draft.id, fiscal, newID: newID, db)
            return try Self.saleSummary(id: draft.id, db)!
        }
    }

    /// Refuses a boleta above S/ 700.00 without the buyer's document (SUNAT would reject it), in the
    /// sale's transaction and before its number is taken, so nothing of the sale is kept.
    static func checkBoletaBuyer(saleID: String, _ db: Database) throws {
        guard let sale = try Sale.fetchOne(db, key: saleID), sale.fiscalDocType != FiscalDocumentType.factura.rawValue,
              sale.total > FiscalCustomer.anonymousBoletaLimit.centimos,
              (sale.customerDocNumber ?? "").trimmingCharacters(in: .whitespaces).isEmpty else { return }
        throw StoreError.refused(.fiscalDocument, """
            Una boleta de más de \(FiscalCustomer.anonymousBoletaLimit.formatted) necesita el documento del cliente \
            (DNI, carné de extranjería, pasaporte o RUC): esta venta suma \(Money(centimos: sale.total).formatted)
            """)
    }

    static func checkID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw StoreError.invalid("Identificador de operación inválido")
        }
    }

    static func insertSale(_ draft: SaleDraft, approver: String?, session: Session, today: CivilDate, now: String,
                           newID: () -> String, _ db: Database) throws {
        let sedeID = session.sede.id
        var owner = draft.ownerID
        var lines: [SaleLine] = []
        var priced: [(PricedLine, IGVAffectation)] = []
        var items: [CatalogItem] = []
        var overLimit: [String] = []
        let limit = DiscountPolicy.limit(for: session.roles)
        for (i, line) in draft.lines.enumerated() {
            guard let item = try catalogItem(id: line.itemID, db) else { throw StoreError.notFound("Línea \(i + 1): el producto no está en el catálogo") }
            guard item.active else { throw StoreError.invalid("\(item.name) está desactivado en el catálogo") }
            guard let price = try price(itemID: item.id, sedeID: sedeID, on: today, db) else {
                throw StoreError.invalid("\(item.name) no tiene precio vigente en esta sede")
            }
            let cart = CartLine(quantity: line.quantity, unitPrice: price, affectation: item.igv, discount: line.discount)
            let p: PricedLine
            do { p = try SaleMath.price(cart) } catch { throw StoreError.invalid("\(item.name): \(error.message)") }
            if SaleMath.discountBasisPoints(p) > limit { overLimit.append(item.name) }
            var petID = line.petID
            if let chargeID = line.chargeID {
                guard let charge = try Charge.fetchOne(db, key: chargeID), charge.sedeId == sedeID else {
                    throw StoreError.notFound("El cargo de \(item.name) no existe")
                }
                if let sold = charge.saleId {
                    let number = try Int64.fetchOne(db, sql: "SELECT number FROM sales WHERE id = ?", arguments: [sold])
                    throw StoreError.refused(.chargesTaken, "Estos cargos ya fueron cobrados en otra terminal (venta \(number.map(saleNumberText) ?? "?")): actualice la caja")
                }
                guard charge.removedAt == nil else { throw StoreError.refused(.chargesTaken, "El cargo de \(item.name) fue quitado: actualice la caja") }
                guard charge.itemId == item.id, charge.quantity == line.quantity else {
                    throw StoreError.refused(.chargesTaken, "El cargo de \(item.name) cambió en otra terminal: actualice la caja")
                }
                if let o = owner, o != charge.ownerId { throw StoreError.invalid("Los cargos son de otro propietario") }
                owner = charge.ownerId
                petID = petID ?? charge.petId
            }
            let bp: Int64? = if case .percent(let value) = line.discount { value } else { nil }
            lines.append(SaleLine(id: newID(), saleId: draft.id, sedeId: sedeID, lineNo: Int64(i + 1), itemId: item.id, description: item.name,
                                  unitCode: item.unitCode, igvAffectation: item.igv.rawValue, quantity: line.quantity, unitPrice: price.centimos,
                                  discountPercentBp: bp, discount: p.discount.centimos, base: p.base.centimos, igv: p.igv.centimos,
                                  total: p.total.centimos, chargeId: line.chargeID, petId: petID, reversesLineId: nil))
            priced.append((p, item.igv))
            items.append(item)
        }
        if !overLimit.isEmpty && approver == nil && !session.may(.authorizeCheckout) {
            throw StoreError.refused(.needsSupervisor, """
                El descuento de \(overLimit.joined(separator: ", ")) supera su límite (\(Discount.percent(basisPoints: limit).display)): \
                pida la clave de un supervisor
                """)
        }
        if let owner, try Owner.fetchOne(db, key: owner) == nil { throw StoreError.notFound("El propietario no existe") }
        let totals: SaleTotals
        do { totals = try SaleMath.totals(priced) } catch { throw StoreError.invalid(error.message) }
        let customer = try checkedCustomer(draft.customer, fiscalDocType: draft.fiscalDocType)
        let number = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(number), 0) + 1 FROM sales WHERE sede_id = ?"),
                                         arguments: [sedeID])) ?? 1
        let sale = Sale(id: draft.id, sedeId: sedeID, number: number, kind: Sale.Kind.venta.rawValue, reversesSaleId: nil, ownerId: owner,
                        customerDocType: customer?.docType, customerDocNumber: customer?.docNumber, customerName: customer?.name,
                        fiscalDocType: draft.fiscalDocType, gravada: totals.gravada.centimos, exonerada: totals.exonerada.centimos,
                        inafecta: totals.inafecta.centimos, igv: totals.igv.centimos, discount: totals.discount.centimos,
                        total: totals.total.centimos, reason: nil, authorizedBy: overLimit.isEmpty ? nil : (approver ?? session.userID),
                        drawer: draft.drawer, userId: session.userID, at: now, customerAddress: customer?.address)
        try sale.insert(db)
        let act = StockAct(id: draft.id, sedeID: sedeID, userID: session.userID, at: now)
        for (i, line) in lines.enumerated() {
            try line.insert(db)
            if let chargeID = line.chargeId {
                try db.execute(sql: "UPDATE charges SET sale_id = ?, updated_at = ? WHERE id = ? AND sale_id IS NULL AND removed_at IS NULL",
                               arguments: [draft.id, now, chargeID])
                guard db.changesCount == 1 else { throw StoreError.refused(.chargesTaken, "Estos cargos ya fueron cobrados en otra terminal: actualice la caja") }
                if try String.fetchOne(db, sql: "SELECT stock_act_id FROM charges WHERE id = ?", arguments: [chargeID]) != nil { continue }
            }
            _ = try takeStock(act, item: items[i], quantity: line.quantity, kind: .venta, lot: draft.lines[i].lot, docType: "venta", docRef: draft.id,
                              pet: line.petId, owner: owner, today: today, newID: newID, db)
        }
    }

    static func checkedCustomer(_ customer: SaleCustomer?, fiscalDocType: String?) throws -> SaleCustomer? {
        if let type = fiscalDocType, type != "01", type != "03" {
            throw StoreError.invalid("Tipo de comprobante desconocido (\(type)): 03 boleta o 01 factura")
        }
        guard var customer else {
            if fiscalDocType == "01" { throw StoreError.invalid("La factura necesita el RUC y la razón social del cliente") }
            return nil
        }
        customer.docNumber = customer.docNumber.trimmingCharacters(in: .whitespaces)
        customer.name = customer.name.trimmingCharacters(in: .whitespaces)
        guard let type = DocumentType(rawValue: customer.docType) else {
            throw StoreError.invalid("Tipo de documento del cliente desconocido (\(customer.docType))")
        }
        if let problem = DocumentValidation.problem(type: type, number: customer.docNumber) { throw StoreError.invalid(problem) }
        guard !customer.name.isEmpty, customer.name.count <= 200 else { throw StoreError.invalid("Escriba el nombre o la razón social del cliente") }
        if fiscalDocType == "01" && type != .ruc { throw StoreError.invalid("La factura se emite a un RUC") }
        customer.address = customer.address?.trimmingCharacters(in: .whitespaces)
        if customer.address?.isEmpty == true { customer.address = nil }
        if let address = customer.address, address.count > 200 { throw StoreError.invalid("La dirección fiscal tiene como máximo 200 caracteres") }
        if fiscalDocType == "01" && customer.address == nil {
            throw StoreError.invalid("La factura necesita la dirección fiscal del cliente")
        }
        return customer
    }

    /// The user whose clave authorises a checkout act: an active user of this sede who may authorise.
    func authorizer(_ clave: Clave, session: Session) throws -> String {
        let name = clave.username.trimmingCharacters(in: .whitespaces).lowercased()
        let found = try read { db in
            try Row.fetchOne(db, sql: """
                SELECT u.id, u.pass_hash, group_concat(r.role) AS roles FROM users u JOIN user_roles r ON r.user_id = u.id
                WHERE u.username = ? AND u.active = 1 AND r.sede_id = ? GROUP BY u.id
                """, arguments: [name, session.sede.id])
        }
        guard let found, let hash: String = found["pass_hash"], PasswordHasher.verify(clave.password, hash: hash) else {
            throw StoreError.refused(.needsSupervisor, "Usuario o clave del supervisor incorrectos")
        }
        let roles = ((found["roles"] as String?) ?? "").split(separator: ",").compactMap { Role(rawValue: String($0)) }
        guard roles.contains(where: { Permission.authorizeCheckout.roles.contains($0) }) else {
            throw StoreError.refused(.needsSupervisor, "\(name) no es supervisor: no puede autorizar")
        }
        return found["id"]
    }

    /// `V-000123`.
    public static func saleNumberText(_ number: Int64) -> String {
        let digits = String(number)
        return "V-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    // MARK: Reading

    public func saleSummary(id: String) throws -> SaleSummary? {
        try read { db in try Self.saleSummary(id: id, db) }
    }

    static func saleSummary(id: String, _ db: Database) throws -> SaleSummary? {
        try saleStanding(id: id, withLines: true, withPlan: true, db)
    }

    /// The sale's summary; its lines, credit and instalments only when asked (a payment needs the
    /// plan only for an instalment).
    static func saleStanding(id: String, withLines: Bool = false, withPlan: Bool, _ db: Database) throws -> SaleSummary? {
        guard let sale = try Sale.fetchOne(db.cachedStatement(sql: "SELECT * FROM sales WHERE id = ?"), arguments: [id]) else { return nil }
        let lines = withLines ? try SaleLine.fetchAll(db.cachedStatement(sql: "SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY line_no"), arguments: [id]) : []
        let payments = try Payment.fetchAll(db.cachedStatement(sql: "SELECT * FROM payments WHERE sale_id = ? ORDER BY at, id"), arguments: [id])
        let money = try paymentStanding(saleID: id, db)
        let reversals = try Sale.fetchAll(db.cachedStatement(sql: "SELECT * FROM sales WHERE reverses_sale_id = ? ORDER BY at, id"), arguments: [id])
        let credit = try SaleCredit.fetchOne(db.cachedStatement(sql: "SELECT * FROM sale_credits WHERE sale_id = ?"), arguments: [id])
        let instalments = withPlan && credit != nil
            ? try PlanInstalment.fetchAll(db.cachedStatement(sql: "SELECT * FROM plan_instalments WHERE sale_id = ? ORDER BY n"), arguments: [id]) : []
        let reversed = reversals.reduce(Int64(0)) { $0 + $1.total }
        let balance = Money(centimos: max(0, sale.total + reversed - money.paid.centimos - money.rounding.centimos))
        let state: SaleState
        if sale.kind != Sale.Kind.venta.rawValue {
            state = .pagada
        } else if reversals.contains(where: { $0.kind == Sale.Kind.anulacion.rawValue }) {
            state = .anulada
        } else if balance.centimos == 0 {
            state = .pagada
        } else if money.pendingPagoEfectivo.centimos > 0 {
            state = .pendienteDePago
        } else if credit != nil {
            state = .aCuenta
        } else {
            state = .abierta
        }
        let names = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT code FROM sedes WHERE id = ?) AS sede, (SELECT full_name FROM users WHERE id = ?) AS cashier
            """), arguments: [sale.sedeId, sale.userId])
        return SaleSummary(sale: sale, lines: lines, payments: payments, paid: money.paid, rounding: money.rounding,
                           pendingPagoEfectivo: money.pendingPagoEfectivo, balance: balance, credit: credit, instalments: instalments,
                           reversals: reversals, state: state, sedeCode: names?["sede"] ?? "?", cashierName: names?["cashier"] ?? "?")
    }

    /// Sales of the sede on a day (Lima), newest first.
    public func sales(sedeID: String, on day: CivilDate, limit: Int = 500) throws -> [Sale] {
        let from = AgendaTime.iso(AgendaTime.instant(day, minute: 0)), to = AgendaTime.iso(AgendaTime.instant(day.adding(days: 1), minute: 0))
        return try read { db in
            try Sale.filter(sql: "sede_id = ? AND at >= ? AND at < ?", arguments: [sedeID, from, to]).order(sql: "at DESC, number DESC")
                .limit(limit).fetchAll(db)
        }
    }
}
