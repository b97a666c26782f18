/// An amount of Peruvian soles held as whole céntimos. Never a floating-point value.
///
/// Encoded (JSON, database) as the plain integer of céntimos. Arithmetic that would leave Int64
/// throws `MoneyOverflow` instead of trapping: there is no `+` that can crash the program.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var centimos: Int64

    public init(centimos: Int64) { self.centimos = centimos }
    public init(soles: Int64) throws(MoneyOverflow) {
        let (c, overflow) = soles.multipliedReportingOverflow(by: 100)
        if overflow { throw MoneyOverflow() }
        self.centimos = c
    }

    public static let zero = Money(centimos: 0)

    public func adding(_ other: Money) throws(MoneyOverflow) -> Money {
        let (c, overflow) = centimos.addingReportingOverflow(other.centimos)
        if overflow { throw MoneyOverflow() }
        return Money(centimos: c)
    }

    public func subtracting(_ other: Money) throws(MoneyOverflow) -> Money {
        let (c, overflow) = centimos.subtractingReportingOverflow(other.centimos)
        if overflow { throw MoneyOverflow() }
        return Money(centimos: c)
    }

    public func multiplied(by n: Int64) throws(MoneyOverflow) -> Money {
        let (c, overflow) = centimos.multipliedReportingOverflow(by: n)
        if overflow { throw MoneyOverflow() }
        return Money(centimos: c)
    }

    public func negated() throws(MoneyOverflow) -> Money { try Money.zero.subtracting(self) }

    /// The total of `amounts`, or `MoneyOverflow` if it leaves Int64 at any step.
    public static func sum(_ amounts: some Sequence<Money>) throws(MoneyOverflow) -> Money {
        var total = Money.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    public static func < (a: Money, b: Money) -> Bool { a.centimos < b.centimos }

    public init(from decoder: any Decoder) throws {
        self.init(centimos: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(centimos)
    }

    /// `S/ 1,234.50`; negative amounts as `-S/ 1,234.50`.
    public var formatted: String {
        let negative = centimos < 0
        let magnitude = centimos.magnitude
        let soles = String(magnitude / 100)
        let cents = magnitude % 100
        var grouped = ""
        for (i, ch) in soles.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { grouped.append(",") }
            grouped.append(ch)
        }
        let body = "S/ " + String(grouped.reversed()) + "." + (cents < 10 ? "0" : "") + String(cents)
        return negative ? "-" + body : body
    }

    /// The amount without currency, as typed back into a field: `1234.50`.
    public var plain: String {
        let magnitude = centimos.magnitude
        let cents = magnitude % 100
        return (centimos < 0 ? "-" : "") + String(magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    public var description: String { formatted }
}

/// An amount too large for Int64 céntimos (about 92 billion billion soles): an error a person is
/// shown, never a crash.
public struct MoneyOverflow: Error, Equatable, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "Monto demasiado grande" }
}

public enum MoneyParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalid
    case tooManyDecimals
    case tooLarge

    public var description: String {
        switch self {
        case .empty: "Ingrese un monto"
        case .invalid: "Monto no válido"
        case .tooManyDecimals: "El monto admite como máximo 2 decimales"
        case .tooLarge: "Monto demasiado grande"
        }
    }
}

extension Money {
    /// Parses what a cashier types: `12`, `12.5`, `12,50`, `1,234.50`, `1.234,50`, `S/ 12`, `-3`.
    /// When both separators appear, the last one is the decimal mark. A lone comma followed by
    /// exactly three digits groups thousands; otherwise a lone separator is the decimal mark.
    public static func parse(_ input: String) throws(MoneyParseError) -> Money {
        var text = input.trimmingSpaces()
        if text.hasPrefix("S/") { text = String(text.dropFirst(2)).trimmingSpaces() }
        var negative = false
        if text.hasPrefix("-") { negative = true; text = String(text.dropFirst()).trimmingSpaces() }
        if text.hasPrefix("S/") { text = String(text.dropFirst(2)).trimmingSpaces() }
        guard !text.isEmpty else { throw .empty }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else { throw .invalid }

        let lastDot = text.lastIndex(of: ".")
        let lastComma = text.lastIndex(of: ",")
        var decimalMark: Character? = nil
        switch (lastDot, lastComma) {
        case (nil, nil): decimalMark = nil
        case (.some(let d), .some(let c)): decimalMark = d > c ? "." : ","
        case (.some, nil):
            decimalMark = text.filter { $0 == "." }.count == 1 ? "." : nil
        case (nil, .some(let c)):
            let after = text[text.index(after: c)...]
            let single = text.filter { $0 == "," }.count == 1
            decimalMark = (single && after.count != 3) ? "," : nil
        }

        var integerPart = Substring(text)
        var fraction = Substring("")
        if let mark = decimalMark, let at = text.lastIndex(of: mark) {
            integerPart = text[..<at]
            fraction = text[text.index(after: at)...]
        }
        let groupMark: Character? = decimalMark == "." ? "," : (decimalMark == "," ? "." : nil)
        // Thousands groups: the separator that is not the decimal mark, in groups of three.
        let groups = integerPart.split(separator: groupMark ?? (text.contains(",") ? "," : "."), omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard let first = groups.first, !first.isEmpty, first.count <= 3,
                  groups.dropFirst().allSatisfy({ $0.count == 3 }) else { throw .invalid }
        }
        let digits = groups.joined()
        guard digits.allSatisfy(\.isNumber), fraction.allSatisfy(\.isNumber) else { throw .invalid }
        guard !(digits.isEmpty && fraction.isEmpty) else { throw .invalid }
        guard fraction.count <= 2 else { throw .tooManyDecimals }
        guard digits.count <= 13 else { throw .tooLarge }
        let soles = Int64(digits.isEmpty ? "0" : digits) ?? 0
        var cents = Int64(fraction.isEmpty ? "0" : String(fraction)) ?? 0
        if fraction.count == 1 { cents *= 10 }
        let total = soles * 100 + cents
        return Money(centimos: negative ? -total : total)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
