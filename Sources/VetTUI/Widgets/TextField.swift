/// A single-line text input, UTF-8 aware (edits whole characters, measures cells), with an
/// optional mask that refuses keys that cannot belong to the value.
public struct TextField: Equatable, Sendable {
    public enum Mask: Equatable, Sendable {
        case none
        /// Only digits, at most `max` of them (DNI: 8, RUC: 11, microchip: 15).
        case digits(max: Int)
        /// Letters and digits, upper-cased (CE, passport), at most `max`.
        case alphanumeric(max: Int)
        /// `dd/mm/aaaa`, slashes inserted as the user types.
        case date
        /// An amount in soles: digits and one `.` or `,`.
        case amount
    }

    public var characters: [Character]
    public var cursor: Int
    public var mask: Mask
    public var secure: Bool
    public var maxLength: Int

    public init(_ text: String = "", mask: Mask = .none, secure: Bool = false, maxLength: Int = 120) {
        characters = Array(text)
        cursor = characters.count
        self.mask = mask
        self.secure = secure
        self.maxLength = maxLength
    }

    public var text: String {
        get { String(characters) }
        set { characters = Array(newValue); cursor = characters.count }
    }

    /// Applies an editing key; returns false when the key is not an editing key for this field.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let ch):
            insert(ch)
            return true
        case .backspace:
            if cursor > 0 {
                characters.remove(at: cursor - 1)
                cursor -= 1
                if mask == .date, cursor > 0, characters[cursor - 1] == "/" , cursor == characters.count {
                    characters.remove(at: cursor - 1)
                    cursor -= 1
                }
            }
            return true
        case .delete:
            if cursor < characters.count { characters.remove(at: cursor) }
            return true
        case .left:
            cursor = max(0, cursor - 1)
            return true
        case .right:
            cursor = min(characters.count, cursor + 1)
            return true
        case .home, .ctrl("a"):
            cursor = 0
            return true
        case .end, .ctrl("e"):
            cursor = characters.count
            return true
        case .ctrl("u"):
            characters.removeAll()
            cursor = 0
            return true
        default:
            return false
        }
    }

    private mutating func insert(_ raw: Character) {
        var ch = raw
        switch mask {
        case .none:
            guard characters.count < maxLength else { return }
        case .digits(let max):
            guard ch.isASCII, ch.isNumber, characters.count < max else { return }
        case .alphanumeric(let max):
            guard ch.isASCII, ch.isLetter || ch.isNumber, characters.count < max else { return }
            ch = Character(ch.uppercased())
        case .date:
            guard ch.isASCII, ch.isNumber || ch == "/", characters.count < 10 else { return }
            if ch == "/" { return }
            if cursor == characters.count, characters.count == 2 || characters.count == 5 {
                characters.append("/")
                cursor += 1
            }
        case .amount:
            guard ch.isASCII, ch.isNumber || ch == "." || ch == ",", characters.count < 15 else { return }
            if (ch == "." || ch == ","), characters.contains(where: { $0 == "." || $0 == "," }) { return }
        }
        characters.insert(ch, at: cursor)
        cursor += 1
    }

    /// Draws the field `width` cells wide at (x, y); sets the canvas cursor when focused.
    public func render(into canvas: inout Canvas, x: Int, y: Int, width: Int, focused: Bool) {
        let shown = secure ? Array(repeating: Character("•"), count: characters.count) : characters
        // Scroll so the cursor stays visible.
        var start = 0
        while CellWidth.of(String(shown[start..<cursor])) >= width, start < cursor { start += 1 }
        let visible = String(shown[start...])
        canvas.putPadded(visible, x: x, y: y, width: width, style: focused ? .fieldFocus : .field)
        if focused {
            canvas.cursor = (x + CellWidth.of(String(shown[start..<cursor])), y)
        }
    }
}
