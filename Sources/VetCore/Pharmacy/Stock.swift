/// The kind of a stock movement (the ledger's rows). In > 0 or out < 0 is the movement's sign.
public enum StockMovementKind: TextEnum {
    case recepcion, transferenciaSalida, transferenciaEntrada, venta, dispensacion, usoInterno
    case ajuste, inventario, desarme, devolucion
    case unknown(String)

    public static let allCases: [StockMovementKind] = [
        .recepcion, .transferenciaSalida, .transferenciaEntrada, .venta, .dispensacion, .usoInterno,
        .ajuste, .inventario, .desarme, .devolucion,
    ]

    public var rawValue: String {
        switch self {
        case .recepcion: "recepcion"
        case .transferenciaSalida: "transferencia_salida"
        case .transferenciaEntrada: "transferencia_entrada"
        case .venta: "venta"
        case .dispensacion: "dispensacion"
        case .usoInterno: "uso_interno"
        case .ajuste: "ajuste"
        case .inventario: "inventario"
        case .desarme: "desarme"
        case .devolucion: "devolucion"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .recepcion: "Recepción"
        case .transferenciaSalida: "Transferencia (salida)"
        case .transferenciaEntrada: "Transferencia (entrada)"
        case .venta: "Venta"
        case .dispensacion: "Dispensación"
        case .usoInterno: "Uso interno"
        case .ajuste: "Ajuste"
        case .inventario: "Inventario"
        case .desarme: "Desarme"
        case .devolucion: "Devolución"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }
}

/// Why stock was adjusted by hand.
public enum AdjustmentReason: TextEnum {
    case rotura, perdida, vencimiento, robo, errorConteo, muestra
    case unknown(String)

    public static let allCases: [AdjustmentReason] = [.rotura, .perdida, .vencimiento, .robo, .errorConteo, .muestra]

    public var rawValue: String {
        switch self {
        case .rotura: "rotura"
        case .perdida: "perdida"
        case .vencimiento: "vencimiento"
        case .robo: "robo"
        case .errorConteo: "error_conteo"
        case .muestra: "muestra"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .rotura: "Rotura"
        case .perdida: "Pérdida"
        case .vencimiento: "Vencimiento"
        case .robo: "Robo"
        case .errorConteo: "Error de conteo"
        case .muestra: "Muestra"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }
}

/// The rules every stock input is checked against, with the Spanish message a person reads.
public enum StockRules {
    /// The longest lot code accepted (printed lot codes are short; GS1 allows 20 characters).
    public static let maxLotCodeLength = 20
    /// The largest quantity one movement may move (in base units).
    public static let maxQuantity: Int64 = 10_000_000
    /// Alert thresholds for expiry, in days (per sede; these are the defaults).
    public static let defaultExpiryAlertDays = [90, 60, 30]

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case quantity(String), lotCode(String), expiry(String)
        public var description: String {
            switch self {
            case .quantity(let message), .lotCode(let message), .expiry(let message): message
            }
        }
    }

    /// A quantity typed by a person: a whole, positive number of base units.
    public static func quantity(_ text: String, unit: String = "unidades") throws(Problem) -> Int64 {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .quantity("Indique la cantidad") }
        if trimmed.contains(".") || trimmed.contains(",") {
            throw .quantity("La cantidad es un número entero de \(unit), sin decimales")
        }
        if trimmed.hasPrefix("-") { throw .quantity("La cantidad debe ser mayor que cero") }
        guard trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .quantity("La cantidad «\(trimmed)» no es un número entero")
        }
        guard let value = Int64(trimmed), value <= maxQuantity else {
            throw .quantity("La cantidad no puede pasar de \(maxQuantity)")
        }
        guard value > 0 else { throw .quantity("La cantidad debe ser mayor que cero") }
        return value
    }

    /// A quantity given as a number (from another module): positive and within bounds.
    public static func check(quantity: Int64) throws(Problem) {
        guard quantity > 0 else { throw .quantity("La cantidad debe ser mayor que cero") }
        guard quantity <= maxQuantity else { throw .quantity("La cantidad no puede pasar de \(maxQuantity)") }
    }

    /// A lot code as printed on the box: letters, digits, `-`, `/`, `.`; upper-cased.
    public static func lotCode(_ text: String) throws(Problem) -> String {
        let code = text.trimmingSpaces().uppercased()
        guard !code.isEmpty else { throw .lotCode("Indique el lote") }
        guard code.count <= maxLotCodeLength else {
            throw .lotCode("El lote tiene como máximo \(maxLotCodeLength) caracteres")
        }
        guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "/" || $0 == ".") }) else {
            throw .lotCode("El lote «\(code)» solo puede tener letras, dígitos, guion, barra o punto")
        }
        return code
    }

    /// An expiry as typed: `dd/mm/aaaa`, or `mm/aaaa` (the last day of that month, as boxes print it).
    public static func expiry(_ text: String) throws(Problem) -> CivilDate {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .expiry("Indique el vencimiento (dd/mm/aaaa o mm/aaaa)") }
        if let date = CivilDate(display: trimmed) { return date }
        let parts = trimmed.split(separator: "/")
        if parts.count == 2, let month = Int(parts[0]), let year = Int(parts[1]), (1...12).contains(month), (2000...2999).contains(year),
           let first = CivilDate(year: year, month: month, day: 1) {
            return first.adding(months: 1).adding(days: -1)
        }
        throw .expiry("Vencimiento inválido «\(trimmed)»: use dd/mm/aaaa o mm/aaaa")
    }

    /// An expiry for goods being received: not already past.
    public static func receivable(expiry: CivilDate, today: CivilDate) throws(Problem) {
        guard expiry >= today else {
            throw .expiry("El lote venció el \(expiry.display): no se recibe mercadería vencida")
        }
    }
}

