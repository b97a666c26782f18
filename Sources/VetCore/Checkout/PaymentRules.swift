/// How a payment was made.
public enum PaymentMethod: TextEnum {
    case efectivo, tarjeta, yape, plin, pagoefectivo, transferencia
    case unknown(String)

    public static let allCases: [PaymentMethod] = [.efectivo, .tarjeta, .yape, .plin, .pagoefectivo, .transferencia]

    public var rawValue: String {
        switch self {
        case .efectivo: "efectivo"
        case .tarjeta: "tarjeta"
        case .yape: "yape"
        case .plin: "plin"
        case .pagoefectivo: "pagoefectivo"
        case .transferencia: "transferencia"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .efectivo: "Efectivo"
        case .tarjeta: "Tarjeta"
        case .yape: "Yape"
        case .plin: "Plin"
        case .pagoefectivo: "PagoEfectivo"
        case .transferencia: "Transferencia"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }

    /// Whether the payment carries an operation number that must be unique network-wide.
    public var hasOperationNumber: Bool {
        switch self {
        case .yape, .plin, .transferencia: true
        default: false
        }
    }
}

/// A card payment as typed from the POS voucher (Niubiz, Izipay).
public struct CardDetails: Sendable, Equatable, Hashable, Codable {
    public var brand: String
    public var last4: String
    public var authCode: String
    public var reference: String
    public var terminal: String
    public var batch: String

    public init(brand: String, last4: String, authCode: String, reference: String = "", terminal: String = "", batch: String = "") {
        self.brand = brand; self.last4 = last4; self.authCode = authCode; self.reference = reference
        self.terminal = terminal; self.batch = batch
    }

    public static let brands = ["VISA", "MASTERCARD", "AMEX", "DINERS", "OTRA"]
}

/// What a payment holds besides its amount, checked before anything is written.
public enum PaymentRules {
    /// Checks the details a method needs; returns them cleaned (trimmed, upper-case brand).
    public static func check(method: PaymentMethod, amount: Money, tendered: Money?, card: CardDetails?,
                             operationNumber: String?, securityCode: String?, bank: String?) throws(CheckoutProblem)
        -> (card: CardDetails?, operationNumber: String?, securityCode: String?, bank: String?) {
        guard amount.centimos > 0 else { throw .init(.amount, "El monto debe ser mayor que cero") }
        let operation = operationNumber?.trimmingSpaces()
        switch method {
        case .efectivo:
            if let tendered {
                guard tendered >= amount else {
                    throw .init(.tendered, "El monto recibido (\(tendered.formatted)) es menor que el monto a pagar (\(amount.formatted))")
                }
                guard CashRounding.isPayable(tendered) else {
                    throw .init(.tendered, "El efectivo se recibe en múltiplos de S/ 0.10")
                }
            }
            return (nil, nil, nil, nil)
        case .tarjeta:
            guard var card else { throw .init(.card, "Escriba los datos del voucher de la tarjeta") }
            card.brand = card.brand.trimmingSpaces().uppercased()
            card.last4 = card.last4.trimmingSpaces()
            card.authCode = card.authCode.trimmingSpaces().uppercased()
            card.reference = card.reference.trimmingSpaces()
            card.terminal = card.terminal.trimmingSpaces()
            card.batch = card.batch.trimmingSpaces()
            guard !card.brand.isEmpty, card.brand.count <= 20 else { throw .init(.card, "Indique la marca de la tarjeta (VISA, MASTERCARD, …)") }
            guard card.last4.count == 4, card.last4.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .init(.card, "Los últimos 4 dígitos de la tarjeta son 4 números")
            }
            guard !card.authCode.isEmpty, card.authCode.count <= 12, card.authCode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw .init(.card, "El código de autorización del voucher tiene de 1 a 12 letras o números")
            }
            for (text, label) in [(card.reference, "La referencia"), (card.terminal, "El terminal"), (card.batch, "El lote")] {
                guard text.count <= 20, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    throw .init(.card, "\(label) del voucher tiene como máximo 20 letras o números")
                }
            }
            return (card, nil, nil, nil)
        case .yape, .plin:
            guard let operation, !operation.isEmpty else { throw .init(.operationNumber, "Escriba el número de operación de \(method.label)") }
            guard operation.count <= 20, operation.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .init(.operationNumber, "El número de operación de \(method.label) tiene solo números (hasta 20)")
            }
            let code = securityCode?.trimmingSpaces() ?? ""
            if !code.isEmpty {
                guard method == .yape else { throw .init(.securityCode, "Plin no tiene código de seguridad") }
                guard code.count <= 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw .init(.securityCode, "El código de seguridad de Yape tiene hasta 6 números")
                }
            }
            return (nil, operation, code.isEmpty ? nil : code, nil)
        case .transferencia:
            let bankName = bank?.trimmingSpaces() ?? ""
            guard !bankName.isEmpty, bankName.count <= 40 else { throw .init(.bank, "Indique el banco de la transferencia") }
            guard let operation, !operation.isEmpty else { throw .init(.operationNumber, "Escriba el número de operación de la transferencia") }
            guard operation.count <= 30, operation.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw .init(.operationNumber, "El número de operación tiene hasta 30 letras o números")
            }
            return (nil, operation.uppercased(), nil, bankName)
        case .pagoefectivo:
            return (nil, nil, nil, nil)
        case .unknown(let text):
            throw .init(.sale, "Medio de pago desconocido (\(text))")
        }
    }
}

