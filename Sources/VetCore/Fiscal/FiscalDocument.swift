import Foundation

/// SUNAT's document types (catálogo 01) that VetDesk issues.
public enum FiscalDocumentType: String, Sendable, Equatable, CaseIterable {
    case factura = "01"
    case boleta = "03"
    case notaCredito = "07"

    /// «Factura Electrónica», … as printed.
    public var title: String {
        switch self {
        case .factura: "Factura Electrónica"
        case .boleta: "Boleta de Venta Electrónica"
        case .notaCredito: "Nota de Crédito Electrónica"
        }
    }

    public var shortName: String {
        switch self {
        case .factura: "Factura"
        case .boleta: "Boleta"
        case .notaCredito: "Nota de crédito"
        }
    }
}

/// An address as SUNAT's documents carry it: ubigeo (catálogo 13), the street line, district,
/// province and department, and the establishment code (código de anexo, «0000» for the fiscal
/// domicile).
public struct FiscalAddress: Sendable, Equatable {
    public var ubigeo: String
    public var line: String
    public var district: String
    public var province: String
    public var department: String
    public var annexCode: String

    public init(ubigeo: String, line: String, district: String, province: String, department: String, annexCode: String = "0000") {
        self.ubigeo = ubigeo; self.line = line; self.district = district; self.province = province
        self.department = department; self.annexCode = annexCode
    }
}

/// The company that issues the documents.
public struct FiscalIssuer: Sendable, Equatable {
    public var ruc: String
    public var legalName: String
    public var tradeName: String
    public var address: FiscalAddress

    public init(ruc: String, legalName: String, tradeName: String, address: FiscalAddress) {
        self.ruc = ruc; self.legalName = legalName; self.tradeName = tradeName; self.address = address
    }
}

/// Who a document is made out to. `docType` is catálogo 06: «6» RUC, «1» DNI, «4» carné de
/// extranjería, «7» pasaporte, «0» without a document (a boleta to a consumer who gave none).
public struct FiscalCustomer: Sendable, Equatable {
    public var docType: String
    public var docNumber: String
    public var name: String
    /// The fiscal address, required on a factura.
    public var address: String?

    public init(docType: String, docNumber: String, name: String, address: String? = nil) {
        self.docType = docType; self.docNumber = docNumber; self.name = name; self.address = address
    }

    /// A consumer who gave no document: catálogo 06 «0», number «-».
    public static let anonymous = FiscalCustomer(docType: "0", docNumber: "-", name: "CLIENTES VARIOS")

    /// The largest boleta made out to a consumer who gave no document: above S/ 700.00 the boleta
    /// must identify the buyer (SUNAT's return codes 2396 and 2514, «mayor a S/ 700.00»).
    public static let anonymousBoletaLimit = Money(centimos: 70_000)
}

/// One line of a document, priced by `SaleMath` (IGV included in the unit price).
public struct FiscalLine: Sendable, Equatable {
    public var itemCode: String
    public var description: String
    /// UN/ECE rec 20: «NIU» a unit of goods, «ZZ» a service.
    public var unitCode: String
    public var quantity: Int64
    public var unitPrice: Money
    public var affectation: IGVAffectation
    public var priced: PricedLine

    public init(itemCode: String, description: String, unitCode: String, quantity: Int64, unitPrice: Money,
                affectation: IGVAffectation, priced: PricedLine) {
        self.itemCode = itemCode; self.description = description; self.unitCode = unitCode; self.quantity = quantity
        self.unitPrice = unitPrice; self.affectation = affectation; self.priced = priced
    }
}

/// One cuota of a factura on credit.
public struct FiscalInstalment: Sendable, Equatable {
    public var amount: Money
    public var due: CivilDate
    public init(amount: Money, due: CivilDate) { self.amount = amount; self.due = due }
}

/// `FormaPago`: contado, or crédito with its cuotas (their sum is the amount owed).
public enum FiscalPaymentTerms: Sendable, Equatable {
    case contado
    case credito([FiscalInstalment])
}

/// Catálogo 09: why a nota de crédito is issued.
public enum CreditNoteReason: String, Sendable, Equatable, CaseIterable {
    case anulacion = "01"
    case devolucionTotal = "06"
    case devolucionItem = "07"
    case descuentoGlobal = "04"
    case descuentoItem = "05"
    case correccionDescripcion = "03"

