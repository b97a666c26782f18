/// Terminal cell widths of text, independent of the process locale: `ñ` and `é` take one cell
/// (precomposed or not), a CJK ideograph or an emoji two, a combining mark or a control character
/// none. The screen (VetTUI's canvas) and fixed-width printouts (receipts) measure with it, so a
/// preview and its printout line up the same.
public enum TextCells {
    public static func width(of ch: Character) -> Int {
        guard let scalar = ch.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return ch == "\t" ? 1 : 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    public static func width(of text: some StringProtocol) -> Int { text.reduce(0) { $0 + width(of: $1) } }

    static func isWide(_ v: UInt32) -> Bool {
        (v >= 0x1100 && v <= 0x115F) || (v >= 0x2E80 && v <= 0xA4CF && v != 0x303F) || (v >= 0xAC00 && v <= 0xD7A3)
            || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFE30 && v <= 0xFE4F) || (v >= 0xFF00 && v <= 0xFF60)
            || (v >= 0xFFE0 && v <= 0xFFE6) || (v >= 0x1F300 && v <= 0x1F64F) || (v >= 0x1F900 && v <= 0x1F9FF)
            || (v >= 0x20000 && v <= 0x3FFFD)
    }
}
