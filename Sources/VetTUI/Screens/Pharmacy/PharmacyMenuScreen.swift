import VetCore
import VetStore

/// The pharmacy's less frequent work, one letter each: transfers, replenishment, stocktake, the
/// recall trace and the controlled drugs register.
public struct PharmacyMenuScreen: KeyBound {
    struct Entry: Sendable { let letter: Character; let title: String; let summary: String; let permission: Permission; let make: @Sendable (Session) -> any Screen }

    let session: Session
    var selected = 0

    static let entries: [Entry] = [
        Entry(letter: "r", title: "Recibir mercadería", summary: "Guía o factura del proveedor, lotes y vencimientos", permission: .manageStock,
              make: { ReceiveScreen(session: $0) }),
        Entry(letter: "d", title: "Dispensar recetas", summary: "Recetas de cualquier sede pendientes de entrega", permission: .dispense,
              make: { DispenseScreen(session: $0) }),
        Entry(letter: "a", title: "Alertas", summary: "Vencidos, por vencer, bajo mínimo y stock a regularizar", permission: .viewStock,
              make: { StockAlertsScreen(session: $0) }),
        Entry(letter: "t", title: "Transferencias", summary: "Envíos entre sedes, en tránsito y recepción", permission: .viewStock,
              make: { TransfersScreen(session: $0) }),
        Entry(letter: "p", title: "Reposición", summary: "Pedidos al almacén central (en el almacén: los de todas las sedes)", permission: .viewStock,
              make: { ReplenishmentScreen(session: $0) }),
        Entry(letter: "i", title: "Inventario", summary: "Conteo a ciegas por lote y aprobación de diferencias", permission: .manageStock,
              make: { StocktakeScreen(session: $0) }),
        Entry(letter: "z", title: "Trazabilidad", summary: "Movimientos de un lote y los pacientes a los que llegó", permission: .viewStock,
              make: { TraceScreen(session: $0) }),
        Entry(letter: "c", title: "Libro de controlados", summary: "Registro mensual con saldo, receta, paciente y testigo", permission: .manageStock,
              make: { ControlledRegisterScreen(session: $0) }),
    ]

    public init(session: Session) { self.session = session }

    public var title: String { "Farmacia · Más" }

    var available: [Entry] { Self.entries.filter { session.may($0.permission) } }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<PharmacyMenuScreen>] {
        let session = session, available = available
        return [
            KeyBinding([.up, .down], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.selected = key == .up ? max(0, s.selected - 1) : min(available.count - 1, s.selected + 1)
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Abrir") { s, _, _ in
                available.indices.contains(s.selected) ? .replace(available[s.selected].make(session)) : .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        guard case .key(let key) = event else { return .none }
        if let command = dispatch(key, context) { return command }
        if case .char(let c) = key, let entry = available.first(where: { $0.letter == Character(c.lowercased()) }) {
            return .replace(entry.make(session))
        }
        return .ignored
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        for (i, entry) in available.enumerated() {
            let y = area.y + 1 + i * 2
            canvas.put(" \(entry.letter.uppercased()) ", x: area.x + 2, y: y, style: .key)
            canvas.put(entry.title, x: area.x + 6, y: y, style: i == selected ? .selection : .label)
            canvas.put(entry.summary, x: area.x + 32, y: y, style: .hint, maxWidth: max(0, area.width - 34))
        }
    }
}
