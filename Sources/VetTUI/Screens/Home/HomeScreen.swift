import VetCore
import VetStore

/// The first screen after signing in: what this user's roles may open at this sede.
public struct HomeScreen: Screen {
    let session: Session
    let entries: [CatalogEntry]
    var selected = 0

    public init(session: Session) {
        self.session = session
        self.entries = Catalog.available(to: session)
    }

    public var title: String { "Inicio · \(session.mainRole.label)" }
    public var hints: [(key: String, label: String)] {
        [("↑↓", "Elegir"), ("Enter", "Abrir")] + entries.compactMap { e in e.functionKey.map { ("F\($0)", e.title) } } + [("Esc", "Cerrar sesión")]
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        guard case .key(let key) = event else { return .none }
        switch key {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(max(0, entries.count - 1), selected + 1)
        case .enter:
            if entries.indices.contains(selected) { return .push(entries[selected].make(session)) }
        case .escape:
            return .signOut
        case .char(let c):
            if let entry = entries.first(where: { $0.letter == Character(c.lowercased()) }) { return .push(entry.make(session)) }
            return .ignored
        default:
            return .ignored
        }
        return .none
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        var y = area.y + 1
        canvas.put("Bienvenido, \(session.fullName)", x: x, y: y, style: .header)
        y += 1
        let roles = session.roles.map(\.label).joined(separator: ", ")
        canvas.put("Roles en \(session.sede.code): \(roles)", x: x, y: y, style: .hint, maxWidth: area.width - 4)
        y += 2
        canvas.put("Puede abrir:", x: x, y: y, style: .label)
        y += 1
        for (i, entry) in entries.enumerated() where y < area.y + area.height {
            let style: StyleRole = i == selected ? .selection : .normal
            canvas.fill(x: x, y: y, width: min(area.width - 4, 76), height: 1, style: style)
            let key = entry.functionKey.map { "F\($0)" } ?? String(entry.letter).uppercased()
            canvas.put(" " + CellWidth.pad(key, to: 4), x: x, y: y, style: i == selected ? .selection : .key)
            canvas.put(CellWidth.fit(CellWidth.pad(entry.title, to: 22) + " " + entry.summary, to: min(area.width - 10, 70)),
                       x: x + 6, y: y, style: style)
            y += 1
        }
    }
}
