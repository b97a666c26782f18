import Foundation
import VetCore
import VetStore

/// For the supervisor: what central refused from this sede, what this sede could not apply, and
/// the values that lost a simultaneous edit (kept so nothing is silently overwritten).
public struct SyncScreen: Screen {
    var table = Table(columns: [Table.Column("Tipo", width: 10), Table.Column("Fecha", width: 16),
                                Table.Column("Tabla", width: 12), Table.Column("Detalle", width: 70)])
    var loaded = false
    var message: String?
    var counts = (rejects: 0, conflicts: 0)

    public init() {}

    public var title: String { "Sincronización" }
    public var hints: [(key: String, label: String)] { [("↑↓", "Mover"), ("Esc", "Volver")] }

    struct Loaded { let rows: [[String]]; let rejects: Int; let conflicts: Int }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .dataChanged:
            return load()
        case .key(let key):
            return table.update(key) ? .none : .ignored
        case .message(let result as Loaded):
            loaded = true
            counts = (result.rejects, result.conflicts)
            table.setRows(result.rows)
            return .none
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func onAppear() -> Command { load() }

    static func when(_ iso: String) -> String { LimaTime.parseISO8601(iso).map(LimaTime.dayAndClock) ?? iso }

    func load() -> Command {
        .perform { services in
            let rejects = try services.store.syncRejects()
            let conflicts = try services.store.conflicts()
            let rows = rejects.map { ["Rechazo", Self.when($0.at), $0.tbl, "\($0.message) [\($0.code)]"] }
                + conflicts.map { ["Conflicto", Self.when($0.at), $0.tbl, "\($0.col): queda \($0.keptValue ?? "—"), se perdió \($0.lostValue ?? "—")"] }
            return Loaded(rows: rows, rejects: rejects.count, conflicts: conflicts.count)
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        canvas.put("\(counts.rejects) rechazos · \(counts.conflicts) conflictos", x: area.x + 1, y: area.y, style: .hint)
        var t = table
        t.layout(height: area.height - 3)
        t.render(into: &canvas, area: Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 3))
        if !loaded { canvas.put("Cargando…", x: area.x + 2, y: area.y + 2, style: .hint) }
        if loaded && table.rows.isEmpty { canvas.put("Sin rechazos ni conflictos.", x: area.x + 2, y: area.y + 2, style: .hint) }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error) }
    }
}
