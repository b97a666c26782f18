/// What moves cash in or out of a drawer's session. The first four are the till's own acts (the
/// float, cash tendered, change given, a refund); the rest are the cashier's manual movements.
public enum CashMovementKind: TextEnum {
    case apertura, cobro, vuelto, devolucion
    case ingreso, egreso, sangria, deposito
    case unknown(String)

    public static let allCases: [CashMovementKind] = [.apertura, .cobro, .vuelto, .devolucion, .ingreso, .egreso, .sangria, .deposito]
    /// The movements a cashier records by hand.
    public static let manual: [CashMovementKind] = [.ingreso, .egreso, .sangria, .deposito]

    public var rawValue: String {
        switch self {
        case .apertura: "apertura"
        case .cobro: "cobro"
        case .vuelto: "vuelto"
        case .devolucion: "devolucion"
        case .ingreso: "ingreso"
        case .egreso: "egreso"
        case .sangria: "sangria"
        case .deposito: "deposito"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .apertura: "Fondo inicial"
        case .cobro: "Cobro en efectivo"
        case .vuelto: "Vuelto"
        case .devolucion: "Devolución"
        case .ingreso: "Ingreso"
        case .egreso: "Egreso"
        case .sangria: "Retiro a caja fuerte"
        case .deposito: "Depósito"
        case .unknown(let text): "Desconocido (\(text))"
        }
    }

    /// Whether the money leaves the drawer (the amount is stored negative).
    public var takesOut: Bool { self == .egreso || self == .sangria || self == .vuelto || self == .devolucion }

    public var isManual: Bool { Self.manual.contains(self) }

}

/// What an expense or income was for.
public enum CashConcept: TextEnum {
    case proveedor, compraMenor, cajaChica, otro
    case unknown(String)

    public static let allCases: [CashConcept] = [.proveedor, .compraMenor, .cajaChica, .otro]

    public var rawValue: String {
        switch self {
        case .proveedor: "proveedor"
        case .compraMenor: "compra_menor"
        case .cajaChica: "caja_chica"
        case .otro: "otro"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .proveedor: "Pago a proveedor"
        case .compraMenor: "Compra menor"
        case .cajaChica: "Caja chica"
        case .otro: "Otro"
        case .unknown(let text): text
        }
    }

}

/// How far a close may be off before it needs a note or a supervisor.
public enum DeviationLevel: TextEnum {
    case aceptado, nota, supervisor
    case unknown(String)

    public static let allCases: [DeviationLevel] = [.aceptado, .nota, .supervisor]

    public var rawValue: String {
        switch self {
        case .aceptado: "aceptado"
        case .nota: "nota"
        case .supervisor: "supervisor"
        case .unknown(let text): text
        }
    }

    public var label: String {
        switch self {
        case .aceptado: "Dentro de la tolerancia"
        case .nota: "Requiere una nota"
        case .supervisor: "Requiere la firma de un supervisor"
        case .unknown(let text): text
        }
    }

}

/// A sede's deviation levels: a close within `accept` is accepted; within `note`, it needs the
/// cashier's note; beyond, a supervisor's sign-off with their clave and a note.
public struct CashThresholds: Sendable, Equatable {
    public var accept: Money
    public var note: Money

    public static let defaults = CashThresholds(accept: Money(centimos: 100), note: Money(centimos: 2_000))

    public init(accept: Money, note: Money) { self.accept = accept; self.note = note }

    /// The level of the largest deviation among `differences` (cash and each non-cash method).
    public func level(_ differences: [Money]) -> DeviationLevel {
        let worst = differences.map { $0.centimos == .min ? Int64.max : abs($0.centimos) }.max() ?? 0
        if worst <= accept.centimos { return .aceptado }
        if worst <= note.centimos { return .nota }
        return .supervisor
    }
}

/// The non-cash methods a cashier declares at the close, in the order asked.
public enum CashDeclaration {
    public static let methods: [PaymentMethod] = [.tarjeta, .yape, .plin, .transferencia, .pagoefectivo]

