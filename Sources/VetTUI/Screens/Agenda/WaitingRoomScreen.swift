import Foundation
import VetCore
import VetStore

/// The waiting room, for vets: who arrived, how long they have waited, their alerts; `Enter`/`K`
/// calls the selected pet in (`En consulta`), `A` marks it `Atendida` (linked to the consultation
/// written today), `H` opens its history. Arrivals checked in at any terminal appear by themselves.
public struct WaitingRoomScreen: Screen {
    let session: Session
    var items: [AgendaItem] = []
    var loaded = false
    var table = Table(columns: [Table.Column("Llegó", width: 5), Table.Column("Espera", width: 7), Table.Column("Mascota", width: 14),
                                Table.Column("Propietario", width: 22), Table.Column("Tipo", width: 18), Table.Column("Veterinario", width: 24),
                                Table.Column("Estado", width: 11), Table.Column("Alertas", width: 24)])
    var message: String?

    public init(session: Session) { self.session = session }

    public var title: String { "Sala de espera" }
    public var hints: [(key: String, label: String)] {
        var h: [(String, String)] = [("↑↓", "Elegir")]
        if session.may(.attendPatients) { h += [("K", "En consulta"), ("A", "Atendida")] }
        return h + [("H", "Historia"), ("Enter", "Abrir"), ("Esc", "Volver")]
    }

    struct Loaded { let items: [AgendaItem] }
    typealias Done = AgendaActions.Done

    public func onAppear() -> Command { load() }

    func load() -> Command {
        let sedeID = session.sede.id
        return .perform { services in Loaded(items: try services.store.waitingRoom(sedeID: sedeID)) }
    }

    /// `12 min`, `1 h 05 min`.
    static func waited(since: Date, now: Date) -> String {
        let minutes = max(0, Int(now.timeIntervalSince(since) / 60))
        return minutes < 60 ? "\(minutes) min" : String(format: "%d h %02d min", minutes / 60, minutes % 60)
    }

    var selected: AgendaItem? { items.indices.contains(table.selected) ? items[table.selected] : nil }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if table.update(key) { return .none }
            guard let item = selected else { return .ignored }
            let id = item.id, session = self.session
            switch key {
            case .enter:
                return .push(AppointmentScreen(session: session, appointmentID: id))
            case .char(let raw):
                switch Character(raw.lowercased()) {
                case "k":
                    return AgendaActions.callIn(item, by: session)
                case "a":
                    return AgendaActions.markAttended(item, by: session)
                case "h":
                    return .push(PetScreen(session: session, petID: item.petID))
                default:
                    return .ignored
                }
            default:
                return .ignored
            }
        case .message(let loaded as Loaded):
            let keep = selected?.id
            items = loaded.items
            self.loaded = true
            if let keep, let i = items.firstIndex(where: { $0.id == keep }) { table.selected = i }
            message = nil
            return .none
        case .message(let done as Done):
            return .batch([.toast(done.text, .ok), load()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return load()
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        let waiting = items.filter { $0.status == .enEspera }.count
        canvas.put(loaded ? "\(waiting) en espera · \(items.count - waiting) en consulta" : "Cargando…", x: x + 1, y: area.y, style: .label)
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
        if loaded && items.isEmpty { canvas.put("Nadie en espera", x: x + 1, y: area.y + 3, style: .hint) }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
