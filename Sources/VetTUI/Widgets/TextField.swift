/// A text input, UTF-8 aware (edits whole characters, measures cells), with an optional mask that
/// refuses keys that cannot belong to the value. One line by default; with `rows` > 1 it is a text
/// area that wraps the text at spaces over that many lines and scrolls to keep the cursor in view.
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
    /// Lines on screen: 1 for a field, more for a text area.
    public var rows: Int

    public init(_ text: String = "", mask: Mask = .none, secure: Bool = false, maxLength: Int = 120, rows: Int = 1) {
        characters = Array(text)
        cursor = characters.count
        self.mask = mask
        self.secure = secure
        self.maxLength = maxLength
        self.rows = max(1, rows)
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

    /// Where each line of a text area starts, wrapping `text` at spaces (or anywhere in a word
    /// longer than the line) so no line is wider than `width` cells; a newline always breaks.
    static func lineStarts(_ text: [Character], width: Int) -> [Int] {
        var starts = [0]
        var lineWidth = 0
        var lastSpace: Int?
        var i = 0
        while i < text.count {
            let ch = text[i]
            if ch == "\n" {
                starts.append(i + 1); lineWidth = 0; lastSpace = nil; i += 1
                continue
            }
            let w = CellWidth.of(String(ch))
            if lineWidth + w > width && i > starts[starts.count - 1] {
                if let space = lastSpace, space + 1 > starts[starts.count - 1] {
                    starts.append(space + 1)
                    lineWidth = CellWidth.of(String(text[(space + 1)..<i]))
                } else {
                    starts.append(i)
                    lineWidth = 0
                }
                lastSpace = nil
            }
            if ch == " " { lastSpace = i }
            lineWidth += w
            i += 1
        }
        return starts
    }

    /// Draws the field `width` cells wide (and `rows` lines high) at (x, y); sets the canvas cursor when focused.
    public func render(into canvas: inout Canvas, x: Int, y: Int, width: Int, focused: Bool) {
        if rows > 1 && !secure {
            renderArea(into: &canvas, x: x, y: y, width: width, focused: focused)
            return
        }
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

    func renderArea(into canvas: inout Canvas, x: Int, y: Int, width: Int, focused: Bool) {
        let starts = Self.lineStarts(characters, width: width)
        let cursorLine = (starts.lastIndex { $0 <= cursor }) ?? 0
        let first = max(0, min(cursorLine - rows + 1, starts.count - rows))
        for row in 0..<rows {
            let line = first + row
            var text = ""
            if line < starts.count {
                let end = line + 1 < starts.count ? starts[line + 1] : characters.count
                text = String(characters[starts[line]..<end]).replacingOccurrences(of: "\n", with: "")
            }
            canvas.putPadded(text, x: x, y: y + row, width: width, style: focused ? .fieldFocus : .field)
        }
        if focused {
            let start = starts[cursorLine]
            let column = CellWidth.of(String(characters[start..<cursor]).replacingOccurrences(of: "\n", with: ""))
            canvas.cursor = (x + min(column, width - 1), y + cursorLine - first)
        }
    }
}
