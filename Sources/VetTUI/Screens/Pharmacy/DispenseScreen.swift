import VetCore
import VetStore

/// Prescriptions waiting to be dispensed, from any sede: one row per catalog line still owed.
/// Enter asks how much to give now (all that remains, by default) and dispenses it FEFO; the
/// prescription then shows what was dispensed, where and when.
public struct DispenseScreen: KeyBound {
    struct Row { let prescription: DispensablePrescription; let line: DispensablePrescription.Line }

    let session: Session
    var load: LoadState<[DispensablePrescription]>
    var table = Table(columns: [Table.Column("Fecha", width: 10), Table.Column("Mascota", width: 14), Table.Column("Propietario", width: 24, minWidth: 14),
                                Table.Column("Producto", width: 32, minWidth: 16), Table.Column("Recetado", width: 8),
                                Table.Column("Dado", width: 6), Table.Column("Falta", width: 6), Table.Column("Sede", width: 6)])
    var rows: [Row] = []
    /// The quantity being typed for the selected line, with the act's id made when it was opened.
    var asking: (field: TextField, actID: String)?
    var message: String?

    struct Dispensed { let name: String; let quantity: Int64; let uncovered: Int64 }

    public init(session: Session) {
        self.session = session
        load = LoadState { services in try services.store.prescriptionsToDispense() }
    }

    public var title: String { "Farmacia · Recetas por dispensar" }

    var selected: Row? { rows.indices.contains(table.selected) ? rows[table.selected] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<DispenseScreen>] {
        if asking != nil {
            return [
                KeyBinding([.enter], hint: "Enter", label: "Dispensar") { s, _, _ in s.dispense() },
                KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, _, _ in s.asking = nil; return .none },
            ]
        }
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Dispensar", enabled: selected != nil) { s, _, _ in
                guard let row = s.selected else { return .none }
                s.asking = (TextField(String(row.line.remaining), maxLength: 12), UUIDv7Generator().make())
                s.message = nil
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    mutating func dispense() -> Command {
        guard let row = selected, let asking else { return .none }
        let quantity: Int64
        do { quantity = try StockRules.quantity(asking.field.text, unit: row.line.item.baseUnit) } catch {
            message = "\(error)"
            return .none
        }
        let session = session, lineID = row.line.prescriptionItemID, name = row.line.item.name
        return .perform { services in
            let outcome = try services.store.dispense(actID: asking.actID, prescriptionItemID: lineID, quantity: quantity, by: session)
            return Dispensed(name: name, quantity: quantity, uncovered: outcome.uncovered)
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let list) = received {
                rows = list.flatMap { p in p.lines.filter { $0.remaining > 0 }.map { Row(prescription: p, line: $0) } }
                table.setRows(rows.map { r in
                    [LimaTime.parseISO8601(r.prescription.createdAt).map(LimaTime.day) ?? "", r.prescription.petName, r.prescription.ownerName,
                     r.line.item.name, String(r.line.prescribed), String(r.line.prescribed - r.line.remaining), String(r.line.remaining),
                     r.prescription.sedeCode]
                })
                table.alertRows = Set(rows.indices.filter { rows[$0].line.item.controlled })
            }
            return .none
        }
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            if var open = asking {
                if open.field.handle(key) { asking = open; message = nil }
                return .none
            }
            return .ignored
        case .message(let done as Dispensed):
            asking = nil
            var text = "Dispensado: \(done.quantity) de \(done.name)"
            if done.uncovered > 0 { text += " (\(done.uncovered) sin stock registrado: queda por regularizar)" }
            return .batch([.toast(text, done.uncovered > 0 ? .warning : .ok), load.start()])
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        var t = table
        t.layout(height: area.height - 5)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 5))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && rows.isEmpty {
            canvas.put("No hay recetas por dispensar", x: x + 1, y: area.y + 3, style: .hint)
        }
        if let row = selected {
            var detail = "\(row.line.drug) · \(row.line.dose) · receta de \(row.prescription.vetName)"
            if row.line.item.controlled { detail += " · CONTROLADO" }
            canvas.put(detail, x: x, y: area.y + area.height - 3, style: row.line.item.controlled ? .warning : .hint, maxWidth: area.width - 2)
        }
        if let asking, let row = selected {
            canvas.put("Cantidad a dispensar (\(row.line.item.baseUnit), quedan \(row.line.remaining)):", x: x, y: area.y + area.height - 2, style: .label)
            asking.field.render(into: &canvas, x: x + 52, y: area.y + area.height - 2, width: 12, focused: true)
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
