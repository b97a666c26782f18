/// The content of the QR code SUNAT requires on the printed representation of an electronic
/// document (factura, boleta, nota), so that anyone can check it against SUNAT's records:
///
///     RUC|TIPO|SERIE|NUMERO|MTO IGV|MTO TOTAL|FECHA EMISION|TIPO DOC ADQ|NUM DOC ADQ|DIGEST
///
/// - `RUC`: the issuer's RUC (11 digits).
/// - `TIPO`: catálogo 01 code: `01` factura, `03` boleta, `07` nota de crédito.
/// - `SERIE`: «F001», «B001».
/// - `NUMERO`: the correlativo as a decimal number without leading zeros, as SUNAT's own samples
///   write it in the XML's `cbc:ID` («F001-1»): B001-00000123 is `123`.
/// - `MTO IGV`, `MTO TOTAL`: the IGV and the document's total with two decimals and a dot, no
///   thousands separator and no currency (`18.00`, `1234.50`).
/// - `FECHA EMISION`: `aaaa-mm-dd`.
/// - `TIPO DOC ADQ`, `NUM DOC ADQ`: the customer's catálogo 06 code and number (`1` and the DNI,
///   `6` and the RUC). A boleta to a customer who gave no document carries `0` and `-`: catálogo 06
///   has no «sin documento» code (the old «-» code is gone from `cat_06.xml`), `0` is the code whose
///   number may be any text without spaces (rule 4208), and «-» is the anonymous number the boleta
///   guide names. `anonymousDocType` and `anonymousDocNumber` are those values.
/// - `DIGEST`: the signature's `DigestValue` (base64), after the last `|`.
///
/// Every field is written as given; the values come from the signed XML, which already holds them
/// valid (digits, series letters, base64), so the text is ASCII and never contains a stray `|`.
public enum FiscalQR {
    /// The customer document type of a boleta without a customer document (see the type's notes).
    public static let anonymousDocType = "0"
    /// The customer document number of a boleta without a customer document.
    public static let anonymousDocNumber = "-"

    public static func text(ruc: String, typeCode: String, series: String, number: Int, igv: Money, total: Money,
                            issueDate: CivilDate, customerDocType: String, customerDocNumber: String,
                            digestValue: String) -> String {
        [ruc, typeCode, series, String(number), igv.plain, total.plain, issueDate.iso, customerDocType, customerDocNumber]
            .joined(separator: "|") + "|" + digestValue
    }
}
