import Foundation
import VetCore
import VetStore

/// The waiting room, for vets: who arrived, how long they have waited, their alerts; `Enter`/`K`
/// calls the selected pet in (`En consulta`), `A` marks it `Atendida` (linked to the consultation
/// written today), `H` opens its history. Arrivals checked in at any terminal appear by themselves.
public struct WaitingRoomScreen: KeyBound {
    let session: Session
    var items: [AgendaItem] = []
    var load: LoadState<Loaded>
    var table = Table(columns: [Table.Column("Llegó", width: 5), Table.Column("Espera", width: 7), Table.Column("Mascota", width: 14),
                                Table.Column("Propietario", width: 22), Table.Column("Tipo", width: 18), Table.Column("Veterinario", width: 24),
                                Table.Column("Estado", width: 11), Table.Column("Alertas", width: 24)])
    var message: String?

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in Loaded(items: try services.store.waitingRoom(sedeID: sedeID)) }
    }

    public var title: String { "Sala de espera" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<WaitingRoomScreen>] {
        let mayCallIn = session.may(.attendPatients)
        let session = session
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            KeyBinding(letter: "k", label: "En consulta", enabled: mayCallIn,
                       refusal: .toast("Solo un veterinario llama al paciente", .warning)) { s, _, _ in
                s.selected.map { AgendaActions.callIn($0, by: session) } ?? .ignored
            },
            KeyBinding(letter: "a", label: "Atendida", enabled: mayCallIn,
                       refusal: .toast("Solo un veterinario da por atendida una cita", .warning)) { s, _, _ in
                s.selected.map { AgendaActions.markAttended($0, by: session) } ?? .ignored
            },
            KeyBinding(letter: "h", label: "Historia") { s, _, _ in
                s.selected.map { .push(PetScreen(session: session, petID: $0.petID)) } ?? .ignored
            },
            KeyBinding([.enter], hint: "Enter", label: "Abrir") { s, _, _ in
                s.selected.map { .push(AppointmentScreen(session: session, appointmentID: $0.id)) } ?? .ignored
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    struct Loaded { let items: [AgendaItem] }
    typealias Done = AgendaActions.Done

    public func onAppear() -> Command { load.firstLoad() }

    /// `12 min`, `1 h 05 min`.
    static func waited(since: Date, now: Date) -> String {
        let minutes = max(0, Int(now.timeIntervalSince(since) / 60))
        return minutes < 60 ? "\(minutes) min" : String(format: "%d h %02d min", minutes / 60, minutes % 60)
    }

    var selected: AgendaItem? { items.indices.contains(table.selected) ? items[table.selected] : nil }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            guard case .loaded(let loaded) = received else { return .none }
            let keep = selected?.id
            items = loaded.items
            if let keep, let i = items.firstIndex(where: { $0.id == keep }) { table.selected = i }
            message = nil
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(let done as Done):
            return .batch([.toast(done.text, .ok), load.start()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        let waiting = items.filter { $0.status == .enEspera }.count
        if load.isLoaded {
            canvas.put("\(waiting) en espera · \(items.count - waiting) en consulta", x: x + 1, y: area.y, style: .label)
        } else {
            load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y, width: area.width - 3)
        }
        var t = table
        t.setRows(items.map { i in
            let arrived = i.checkedInAt ?? i.start
            return [LimaTime.clock(arrived), Self.waited(since: arrived, now: i.calledAt ?? context.now), i.petName, i.ownerName,
                    i.typeName + (i.walkIn ? " (sin cita)" : ""), i.vetName.isEmpty ? "—" : i.vetName, i.status.label, i.alerts.joined(separator: "; ")]
        })
        t.alertRows = Set(items.indices.filter { !items[$0].alerts.isEmpty })
        let tableArea = Rect(x: x, y: area.y + 2, width: area.width - 2, height: area.height - 4)
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        if load.isLoaded && items.isEmpty { canvas.put("Nadie en espera", x: x + 1, y: area.y + 3, style: .hint) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
