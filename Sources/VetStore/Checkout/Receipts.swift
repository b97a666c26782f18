import Foundation
import GRDB
import VetCore

extension SedeStore {
    /// The receipt of a sale (or of a void or return), every value from its rows: lines, totals,
    /// cash rounding, payments with tendered and change, what is still owed and the plan.
    public func receipt(saleID: String, reprint: Bool = false) throws -> Receipt? {
        try read { db in
            guard let summary = try Self.saleSummary(id: saleID, db) else { return nil }
            let sale = summary.sale
            let sede = try Row.fetchOne(db, sql: "SELECT name, address, phone FROM sedes WHERE id = ?", arguments: [sale.sedeId])
            let sedeName: String = sede?["name"] ?? summary.sedeCode
            var business = Receipt.Business(
                tradeName: try Self.setting(.businessTradeName, db) ?? sedeName,
                legalName: try Self.setting(.businessLegalName, db) ?? sedeName,
                ruc: try Self.setting(.businessRUC, db) ?? "",
                sedeName: sedeName, address: sede?["address"], phone: sede?["phone"])
            var customer: Receipt.Customer?
            if let name = sale.customerName, !name.isEmpty {
                let document = sale.customerDocNumber.flatMap { number in
                    sale.customerDocType.flatMap(DocumentType.init(rawValue:)).map { Receipt.CustomerDocument(type: $0, number: number) }
                }
                customer = Receipt.Customer(name: name, document: document)
            } else if let ownerID = sale.ownerId, let owner = try Owner.fetchOne(db, key: ownerID) {
                customer = Receipt.Customer(name: owner.firstNames + " " + owner.lastNames,
                                            document: Receipt.CustomerDocument(type: owner.docType, number: owner.docNumber))
            }
            let petIDs = Array(Set(summary.lines.compactMap(\.petId))).sorted()
            let pets = try petIDs.compactMap { try String.fetchOne(db, sql: "SELECT name FROM pets WHERE id = ?", arguments: [$0]) }.sorted()
            var title = switch sale.kind {
            case Sale.Kind.anulacion.rawValue: "ANULACIÓN DE VENTA"
            case Sale.Kind.devolucion.rawValue: "DEVOLUCIÓN"
            default: "NOTA DE VENTA"
            }
            // A sale with its SUNAT document prints as that document: title, series-number, the
            // issuer as configured for SUNAT, the leyenda, the hash and the QR.
            var electronic: Receipt.Electronic?
            var documentID: String?
            if let doc = try Self.latestDocument(forSale: sale.id, db), let type = doc.type,
               let issued = CivilDate(iso: doc.issueDate) {
                title = type.title.uppercased()
                documentID = doc.printedID
                if let config = try Self.fiscalConfiguration(db) {
                    business.legalName = config.legalName
                    business.ruc = config.ruc
                    if !config.tradeName.isEmpty { business.tradeName = config.tradeName }
                }
                var reference: [String] = []
                if let refID = doc.referenceId, let ref = try FiscalDocumentRecord.fetchOne(db, key: refID) {
                    reference = ["Documento que modifica: \(ref.printedID)", "Motivo: \(sale.reason ?? "")"]
                }
                let qr = FiscalQR.text(ruc: business.ruc, typeCode: doc.docType, series: doc.series, number: Int(doc.number),
                                       igv: Money(centimos: doc.igv), total: Money(centimos: doc.total), issueDate: issued,
                                       customerDocType: doc.customerDocType, customerDocNumber: doc.customerDocNumber, digestValue: doc.digest)
                var terms: [String] = []
                if type == .factura { terms = ["Forma de pago: " + (doc.paymentTerms == "credito" ? "Crédito" : "Contado")] }
                electronic = Receipt.Electronic(
                    typeCode: doc.docType, representation: Receipt.Electronic.representation(forTypeCode: doc.docType) ?? type.title,
                    amountInWords: AmountInWords.leyenda(Money(centimos: doc.total)), digestValue: doc.digest, qrText: qr,
                    paymentTerms: terms, reference: reference, customerAddress: sale.customerAddress,
                    consultURL: "Consulte su comprobante en www.sunat.gob.pe")
            }
            let payments = summary.payments.map { p in
                Receipt.Payment(method: Self.receiptLabel(p), amount: Money(centimos: p.amount),
                                cash: p.tendered.map { Receipt.Cash(tendered: Money(centimos: $0), change: Money(centimos: p.change ?? 0)) })
            }
            let status = Self.instalmentStatus(summary)
            let totals = sale.totals
            return Receipt(business: business, title: title, documentID: documentID, saleNumber: Self.saleNumberText(sale.number),
                           issuedAt: LimaTime.parseISO8601(sale.at).map(LimaTime.dayAndClock) ?? sale.at, cashier: summary.cashierName,
                           customer: customer, pets: pets,
                           lines: summary.lines.map { l in
                               Receipt.Line(description: l.description, quantity: l.quantity, unitPrice: Money(centimos: l.unitPrice),
                                            discount: Money(centimos: l.discount), total: Money(centimos: l.total))
                           },
                           totals: Receipt.Totals(taxed: totals.gravada, exonerated: totals.exonerada, unaffected: totals.inafecta, igv: totals.igv,
                                                  discount: totals.discount, total: totals.total, rounding: Money(centimos: -summary.rounding.centimos),
                                                  amountDue: Money(centimos: totals.total.centimos - summary.rounding.centimos)),
                           payments: payments, balanceDue: sale.kind == Sale.Kind.venta.rawValue ? summary.balance : .zero,
                           instalments: status.map { Receipt.Instalment(number: Int($0.instalment.n), due: $0.dueDate?.display ?? $0.instalment.dueDate,
                                                                        amount: $0.remaining) }.filter { $0.amount.centimos > 0 },
                           footer: ["Gracias por su preferencia"], reprint: reprint, electronic: electronic)
        }
    }

    static func receiptLabel(_ p: Payment) -> String {
        let refund = p.amount < 0 ? "Devolución " : ""
        switch p.method {
        case .tarjeta: return refund + "Tarjeta \(p.cardBrand ?? "") ****\(p.cardLast4 ?? "")"
        case .yape, .plin: return refund + p.method.label + (p.operationNumber.map { " op. " + $0 } ?? "")
        case .transferencia: return refund + "Transferencia \(p.bank ?? "")"
        default: return refund + p.method.label
        }
    }
}
