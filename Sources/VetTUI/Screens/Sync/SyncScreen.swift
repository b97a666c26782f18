import Foundation
import VetCore
import VetStore

/// For the supervisor: what central refused from this sede, what this sede could not apply, and
/// the values that lost a simultaneous edit (kept so nothing is silently overwritten).
public struct SyncScreen: KeyBound {
    var table = Table(columns: [Table.Column("Tipo", width: 10), Table.Column("Fecha", width: 16),
                                Table.Column("Tabla", width: 12), Table.Column("Detalle", width: 70)])
    var load = LoadState<Loaded>(SyncScreen.fetch)

    public init() {}

    public var title: String { "Sincronización" }

    struct Loaded { let rows: [[String]]; let rejects: Int; let conflicts: Int }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<SyncScreen>] {
        [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Mover") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let result) = received { table.setRows(result.rows) }
            return .none
        }
        switch event {
        case .dataChanged:
            return load.start()
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        default:
            return .none
        }
    }

    public func onAppear() -> Command { load.firstLoad() }

    static func when(_ iso: String) -> String { LimaTime.parseISO8601(iso).map(LimaTime.dayAndClock) ?? iso }

    static func fetch(_ services: AppServices) throws -> Loaded {
        let rejects = try services.store.syncRejects()
        let conflicts = try services.store.conflicts()
        let rows = rejects.map { ["Rechazo", Self.when($0.at), $0.tbl, "\($0.message) [\($0.code)]"] }
            + conflicts.map { ["Conflicto", Self.when($0.at), $0.tbl, "\($0.col): queda \($0.keptValue ?? "—"), se perdió \($0.lostValue ?? "—")"] }
        return Loaded(rows: rows, rejects: rejects.count, conflicts: conflicts.count)
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let counts = load.value.map { ($0.rejects, $0.conflicts) } ?? (0, 0)
        canvas.put("\(counts.0) rechazos · \(counts.1) conflictos", x: area.x + 1, y: area.y, style: .hint)
        var t = table
        t.layout(height: area.height - 3)
        t.render(into: &canvas, area: Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 3))
        if !load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 2, width: area.width - 4), table.rows.isEmpty {
            canvas.put("Sin rechazos ni conflictos.", x: area.x + 2, y: area.y + 2, style: .hint)
        }
        if let failure = load.reloadFailure { canvas.put(failure, x: area.x + 2, y: area.y + area.height - 1, style: .error) }
    }
}
