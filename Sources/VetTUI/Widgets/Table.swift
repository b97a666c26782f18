/// Rows under column headings with a selected row; arrows, PgUp/PgDn, Home/End move the selection
/// and the view scrolls to keep it visible.
public struct Table: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var title: String
        public var width: Int
        /// The narrowest it gets when the table does not fit (6 unless the column must stay legible).
        public var minWidth: Int
        public init(_ title: String, width: Int, minWidth: Int = 6) {
            self.title = title; self.width = width; self.minWidth = min(width, minWidth)
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    public var selected: Int = 0
    public var offset: Int = 0
    /// Rows drawn highlighted as alerts (e.g. patients with an alert).
    public var alertRows: Set<Int> = []
    private var pageSize = 10

    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    public mutating func setRows(_ newRows: [[String]]) {
        rows = newRows
        selected = min(selected, max(0, rows.count - 1))
        offset = min(offset, selected)
    }

    /// Returns whether the key moved the selection.
    public mutating func update(_ key: Key) -> Bool {
        guard !rows.isEmpty else { return false }
        switch key {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(rows.count - 1, selected + 1)
        case .pageUp: selected = max(0, selected - pageSize)
        case .pageDown: selected = min(rows.count - 1, selected + pageSize)
        case .home: selected = 0
        case .end: selected = rows.count - 1
        default: return false
        }
        return true
    }

    public mutating func layout(height: Int) {
        pageSize = max(1, height - 1)
        if selected < offset { offset = selected }
        if selected >= offset + pageSize { offset = selected - pageSize + 1 }
    }

    /// Column widths that fit `width`: the widest columns give up cells first, each down to its `minWidth`.
    public func fittedWidths(_ width: Int) -> [Int] {
        var widths = columns.map(\.width)
        let gaps = max(0, columns.count - 1)
        while widths.reduce(0, +) + gaps > width,
              let widest = widths.indices.filter({ widths[$0] > columns[$0].minWidth }).max(by: { widths[$0] < widths[$1] }) {
            widths[widest] -= 1
        }
        return widths
    }

    public func render(into canvas: inout Canvas, area: Rect, focused: Bool = true) {
        let widths = fittedWidths(area.width)
        let columns = zip(self.columns, widths).map { Column($0.title, width: $1) }
        var x = area.x
        for column in columns {
            canvas.putPadded(column.title, x: x, y: area.y, width: min(column.width, area.x + area.width - x), style: .header)
            x += column.width + 1
            if x >= area.x + area.width { break }
        }
        let visible = max(0, area.height - 1)
        var first = offset
        if selected >= first + visible { first = selected - visible + 1 }
        if selected < first { first = selected }
        let last = min(rows.count, first + visible)
        for (line, index) in (first..<max(first, last)).enumerated() {
            let style: StyleRole = index == selected && focused ? .selection : (alertRows.contains(index) ? .warning : .normal)
            let y = area.y + 1 + line
            canvas.fill(x: area.x, y: y, width: area.width, height: 1, style: style)
            var cx = area.x
            for (c, column) in columns.enumerated() {
                let w = min(column.width, area.x + area.width - cx)
                if w <= 0 { break }
                canvas.putPadded(c < rows[index].count ? rows[index][c] : "", x: cx, y: y, width: w, style: style)
                cx += column.width + 1
            }
        }
        if rows.count > visible, visible > 0 {
            canvas.put("\(selected + 1)/\(rows.count)", x: area.x + area.width - 12, y: area.y, style: .hint)
        }
    }
}