/// Peruvian cash: the coins and notes a float or a count is made of, in céntimos.
public enum Denomination {
    public static let all: [Int64] = [20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10]

    /// `S/ 200` for notes and whole coins, `S/ 0.50` for céntimos.
    public static func label(_ centimos: Int64) -> String {
        centimos % 100 == 0 ? "S/ \(centimos / 100)" : Money(centimos: centimos).formatted
    }

    /// The total of a count by denomination; a problem for an unknown denomination, a negative
    /// count or an overflow.
    public static func total(_ counts: [Int64: Int64]) throws(CheckoutProblem) -> Money {
        var total = Money.zero
        for (denomination, count) in counts {
            guard all.contains(denomination) else { throw .init(.amount, "Denominación desconocida: \(Money(centimos: denomination).formatted)") }
            guard count >= 0 else { throw .init(.amount, "La cantidad de \(label(denomination)) no puede ser negativa") }
            guard count <= 100_000 else { throw .init(.amount, "Cantidad de \(label(denomination)) no válida") }
            do { total = try total.adding(Money(centimos: denomination).multiplied(by: count)) } catch {
                throw .init(.amount, "Monto demasiado grande")
            }
        }
        return total
    }
}

/// One instalment of a payment plan.
public struct Instalment: Sendable, Equatable, Hashable {
    public var dueDate: CivilDate
    public var amount: Money
    public init(dueDate: CivilDate, amount: Money) { self.dueDate = dueDate; self.amount = amount }
}

/// A payment plan: instalments with dates after today, in order, whose amounts add up exactly to
/// the balance financed.
public enum PaymentPlanRules {
    public static let maxInstalments = 24

    public static func check(_ instalments: [Instalment], balance: Money, today: CivilDate) throws(CheckoutProblem) {
        guard !instalments.isEmpty else { throw .init(.plan, "El plan necesita al menos una cuota") }
        guard instalments.count <= maxInstalments else { throw .init(.plan, "El plan tiene como máximo \(maxInstalments) cuotas") }
        var sum = Money.zero
        var previous: CivilDate? = nil
        for (i, instalment) in instalments.enumerated() {
            guard instalment.amount.centimos > 0 else { throw .init(.plan, "La cuota \(i + 1) debe ser mayor que cero") }
            guard instalment.dueDate > today else { throw .init(.plan, "La cuota \(i + 1) vence hoy o antes: elija una fecha futura") }
            if let previous, instalment.dueDate <= previous {
                throw .init(.plan, "Las cuotas van en orden de fecha: la cuota \(i + 1) vence antes que la anterior")
            }
            previous = instalment.dueDate
            do { sum = try sum.adding(instalment.amount) } catch { throw .init(.plan, "Monto demasiado grande") }
        }
        guard sum == balance else {
            throw .init(.plan, "Las cuotas suman \(sum.formatted) y el saldo es \(balance.formatted): deben ser iguales")
        }
    }

    /// `count` monthly instalments from `first`, equal but for the last, which takes the céntimos left.
    public static func even(balance: Money, count: Int, first: CivilDate) -> [Instalment] {
        guard count > 0, balance.centimos > 0 else { return [] }
        let share = balance.centimos / Int64(count)
        return (0..<count).map { i in
            let amount = i == count - 1 ? balance.centimos - share * Int64(count - 1) : share
            return Instalment(dueDate: first.adding(months: i), amount: Money(centimos: amount))
        }
    }
}