/// One lot of an item with what this sede holds of it.
public struct LotBalance: Sendable, Equatable {
    public var lotCode: String
    /// Nil for an item or lot without expiry.
    public var expiry: CivilDate?
    public var quantity: Int64

    public init(lotCode: String, expiry: CivilDate?, quantity: Int64) {
        self.lotCode = lotCode; self.expiry = expiry; self.quantity = quantity
    }

    public func isExpired(today: CivilDate) -> Bool { expiry.map { $0 < today } ?? false }
}

/// First expired, first out: which lots a take of a quantity uses.
public enum FEFO {
    public struct Take: Sendable, Equatable {
        public var lotCode: String
        public var expiry: CivilDate?
        public var quantity: Int64
        public init(lotCode: String, expiry: CivilDate?, quantity: Int64) { self.lotCode = lotCode; self.expiry = expiry; self.quantity = quantity }
    }

    public struct Plan: Sendable, Equatable {
        public var takes: [Take]
        /// What no lot in stock covers (taken anyway: the box is on the counter; the balance goes negative).
        public var uncovered: Int64
    }

    /// The takes for `quantity`: lots with stock that have not expired, soonest expiry first (a lot
    /// without expiry last), then by lot code. What they do not cover is `uncovered`. An expired
    /// lot is never used.
    public static func plan(quantity: Int64, lots: [LotBalance], today: CivilDate) -> Plan {
        let usable = lots.filter { $0.quantity > 0 && !$0.isExpired(today: today) }.sorted(by: order)
        var remaining = quantity
        var takes: [Take] = []
        for lot in usable where remaining > 0 {
            let take = min(lot.quantity, remaining)
            takes.append(Take(lotCode: lot.lotCode, expiry: lot.expiry, quantity: take))
            remaining -= take
        }
        return Plan(takes: takes, uncovered: remaining)
    }

    /// Soonest expiry first; no expiry last; then lot code.
    public static func order(_ a: LotBalance, _ b: LotBalance) -> Bool {
        switch (a.expiry, b.expiry) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.lotCode < b.lotCode
        }
    }
}

/// A price of the list: network-wide (`sedeID` nil) or a sede's override, effective from a date.
public struct PriceEntry: Sendable, Equatable {
    public var sedeID: String?
    public var price: Money
    public var effectiveFrom: CivilDate
    /// When the row was written (ISO-8601): of two prices effective the same day, the later one holds.
    public var createdAt: String

    public init(sedeID: String?, price: Money, effectiveFrom: CivilDate, createdAt: String) {
        self.sedeID = sedeID; self.price = price; self.effectiveFrom = effectiveFrom; self.createdAt = createdAt
    }
}

public enum PriceList {
    /// The price in force at `sede` on `day`: the sede's own price if one is in force, else the
    /// network's; among those in force, the latest effective date, then the latest written. A price
    /// effective from a later day is not used.
    public static func price(at sede: String, on day: CivilDate, from entries: [PriceEntry]) -> PriceEntry? {
        latest(entries.filter { $0.sedeID == sede }, on: day) ?? networkPrice(on: day, from: entries)
    }

    /// The network price in force on `day` (what a sede without its own price charges).
    public static func networkPrice(on day: CivilDate, from entries: [PriceEntry]) -> PriceEntry? {
        latest(entries.filter { $0.sedeID == nil }, on: day)
    }

    static func latest(_ candidates: [PriceEntry], on day: CivilDate) -> PriceEntry? {
        candidates.filter { $0.effectiveFrom <= day }.max { ($0.effectiveFrom, $0.createdAt) < ($1.effectiveFrom, $1.createdAt) }
    }
}
