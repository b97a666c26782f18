import Foundation
import VetCore
import VetStore

/// Shown at sign-in when this user left consultations typed and unsaved (the window closed, the
/// program was ended, another user took over the locked terminal): Enter takes one up again where
/// it was left, D discards it after asking, Esc leaves them for the next sign-in.
public struct RecoveryScreen: KeyBound {
    let session: Session
    var load: LoadState<Loaded>
    var rows: [ClinicalRecovery] { load.value?.rows ?? [] }
    var table = Table(columns: [Table.Column("Guardada", width: 16), Table.Column("Mascota", width: 16), Table.Column("Motivo", width: 40)])
    var confirm: Modal?
    var message: String?

    public init(session: Session) {
        self.session = session
        let userID = session.userID
        load = LoadState { services in Loaded(rows: try services.store.recoveries(userID: userID)) }
    }

    public var title: String { "Consultas sin terminar" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<RecoveryScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Retomar") { s, _, _ in
                guard let row = s.selected else { return .none }
                return .perform { services in
                    guard let pet = try services.store.pet(id: row.petID) else { throw StoreError.invalid("La mascota ya no existe") }
                    return Open(pet: pet, consultation: try row.consultationID.flatMap { try services.store.consultation(id: $0) }, recovery: row)
                }
            },
            KeyBinding(letter: "d", label: "Descartar") { s, _, _ in
                guard let row = s.selected else { return .none }
                s.confirm = Modal(title: "Descartar lo escrito", message: ["Consulta de \(row.petName): «\(row.input.reason)».",
                                                                           "Lo escrito se pierde. ¿Lo descarta?"],
                                  confirmLabel: "Descartar", cancelLabel: "Conservar")
                return .none
            },
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Después") { _, _, _ in
                .batch([.pop, .toast("Quedan para su próximo ingreso", .info)])
            },
        ]
    }

    struct Loaded { let rows: [ClinicalRecovery] }
    struct Open { let pet: Pet; let consultation: Consultation?; let recovery: ClinicalRecovery }

    public func onAppear() -> Command { load.firstLoad() }

    var selected: ClinicalRecovery? { rows.indices.contains(table.selected) ? rows[table.selected] : nil }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if var modal = confirm, case .key(let key) = event {
            switch modal.update(key) {
            case .pending: confirm = modal; return .none
            case .cancelled: confirm = nil; return .none
            case .confirmed:
                confirm = nil
                guard let row = selected else { return .none }
                return .perform { services in
                    try services.store.dropRecovery(id: row.id)
                    return ReloadRequest()
                }
            }
        }
        if let received = load.receive(event) {
            guard case .loaded = received else { return .none }
            if rows.isEmpty { return .pop }
            table.setRows(rows.map { r in
                [LimaTime.parseISO8601(r.savedAt).map(LimaTime.dayAndClock) ?? r.savedAt, r.petName, r.input.reason]
            })
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(let open as Open):
            return .push(ClinicalFormScreen(session: session, pet: open.pet, kind: .consultation, correcting: open.consultation, restoring: open.recovery))
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
        let x = area.x + 2
        let width = area.width - 4
        guard width > 0 else { return }
        canvas.put("Quedaron consultas escritas sin guardar (se cerró la ventana, se salió o se cambió de usuario).",
                   x: x, y: area.y + 1, style: .warning, maxWidth: width)
        canvas.put("Enter la retoma tal como quedó; D la descarta; Esc las deja para después.", x: x, y: area.y + 2, style: .hint, maxWidth: width)
        var t = table
        let tableArea = Rect(x: x, y: area.y + 4, width: width, height: max(2, area.height - 6))
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        load.renderPlaceholder(into: &canvas, x: x, y: area.y + 5, width: width)
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}
