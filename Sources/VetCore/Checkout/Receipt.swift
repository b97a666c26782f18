/// What the printed receipt of a sale shows, every value already decided: amounts in `Money`,
/// the date already Lima time text, payment methods already labelled in Spanish. The checkout
/// builds it from the sale's rows; `ReceiptLayout` and `EscPos` only render it, and change nothing.
public struct Receipt: Sendable, Equatable {
    /// The business the receipt is issued by, as its header shows it.
    public struct Business: Sendable, Equatable {
        public var tradeName: String
        public var legalName: String
        public var ruc: String
        public var sedeName: String
        public var address: String?
        public var phone: String?

        public init(tradeName: String, legalName: String, ruc: String, sedeName: String,
                    address: String? = nil, phone: String? = nil) {
            self.tradeName = tradeName; self.legalName = legalName; self.ruc = ruc
            self.sedeName = sedeName; self.address = address; self.phone = phone
        }
    }

    public struct CustomerDocument: Sendable, Equatable {
        public var type: DocumentType
        public var number: String

        public init(type: DocumentType, number: String) { self.type = type; self.number = number }
    }

    public struct Customer: Sendable, Equatable {
        public var name: String
        public var document: CustomerDocument?

        public init(name: String, document: CustomerDocument? = nil) { self.name = name; self.document = document }
    }

    /// One line of the sale. `discount` is the amount taken off the line (positive, IGV
    /// included); `total` is what the line charges after it.
    public struct Line: Sendable, Equatable {
        public var description: String
        public var quantity: Int64
        public var unitPrice: Money
        public var discount: Money
        public var total: Money
        /// The unit as the A4 document prints it («UND», «ZZ», «CAJA»); nil prints nothing.
        public var unit: String?

        public init(description: String, quantity: Int64, unitPrice: Money, discount: Money = .zero, total: Money,
                    unit: String? = nil) {
            self.description = description; self.quantity = quantity; self.unitPrice = unitPrice
            self.discount = discount; self.total = total; self.unit = unit
        }
    }

    /// The document's totals. `discount` is the sum taken off (positive). `rounding` is the cash
    /// rounding (redondeo) given to the customer, signed (negative when rounded down);
    /// `amountDue` is `total + rounding`.
    public struct Totals: Sendable, Equatable {
        public var taxed: Money
        public var exonerated: Money
        public var unaffected: Money
        public var igv: Money
        public var discount: Money
        public var total: Money
        public var rounding: Money
        public var amountDue: Money

        public init(taxed: Money, exonerated: Money = .zero, unaffected: Money = .zero, igv: Money,
                    discount: Money = .zero, total: Money, rounding: Money = .zero, amountDue: Money) {
            self.taxed = taxed; self.exonerated = exonerated; self.unaffected = unaffected; self.igv = igv
            self.discount = discount; self.total = total; self.rounding = rounding; self.amountDue = amountDue
        }
    }

    /// What the customer handed over in cash and the change given back, as recorded.
    public struct Cash: Sendable, Equatable {
        public var tendered: Money
        public var change: Money

        public init(tendered: Money, change: Money) { self.tendered = tendered; self.change = change }
    }

    /// One payment. `method` is the label printed, in Spanish («Efectivo», «Tarjeta VISA ****1234»,
    /// «Yape», «PagoEfectivo CIP 1234567», «Transferencia BCP»); `cash` is set for cash only.
    public struct Payment: Sendable, Equatable {
        public var method: String
        public var amount: Money
        public var cash: Cash?

        public init(method: String, amount: Money, cash: Cash? = nil) {
            self.method = method; self.amount = amount; self.cash = cash
        }
    }

    /// One instalment of a payment plan; `due` is the date as printed (dd/mm/aaaa).
    public struct Instalment: Sendable, Equatable {
        public var number: Int
        public var due: String
        public var amount: Money

        public init(number: Int, due: String, amount: Money) { self.number = number; self.due = due; self.amount = amount }
    }