    /// What the close screen asks for each method.
    public static func prompt(_ method: PaymentMethod) -> String {
        switch method {
        case .tarjeta: "Tarjeta (cierre de lote del POS)"
        case .yape: "Yape"
        case .plin: "Plin"
        case .transferencia: "Transferencias"
        case .pagoefectivo: "PagoEfectivo"
        default: method.label
        }
    }
}

/// A drawer session's figures as X and Z reports print them. Every figure is a sum of the
/// session's rows; the expected cash is the sum of its movements.
public struct CashReport: Sendable, Equatable {
    public struct MethodLine: Sendable, Equatable {
        public var method: PaymentMethod
        public var recorded: Money
        public var declared: Money?
        public var difference: Money? { declared.map { Money(centimos: $0.centimos &- recorded.centimos) } }
        public init(method: PaymentMethod, recorded: Money, declared: Money?) { self.method = method; self.recorded = recorded; self.declared = declared }
    }
    public struct Signed: Sendable, Equatable {
        public var supervisor: String
        public var at: String
        public var note: String
        public init(supervisor: String, at: String, note: String) { self.supervisor = supervisor; self.at = at; self.note = note }
    }

    public var business: String
    public var sede: String
    public var drawer: String
    public var sessionID: String
    public var openedBy: String
    public var openedAt: String
    public var closedBy: String?
    public var closedAt: String?
    public var printedAt: String
    public var float: Money
    /// Sales by method (payments recorded in the session, refunds included).
    public var byMethod: [MethodLine]
    public var cashTaken: Money
    public var changeGiven: Money
    public var refunds: Money
    public var income: Money
    public var expense: Money
    public var withdrawals: Money
    public var deposits: Money
    public var expectedCash: Money
    /// The close's count (nil for an X report).
    public var countedCash: Money?
    public var firstCount: Money?
    public var counts: [Int64: Int64]
    public var level: DeviationLevel?
    public var notes: [String]
    public var signed: Signed?

    public init(business: String, sede: String, drawer: String, sessionID: String, openedBy: String, openedAt: String, closedBy: String?,
                closedAt: String?, printedAt: String, float: Money, byMethod: [MethodLine], cashTaken: Money, changeGiven: Money, refunds: Money,
                income: Money, expense: Money, withdrawals: Money, deposits: Money, expectedCash: Money, countedCash: Money?, firstCount: Money?,
                counts: [Int64: Int64], level: DeviationLevel?, notes: [String], signed: Signed?) {
        self.business = business; self.sede = sede; self.drawer = drawer; self.sessionID = sessionID; self.openedBy = openedBy
        self.openedAt = openedAt; self.closedBy = closedBy; self.closedAt = closedAt; self.printedAt = printedAt; self.float = float
        self.byMethod = byMethod; self.cashTaken = cashTaken; self.changeGiven = changeGiven; self.refunds = refunds; self.income = income
        self.expense = expense; self.withdrawals = withdrawals; self.deposits = deposits; self.expectedCash = expectedCash
        self.countedCash = countedCash; self.firstCount = firstCount; self.counts = counts; self.level = level; self.notes = notes; self.signed = signed
    }

    public var isClose: Bool { countedCash != nil }
    /// Counted minus expected: negative is a shortage (faltante), positive a surplus (sobrante).
    public var cashDifference: Money? { countedCash.map { Money(centimos: $0.centimos &- expectedCash.centimos) } }

    /// `Faltante S/ 5.00`, `Sobrante S/ 0.50` or `Sin diferencia`.
    public static func differenceText(_ difference: Money) -> String {
        if difference.centimos == 0 { return "Sin diferencia" }
        let amount = Money(centimos: difference.centimos == .min ? .max : abs(difference.centimos)).formatted
        return difference.centimos < 0 ? "Faltante \(amount)" : "Sobrante \(amount)"
    }
}

/// The X or Z report laid out for an 80 mm printer (and its text file: the same lines).
public struct CashReportLayout: Sendable {
    public let columns: ReceiptColumns
    public init(columns: ReceiptColumns) { self.columns = columns }