    public var label: String {
        switch self {
        case .anulacion: "Anulación de la operación"
        case .devolucionTotal: "Devolución total"
        case .devolucionItem: "Devolución por ítem"
        case .descuentoGlobal: "Descuento global"
        case .descuentoItem: "Descuento por ítem"
        case .correccionDescripcion: "Corrección por error en la descripción"
        }
    }
}

/// The document a nota de crédito modifies.
public struct FiscalReference: Sendable, Equatable {
    public var type: FiscalDocumentType
    public var id: String
    public var reason: CreditNoteReason
    public var description: String

    public init(type: FiscalDocumentType, id: String, reason: CreditNoteReason, description: String) {
        self.type = type; self.id = id; self.reason = reason; self.description = description
    }
}

/// A boleta, a factura or a nota de crédito, ready to be written as UBL 2.1.
public struct FiscalInvoice: Sendable, Equatable {
    public var type: FiscalDocumentType
    public var series: String
    public var number: Int64
    public var issueDate: CivilDate
    /// «HH:MM:SS», Lima time.
    public var issueTime: String
    public var issuer: FiscalIssuer
    public var customer: FiscalCustomer
    public var lines: [FiscalLine]
    public var totals: SaleTotals
    public var payment: FiscalPaymentTerms
    /// Set on a nota de crédito.
    public var reference: FiscalReference?

    public init(type: FiscalDocumentType, series: String, number: Int64, issueDate: CivilDate, issueTime: String,
                issuer: FiscalIssuer, customer: FiscalCustomer, lines: [FiscalLine], totals: SaleTotals,
                payment: FiscalPaymentTerms = .contado, reference: FiscalReference? = nil) {
        self.type = type; self.series = series; self.number = number; self.issueDate = issueDate
        self.issueTime = issueTime; self.issuer = issuer; self.customer = customer; self.lines = lines
        self.totals = totals; self.payment = payment; self.reference = reference
    }

    /// «B001-123», as the XML carries it.
    public var id: String { "\(series)-\(number)" }
    /// «B001-00000123», as printed.
    public var printedID: String { FiscalNumbering.printed(series: series, number: number) }
    /// «20123456789-03-B001-123»: the XML's and the ZIP's name without extension.
    public var fileName: String { "\(issuer.ruc)-\(type.rawValue)-\(id)" }
}

/// A resumen diario line's status (ConditionCode): add, modify, void.
public enum SummaryCondition: String, Sendable, Equatable {
    case adicionar = "1"
    case modificar = "2"
    case anular = "3"
}

/// One boleta (or a note on a boleta) reported in a resumen diario.
public struct SummaryLine: Sendable, Equatable {
    public var type: FiscalDocumentType
    public var id: String
    public var customerDocType: String
    public var customerDocNumber: String
    public var condition: SummaryCondition
    public var totals: SaleTotals
    /// The boleta a note modifies.
    public var reference: String?

    public init(type: FiscalDocumentType, id: String, customerDocType: String, customerDocNumber: String,
                condition: SummaryCondition, totals: SaleTotals, reference: String? = nil) {
        self.type = type; self.id = id; self.customerDocType = customerDocType; self.customerDocNumber = customerDocNumber
        self.condition = condition; self.totals = totals; self.reference = reference
    }
}

/// A resumen diario (RC): the boletas of one day, reported or voided.
public struct FiscalSummary: Sendable, Equatable {
    public var issuer: FiscalIssuer
    /// The day of the boletas.
    public var referenceDate: CivilDate
    public var issueDate: CivilDate
    /// The day's correlative (RC-YYYYMMDD-N).
    public var sequence: Int
    public var lines: [SummaryLine]

    public init(issuer: FiscalIssuer, referenceDate: CivilDate, issueDate: CivilDate, sequence: Int, lines: [SummaryLine]) {
        self.issuer = issuer; self.referenceDate = referenceDate; self.issueDate = issueDate; self.sequence = sequence; self.lines = lines
    }

    public var id: String { "RC-\(FiscalNumbering.compact(issueDate))-\(sequence)" }
    public var fileName: String { "\(issuer.ruc)-\(id)" }
}

