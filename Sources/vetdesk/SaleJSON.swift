import Foundation
import VetCore
import VetStore

/// A sale as `vetdesk sale show --json` and `sale create` print it. Money is integer céntimos
/// (`*_centimos`): an integration never parses a binary fraction.
enum SaleJSON {
    struct Line: Encodable {
        var id: String, lineNo: Int64, itemID: String, description: String, quantity: Int64, unitPriceCentimos: Int64
        var discountCentimos: Int64, baseCentimos: Int64, igvCentimos: Int64, totalCentimos: Int64, igvAffectation: String, chargeID: String?
        enum CodingKeys: String, CodingKey {
            case id, description, quantity
            case lineNo = "line_no", itemID = "item_id", unitPriceCentimos = "unit_price_centimos", discountCentimos = "discount_centimos"
            case baseCentimos = "base_centimos", igvCentimos = "igv_centimos", totalCentimos = "total_centimos"
            case igvAffectation = "igv_affectation", chargeID = "charge_id"
        }
    }
    struct PaymentOut: Encodable {
        var id: String, method: String, amountCentimos: Int64, tenderedCentimos: Int64?, changeCentimos: Int64?, roundingCentimos: Int64
        var operation: String?, cardBrand: String?, cardLast4: String?, authCode: String?, instalmentID: String?, sede: String, at: String
        enum CodingKeys: String, CodingKey {
            case id, method, operation, at
            case sede = "sede_id"
            case amountCentimos = "amount_centimos", tenderedCentimos = "tendered_centimos", changeCentimos = "change_centimos"
            case roundingCentimos = "rounding_centimos", cardBrand = "card_brand", cardLast4 = "card_last4", authCode = "auth_code"
            case instalmentID = "instalment_id"
        }
    }
    struct InstalmentOut: Encodable {
        var id: String, n: Int64, due: String, amountCentimos: Int64, paidCentimos: Int64
        enum CodingKeys: String, CodingKey {
            case id, n, due
            case amountCentimos = "amount_centimos", paidCentimos = "paid_centimos"
        }
    }
    struct Out: Encodable {
        var id: String, number: String, sede: String, kind: String, state: String, ownerID: String?, customer: SaleCustomer?
        var fiscalDocType: String?, reversesSaleID: String?, at: String, cashier: String
        var gravadaCentimos: Int64, exoneradaCentimos: Int64, inafectaCentimos: Int64, igvCentimos: Int64, discountCentimos: Int64
        var totalCentimos: Int64, paidCentimos: Int64, roundingCentimos: Int64, pendingPagoEfectivoCentimos: Int64, balanceCentimos: Int64
        var lines: [Line], payments: [PaymentOut], instalments: [InstalmentOut], reversals: [String]
        enum CodingKeys: String, CodingKey {
            case id, number, sede, kind, state, customer, at, cashier, lines, payments, instalments, reversals
            case ownerID = "owner_id", fiscalDocType = "fiscal_doc_type", reversesSaleID = "reverses_sale_id"
            case gravadaCentimos = "gravada_centimos", exoneradaCentimos = "exonerada_centimos", inafectaCentimos = "inafecta_centimos"
            case igvCentimos = "igv_centimos", discountCentimos = "discount_centimos", totalCentimos = "total_centimos"
            case paidCentimos = "paid_centimos", roundingCentimos = "rounding_centimos"
            case pendingPagoEfectivoCentimos = "pending_pagoefectivo_centimos", balanceCentimos = "balance_centimos"
        }
    }

    static func encode(_ s: SaleSummary) -> String {
        let sale = s.sale
        let customer = sale.customerDocNumber.map { SaleCustomer(docType: sale.customerDocType ?? "", docNumber: $0, name: sale.customerName ?? "") }
        let plan = s.credit.map { credit -> [InstalmentOut] in
            var covered = max(0, credit.amount - s.balance.centimos)
            return s.instalments.map { i in
                let paid = min(covered, i.amount)
                covered -= paid
                return InstalmentOut(id: i.id, n: i.n, due: i.dueDate, amountCentimos: i.amount, paidCentimos: paid)
            }
        } ?? []
        let out = Out(id: sale.id, number: SedeStore.saleNumberText(sale.number), sede: s.sedeCode, kind: sale.kind, state: s.state.rawValue,
                      ownerID: sale.ownerId, customer: customer, fiscalDocType: sale.fiscalDocType, reversesSaleID: sale.reversesSaleId,
                      at: sale.at, cashier: s.cashierName, gravadaCentimos: sale.gravada, exoneradaCentimos: sale.exonerada,
                      inafectaCentimos: sale.inafecta, igvCentimos: sale.igv, discountCentimos: sale.discount, totalCentimos: sale.total,
                      paidCentimos: s.paid.centimos, roundingCentimos: s.rounding.centimos,
                      pendingPagoEfectivoCentimos: s.pendingPagoEfectivo.centimos, balanceCentimos: s.balance.centimos,
                      lines: s.lines.map { l in
                          Line(id: l.id, lineNo: l.lineNo, itemID: l.itemId, description: l.description, quantity: l.quantity,
                               unitPriceCentimos: l.unitPrice, discountCentimos: l.discount, baseCentimos: l.base, igvCentimos: l.igv,
                               totalCentimos: l.total, igvAffectation: l.igvAffectation, chargeID: l.chargeId)
                      },
                      payments: s.payments.map { p in
                          PaymentOut(id: p.id, method: p.method.rawValue, amountCentimos: p.amount, tenderedCentimos: p.tendered, changeCentimos: p.change,
                                     roundingCentimos: p.rounding, operation: p.operationNumber, cardBrand: p.cardBrand, cardLast4: p.cardLast4,
                                     authCode: p.authCode, instalmentID: p.instalmentId, sede: p.sedeId, at: p.at)
                      },
                      instalments: plan, reversals: s.reversals.map(\.id))
        return json(out)
    }

    static func error(code: String, field: String?, message: String) -> String {
        struct Body: Encodable { var code: String; var field: String?; var message: String }
        struct Wrapper: Encodable { var error: Body }
        return json(Wrapper(error: Body(code: code, field: field, message: message)))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A plain-text summary for a person at a shell.
    static func text(_ s: SaleSummary) -> String {
        var out = "\(SedeStore.saleNumberText(s.sale.number)) · \(s.sedeCode) · \(s.state.label)\n"
        for l in s.lines {
            out += "  \(l.quantity) × \(l.description)  \(Money(centimos: l.total).formatted)\n"
        }
        out += "  Total \(Money(centimos: s.sale.total).formatted) · Pagado \(s.paid.formatted) · Saldo \(s.balance.formatted)\n"
        for p in s.payments { out += "  \(p.label)  \(Money(centimos: p.amount).formatted)\n" }
        return out
    }
}
