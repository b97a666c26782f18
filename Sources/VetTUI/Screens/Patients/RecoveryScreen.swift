import Foundation
import VetCore
import VetStore

/// Shown at sign-in when this user left consultations typed and unsaved (the window closed, the
/// program was ended, another user took over the locked terminal): Enter takes one up again where
/// it was left, D discards it after asking, Esc leaves them for the next sign-in.
public struct RecoveryScreen: Screen {
    let session: Session
    var rows: [ClinicalRecovery] = []
    var table = Table(columns: [Table.Column("Guardada", width: 16), Table.Column("Mascota", width: 16), Table.Column("Motivo", width: 40)])
    var confirm: Modal?
    var message: String?

    public init(session: Session) { self.session = session }

    public var title: String { "Consultas sin terminar" }
    public var hints: [(key: String, label: String)] {
        [("Enter", "Retomar"), ("D", "Descartar"), ("↑↓", "Elegir"), ("Esc", "Después")]
    }

    struct Loaded { let rows: [ClinicalRecovery] }
    struct Open { let pet: Pet; let consultation: Consultation?; let recovery: ClinicalRecovery }

    public func onAppear() -> Command { load() }

    func load() -> Command {
        let userID = session.userID
        return .perform { services in Loaded(rows: try services.store.recoveries(userID: userID)) }
    }

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
        switch event {
        case .key(let key):
            if table.update(key) { return .none }
            switch key {
            case .enter:
                guard let row = selected else { return .none }
                return .perform { services in
                    guard let pet = try services.store.pet(id: row.petID) else { throw StoreError.notFound("La mascota ya no existe") }
                    return Open(pet: pet, consultation: try row.consultationID.flatMap { try services.store.consultation(id: $0) }, recovery: row)
                }
            case .char(let c) where c.lowercased() == "d":
                guard let row = selected else { return .none }
                confirm = Modal(title: "Descartar lo escrito", message: ["Consulta de \(row.petName): «\(row.input.reason)».",
                                                                         "Lo escrito se pierde. ¿Lo descarta?"],
                                confirmLabel: "Descartar", cancelLabel: "Conservar")
                return .none
            case .escape:
                return .batch([.pop, .toast("Quedan para su próximo ingreso", .info)])
            default:
                return .ignored
            }
        case .message(let loaded as Loaded):
            rows = loaded.rows
            if rows.isEmpty { return .pop }
            table.setRows(rows.map { r in
                [LimaTime.parseISO8601(r.savedAt).map(LimaTime.dayAndClock) ?? r.savedAt, r.petName, r.input.reason]
            })
            return .none
        case .message(let open as Open):
            return .push(ClinicalFormScreen(session: session, pet: open.pet, kind: .consultation, correcting: open.consultation, restoring: open.recovery))
        case .message(is ReloadRequest), .dataChanged:
            return load()
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
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}