    /// What a SUNAT electronic document (factura 01, boleta 03, nota de crédito 07) prints besides
    /// the sale: every text already decided by whoever issued and signed it.
    public struct Electronic: Sendable, Equatable {
        /// Catálogo 01: «01» factura, «03» boleta de venta, «07» nota de crédito.
        public var typeCode: String
        /// «Representación impresa de la Boleta de Venta Electrónica», … (see `representation(forTypeCode:)`).
        public var representation: String
        /// The leyenda with the total in words: «SON: CIENTO DIECIOCHO CON 00/100 SOLES».
        public var amountInWords: String
        /// The signature's `DigestValue` (base64), printed as «Hash: …».
        public var digestValue: String
        /// The QR's content, as `FiscalQR.text` builds it.
        public var qrText: String
        /// «Forma de pago: Crédito», «Cuota 001: S/ 50.00 vence 14/04/2025», … one line each.
        public var paymentTerms: [String]
        /// For a nota: «Documento que modifica: B001-00000012», «Motivo: 07 Devolución por ítem», one line each.
        public var reference: [String]
        /// The customer's address (a factura's adquirente).
        public var customerAddress: String?
        /// «Consulte su comprobante en https://…».
        public var consultURL: String?

        public init(typeCode: String, representation: String, amountInWords: String, digestValue: String, qrText: String,
                    paymentTerms: [String] = [], reference: [String] = [], customerAddress: String? = nil,
                    consultURL: String? = nil) {
            self.typeCode = typeCode; self.representation = representation; self.amountInWords = amountInWords
            self.digestValue = digestValue; self.qrText = qrText; self.paymentTerms = paymentTerms
            self.reference = reference; self.customerAddress = customerAddress; self.consultURL = consultURL
        }

        /// The representation line SUNAT's documents carry for a type of catálogo 01 this desk issues;
        /// nil for other types.
        public static func representation(forTypeCode code: String) -> String? {
            switch code {
            case "01": "Representación impresa de la Factura Electrónica"
            case "03": "Representación impresa de la Boleta de Venta Electrónica"
            case "07": "Representación impresa de la Nota de Crédito Electrónica"
            default: nil
            }
        }
    }

    public var business: Business
    /// «NOTA DE VENTA», «BOLETA DE VENTA ELECTRÓNICA», …
    public var title: String
    /// The fiscal document's series and number («B001-00000123»), when there is one.
    public var documentID: String?
    public var saleNumber: String
    /// Lima time, already formatted: «14/03/2025 16:05».
    public var issuedAt: String
    public var cashier: String
    public var customer: Customer?
    public var pets: [String]
    public var lines: [Line]
    public var totals: Totals
    public var payments: [Payment]
    /// What is left owing after the payments; zero when the sale is paid.
    public var balanceDue: Money
    public var instalments: [Instalment]
    /// Free text printed centred at the bottom, one paragraph each.
    public var footer: [String]
    /// A copy printed again: it says «*** REIMPRESIÓN ***» under the title.
    public var reprint: Bool
    /// Set for a SUNAT electronic document: its leyenda, hash, QR and the rest it must print.
    public var electronic: Electronic?

    public init(business: Business, title: String, documentID: String? = nil, saleNumber: String, issuedAt: String,
                cashier: String, customer: Customer? = nil, pets: [String] = [], lines: [Line], totals: Totals,
                payments: [Payment], balanceDue: Money = .zero, instalments: [Instalment] = [],
                footer: [String] = [], reprint: Bool = false, electronic: Electronic? = nil) {
        self.business = business; self.title = title; self.documentID = documentID; self.saleNumber = saleNumber
        self.issuedAt = issuedAt; self.cashier = cashier; self.customer = customer; self.pets = pets
        self.lines = lines; self.totals = totals; self.payments = payments; self.balanceDue = balanceDue
        self.instalments = instalments; self.footer = footer; self.reprint = reprint
        self.electronic = electronic
    }
}
