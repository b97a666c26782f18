import GRDB
import VetCore

// The checkout's ledgers are read and written on every sale: their rows map to columns by hand,
// which GRDB documents as much faster than going through Codable with a key strategy.

extension Sale {
    public init(row: Row) throws {
        id = row["id"]; sedeId = row["sede_id"]; number = row["number"]; kind = row["kind"]; reversesSaleId = row["reverses_sale_id"]
        ownerId = row["owner_id"]; customerDocType = row["customer_doc_type"]; customerDocNumber = row["customer_doc_number"]
        customerName = row["customer_name"]; fiscalDocType = row["fiscal_doc_type"]; gravada = row["gravada"]; exonerada = row["exonerada"]
        inafecta = row["inafecta"]; igv = row["igv"]; discount = row["discount"]; total = row["total"]; reason = row["reason"]
        authorizedBy = row["authorized_by"]; drawer = row["drawer"]; userId = row["user_id"]; at = row["at"]
        customerAddress = row["customer_address"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["sede_id"] = sedeId; container["number"] = number; container["kind"] = kind
        container["reverses_sale_id"] = reversesSaleId; container["owner_id"] = ownerId; container["customer_doc_type"] = customerDocType
        container["customer_doc_number"] = customerDocNumber; container["customer_name"] = customerName; container["fiscal_doc_type"] = fiscalDocType
        container["gravada"] = gravada; container["exonerada"] = exonerada; container["inafecta"] = inafecta; container["igv"] = igv
        container["discount"] = discount; container["total"] = total; container["reason"] = reason; container["authorized_by"] = authorizedBy
        container["drawer"] = drawer; container["user_id"] = userId; container["at"] = at
        container["customer_address"] = customerAddress
    }
}

extension SaleLine {
    public init(row: Row) throws {
        id = row["id"]; saleId = row["sale_id"]; sedeId = row["sede_id"]; lineNo = row["line_no"]; itemId = row["item_id"]
        description = row["description"]; unitCode = row["unit_code"]; igvAffectation = row["igv_affectation"]; quantity = row["quantity"]
        unitPrice = row["unit_price"]; discountPercentBp = row["discount_percent_bp"]; discount = row["discount"]; base = row["base"]
        igv = row["igv"]; total = row["total"]; chargeId = row["charge_id"]; petId = row["pet_id"]; reversesLineId = row["reverses_line_id"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["sale_id"] = saleId; container["sede_id"] = sedeId; container["line_no"] = lineNo
        container["item_id"] = itemId; container["description"] = description; container["unit_code"] = unitCode
        container["igv_affectation"] = igvAffectation; container["quantity"] = quantity; container["unit_price"] = unitPrice
        container["discount_percent_bp"] = discountPercentBp; container["discount"] = discount; container["base"] = base
        container["igv"] = igv; container["total"] = total; container["charge_id"] = chargeId; container["pet_id"] = petId
        container["reverses_line_id"] = reversesLineId
    }
}

extension Payment {
    public init(row: Row) throws {
        id = row["id"]; sedeId = row["sede_id"]; saleId = row["sale_id"]; instalmentId = row["instalment_id"]
        method = PaymentMethod.parse(row["method"]); amount = row["amount"]; tendered = row["tendered"]; change = row["change"]
        rounding = row["rounding"]; cardBrand = row["card_brand"]; cardLast4 = row["card_last4"]; authCode = row["auth_code"]
        reference = row["reference"]; posTerminal = row["pos_terminal"]; batch = row["batch"]; operationNumber = row["operation_number"]
        securityCode = row["security_code"]; bank = row["bank"]; cashSessionId = row["cash_session_id"]; authorizedBy = row["authorized_by"]
        userId = row["user_id"]; at = row["at"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id; container["sede_id"] = sedeId; container["sale_id"] = saleId; container["instalment_id"] = instalmentId
        container["method"] = method.rawValue; container["amount"] = amount; container["tendered"] = tendered; container["change"] = change
        container["rounding"] = rounding; container["card_brand"] = cardBrand; container["card_last4"] = cardLast4
        container["auth_code"] = authCode; container["reference"] = reference; container["pos_terminal"] = posTerminal
        container["batch"] = batch; container["operation_number"] = operationNumber; container["security_code"] = securityCode
        container["bank"] = bank; container["cash_session_id"] = cashSessionId; container["authorized_by"] = authorizedBy
        container["user_id"] = userId; container["at"] = at
    }
}
