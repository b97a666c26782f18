import Foundation

/// Names of people, companies and pets: they print on receipts and prescriptions and reach
/// WhatsApp, so only letters (any accent), digits, spaces and the punctuation names use are
/// accepted, and a name too long for them is refused with a message, never cut.
public enum NameRules {
    /// The punctuation a name may carry: «D'Angelo», «Pérez-Albela», «Inversiones S.A.C.», «Hnos. & Cía».
    static let punctuation: Set<Character> = [" ", ".", "'", "’", "-", "&", ",", "(", ")", "/"]

    /// The message for a name longer than `maxLength` characters or with a character it may not
    /// have; `nil` when it is acceptable (an empty name is for the caller to judge).
    public static func problem(_ text: String, maxLength: Int) -> String? {
        let name = text.trimmingCharacters(in: .whitespaces)
        if name.count > maxLength { return "Demasiado largo: \(name.count) caracteres (máximo \(maxLength))" }
        for ch in name where !isAllowed(ch) {
            if ch.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation || $0.properties.isEmoji && $0.value > 0xFF }) {
                return "No se admiten emojis en el nombre"
            }
            if ch.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
                return "No se admiten caracteres de control en el nombre"
            }
            return "Carácter no admitido en el nombre: «\(ch)»"
        }
        return nil
    }

    static func isAllowed(_ ch: Character) -> Bool {
        if punctuation.contains(ch) { return true }
        guard let first = ch.unicodeScalars.first, first.properties.isAlphabetic || first.properties.numericType == .decimal else { return false }
        // Letters with combining accents are one character; anything else riding on them is not a name.
        return ch.unicodeScalars.dropFirst().allSatisfy { $0.properties.generalCategory == .nonspacingMark }
    }
}
