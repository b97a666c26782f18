import ArgumentParser
import Foundation
import VetCore
import VetStore

struct SaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sale", abstract: "Ventas sin pantalla: crear y consultar (integraciones).",
                                                    subcommands: [SaleCreateCommand.self, SaleShowCommand.self])
}

/// A sale as an integration sends it (JSON). Amounts are text (`"50.00"`) or integer céntimos
/// (`amount_centimos`), never a binary fraction. Every id is made by the sender before the act, so
/// sending the same document again records nothing twice.
struct SaleRequest: Decodable {
    struct Line: Decodable {
        var sku: String?
        var itemID: String?
        var chargeID: String?
        var quantity: Int64?
        var discount: String?
        var lot: String?
        var petID: String?
        enum CodingKeys: String, CodingKey {
            case sku, quantity, discount, lot
            case itemID = "item_id", chargeID = "charge_id", petID = "pet_id"
        }
    }
    struct PaymentRequest: Decodable {
        var id: String
        var method: String
        var amount: String?
        var amountCentimos: Int64?
        var tendered: String?
        var card: CardRequest?
        var operation: String?
        var securityCode: String?
        var bank: String?
        var instalmentID: String?
        enum CodingKeys: String, CodingKey {
            case id, method, amount, tendered, card, operation, bank
            case amountCentimos = "amount_centimos", securityCode = "security_code", instalmentID = "instalment_id"
        }
    }
    struct CardRequest: Decodable {
        var brand: String
        var last4: String
        var authCode: String
        var reference: String?
        var terminal: String?
        var batch: String?
        enum CodingKeys: String, CodingKey {
            case brand, last4, reference, terminal, batch
            case authCode = "auth_code"
        }
        var details: CardDetails {
            CardDetails(brand: brand, last4: last4, authCode: authCode, reference: reference ?? "", terminal: terminal ?? "", batch: batch ?? "")
        }
    }
    struct PlanRequest: Decodable {
        struct Due: Decodable { var due: String; var amount: String }
        var id: String
        var instalments: [Due]?
    }
    struct ClaveRequest: Decodable { var username: String; var password: String }

    var id: String
    var ownerID: String?
    /// Take every pending charge of the owner (`owner_id`) at this sede.
    var pendingCharges: Bool?
    var customer: SaleCustomer?
    var document: String?
    var drawer: String?
    var lines: [Line]?
    var payments: [PaymentRequest]?
    var credit: PlanRequest?
    var approval: ClaveRequest?

    enum CodingKeys: String, CodingKey {
        case id, customer, document, drawer, lines, payments, credit, approval
        case ownerID = "owner_id", pendingCharges = "pending_charges"
    }
}

/// The problem a request has, with the field it belongs to.
struct RequestProblem: Error {
    var code: String
    var field: String?
    var message: String
}

extension SaleRequest {
    static func money(_ text: String?, centimos: Int64?, field: String) throws -> Money? {
        if let centimos { return Money(centimos: centimos) }
        guard let text else { return nil }
        do { return try Money.parse(text) } catch { throw RequestProblem(code: "invalid", field: field, message: "\(field): \(error.description)") }
    }

    func draft(store: SedeStore, session: Session) throws -> (SaleDraft, [PaymentDraft], Clave?) {
        var lines: [SaleDraft.Line] = []
        if pendingCharges == true {
            guard let ownerID else { throw RequestProblem(code: "invalid", field: "owner_id", message: "pending_charges necesita owner_id") }
            lines += try store.pendingCharges(ownerID: ownerID, sedeID: session.sede.id).map {
                SaleDraft.Line(itemID: $0.item.id, quantity: $0.charge.quantity, chargeID: $0.charge.id)
            }
        }
        for (i, line) in (self.lines ?? []).enumerated() {
            let field = "lines[\(i)]"
            let item: CatalogItem?
            if let itemID = line.itemID { item = try store.catalogItem(id: itemID) } else if let sku = line.sku { item = try store.catalogItem(code: sku) } else {
                throw RequestProblem(code: "invalid", field: field, message: "\(field): indique sku o item_id")
            }
            guard let item else { throw RequestProblem(code: "not_found", field: field, message: "\(field): el producto no está en el catálogo") }
            let discount: Discount
            switch Discount.parse(line.discount ?? "") {
            case .success(let d): discount = d
            case .failure(let problem): throw RequestProblem(code: "invalid", field: field + ".discount", message: "\(field): \(problem.message)")
            }
            var lot: LotChoice?
            if let code = line.lot {
                guard let held = try store.lots(itemID: item.id, sedeID: session.sede.id).first(where: { $0.lotCode == code }) else {
                    throw RequestProblem(code: "not_found", field: field + ".lot", message: "\(field): no hay stock del lote \(code)")
                }
                lot = LotChoice(lotCode: held.lotCode, expiry: held.expiry)
            }
            lines.append(SaleDraft.Line(itemID: item.id, quantity: line.quantity ?? 1, discount: discount, chargeID: line.chargeID, petID: line.petID, lot: lot))
        }
        let fiscal: String? = switch document?.lowercased() {
        case nil: nil
        case "boleta", "03": "03"
        case "factura", "01": "01"
        case let other?: other
        }
        let draft = SaleDraft(id: id, ownerID: ownerID, customer: customer, fiscalDocType: fiscal, lines: lines,
                              drawer: drawer ?? ProcessInfo.processInfo.environment["VETDESK_CAJA"] ?? SedeStore.defaultDrawer)
        var payments: [PaymentDraft] = []
        for (i, p) in (self.payments ?? []).enumerated() {
            let field = "payments[\(i)]"
            let method = PaymentMethod.parse(p.method)
            if case .unknown = method {
                throw RequestProblem(code: "invalid", field: field + ".method", message: "\(field): medio de pago desconocido «\(p.method)»")
            }
            guard let amount = try Self.money(p.amount, centimos: p.amountCentimos, field: field + ".amount") else {
                throw RequestProblem(code: "invalid", field: field + ".amount", message: "\(field): indique el monto")
            }
            payments.append(PaymentDraft(id: p.id, method: method, amount: amount, tendered: try Self.money(p.tendered, centimos: nil, field: field + ".tendered"),
                                         card: p.card?.details, operationNumber: p.operation, securityCode: p.securityCode, bank: p.bank,
                                         instalmentID: p.instalmentID))
        }
        return (draft, payments, approval.map { Clave(username: $0.username, password: $0.password) })
    }

