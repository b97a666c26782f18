import Foundation

/// Problems found in a form, keyed by field id; each message is the Spanish text shown next to the field.
public typealias FieldProblems = [String: String]

/// Phone numbers of Peru: mobiles are 9 digits starting with 9, optionally written with `+51`;
/// landlines are 7 to 9 digits with their area code (`01 4451234`, `054 123456`).
public enum PhoneRules {
    /// The digits of a valid number without `+51`, or `nil`.
    public static func normalize(_ text: String) -> String? {
        var digits = text.filter { !" -().".contains($0) }
        if digits.hasPrefix("+51") { digits.removeFirst(3) } else if digits.hasPrefix("+") { return nil }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        if digits.count == 11, digits.hasPrefix("51"), digits.dropFirst(2).hasPrefix("9") { digits.removeFirst(2) }
        if digits.hasPrefix("9") { return digits.count == 9 ? digits : nil }
        return (7...9).contains(digits.count) ? digits : nil
    }

    public static func problem(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard let digits = normalize(trimmed) else {
            let plain = trimmed.filter(\.isASCIIDigit)
            if plain.hasPrefix("9") || trimmed.hasPrefix("+51 9") || plain.hasPrefix("519") {
                return "El celular tiene 9 dígitos y empieza con 9 (+51 opcional)"
            }
            return "Teléfono no válido: celular de 9 dígitos o fijo con código de ciudad"
        }
        _ = digits
        return nil
    }

    /// `987 654 321` for mobiles; landlines as stored.
    public static func display(_ digits: String) -> String {
        // On bytes: it runs for every row of a day's agenda, and Character slicing is slow.
        let u = digits.utf8
        guard u.count == 9, u.first == UInt8(ascii: "9") else { return digits }
        var out: [UInt8] = []
        out.reserveCapacity(11)
        for (i, b) in u.enumerated() {
            if i == 3 || i == 6 { out.append(UInt8(ascii: " ")) }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

public enum EmailRules {
    public static func problem(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !t.contains(" ") else {
            return "Correo no válido (ej. nombre@gmail.com)"
        }
        return nil
    }
}

/// ISO 11784 microchips: 15 digits.
public enum MicrochipRules {
    public static func problem(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        guard t.count == 15, t.allSatisfy(\.isASCIIDigit) else { return "El microchip tiene 15 dígitos" }
        return nil
    }
}

/// Weights are typed in kilograms (`4,250` or `4.25`) and kept as whole grams.
public enum WeightRules {
    /// Grams for a kilogram amount with up to three decimals, or `nil` when it is not a number.
    public static func grams(fromKilograms text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let whole = Int64(parts[0].isEmpty ? "0" : parts[0]), whole < 10_000 else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard !f.isEmpty || !parts[0].isEmpty, f.count <= 3 else { return nil }
            fraction = Int64(f.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        }
        return whole * 1000 + fraction
    }

    public static func problem(grams: Int64, species: Species) -> String? {
        if grams <= 0 { return "El peso debe ser mayor que cero" }
        let range = species.plausibleGrams
        guard range.contains(grams) else {
            return "Peso imposible para \(species.label.lowercased()): entre \(kilograms(range.lowerBound)) y \(kilograms(range.upperBound)) kg"
        }
        return nil
    }

    /// Problem with a typed kilogram amount for a species; empty is fine when not required.
    public static func problem(_ text: String, species: Species, required: Bool = false) -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return required ? "Ingrese el peso en kg" : nil }
        guard let g = grams(fromKilograms: text) else { return "Peso en kg, p. ej. 4,25" }
        return problem(grams: g, species: species)
    }

    /// `4,25` (kilograms, without trailing zeros).
    public static func kilograms(_ grams: Int64) -> String {
        let whole = grams / 1000, fraction = grams % 1000
        if fraction == 0 { return String(whole) }
        var f = String(format: "%03d", fraction)
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole),\(f)"
    }
}

/// Birth dates are typed `dd/mm/aaaa`; when unknown, an approximate age (`3a`, `8m`, `2a 6m`).
public enum BirthRules {
    public static let maxAgeYears = 40

    public static func problem(_ text: String, today: CivilDate) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return nil }
        guard let date = CivilDate(display: t) else { return "Fecha no válida (dd/mm/aaaa)" }
        if date > today { return "La fecha de nacimiento no puede ser futura" }
        if date < today.adding(months: -maxAgeYears * 12) { return "Fecha de nacimiento de hace más de \(maxAgeYears) años" }
        return nil
    }

    /// Months in an approximate age: `3a`, `3 años`, `8m`, `8 meses`, `2a 6m`, or a bare number of years.
    public static func approximateMonths(_ text: String) -> Int? {
        let t = Ubigeo.fold(text).replacingOccurrences(of: "anos", with: "a").replacingOccurrences(of: "ano", with: "a")
            .replacingOccurrences(of: "meses", with: "m").replacingOccurrences(of: "mes", with: "m").replacingOccurrences(of: " ", with: "")
        guard !t.isEmpty else { return nil }
        if let years = Int(t) { return years >= 0 && years <= maxAgeYears ? years * 12 : nil }
        var months = 0, number = "", sawUnit = false
        for ch in t {
            if ch.isASCIIDigit { number.append(ch); continue }
            guard let n = Int(number), ch == "a" || ch == "m" else { return nil }
            months += ch == "a" ? n * 12 : n
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, months <= maxAgeYears * 12 else { return nil }
        return months
    }

    public static func ageProblem(_ text: String) -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        return approximateMonths(text) == nil ? "Edad aproximada: 3a, 8m o 2a 6m (hasta \(maxAgeYears) años)" : nil
    }

    /// `3 años 2 meses` from a birth date to `today`.
    public static func ageText(birth: CivilDate, today: CivilDate) -> String {
        let months = max(0, birth.months(until: today))
        let y = months / 12, m = months % 12
        if y == 0 { return m == 1 ? "1 mes" : "\(m) meses" }
        let years = y == 1 ? "1 año" : "\(y) años"
        return m == 0 ? years : years + (m == 1 ? " 1 mes" : " \(m) meses")
    }
}

/// Limits of the physical exam; values outside them are typing mistakes, not patients.
public enum VitalRules {
    /// Tenths of a degree Celsius for `38,5`.
    public static func tenths(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        if parts.count == 1 { return whole * 10 }
        guard parts[1].count == 1, let f = Int(parts[1]) else { return nil }
        return whole * 10 + f
    }

    public static let temperatureTenths = 300...450
    public static let heartRate = 10...400
    public static let respiratoryRate = 4...200
    public static let capillaryRefillSeconds = 0...10
    public static let bodyCondition = 1...9
    public static let mucousOptions = ["rosadas", "pálidas", "cianóticas", "ictéricas", "congestivas", "secas"]

    public static func temperatureProblem(_ text: String) -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let t = tenths(text), temperatureTenths.contains(t) else { return "Temperatura en °C entre 30,0 y 45,0" }
        return nil
    }

    public static func integerProblem(_ text: String, range: ClosedRange<Int>, what: String) -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(n) else {
            return "\(what) entre \(range.lowerBound) y \(range.upperBound)"
        }
        return nil
    }
}
