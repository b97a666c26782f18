/// The leyenda of a document's total in words, as Peruvian comprobantes print it:
/// «SON: CIENTO DIECIOCHO CON 00/100 SOLES».
public enum AmountInWords {
    public static func leyenda(_ amount: Money) -> String { "SON: " + words(amount) }

    /// «CIENTO DIECIOCHO CON 00/100 SOLES»: what the XML's leyenda (Note 1000) carries.
    public static func words(_ amount: Money) -> String {
        let magnitude = amount.centimos.magnitude
        let soles = magnitude / 100
        let cents = magnitude % 100
        return "\(amount.centimos < 0 ? "MENOS " : "")\(spell(soles)) CON \(cents < 10 ? "0" : "")\(cents)/100 SOLES"
    }

    /// A whole number in Spanish words, upper case («VEINTIUNO», «MIL DOSCIENTOS», «UN MILLÓN»).
    public static func spell(_ n: UInt64) -> String {
        if n == 0 { return "CERO" }
        return group(n, apocope: false)
    }

    private static let units = ["", "UNO", "DOS", "TRES", "CUATRO", "CINCO", "SEIS", "SIETE", "OCHO", "NUEVE",
                                "DIEZ", "ONCE", "DOCE", "TRECE", "CATORCE", "QUINCE", "DIECISÉIS", "DIECISIETE",
                                "DIECIOCHO", "DIECINUEVE", "VEINTE", "VEINTIUNO", "VEINTIDÓS", "VEINTITRÉS",
                                "VEINTICUATRO", "VEINTICINCO", "VEINTISÉIS", "VEINTISIETE", "VEINTIOCHO", "VEINTINUEVE"]
    private static let tens = ["", "", "", "TREINTA", "CUARENTA", "CINCUENTA", "SESENTA", "SETENTA", "OCHENTA", "NOVENTA"]
    private static let hundreds = ["", "CIENTO", "DOSCIENTOS", "TRESCIENTOS", "CUATROCIENTOS", "QUINIENTOS",
                                   "SEISCIENTOS", "SETECIENTOS", "OCHOCIENTOS", "NOVECIENTOS"]

    /// `apocope`: the number is followed by MIL or MILLÓN, so «UNO» becomes «UN» («VEINTIÚN MIL»).
    private static func group(_ n: UInt64, apocope: Bool) -> String {
        let scales: [(UInt64, String, String)] = [
            (1_000_000_000_000, "BILLÓN", "BILLONES"),
            (1_000_000, "MILLÓN", "MILLONES"),
        ]
        for (scale, one, many) in scales where n >= scale {
            let high = n / scale
            let rest = n % scale
            let head = high == 1 ? "UN \(one)" : "\(group(high, apocope: true)) \(many)"
            return rest == 0 ? head : head + " " + group(rest, apocope: apocope)
        }
        if n >= 1000 {
            let high = n / 1000
            let rest = n % 1000
            let head = high == 1 ? "MIL" : "\(belowThousand(high, apocope: true)) MIL"
            return rest == 0 ? head : head + " " + belowThousand(rest, apocope: apocope)
        }
        return belowThousand(n, apocope: apocope)
    }

    private static func belowThousand(_ n: UInt64, apocope: Bool) -> String {
        if n == 100 { return "CIEN" }
        let h = Int(n / 100)
        let rest = Int(n % 100)
        var parts: [String] = []
        if h > 0 { parts.append(hundreds[h]) }
        if rest > 0 {
            var words: String
            if rest < 30 {
                words = units[rest]
                if apocope && rest == 1 { words = "UN" }
                if apocope && rest == 21 { words = "VEINTIÚN" }
            } else {
                words = tens[rest / 10]
                let u = rest % 10
                if u > 0 { words += " Y " + (apocope && u == 1 ? "UN" : units[u]) }
            }
            parts.append(words)
        }
        return parts.joined(separator: " ")
    }
}