/// One document in a comunicación de baja.
public struct VoidedLine: Sendable, Equatable {
    public var type: FiscalDocumentType
    public var series: String
    public var number: Int64
    public var reason: String

    public init(type: FiscalDocumentType, series: String, number: Int64, reason: String) {
        self.type = type; self.series = series; self.number = number; self.reason = reason
    }
}

/// A comunicación de baja (RA): facturas (and their notes) voided within SUNAT's limit.
public struct FiscalVoided: Sendable, Equatable {
    public var issuer: FiscalIssuer
    public var referenceDate: CivilDate
    public var issueDate: CivilDate
    public var sequence: Int
    public var lines: [VoidedLine]

    public init(issuer: FiscalIssuer, referenceDate: CivilDate, issueDate: CivilDate, sequence: Int, lines: [VoidedLine]) {
        self.issuer = issuer; self.referenceDate = referenceDate; self.issueDate = issueDate; self.sequence = sequence; self.lines = lines
    }

    public var id: String { "RA-\(FiscalNumbering.compact(issueDate))-\(sequence)" }
    public var fileName: String { "\(issuer.ruc)-\(id)" }
}

/// Series and numbers as SUNAT writes them.
public enum FiscalNumbering {
    /// The largest correlative a series takes (8 digits).
    public static let maxNumber: Int64 = 99_999_999

    public static func printed(series: String, number: Int64) -> String {
        let digits = String(number)
        return series + "-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    public static func compact(_ date: CivilDate) -> String { String(format: "%04d%02d%02d", date.year, date.month, date.day) }

    /// A problem with a series for a document type, or nil: boletas and their notes start with B,
    /// facturas and theirs with F, then three letters or digits.
    public static func seriesProblem(_ series: String, for type: FiscalDocumentType, referencing: FiscalDocumentType? = nil) -> String? {
        let chars = Array(series)
        guard chars.count == 4, chars.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            return "La serie «\(series)» debe tener 4 caracteres (letra y tres letras o dígitos, p. ej. B001)"
        }
        let first: Character
        switch type {
        case .boleta: first = "B"
        case .factura: first = "F"
        case .notaCredito: first = referencing == .factura ? "F" : "B"
        }
        guard chars[0] == first else {
            return "La serie de \(type == .notaCredito ? "una nota de crédito de \(referencing == .factura ? "factura" : "boleta")" : "una " + type.shortName.lowercased()) empieza con \(first) (p. ej. \(first)001)"
        }
        return nil
    }

    /// What is wrong with a sede's código de anexo and four series: the anexo or a series.
    public enum SeriesSetProblem: Sendable, Equatable {
        case annex(String)
        case series(String)

        public var message: String {
            switch self {
            case .annex(let message), .series(let message): message
            }
        }
    }

    /// The one check of a sede's anexo and series, wherever they are set (the sede's own
    /// configuration, the central's assignment, the assignment as the sede receives it): the anexo
    /// has 4 digits, each series follows `seriesProblem` for its document, and the four are distinct.
    public static func seriesSetProblem(annexCode: String, boleta: String, factura: String, boletaNote: String,
                                        facturaNote: String) -> SeriesSetProblem? {
        guard annexCode.count == 4, annexCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .annex("El código de establecimiento anexo «\(annexCode)» tiene 4 dígitos (0000 el domicilio fiscal)")
        }
        let rules: [(series: String, type: FiscalDocumentType, referencing: FiscalDocumentType?)] = [
            (boleta, .boleta, nil), (factura, .factura, nil), (boletaNote, .notaCredito, .boleta), (facturaNote, .notaCredito, .factura),
        ]
        for (series, type, referencing) in rules {
            if let problem = seriesProblem(series, for: type, referencing: referencing) { return .series(problem) }
        }
        guard Set([boleta, factura, boletaNote, facturaNote]).count == 4 else {
            return .series("Las cuatro series de una sede deben ser distintas")
        }
        return nil
    }
}

/// Money as SUNAT's amounts: «118.00», a dot and two decimals.
public extension Money {
    var sunat: String {
        let negative = centimos < 0
        let magnitude = centimos.magnitude
        let cents = magnitude % 100
        return (negative ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