    func creditDraft() throws -> CreditDraft? {
        guard let credit else { return nil }
        let instalments = try credit.instalments.map { dues in
            try dues.enumerated().map { i, due in
                guard let date = CivilDate(iso: due.due) ?? CivilDate(display: due.due) else {
                    throw RequestProblem(code: "invalid", field: "credit.instalments[\(i)].due", message: "Cuota \(i + 1): fecha no válida (aaaa-mm-dd)")
                }
                guard let amount = try Self.money(due.amount, centimos: nil, field: "credit.instalments[\(i)].amount") else {
                    throw RequestProblem(code: "invalid", field: "credit.instalments[\(i)].amount", message: "Cuota \(i + 1): indique el monto")
                }
                return Instalment(dueDate: date, amount: amount)
            }
        }
        return CreditDraft(id: credit.id, instalments: instalments)
    }
}

/// `vetdesk sale create --json FILE|-`: the same rules, permissions and journal as the till.
struct SaleCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Registra una venta (y sus pagos) desde un JSON.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Archivo JSON de la venta, o - para la entrada estándar.") var json: String
    @Option(help: "Usuario que cobra (recepción o supervisor).") var by: String

    func run() throws {
        try answering {
            let data: Data
            if json == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: json) else { throw UserFacingError("No se puede leer \(json)") }
                data = read
            }
            guard data.count <= 1_000_000 else { throw RequestProblem(code: "invalid", field: nil, message: "El JSON es demasiado grande") }
            let request: SaleRequest
            do { request = try JSONDecoder().decode(SaleRequest.self, from: data) } catch let error as DecodingError {
                throw RequestProblem(code: "invalid", field: error.fieldPath, message: "JSON no válido: \(error.spanish)")
            } catch {
                throw RequestProblem(code: "invalid", field: nil, message: "JSON no válido")
            }
            let store = try openSede(try database.resolvedPath())
            let session = try store.trustedSession(username: by)
            let (draft, payments, approval) = try request.draft(store: store, session: session)
            var summary = try store.checkout(draft, payments: payments, approval: approval, by: session)
            if let credit = try request.creditDraft() {
                summary = try store.leaveBalance(credit, saleID: summary.sale.id, approval: approval, by: session)
            }
            return summary
        }
    }
}

/// `vetdesk sale show ID --json`.
struct SaleShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Muestra una venta: líneas, totales, pagos y saldo.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Id de la venta.") var id: String
    @Flag(help: "En JSON (para integraciones).") var json = false

    func run() throws {
        if json {
            try answering {
                let store = try openSede(try database.resolvedPath())
                guard let summary = try store.saleSummary(id: id) else { throw StoreError.notFound("La venta \(id) no existe") }
                return summary
            }
        } else {
            try reportingErrors {
                let store = try openSede(try database.resolvedPath())
                guard let summary = try store.saleSummary(id: id) else { throw StoreError.notFound("La venta \(id) no existe") }
                print(SaleJSON.text(summary), terminator: "")
            }
        }
    }
}

/// Runs `body` and prints the sale as JSON; a refusal prints `{"error": {code, field, message}}`
/// and exits 1 (the message also on stderr).
func answering(_ body: () throws -> SaleSummary) throws {
    func fail(_ code: String, _ field: String?, _ message: String) throws -> Never {
        print(SaleJSON.error(code: code, field: field, message: message))
        FileHandle.standardError.write(Data(("vetdesk: " + message + "\n").utf8))
        throw ExitCode(1)
    }
    do {
        print(SaleJSON.encode(try body()))
    } catch let problem as RequestProblem {
        try fail(problem.code, problem.field, problem.message)
    } catch let error as StoreError {
        try fail(error.code.rawValue, nil, error.message)
    } catch let error as UserFacingError {
        try fail("invalid", nil, error.message)
    }
}

extension DecodingError {
    var fieldPath: String? {
        let path: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: return nil
        }
        let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let field = text.hasPrefix(".") ? String(text.dropFirst()) : text
        return field.isEmpty ? nil : field
    }

    var spanish: String {
        switch self {
        case .keyNotFound(let key, _): "falta el campo «\(key.stringValue)»"
        case .typeMismatch: "«\(fieldPath ?? "?")» no es del tipo esperado (montos como texto: \"50.00\"; cantidades enteras)"
        case .valueNotFound: "«\(fieldPath ?? "?")» no puede ser null"
        case .dataCorrupted: fieldPath.map { "«\($0)» no es válido (montos como texto: \"50.00\"; cantidades enteras)" }
            ?? "el texto no es JSON, o un valor no es del tipo esperado (montos como texto: \"50.00\"; cantidades enteras)"
        @unknown default: "no se pudo leer"
        }
    }
}
