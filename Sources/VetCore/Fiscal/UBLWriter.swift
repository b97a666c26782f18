/// UBL 2.1 documents (Invoice for boletas and facturas, CreditNote) and SUNAT's UBL 2.0 summaries
/// (SummaryDocuments for the resumen diario, VoidedDocuments for the comunicación de baja), as
/// SUNAT's guides in `shared/sunat/rules/` describe them.
///
/// Each document carries an unsigned XMLDSig template in its first `ext:ExtensionContent`
/// (enveloped, `Reference URI=""`, RSA-SHA256, the certificate to be embedded); `FiscalSigner`
/// fills it in. Every text value is escaped, so a customer's name cannot change the document.
public enum UBLWriter {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The id the signature has in the document, referred to by `cac:Signature`.
    public static let signatureID = "SignatureVetDesk"

    // MARK: Invoice and CreditNote

    public static func invoice(_ doc: FiscalInvoice) throws(Problem) -> String {
        try check(doc)
        let isNote = doc.type == .notaCredito
        let root = isNote ? "CreditNote" : "Invoice"
        var x = XMLText()
        x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        x.raw("<\(root) xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:\(root)-2\" \(commonNamespaces)>\n")
        x.raw(signatureTemplate)
        x.el("cbc:UBLVersionID", "2.1")
        x.el("cbc:CustomizationID", "2.0")
        if !isNote {
            x.el("cbc:ProfileID", "0101", attrs: [("schemeName", "Tipo de Operacion"), ("schemeAgencyName", "PE:SUNAT"),
                                                  ("schemeURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo51")])
        }
        x.el("cbc:ID", doc.id)
        x.el("cbc:IssueDate", doc.issueDate.iso)
        x.el("cbc:IssueTime", doc.issueTime)
        if !isNote {
            if case .credito(let cuotas) = doc.payment, let last = cuotas.last { x.el("cbc:DueDate", last.due.iso) }
            x.el("cbc:InvoiceTypeCode", doc.type.rawValue, attrs: [("listID", "0101"), ("listAgencyName", "PE:SUNAT"),
                                                                   ("listName", "Tipo de Documento"),
                                                                   ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo01")])
        }
        x.el("cbc:Note", AmountInWords.words(doc.totals.total),
             attrs: [("languageLocaleID", "1000")])
        x.el("cbc:DocumentCurrencyCode", "PEN", attrs: [("listID", "ISO 4217 Alpha"), ("listName", "Currency"),
                                                        ("listAgencyName", "United Nations Economic Commission for Europe")])
        if let ref = doc.reference {
            x.open("cac:DiscrepancyResponse")
            x.el("cbc:ReferenceID", ref.id)
            x.el("cbc:ResponseCode", ref.reason.rawValue, attrs: [("listAgencyName", "PE:SUNAT"), ("listName", "Tipo de nota de credito"),
                                                                  ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo09")])
            x.el("cbc:Description", ref.description)
            x.close("cac:DiscrepancyResponse")
            x.open("cac:BillingReference")
            x.open("cac:InvoiceDocumentReference")
            x.el("cbc:ID", ref.id)
            x.el("cbc:DocumentTypeCode", ref.type.rawValue, attrs: [("listAgencyName", "PE:SUNAT"), ("listName", "Tipo de Documento"),
                                                                    ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo01")])
            x.close("cac:InvoiceDocumentReference")
            x.close("cac:BillingReference")
        }
        signatureReference(&x, doc.issuer)
        supplier(&x, doc.issuer)
        customer(&x, doc.customer, withAddress: doc.type == .factura || doc.reference?.type == .factura)
        if doc.type == .factura { try paymentTerms(&x, doc) }
        taxTotal(&x, doc.totals)
        x.open(isNote ? "cac:LegalMonetaryTotal" : "cac:LegalMonetaryTotal")
        x.amount("cbc:LineExtensionAmount", lineExtension(doc.totals))
        x.amount("cbc:TaxInclusiveAmount", doc.totals.total)
        x.amount("cbc:PayableAmount", doc.totals.total)
        x.close("cac:LegalMonetaryTotal")
        for (index, line) in doc.lines.enumerated() { try self.line(&x, line, number: index + 1, note: isNote) }
        x.raw("</\(root)>\n")
        return x.text
    }

    /// Op. gravada (bases) + exonerada + inafecta: the document's valor de venta.
    static func lineExtension(_ totals: SaleTotals) -> Money {
        Money(centimos: totals.gravada.centimos &+ totals.exonerada.centimos &+ totals.inafecta.centimos)
    }

    private static func check(_ doc: FiscalInvoice) throws(Problem) {
        guard !doc.lines.isEmpty else { throw Problem("El comprobante no tiene líneas") }
        guard doc.number > 0, doc.number <= FiscalNumbering.maxNumber else { throw Problem("Número de comprobante fuera de rango: \(doc.number)") }
        if let problem = FiscalNumbering.seriesProblem(doc.series, for: doc.type, referencing: doc.reference?.type) { throw Problem(problem) }
        if doc.type == .notaCredito, doc.reference == nil { throw Problem("La nota de crédito debe indicar el comprobante que modifica") }
        if let problem = DocumentValidation.rucProblem(doc.issuer.ruc) { throw Problem("RUC del emisor: \(problem)") }
        if doc.type == .factura {
            guard doc.customer.docType == "6" else { throw Problem("La factura se emite a un RUC") }
            if let problem = DocumentValidation.rucProblem(doc.customer.docNumber) { throw Problem("RUC del cliente: \(problem)") }
            guard let address = doc.customer.address, !address.trimmingSpaces().isEmpty else {
                throw Problem("La factura necesita la dirección fiscal del cliente")
            }
        }
        for line in doc.lines {
            guard line.quantity > 0 else { throw Problem("Cantidad no válida en «\(line.description)»") }
            guard line.priced.total.centimos > 0 else { throw Problem("La línea «\(line.description)» no tiene importe") }
            if case .unknown(let code) = line.affectation { throw Problem("Afectación de IGV desconocida (\(code))") }
        }
        if case .credito(let cuotas) = doc.payment {
            guard !cuotas.isEmpty else { throw Problem("Una venta al crédito necesita al menos una cuota") }
            guard cuotas.allSatisfy({ $0.amount.centimos > 0 && $0.due > doc.issueDate }) else {
                throw Problem("Cada cuota debe tener monto y vencer después de la fecha de emisión")
            }
        }
    }

    private static func signatureReference(_ x: inout XMLText, _ issuer: FiscalIssuer) {
        x.open("cac:Signature")
        x.el("cbc:ID", issuer.ruc)
        x.open("cac:SignatoryParty")
        x.open("cac:PartyIdentification"); x.el("cbc:ID", issuer.ruc); x.close("cac:PartyIdentification")
        x.open("cac:PartyName"); x.el("cbc:Name", issuer.legalName); x.close("cac:PartyName")
        x.close("cac:SignatoryParty")
        x.open("cac:DigitalSignatureAttachment")
        x.open("cac:ExternalReference"); x.el("cbc:URI", "#" + signatureID); x.close("cac:ExternalReference")
        x.close("cac:DigitalSignatureAttachment")
        x.close("cac:Signature")
    }

    private static let docAttrs: [(String, String)] = [("schemeAgencyName", "PE:SUNAT"), ("schemeName", "Documento de Identidad"),
                                                      ("schemeURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo06")]

    private static func supplier(_ x: inout XMLText, _ issuer: FiscalIssuer) {
        x.open("cac:AccountingSupplierParty"); x.open("cac:Party")
        x.open("cac:PartyIdentification")
        x.el("cbc:ID", issuer.ruc, attrs: [("schemeID", "6")] + docAttrs)
        x.close("cac:PartyIdentification")
        if !issuer.tradeName.isEmpty { x.open("cac:PartyName"); x.el("cbc:Name", issuer.tradeName); x.close("cac:PartyName") }
        x.open("cac:PartyLegalEntity")
        x.el("cbc:RegistrationName", issuer.legalName)
        x.open("cac:RegistrationAddress")
        x.el("cbc:ID", issuer.address.ubigeo, attrs: [("schemeAgencyName", "PE:INEI"), ("schemeName", "Ubigeos")])
        x.el("cbc:AddressTypeCode", issuer.address.annexCode, attrs: [("listAgencyName", "PE:SUNAT"), ("listName", "Establecimientos anexos")])
        x.el("cbc:CityName", issuer.address.province)
        x.el("cbc:CountrySubentity", issuer.address.department)
        x.el("cbc:District", issuer.address.district)
        x.open("cac:AddressLine"); x.el("cbc:Line", issuer.address.line); x.close("cac:AddressLine")
        x.open("cac:Country")
        x.el("cbc:IdentificationCode", "PE", attrs: [("listID", "ISO 3166-1"), ("listAgencyName", "United Nations Economic Commission for Europe"),
                                                     ("listName", "Country")])
        x.close("cac:Country")
        x.close("cac:RegistrationAddress")
        x.close("cac:PartyLegalEntity")
        x.close("cac:Party"); x.close("cac:AccountingSupplierParty")
    }

    private static func customer(_ x: inout XMLText, _ customer: FiscalCustomer, withAddress: Bool) {
        x.open("cac:AccountingCustomerParty"); x.open("cac:Party")
        x.open("cac:PartyIdentification")
        x.el("cbc:ID", customer.docNumber, attrs: [("schemeID", customer.docType)] + docAttrs)
        x.close("cac:PartyIdentification")
        x.open("cac:PartyLegalEntity")
        x.el("cbc:RegistrationName", customer.name)
        if withAddress, let address = customer.address {
            x.open("cac:RegistrationAddress")
            x.open("cac:AddressLine"); x.el("cbc:Line", address); x.close("cac:AddressLine")
            x.close("cac:RegistrationAddress")
        }
        x.close("cac:PartyLegalEntity")
        x.close("cac:Party"); x.close("cac:AccountingCustomerParty")
    }

    private static func paymentTerms(_ x: inout XMLText, _ doc: FiscalInvoice) throws(Problem) {
        switch doc.payment {
        case .contado:
            x.open("cac:PaymentTerms"); x.el("cbc:ID", "FormaPago"); x.el("cbc:PaymentMeansID", "Contado"); x.close("cac:PaymentTerms")
        case .credito(let cuotas):
            var owed = Money.zero
            for cuota in cuotas {
                do { owed = try owed.adding(cuota.amount) } catch { throw Problem("Monto de cuotas demasiado grande") }
            }
            guard owed <= doc.totals.total else { throw Problem("Las cuotas (\(owed.formatted)) superan el total (\(doc.totals.total.formatted))") }
            x.open("cac:PaymentTerms"); x.el("cbc:ID", "FormaPago"); x.el("cbc:PaymentMeansID", "Credito")
            x.amount("cbc:Amount", owed); x.close("cac:PaymentTerms")
            for (i, cuota) in cuotas.enumerated() {
                x.open("cac:PaymentTerms"); x.el("cbc:ID", "FormaPago")
                x.el("cbc:PaymentMeansID", "Cuota" + String(repeating: "0", count: max(0, 3 - String(i + 1).count)) + String(i + 1))
                x.amount("cbc:Amount", cuota.amount)
                x.el("cbc:PaymentDueDate", cuota.due.iso)
                x.close("cac:PaymentTerms")
            }
        }
    }

    private struct Category {
        let code: String, name: String, typeCode: String, affectation: String
    }
    private static func category(_ affectation: IGVAffectation) -> Category {
        switch affectation {
        case .exonerado: Category(code: "9997", name: "EXO", typeCode: "VAT", affectation: "20")
        case .inafecto: Category(code: "9998", name: "INA", typeCode: "FRE", affectation: "30")
        default: Category(code: "1000", name: "IGV", typeCode: "VAT", affectation: "10")
        }
    }

    private static func taxScheme(_ x: inout XMLText, _ c: Category) {
        x.open("cac:TaxScheme")
        x.el("cbc:ID", c.code, attrs: [("schemeName", "Codigo de tributos"), ("schemeAgencyName", "PE:SUNAT"),
                                       ("schemeURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo05")])
        x.el("cbc:Name", c.name)
        x.el("cbc:TaxTypeCode", c.typeCode)
        x.close("cac:TaxScheme")
    }

    private static func taxTotal(_ x: inout XMLText, _ totals: SaleTotals) {
        x.open("cac:TaxTotal")
        x.amount("cbc:TaxAmount", totals.igv)
        let groups: [(IGVAffectation, Money, Money)] = [(.gravado, totals.gravada, totals.igv), (.exonerado, totals.exonerada, .zero),
                                                        (.inafecto, totals.inafecta, .zero)]
        for (affectation, base, tax) in groups where base.centimos > 0 || (affectation == .gravado && totals.exonerada.centimos == 0 && totals.inafecta.centimos == 0) {
            x.open("cac:TaxSubtotal")
            x.amount("cbc:TaxableAmount", base)
            x.amount("cbc:TaxAmount", tax)
            x.open("cac:TaxCategory")
            taxScheme(&x, category(affectation))
            x.close("cac:TaxCategory")
            x.close("cac:TaxSubtotal")
        }
        x.close("cac:TaxTotal")
    }

    private static func line(_ x: inout XMLText, _ line: FiscalLine, number: Int, note: Bool) throws(Problem) {
        let p = line.priced
        let gravado = line.affectation == .gravado
        // The line's value before its discount, without IGV: the base of the gross for a gravado line.
        let grossBase: Money
        if gravado {
            do { grossBase = try IGV.split(gross: p.gross).base } catch { throw Problem("Monto demasiado grande en «\(line.description)»") }
        } else {
            grossBase = p.gross
        }
        let discountBase = Money(centimos: grossBase.centimos - p.base.centimos)
        let q = line.quantity
        x.open(note ? "cac:CreditNoteLine" : "cac:InvoiceLine")
        x.el("cbc:ID", String(number))
        x.el(note ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity", String(q),
             attrs: [("unitCode", line.unitCode), ("unitCodeListID", "UN/ECE rec 20"),
                     ("unitCodeListAgencyName", "United Nations Economic Commission for Europe")])
        x.amount("cbc:LineExtensionAmount", p.base)
        x.open("cac:PricingReference"); x.open("cac:AlternativeConditionPrice")
        x.raw("<cbc:PriceAmount currencyID=\"PEN\">\(try decimal(p.total.centimos, over: q))</cbc:PriceAmount>")
        x.el("cbc:PriceTypeCode", "01", attrs: [("listName", "Tipo de Precio"), ("listAgencyName", "PE:SUNAT"),
                                                ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo16")])
        x.close("cac:AlternativeConditionPrice"); x.close("cac:PricingReference")
        if discountBase.centimos > 0 && !note {
            x.open("cac:AllowanceCharge")
            x.el("cbc:ChargeIndicator", "false")
            x.el("cbc:AllowanceChargeReasonCode", "00", attrs: [("listAgencyName", "PE:SUNAT"), ("listName", "Cargo/descuento"),
                                                                 ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo53")])
            x.raw("<cbc:MultiplierFactorNumeric>\(try factor(discountBase.centimos, over: grossBase.centimos))</cbc:MultiplierFactorNumeric>")
            x.amount("cbc:Amount", discountBase)
            x.amount("cbc:BaseAmount", grossBase)
            x.close("cac:AllowanceCharge")
        }
        let c = category(line.affectation)
        x.open("cac:TaxTotal")
        x.amount("cbc:TaxAmount", p.igv)
        x.open("cac:TaxSubtotal")
        x.amount("cbc:TaxableAmount", p.base)
        x.amount("cbc:TaxAmount", p.igv)
        x.open("cac:TaxCategory")
        x.el("cbc:Percent", gravado ? "18.00" : "0.00")
        x.el("cbc:TaxExemptionReasonCode", c.affectation, attrs: [("listAgencyName", "PE:SUNAT"), ("listName", "Afectacion del IGV"),
                                                                  ("listURI", "urn:pe:gob:sunat:cpe:see:gem:catalogos:catalogo07")])
        taxScheme(&x, c)
        x.close("cac:TaxCategory")
        x.close("cac:TaxSubtotal")
        x.close("cac:TaxTotal")
        x.open("cac:Item")
        x.el("cbc:Description", line.description)
        // Código de producto: SUNAT takes up to 30 letters, digits and a few signs (4269 otherwise).
        let code = String(line.itemCode.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }.prefix(30))
        if !code.isEmpty {
            x.open("cac:SellersItemIdentification"); x.el("cbc:ID", code); x.close("cac:SellersItemIdentification")
        }
        x.close("cac:Item")
        x.open("cac:Price")
        // Valor unitario: without IGV and before the discount (the discount is the AllowanceCharge).
        let unitValue = note ? p.base.centimos : grossBase.centimos
        x.raw("<cbc:PriceAmount currencyID=\"PEN\">\(try decimal(unitValue, over: q))</cbc:PriceAmount>")
        x.close("cac:Price")
        x.close(note ? "cac:CreditNoteLine" : "cac:InvoiceLine")
    }

    /// `centimos / divisor` in soles with up to 10 decimals (at least 2), rounded half up.
    static func decimal(_ centimos: Int64, over divisor: Int64) throws(Problem) -> String {
        guard centimos >= 0, divisor > 0 else { throw Problem("Importe no válido") }
        // Units of 10⁻¹⁰ soles: centimos × 10⁸ / divisor, in 128 bits.
        let scale: UInt64 = 100_000_000
        let (high, low) = UInt64(centimos).multipliedFullWidth(by: scale)
        let d = UInt64(divisor)
        guard high < d else { throw Problem("Importe demasiado grande") }
        var (q, r) = d.dividingFullWidth((high, low))
        if r >= d - r { q += 1 }
        return format(q, places: 10, minimum: 2)
    }

    /// A ratio with 5 decimals (MultiplierFactorNumeric).
    static func factor(_ part: Int64, over whole: Int64) throws(Problem) -> String {
        guard part >= 0, whole > 0, part <= whole else { throw Problem("Descuento no válido") }
        let (high, low) = UInt64(part).multipliedFullWidth(by: 100_000)
        var (q, r) = UInt64(whole).dividingFullWidth((high, low))
        if r >= UInt64(whole) - r { q += 1 }
        return format(q, places: 5, minimum: 2)
    }

    private static func format(_ value: UInt64, places: Int, minimum: Int) -> String {
        var pow: UInt64 = 1
        for _ in 0..<places { pow *= 10 }
        var fraction = String(value % pow)
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        while fraction.count > minimum && fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / pow).\(fraction)"
    }

    // MARK: Resumen diario and comunicación de baja

    public static func summary(_ doc: FiscalSummary) throws(Problem) -> String {
        guard !doc.lines.isEmpty else { throw Problem("El resumen diario no tiene comprobantes") }
        guard doc.lines.count <= 500 else { throw Problem("Un resumen diario lleva hasta 500 comprobantes") }
        var x = summaryHeader(root: "SummaryDocuments", customization: "1.1", id: doc.id, referenceDate: doc.referenceDate,
                              issueDate: doc.issueDate, issuer: doc.issuer)
        for (i, line) in doc.lines.enumerated() {
            x.open("sac:SummaryDocumentsLine")
            x.el("cbc:LineID", String(i + 1))
            x.el("cbc:DocumentTypeCode", line.type.rawValue)
            x.el("cbc:ID", line.id)
            x.open("cac:AccountingCustomerParty")
            x.el("cbc:CustomerAssignedAccountID", line.customerDocNumber)
            x.el("cbc:AdditionalAccountID", line.customerDocType)
            x.close("cac:AccountingCustomerParty")
            if let reference = line.reference {
                x.open("cac:BillingReference"); x.open("cac:InvoiceDocumentReference")
                x.el("cbc:ID", reference); x.el("cbc:DocumentTypeCode", "03")
                x.close("cac:InvoiceDocumentReference"); x.close("cac:BillingReference")
            }
            x.open("cac:Status"); x.el("cbc:ConditionCode", line.condition.rawValue); x.close("cac:Status")
            x.raw("<sac:TotalAmount currencyID=\"PEN\">\(line.totals.total.sunat)</sac:TotalAmount>")
            for (amount, code) in [(line.totals.gravada, "01"), (line.totals.exonerada, "02"), (line.totals.inafecta, "03")] where amount.centimos > 0 {
                x.open("sac:BillingPayment")
                x.amount("cbc:PaidAmount", amount)
                x.el("cbc:InstructionID", code)
                x.close("sac:BillingPayment")
            }
            x.open("cac:TaxTotal")
            x.amount("cbc:TaxAmount", line.totals.igv)
            x.open("cac:TaxSubtotal")
            x.amount("cbc:TaxAmount", line.totals.igv)
            x.open("cac:TaxCategory")
            x.open("cac:TaxScheme"); x.el("cbc:ID", "1000"); x.el("cbc:Name", "IGV"); x.el("cbc:TaxTypeCode", "VAT"); x.close("cac:TaxScheme")
            x.close("cac:TaxCategory")
            x.close("cac:TaxSubtotal")
            x.close("cac:TaxTotal")
            x.close("sac:SummaryDocumentsLine")
        }
        x.raw("</SummaryDocuments>\n")
        return x.text
    }

    public static func voided(_ doc: FiscalVoided) throws(Problem) -> String {
        guard !doc.lines.isEmpty else { throw Problem("La comunicación de baja no tiene comprobantes") }
        var x = summaryHeader(root: "VoidedDocuments", customization: "1.0", id: doc.id, referenceDate: doc.referenceDate,
                              issueDate: doc.issueDate, issuer: doc.issuer)
        for (i, line) in doc.lines.enumerated() {
            let reason = line.reason.trimmingSpaces()
            guard !reason.isEmpty else { throw Problem("Indique el motivo de la baja de \(line.series)-\(line.number)") }
            x.open("sac:VoidedDocumentsLine")
            x.el("cbc:LineID", String(i + 1))
            x.el("cbc:DocumentTypeCode", line.type.rawValue)
            x.el("sac:DocumentSerialID", line.series)
            x.el("sac:DocumentNumberID", String(line.number))
            x.el("sac:VoidReasonDescription", String(reason.prefix(100)))
            x.close("sac:VoidedDocumentsLine")
        }
        x.raw("</VoidedDocuments>\n")
        return x.text
    }

    /// The opening of a UBL 2.0 summary (RC or RA) up to its first line: the signature template,
    /// versions, id, dates, the signature reference and the issuer.
    private static func summaryHeader(root: String, customization: String, id: String, referenceDate: CivilDate,
                                      issueDate: CivilDate, issuer: FiscalIssuer) -> XMLText {
        var x = XMLText()
        x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        x.raw("<\(root) xmlns=\"urn:sunat:names:specification:ubl:peru:schema:xsd:\(root)-1\" \(summaryNamespaces)>\n")
        x.raw(signatureTemplate)
        x.el("cbc:UBLVersionID", "2.0")
        x.el("cbc:CustomizationID", customization)
        x.el("cbc:ID", id)
        x.el("cbc:ReferenceDate", referenceDate.iso)
        x.el("cbc:IssueDate", issueDate.iso)
        signatureReference(&x, issuer)
        summarySupplier(&x, issuer)
        return x
    }

    private static func summarySupplier(_ x: inout XMLText, _ issuer: FiscalIssuer) {
        x.open("cac:AccountingSupplierParty")
        x.el("cbc:CustomerAssignedAccountID", issuer.ruc)
        x.el("cbc:AdditionalAccountID", "6")
        x.open("cac:Party"); x.open("cac:PartyLegalEntity")
        x.el("cbc:RegistrationName", issuer.legalName)
        x.close("cac:PartyLegalEntity"); x.close("cac:Party")
        x.close("cac:AccountingSupplierParty")
    }

    // MARK: Shared text

    static let commonNamespaces = "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:ext=\"urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2\""
    static let summaryNamespaces = commonNamespaces + " xmlns:sac=\"urn:sunat:names:specification:ubl:peru:schema:xsd:SunatAggregateComponents-1\""

    static let signatureTemplate = """
    <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent>\
    <ds:Signature Id="\(signatureID)"><ds:SignedInfo>\
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>\
    <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>\
    <ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>\
    <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference>\
    </ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate></ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>\
    </ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>

    """
}

/// An XML text being written, element by element, with every value escaped.
struct XMLText {
    var text = ""
    init() { text.reserveCapacity(8192) }

    mutating func raw(_ s: String) { text += s }
    mutating func open(_ name: String) { text += "<\(name)>" }
    mutating func close(_ name: String) { text += "</\(name)>\n" }
    mutating func el(_ name: String, _ value: String, attrs: [(String, String)] = []) {
        text += "<" + name
        for (k, v) in attrs { text += " \(k)=\"" + XMLEscape.text(v) + "\"" }
        text += ">" + XMLEscape.text(value) + "</" + name + ">\n"
    }
    mutating func amount(_ name: String, _ money: Money) {
        text += "<\(name) currencyID=\"PEN\">\(money.sunat)</\(name)>\n"
    }
}

/// Text for XML content or attributes: markup escaped, whitespace controls as spaces, and the
/// characters XML 1.0 cannot carry dropped, so no value can change or break a document.
public enum XMLEscape {
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
