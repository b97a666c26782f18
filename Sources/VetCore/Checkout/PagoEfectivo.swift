import Foundation

/// What PagoEfectivo tells a merchant about a CIP (its notification's `eventType`), as the central
/// writes it in `pagoefectivo_events.event`.
public enum PagoEfectivoEvent: String, Sendable, CaseIterable {
    /// The customer paid the CIP (at a bank, an agent or by app).
    case paid = "cip.paid"
    /// The CIP reached its expiry unpaid: it can no longer be paid.
    case expired = "cip.expired"
}

/// Where a PagoEfectivo payment stands at a sede. It counts as paid only once PagoEfectivo's paid
/// notification, verified by the central, has reached the sede; a paid notification wins over an
/// expired one for the same CIP (the customer paid: the money is there).
public enum PagoEfectivoState: Sendable, Equatable {
    /// Recorded at the sede; PagoEfectivo has not answered with a CIP yet (offline, or not asked yet).
    case waitingForCIP
    /// The customer has a CIP to pay until `expiresAt`.
    case pending(cip: String, expiresAt: Date)
    case paid(at: Date)
    case expired

    /// What reception reads: «Esperando CIP», «CIP 2514315, vence el 24/12/2026 23:59», «Pagado el …», «CIP vencido».
    public var label: String {
        switch self {
        case .waitingForCIP: "Esperando CIP de PagoEfectivo"
        case .pending(let cip, let expiresAt): "CIP \(cip), vence el \(LimaTime.dayAndClock(expiresAt))"
        case .paid(let at): "Pagado con PagoEfectivo el \(LimaTime.dayAndClock(at))"
        case .expired: "CIP vencido sin pagar"
        }
    }
}

extension Money {
    /// Reads an exact amount of soles written as a decimal number (`10.5`, `10.50`, `10`,
    /// `10.500`): how PagoEfectivo's JSON carries amounts. Nil for anything else: an exponent, a
    /// sign other than a leading `-`, grouping, or a fraction of a céntimo. Never a `Double`.
    public init?(solesDecimal text: String) {
        var digits = Substring(text)
        let negative = digits.hasPrefix("-")
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        if parts.count == 2 && fraction.isEmpty { return nil }
        guard fraction.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        guard fraction.count <= 2, let soles = Int64(whole) else { return nil }
        let cents = Int64(String(fraction) + String(repeating: "0", count: 2 - fraction.count)) ?? 0
        let (scaled, overflow) = soles.multipliedReportingOverflow(by: 100)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(cents)
        guard !overflow2 else { return nil }
        self.init(centimos: negative ? -total : total)
    }
}

/// Times as PagoEfectivo's API writes them: Lima's wall clock with its offset,
/// `2026-12-24T23:59:59-05:00` (also read with a space for the `T`, with fractions of a second,
/// with `Z` or another offset; without an offset, the time is Lima's).
public enum PagoEfectivoTime {
    /// `date` in Lima, to the second: `2026-12-24T23:59:59-05:00`.
    public static func text(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) + LimaTime.offsetSeconds * 1000
        return String(LimaTime.iso8601(ms: ms).prefix(19)) + "-05:00"
    }

    /// The instant `text` names, or nil when it is not such a time.
    public static func parse(_ text: String) -> Date? {
        var chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard chars.count >= 19, chars.count <= 40 else { return nil }
        if chars[10] == " " { chars[10] = "T" }
        var offsetSeconds = LimaTime.offsetSeconds
        if chars.last == "Z" || chars.last == "z" {
            chars.removeLast()
            offsetSeconds = 0
        } else if chars.count >= 25, chars[chars.count - 3] == ":", chars[chars.count - 6] == "+" || chars[chars.count - 6] == "-" {
            let sign: Int64 = chars[chars.count - 6] == "-" ? -1 : 1
            guard let hours = Int64(String(chars[(chars.count - 5)..<(chars.count - 3)])), let minutes = Int64(String(chars.suffix(2))),
                  hours <= 14, minutes < 60 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
            chars.removeLast(6)
        }
        guard let wall = LimaTime.parseISO8601(String(chars) + "Z") else { return nil }
        return wall.addingTimeInterval(-Double(offsetSeconds))
    }
}
