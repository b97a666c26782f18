import VetStore

/// One entry of a pet's history opened whole (Enter in the history): every line wrapped to the
/// window, ↑↓ PgUp PgDn scrolling when it is longer than the window. Nothing is ever cut.
public struct EntryDetailScreen: KeyBound {
    let petName: String
    let heading: String
    let lines: [String]
    /// First wrapped row shown.
    var offset = 0

    public init(petName: String, entry: TimelineEntry) {
        self.petName = petName
        heading = entry.kind.label + (entry.status.map { " · " + $0 } ?? "") + " · " + entry.displayTime + " · " + entry.sedeCode + " · " + entry.author
        lines = (entry.mergedPetName.map { ["Registrada para \($0) (fusionada)"] } ?? []) + [entry.summary] + entry.details
    }

    public var title: String { "Historia clínica · \(petName) · detalle" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<EntryDetailScreen>] {
        [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓ PgUp PgDn", label: "Desplazar") { s, key, _ in
                switch key {
                case .up: s.offset = max(0, s.offset - 1)
                case .down: s.offset = min(s.rowLimit, s.offset + 1)
                case .pageUp: s.offset = max(0, s.offset - 10)
                case .pageDown: s.offset = min(s.rowLimit, s.offset + 10)
                case .home: s.offset = 0
                default: s.offset = s.rowLimit
                }
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
            KeyBinding([.enter], hint: nil, label: "Volver") { _, _, _ in .pop },
        ]
    }

    /// The text as rows of at most `width` cells.
    func rows(width: Int) -> [String] {
        let w = max(10, width)
        return lines.flatMap { line in line.isEmpty ? [""] : TextLayout.wrap(line, width: w) }
    }

    /// The most rows any window this screen can draw in (20 columns at least) needs.
    var rowLimit: Int { rows(width: 16).count }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        guard case .key(let key) = event else { return .none }
        return dispatch(key, context) ?? .ignored
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        let width = area.width - 4
        guard width > 0, area.height > 2 else { return }
        canvas.put(heading, x: x, y: area.y + 1, style: .header, maxWidth: width)
        let text = rows(width: width)
        let visible = max(1, area.height - 3)
        let start = max(0, min(offset, text.count - visible))
        for (i, row) in text.dropFirst(start).prefix(visible).enumerated() {
            canvas.put(row, x: x, y: area.y + 2 + i, maxWidth: width)
        }
        if text.count > visible {
            let more = start + visible < text.count ? "↓ sigue (PgDn)" : "fin"
            canvas.put("\(more) · líneas \(start + 1)–\(min(text.count, start + visible)) de \(text.count)", x: x,
                       y: area.y + area.height - 1, style: .hint, maxWidth: width)
        }
    }
}