    public func lines(for report: CashReport) -> [ReceiptLine] {
        let width = columns.rawValue
        var out: [ReceiptLine] = []
        func center(_ text: String, _ emphasis: ReceiptLine.Emphasis = .normal) {
            for line in ReceiptLayout.wrap(text, width: width) {
                out.append(ReceiptLine(String(repeating: " ", count: max(0, (width - TextCells.width(of: line)) / 2)) + line, emphasis))
            }
        }
        func text(_ text: String, _ emphasis: ReceiptLine.Emphasis = .normal) {
            out += ReceiptLayout.wrap(text, width: width).map { ReceiptLine($0, emphasis) }
        }
        func pair(_ label: String, _ value: String, _ emphasis: ReceiptLine.Emphasis = .normal) {
            let l = ReceiptLayout.clean(label), r = ReceiptLayout.clean(value)
            let room = width - TextCells.width(of: l) - TextCells.width(of: r)
            if room >= 1 { out.append(ReceiptLine(l + String(repeating: " ", count: room) + r, emphasis)) }
            else { text(l, emphasis); out.append(ReceiptLine(String(repeating: " ", count: max(0, width - TextCells.width(of: r))) + r, emphasis)) }
        }
        func rule() { out.append(ReceiptLine(String(repeating: "-", count: width))) }
        func when(_ iso: String) -> String { LimaTime.parseISO8601(iso).map(LimaTime.dayAndClock) ?? iso }

        center(report.business, .bold)
        if report.sede != report.business { center(report.sede) }
        center(report.isClose ? "REPORTE Z - CIERRE DE CAJA" : "REPORTE X - SIN CIERRE", .large)
        pair("Caja", report.drawer)
        pair("Abrió", "\(report.openedBy) \(when(report.openedAt))")
        if let by = report.closedBy, let at = report.closedAt { pair("Cerró", "\(by) \(when(at))") }
        pair("Impreso", when(report.printedAt))
        text("Sesión \(report.sessionID)")
        rule()
        text("VENTAS POR MEDIO DE PAGO", .bold)
        for line in report.byMethod { pair(line.method.label, line.recorded.formatted) }
        let sales = report.byMethod.reduce(Int64(0)) { $0 &+ $1.recorded.centimos }
        pair("Total", Money(centimos: sales).formatted, .bold)
        rule()
        text("EFECTIVO", .bold)
        pair("Fondo inicial", report.float.formatted)
        pair("Cobros en efectivo", report.cashTaken.formatted)
        pair("Vueltos", report.changeGiven.formatted)
        pair("Devoluciones", report.refunds.formatted)
        pair("Ingresos", report.income.formatted)
        pair("Egresos", report.expense.formatted)
        pair("Retiros a caja fuerte", report.withdrawals.formatted)
        pair("Depósitos", report.deposits.formatted)
        pair("Efectivo esperado", report.expectedCash.formatted, .bold)
        if let counted = report.countedCash, let difference = report.cashDifference {
            rule()
            text("DECLARADO", .bold)
            for denomination in Denomination.all {
                if let count = report.counts[denomination], count > 0 {
                    let subtotal = (try? Money(centimos: denomination).multiplied(by: count))?.formatted ?? "—"
                    pair("  \(Denomination.label(denomination)) x \(count)", subtotal)
                }
            }
            pair("Efectivo contado", counted.formatted, .bold)
            if let first = report.firstCount { pair("Primer conteo (recontado)", first.formatted) }
            pair("Diferencia efectivo", CashReport.differenceText(difference), .bold)
            for line in report.byMethod where line.method != .efectivo {
                guard let declared = line.declared, let diff = line.difference else { continue }
                pair("\(line.method.label) declarado", declared.formatted)
                pair("  registrado", line.recorded.formatted)
                pair("  diferencia", CashReport.differenceText(diff))
            }
            if let level = report.level { text("Resultado: \(level.label)") }
            for note in report.notes { text("Nota: \(note)") }
            if let signed = report.signed {
                rule()
                text("Firmado por \(signed.supervisor) \(when(signed.at))", .bold)
                text("Nota: \(signed.note)")
            } else if report.level == .supervisor {
                text("PENDIENTE DE FIRMA DEL SUPERVISOR", .bold)
            }
        }
        rule()
        return out
    }

    /// The report as a text file: its lines, one per line.
    public func text(for report: CashReport) -> String {
        lines(for: report).map(\.text).joined(separator: "\n") + "\n"
    }
}
