import VetStore

/// Labelled fields with a message next to each: Enter moves to the next field and submits on the
/// last; Tab/Shift-Tab and the arrows move between fields.
public struct Form: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var id: String
        public var label: String
        public var input: TextField
        public var error: String?
        public var help: String?
        public init(id: String, label: String, input: TextField = TextField(), help: String? = nil) {
            self.id = id; self.label = label; self.input = input; self.help = help
        }
    }

    public enum Action: Equatable { case edited, moved, submit, unhandled }

    public var fields: [Field]
    public var focus: Int = 0
    public var fieldWidth: Int
    /// Rows per field: 2 leaves a blank line between fields; 1 fits long forms in short terminals.
    public var rowsPerField = 2

    public init(fields: [Field], fieldWidth: Int = 30) {
        self.fields = fields
        self.fieldWidth = fieldWidth
    }

    public subscript(id: String) -> String {
        get { fields.first { $0.id == id }?.input.text ?? "" }
        set { if let i = fields.firstIndex(where: { $0.id == id }) { fields[i].input.text = newValue } }
    }

    public mutating func setError(_ id: String, _ message: String?) {
        if let i = fields.firstIndex(where: { $0.id == id }) { fields[i].error = message }
    }

    public mutating func clearErrors() { for i in fields.indices { fields[i].error = nil } }

    public mutating func focus(_ id: String) {
        if let i = fields.firstIndex(where: { $0.id == id }) { focus = i }
    }

    public var hasErrors: Bool { fields.contains { $0.error != nil } }

    public mutating func update(_ key: Key) -> Action {
        guard !fields.isEmpty else { return .unhandled }
        switch key {
        case .enter:
            if focus == fields.count - 1 { return .submit }
            focus += 1
            return .moved
        case .tab, .down:
            focus = (focus + 1) % fields.count
            return .moved
        case .backTab, .up:
            focus = (focus + fields.count - 1) % fields.count
            return .moved
        default:
            if fields[focus].input.handle(key) {
                fields[focus].error = nil
                return .edited
            }
            return .unhandled
        }
    }

    /// The first row of field `index`, counted from the form's top: a text area takes its extra lines.
    public func rowOffset(_ index: Int) -> Int {
        fields.prefix(index).reduce(0) { $0 + $1.input.rows - 1 + rowsPerField }
    }

    /// Rows the form takes with `rowsPerField`.
    public func height(rowsPerField: Int) -> Int {
        fields.reduce(0) { $0 + $1.input.rows - 1 + rowsPerField }
    }

    /// Width of the label column.
    public var labelWidth: Int { (fields.map { CellWidth.of($0.label) }.max() ?? 0) + 2 }

    /// Draws one field per row from (x, y), errors in the error style right of each field. An error
    /// that does not fit there is shown whole on the blank row under its field or, when the fields
    /// have no blank rows between them, under the form (the focused field's first).
    public func render(into canvas: inout Canvas, x: Int, y: Int, width: Int, focused: Bool = true) {
        let lw = labelWidth
        let fw = max(4, min(fieldWidth, width - lw - 1))
        var cut: [String] = []
        for (i, field) in fields.enumerated() {
            let row = y + rowOffset(i)
            canvas.put(field.label, x: x, y: row, style: .label, maxWidth: lw)
            field.input.render(into: &canvas, x: x + lw, y: row, width: fw, focused: focused && i == focus)
            let noteX = x + lw + fw + 2
            let room = max(0, canvas.width - noteX)
            if let error = field.error {
                let note = "✖ " + error
                guard CellWidth.of(note) > room else {
                    canvas.put(note, x: noteX, y: row, style: .error, maxWidth: room)
                    continue
                }
                if room >= 6 { canvas.put(CellWidth.fit(note, to: room), x: noteX, y: row, style: .error, maxWidth: room) }
                if rowsPerField >= 2 {
                    let below = CellWidth.of(note) <= canvas.width - x - lw ? x + lw : x
                    canvas.put(note, x: below, y: row + 1, style: .error, maxWidth: max(0, canvas.width - below))
                } else if i == focus {
                    cut.insert(field.label + ": " + error, at: 0)
                } else {
                    cut.append(field.label + ": " + error)
                }
            } else if let help = field.help, focused && i == focus {
                canvas.put(help, x: noteX, y: row, style: .hint, maxWidth: room)
            }
        }
        let lineWidth = max(10, canvas.width - x - 1)
        let lines = cut.flatMap { TextLayout.wrap("✖ " + $0, width: lineWidth, indent: 2) }
        for (i, line) in lines.prefix(5).enumerated() {
            canvas.put(line, x: x, y: y + fields.count * rowsPerField + i, style: .error, maxWidth: max(0, canvas.width - x))
        }
    }
}
