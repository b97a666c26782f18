import VetCore
import VetStore

/// The first screen after signing in: what this user's roles may open at this sede.
public struct HomeScreen: KeyBound {
    let session: Session
    let entries: [CatalogEntry]
    var selected = 0

    public init(session: Session) {
        self.session = session
        self.entries = Catalog.available(to: session)
    }

    public var title: String { "Inicio · \(session.mainRole.label)" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<HomeScreen>] {
        let session = session
        return [
            KeyBinding([.up, .down], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.selected = key == .up ? max(0, s.selected - 1) : min(max(0, s.entries.count - 1), s.selected + 1)
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Abrir") { s, _, _ in
                s.entries.indices.contains(s.selected) ? .push(s.entries[s.selected].make(session)) : .none
            },
        ] + entries.compactMap { entry in
            entry.functionKey.map { n in KeyBinding([.function(n)], hint: "F\(n)", label: entry.title) { _, _, _ in .push(entry.make(session)) } }
        } + [
            KeyBinding([.escape], hint: "Esc", label: "Cerrar sesión") { _, _, _ in .signOut },
        ] + entries.map { entry in
            KeyBinding(letter: entry.letter, label: entry.title) { _, _, _ in .push(entry.make(session)) }.unlisted()
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        guard case .key(let key) = event else { return .none }
        return dispatch(key, context) ?? .ignored
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
