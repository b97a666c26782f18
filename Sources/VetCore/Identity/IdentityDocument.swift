/// Identity documents accepted for owners and customers in Peru.
public enum DocumentType: String, CaseIterable, Sendable, Codable {
    case dni
    case ruc
    case ce
    case pasaporte

    public var label: String {
        switch self {
        case .dni: "DNI"
        case .ruc: "RUC"
        case .ce: "CE"
        case .pasaporte: "Pasaporte"
        }
    }

    /// SUNAT catálogo 06 code.
    public var sunatCode: String {
        switch self {
        case .dni: "1"
        case .ruc: "6"
        case .ce: "4"
        case .pasaporte: "7"
        }
    }
}

/// Validation of document numbers; each failure carries the Spanish message shown next to the field.
public enum DocumentValidation {
    public static let rucPrefixes: Set<String> = ["10", "15", "16", "17", "20"]

    /// `nil` when valid, else the message for the user.
    public static func problem(type: DocumentType, number: String) -> String? {
        switch type {
        case .dni: return dniProblem(number)
        case .ruc: return rucProblem(number)
        case .ce: return ceProblem(number)
        case .pasaporte: return passportProblem(number)
        }
    }

    public static func dniProblem(_ number: String) -> String? {
        guard number.count == 8, number.allSatisfy(\.isASCIIDigit) else { return "El DNI tiene 8 dígitos" }
        return nil
    }

    public static func rucProblem(_ number: String) -> String? {
        guard number.count == 11, number.allSatisfy(\.isASCIIDigit) else { return "El RUC tiene 11 dígitos" }
        guard rucPrefixes.contains(String(number.prefix(2))) else { return "El RUC debe empezar con 10, 15, 16, 17 o 20" }
        guard rucCheckDigit(String(number.prefix(10))) == number.last?.wholeNumberValue else {
            return "RUC no válido (dígito verificador)"
        }
        return nil
    }

    /// The check digit of a RUC's first ten digits: weights 5,4,3,2,7,6,5,4,3,2;
    /// 11 − (sum mod 11), where 10 becomes 0 and 11 becomes 1.
    public static func rucCheckDigit(_ firstTen: String) -> Int? {
        let weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        let digits = firstTen.compactMap(\.wholeNumberValue)
        guard digits.count == 10 else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let r = 11 - sum % 11
        return r == 10 ? 0 : (r == 11 ? 1 : r)
    }

    public static func ceProblem(_ number: String) -> String? {
        guard !number.isEmpty, number.count <= 12, number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return "El CE es alfanumérico de hasta 12 caracteres"
        }
        return nil
    }

    public static func passportProblem(_ number: String) -> String? {
        guard number.count >= 5, number.count <= 15, number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return "El pasaporte es alfanumérico de 5 a 15 caracteres"
        }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
