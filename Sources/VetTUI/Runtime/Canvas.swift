import VetCore

/// An off-screen grid of terminal cells. Screens draw into it; the driver copies it to the
/// terminal, and tests read it as text. Width is counted in cells: `ñ` takes one, `漢` two.
public struct Canvas: Equatable, Sendable {
    public struct Cell: Equatable, Sendable {
        /// The grapheme drawn here; empty for the right half of a wide character.
        public var text: String
        public var style: StyleRole
        public static let blank = Cell(text: " ", style: .normal)
    }

    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should be shown (the focused text field), if anywhere.
    public var cursor: (x: Int, y: Int)?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public static func == (a: Canvas, b: Canvas) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursor?.x == b.cursor?.x && a.cursor?.y == b.cursor?.y
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    public func row(_ y: Int) -> ArraySlice<Cell> { cells[(y * width)..<((y + 1) * width)] }

    /// Fills a rectangle with blanks of a style; whatever lies outside the canvas (or a rectangle of
    /// no size, as a shrinking window makes) is left alone.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: StyleRole) {
        let top = max(0, y), bottom = min(height, y + h)
        let left = max(0, x), right = min(width, x + w)
        guard top < bottom, left < right else { return }
        for row in top..<bottom {
            for col in left..<right { cells[row * width + col] = Cell(text: " ", style: style) }
        }
    }

    /// Writes `text` from (x, y), clipped to `maxWidth` cells and to the canvas. Returns the cells used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for ch in text {
            let w = CellWidth.of(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                cells[y * width + col] = Cell(text: ch == "\t" ? " " : String(ch), style: style)
                if w == 2 { cells[y * width + col + 1] = Cell(text: "", style: style) }
            }
            col += w
        }
        return col - x
    }

    /// Writes `text` padded with blanks to exactly `width` cells (clipped with `…` when longer).
    public mutating func putPadded(_ text: String, x: Int, y: Int, width w: Int, style: StyleRole = .normal) {
        let fitted = CellWidth.fit(text, to: w)
        let used = put(fitted, x: x, y: y, style: style, maxWidth: w)
        if used < w { fill(x: x + used, y: y, width: w - used, height: 1, style: style) }
    }

    /// Writes `text` centred on row `y`.
    public mutating func putCentered(_ text: String, y: Int, style: StyleRole = .normal) {
        let w = CellWidth.of(text)
        put(text, x: max(0, (width - w) / 2), y: y, style: style)
    }

    /// A box border with an optional title.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, title: String? = nil, style: StyleRole = .normal) {
        guard w >= 2, h >= 2 else { return }
        put("┌" + String(repeating: "─", count: w - 2) + "┐", x: x, y: y, style: style)
        for row in (y + 1)..<(y + h - 1) {
            put("│", x: x, y: row, style: style)
            put("│", x: x + w - 1, y: row, style: style)
        }
        put("└" + String(repeating: "─", count: w - 2) + "┘", x: x, y: y + h - 1, style: style)
        if let title, w > 6 { put(" " + CellWidth.fit(title, to: w - 6) + " ", x: x + 2, y: y, style: .header) }
    }

    /// The visible text, one string per row, trailing blanks removed: what a person would read.
    public var lines: [String] {
        (0..<height).map { y in
            var s = ""
            for cell in row(y) { s += cell.text }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
    }

    public var text: String { lines.joined(separator: "\n") }
}

/// Terminal cell widths of characters (measured by VetCore's `TextCells`), and text fitted to them.
public enum CellWidth {
    public static func of(_ ch: Character) -> Int { TextCells.width(of: ch) }

    public static func of(_ text: String) -> Int { TextCells.width(of: text) }

    /// `text` cut to at most `width` cells, ending in `…` when cut.
    public static func fit(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// `text` padded with spaces (or cut) to exactly `width` cells.
    public static func pad(_ text: String, to width: Int) -> String {
        let fitted = fit(text, to: width)
        return fitted + String(repeating: " ", count: max(0, width - of(fitted)))
    }
}
