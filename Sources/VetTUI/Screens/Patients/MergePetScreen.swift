import VetCore
import VetStore

/// Supervisor's merge of a duplicate pet into the one it was opened from: pick the duplicate among
/// the owner's other pets, confirm; its history then shows in the kept pet's timeline.
public struct MergePetScreen: KeyBound {
    let session: Session
    let kept: Pet
    var load: LoadState<Loaded>
    var candidates: [Pet] { load.value?.pets ?? [] }
    var table = Table(columns: [Table.Column("Mascota", width: 16), Table.Column("Especie", width: 8), Table.Column("Raza", width: 22),
                                Table.Column("Nacimiento", width: 10), Table.Column("Microchip", width: 16)])
    var confirm: Modal?
    var message: String?

    public init(session: Session, kept: Pet) {
        self.session = session
        self.kept = kept
        let ownerID = kept.ownerId, keptID = kept.id
        load = LoadState { services in Loaded(pets: try services.store.pets(ofOwner: ownerID).filter { $0.id != keptID }) }
    }

    public var title: String { "Fusionar duplicado en \(kept.name)" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<MergePetScreen>] {
        [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            KeyBinding([.enter], hint: "Enter", label: "Fusionar") { s, _, _ in
                guard s.candidates.indices.contains(s.table.selected) else { return .ignored }
                let other = s.candidates[s.table.selected]
                s.confirm = Modal(title: "Fusionar mascotas",
                                  message: ["\(other.name) se fusiona en \(s.kept.name).",
                                            "Su historia clínica pasa a verse en \(s.kept.name); nada se borra."],
                                  confirmLabel: "Fusionar", cancelLabel: "Cancelar")
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    struct Loaded { let pets: [Pet] }
    struct Merged {}

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if var modal = confirm, case .key(let key) = event {
            switch modal.update(key) {
            case .pending: confirm = modal; return .none
            case .cancelled: confirm = nil; return .none
            case .confirmed:
                confirm = nil
                guard candidates.indices.contains(table.selected) else { return .none }
                let keepID = kept.id, mergeID = candidates[table.selected].id, session = self.session
                return .perform { services in
                    try services.store.mergePets(keep: keepID, merge: mergeID, by: session)
                    return Merged()
                }
            }
        }
        if let received = load.receive(event) {
            if case .loaded = received {
                table.setRows(candidates.map { [$0.name, $0.species, $0.breed ?? "", describeDay($0.birthDate), $0.microchip ?? ""] })
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(is Merged):
            return popAndReload("Mascotas fusionadas; nada se perdió")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        canvas.put("Elija la mascota duplicada del mismo propietario:", x: x, y: area.y + 1, style: .label)
        var t = table
        let tableArea = Rect(x: x, y: area.y + 3, width: area.width - 4, height: area.height - 5)
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        if !load.renderPlaceholder(into: &canvas, x: x, y: area.y + 4, width: area.width - 4), candidates.isEmpty {
            canvas.put("El propietario no tiene otras mascotas", x: x, y: area.y + 4, style: .hint)
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        confirm?.render(into: &canvas, area: area)
    }
}
