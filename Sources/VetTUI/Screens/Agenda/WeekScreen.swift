import Foundation
import VetCore
import VetStore

/// One vet's week, Monday to Sunday, one row per 15 minutes. Enter books a free slot or opens an
/// appointment; PgUp/PgDn change the week.
public struct WeekScreen: KeyBound {
    let session: Session
    let vet: AgendaVet
    let vets: [AgendaVet]
    let types: [AppointmentType]
    var monday: CivilDate
    var items: [AgendaItem] = []
    var working: [[MinuteSpan]] = Array(repeating: [], count: 7)
    var load: LoadState<Loaded>
    var column = 0
    var row = 0
    var message: String?

    static let start = 420, end = 1260
    static let columnWidth = 15

    public init(session: Session, vet: AgendaVet, vets: [AgendaVet], types: [AppointmentType], day: CivilDate, minute: Int) {
        self.session = session
        self.vet = vet
        self.vets = vets
        self.types = types
        monday = day.monday
        column = day.weekday - 1
        row = max(0, min(Self.rows - 1, (minute - Self.start) / AgendaRules.slotMinutes))
        load = LoadState(Self.week(monday, vetID: vet.id, sedeID: session.sede.id))
    }

    static var rows: Int { (end - start) / AgendaRules.slotMinutes }

    public var title: String { "Semana · \(vet.fullName) · \(monday.display)–\(monday.adding(days: 6).display)" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<WeekScreen>] {
        [
            KeyBinding([.left, .right, .up, .down], hint: "←→↑↓", label: "Mover") { s, key, _ in
                switch key {
                case .left: s.column = max(0, s.column - 1)
                case .right: s.column = min(6, s.column + 1)
                case .up: s.row = max(0, s.row - 1)
                default: s.row = min(Self.rows - 1, s.row + 1)
                }
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Reservar/abrir") { s, _, _ in s.openOrBook() },
            KeyBinding([.pageUp, .pageDown], hint: "PgUp/PgDn", label: "Semana") { s, key, _ in
                s.load.start(Self.week(s.monday.adding(days: key == .pageUp ? -7 : 7), vetID: s.vet.id, sedeID: s.session.sede.id))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    /// Enter: the appointment under the cursor, or a booking of the free slot.
    func openOrBook() -> Command {
        if let item = item(day: column, row: row) { return .push(AppointmentScreen(session: session, appointmentID: item.id)) }
        guard session.may(.bookAppointments) else { return .toast("Su rol no permite reservar citas", .warning) }
        let start = AgendaTime.instant(monday.adding(days: column), minute: minute(row))
        return .push(BookingScreen(session: session, types: types, vets: vets, vetID: vet.id, start: start))
    }

    struct Loaded { let monday: CivilDate; let items: [AgendaItem]; let working: [[MinuteSpan]] }

    public func onAppear() -> Command { load.firstLoad() }

    static func week(_ week: CivilDate, vetID: String, sedeID: String) -> (AppServices) throws -> Loaded {
        { services in
            Loaded(monday: week, items: try services.store.vetAppointments(vetID: vetID, sedeID: sedeID, from: week, days: 7),
                   working: try (0..<7).map { try services.store.workingSpans(vetID: vetID, sedeID: sedeID, day: week.adding(days: $0)) })
        }
    }

    func minute(_ r: Int) -> Int { Self.start + r * AgendaRules.slotMinutes }

    func item(day: Int, row r: Int) -> AgendaItem? {
        let from = AgendaTime.instant(monday.adding(days: day), minute: minute(r))
        let to = from.addingTimeInterval(Double(AgendaRules.slotMinutes) * 60)
        return items.first { $0.start < to && $0.end > from }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            guard case .loaded(let l) = received else { return .none }
            monday = l.monday
            items = l.items
            working = l.working
            message = nil
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(is ReloadRequest), .dataChanged:
            return load.start(Self.week(monday, vetID: vet.id, sedeID: session.sede.id))
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        guard load.isLoaded else {
            load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
            return
        }
        let gridX = area.x + 6
        for d in 0..<7 {
            let day = monday.adding(days: d)
            canvas.putPadded(String(AgendaTime.weekdayName(day.weekday).prefix(3)) + " " + String(day.display.prefix(5)),
                             x: gridX + d * (Self.columnWidth + 1), y: area.y, width: Self.columnWidth, style: d == column ? .selection : .header)
        }
        let visible = max(1, area.height - 2)
        let top = max(0, min(row - visible / 2, Self.rows - visible))
        for r in top..<min(Self.rows, top + visible) {
            let y = area.y + 1 + r - top
            let m = minute(r)
            canvas.put(AgendaTime.clock(minute: m), x: area.x, y: y, style: m % 60 == 0 ? .label : .hint)
            for d in 0..<7 {
                let x = gridX + d * (Self.columnWidth + 1)
                let cursor = d == column && r == row
                if let item = item(day: d, row: r) {
                    let first = LimaTime.clock(item.start) == AgendaTime.clock(minute: m) || r == top
                    canvas.putPadded(first ? item.petName + " · " + item.typeName : "  ", x: x, y: y, width: Self.columnWidth,
                                     style: cursor ? .selection : (StyleRole(rawValue: item.typeColor) ?? .header))
                } else if working[d].contains(where: { $0.start <= m && m < $0.end }) {
                    canvas.putPadded("·", x: x, y: y, width: Self.columnWidth, style: cursor ? .selection : .normal)
                } else {
                    canvas.putPadded("", x: x, y: y, width: Self.columnWidth, style: cursor ? .selection : .dim)
                }
            }
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: area.x + 1, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
