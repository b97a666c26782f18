import Foundation
import VetCore
import VetStore

/// F3, the desk's home: one column per vet (scrolls sideways when they do not fit), one row per
/// 15 minutes. Arrows move through slots; Enter books a free slot or opens an appointment.
/// `L` switches to the list of the day's appointments. Changes made at other terminals appear
/// by themselves.
public struct AgendaScreen: KeyBound {
    public var catalogID: String? { "agenda" }
    let session: Session
    var day: CivilDate?
    var agenda: DayAgenda?
    var load: LoadState<Loaded>
    var types: [AppointmentType] = []
    var column = 0
    var row = 0
    var firstColumn = 0
    var firstRow = 0
    var listMode = false
    var list = Table(columns: [Table.Column("Hora", width: 11), Table.Column("Mascota", width: 14), Table.Column("Propietario", width: 22),
                               Table.Column("Tipo", width: 12), Table.Column("Veterinario", width: 22), Table.Column("Ambiente", width: 14),
                               Table.Column("Estado", width: 11), Table.Column("Alertas", width: 24)])
    var message: String?
    var placedCursor = false
    /// The minute to select once the day being loaded arrives (`Próximo libre` on another day).
    var pendingMinute: Int?
    /// The appointment type `Próximo libre` looks for (`T` cycles).
    var freeType = 0

    static let columnWidth = 20
    static let timeWidth = 6

    public init(session: Session, day: CivilDate? = nil) {
        self.session = session
        self.day = day
        load = LoadState(Self.dayAgenda(day, sedeID: session.sede.id))
    }

    /// A day view already showing `agenda` (for benchmarks and previews).
    public init(session: Session, showing agenda: DayAgenda, types: [AppointmentType], cursorMinute: Int = 540) {
        self.session = session
        self.day = agenda.day
        self.agenda = agenda
        load = LoadState(Self.dayAgenda(agenda.day, sedeID: session.sede.id))
        self.layout = Layout(agenda)
        self.types = types
        self.placedCursor = true
        row = max(0, min(rowCount - 1, (cursorMinute - range.start) / AgendaRules.slotMinutes))
    }

    public var title: String {
        guard let day else { return "Agenda" }
        return "Agenda · \(AgendaTime.weekdayName(day.weekday)) \(day.display)" + (listMode ? " · lista" : "")
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<AgendaScreen>] {
        let back = KeyBinding<AgendaScreen>([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored }
        let retry = LoadState.retry(\.load, in: self)
        guard let agenda else { return [retry, back] }
        let session = session
        return [
            KeyBinding([.left, .right, .up, .down], hint: "←→↑↓", label: "Mover") { s, key, _ in
                if s.listMode {
                    return s.list.update(key) ? .none : .ignored
                }
                switch key {
                case .left: s.column = max(0, s.column - 1)
                case .right: s.column = min(max(0, agenda.vets.count - 1), s.column + 1)
                case .up: s.row = max(0, s.row - 1)
                default: s.row = min(s.rowCount - 1, s.row + 1)
                }
                return .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Reservar/abrir") { s, _, _ in
                if let item = s.selectedItem { return .push(AppointmentScreen(session: session, appointmentID: item.id)) }
                guard !s.listMode, let vet = s.selectedVet else { return .none }
                guard session.may(.bookAppointments) else { return .toast("Su rol no permite reservar citas", .warning) }
                let start = AgendaTime.instant(agenda.day, minute: s.minute(ofRow: s.row))
                return .push(BookingScreen(session: session, types: s.types, vets: agenda.vets, vetID: vet.id, start: start,
                                           typeID: s.types.indices.contains(s.freeType) ? s.types[s.freeType].id : nil))
            },
            KeyBinding([.pageUp, .pageDown, .home, .end], hint: "PgUp/PgDn", label: "Día") { s, key, _ in
                // In the list these scroll it; in the grid PgUp/PgDn change the day.
                if s.listMode, s.list.update(key) { return .none }
                switch key {
                case .pageUp: return s.show(agenda.day.adding(days: -1))
                case .pageDown: return s.show(agenda.day.adding(days: 1))
                default: return .ignored
                }
            },
            KeyBinding(letter: "h", label: "Hoy") { s, _, _ in s.show(nil) },
            KeyBinding([.char("x"), .char("X")], hint: "X/⇧X", label: "Próximo libre") { s, key, context in
                // x: the vet under the cursor; X: any vet.
                s.nextFree(anyVet: key == .char("X"), context)
            },
            KeyBinding(letter: "t", label: "Tipo") { s, _, _ in
                guard !s.types.isEmpty else { return .none }
                s.freeType = (s.freeType + 1) % s.types.count
                return .toast("Próximo libre para: \(s.types[s.freeType].name)", .info)
            },
            KeyBinding(letter: "s", label: "Semana") { s, _, _ in
                guard let vet = s.selectedVet else { return .none }
                return .push(WeekScreen(session: session, vet: vet, vets: agenda.vets, types: s.types, day: agenda.day, minute: s.minute(ofRow: s.row)))
            },
            KeyBinding(letter: "w", label: "Sin cita") { s, _, _ in
                guard session.may(.checkIn) else { return .toast("Su rol no permite registrar llegadas", .warning) }
                return .push(BookingScreen(session: session, types: s.types, vets: agenda.vets, walkIn: true))
            },
            KeyBinding(letter: "e", label: "Sala de espera") { _, _, _ in .push(WaitingRoomScreen(session: session)) },
            KeyBinding(letter: "l", label: listMode ? "Cuadrícula" : "Lista") { s, _, _ in
                s.listMode.toggle()
                return .none
            },
            retry,
            back,
        ]
    }

    struct Loaded { let agenda: DayAgenda; let types: [AppointmentType] }
    struct FoundFree { let vetID: String; let start: Date; let typeName: String }

    public func onAppear() -> Command { load.firstLoad() }

    /// Loads `wanted` (nil: today) from now on.
    mutating func show(_ wanted: CivilDate?) -> Command {
        load.start(Self.dayAgenda(wanted, sedeID: session.sede.id))
    }

    static func dayAgenda(_ wanted: CivilDate?, sedeID: String) -> (AppServices) throws -> Loaded {
        { services in
            let day = wanted ?? services.store.today
            return Loaded(agenda: try services.store.dayAgenda(day: day, sedeID: sedeID), types: try services.store.appointmentTypes())
        }
    }

    // MARK: Grid geometry

    /// The grid worked out once per load: the minutes shown (the vets' working time and the day's
    /// booked appointments, at least 08:00–19:00; a walk-in's arrival time does not stretch it, so
    /// one at midnight does not open the day at 00:00) and each vet's appointments as minutes of the day.
    struct Layout {
        struct Entry { let item: AgendaItem; let start: Int; let end: Int }
        var start = 480
        var end = 1140
        var byVet: [String: [Entry]] = [:]

        init(_ agenda: DayAgenda?) {
            guard let agenda else { return }
            var lo = 480, hi = 1140
            for spans in agenda.working.values { for s in spans { lo = min(lo, s.start); hi = max(hi, s.end) } }
            for item in agenda.items {
                let s = AgendaTime.dayAndMinute(item.start), e = AgendaTime.dayAndMinute(item.end)
                let from = s.day == agenda.day ? s.minute : 0, to = e.day == agenda.day ? e.minute : 1440
                if !item.walkIn { lo = min(lo, from); hi = max(hi, to) }
                if let vet = item.vetID { byVet[vet, default: []].append(Entry(item: item, start: from, end: to)) }
            }
            let step = AgendaRules.slotMinutes
            start = lo / step * step
            end = min(1440, (hi + step - 1) / step * step)
        }

        func entry(vetID: String, minute m: Int) -> Entry? {
            byVet[vetID]?.first { $0.start < m + AgendaRules.slotMinutes && $0.end > m }
        }
    }
    var layout = Layout(nil)

    var range: (start: Int, end: Int) { (layout.start, layout.end) }

    var rowCount: Int { max(1, (range.end - range.start) / AgendaRules.slotMinutes) }
    func minute(ofRow r: Int) -> Int { range.start + r * AgendaRules.slotMinutes }

    var selectedVet: AgendaVet? {
        guard let agenda, agenda.vets.indices.contains(column) else { return nil }
        return agenda.vets[column]
    }

    /// The appointment covering a vet's slot.
    func item(vetID: String, row r: Int) -> AgendaItem? { layout.entry(vetID: vetID, minute: minute(ofRow: r))?.item }

    func isWorking(vetID: String, row r: Int) -> Bool {
        let m = minute(ofRow: r)
        return agenda?.working[vetID]?.contains { $0.start <= m && m < $0.end } ?? false
    }

    var selectedItem: AgendaItem? {
        if listMode {
            guard let all = agenda?.all, all.indices.contains(list.selected) else { return nil }
            return all[list.selected]
        }
        return selectedVet.flatMap { item(vetID: $0.id, row: row) }
    }

    // MARK: Update

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            guard case .loaded(let loaded) = received else { return .none }
            agenda = loaded.agenda
            layout = Layout(loaded.agenda)
            types = loaded.types
            day = loaded.agenda.day
            column = min(column, max(0, loaded.agenda.vets.count - 1))
            row = min(row, rowCount - 1)
            list.setRows(loaded.agenda.all.map { i in
                [LimaTime.clock(i.start) + "–" + LimaTime.clock(i.end), i.petName, i.ownerName, i.typeName + (i.walkIn ? " (sin cita)" : ""),
                 i.vetName, i.roomName, i.status.label, i.alerts.joined(separator: "; ")]
            })
            list.alertRows = Set(loaded.agenda.all.indices.filter { !loaded.agenda.all[$0].alerts.isEmpty })
            if let pending = pendingMinute {
                row = max(0, min(rowCount - 1, (pending - range.start) / AgendaRules.slotMinutes))
                pendingMinute = nil
            } else if !placedCursor {
                // Today opens at the current time.
                placedCursor = true
                let (nowDay, nowMinute) = AgendaTime.dayAndMinute(context.now)
                if nowDay == loaded.agenda.day {
                    row = max(0, min(rowCount - 1, (nowMinute - range.start) / AgendaRules.slotMinutes))
                }
            }
            message = nil
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(let found as FoundFree):
            guard let agenda else { return .none }
            let (foundDay, minute) = AgendaTime.dayAndMinute(found.start)
            if let i = agenda.vets.firstIndex(where: { $0.id == found.vetID }) { column = i }
            if foundDay != agenda.day {
                day = foundDay
                pendingMinute = minute
                return .batch([show(foundDay), .toast("Próximo libre (\(found.typeName.lowercased())): \(LimaTime.dayAndClock(found.start))", .info)])
            }
            row = max(0, (minute - range.start) / AgendaRules.slotMinutes)
            return .toast("Próximo libre (\(found.typeName.lowercased())): \(LimaTime.dayAndClock(found.start))", .info)
        case .message(is ReloadRequest), .dataChanged:
            return show(day)
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    /// `X`: the next free slot for the chosen type, from the cursor on.
    func nextFree(anyVet: Bool, _ context: ScreenContext) -> Command {
        guard let agenda else { return .none }
        guard types.indices.contains(freeType) else { return .none }
        let type = types[freeType]
        let vetID = anyVet ? nil : selectedVet?.id
        let cursor = AgendaTime.instant(agenda.day, minute: minute(ofRow: row))
        let after = max(context.now, cursor)
        let sedeID = session.sede.id
        return .perform { services in
            guard let found = try services.store.nextFreeSlot(typeID: type.id, vetID: vetID, sedeID: sedeID, after: after) else {
                throw StoreError.conflict("No hay horario libre para \(type.name.lowercased()) en las próximas tres semanas")
            }
            return FoundFree(vetID: found.vetID, start: found.start, typeName: type.name)
        }
    }

    // MARK: Render

    /// The screen's area drawn alone into a canvas of `width`×`height` (benchmarks, previews).
    public func drawn(width: Int, height: Int, now: Date) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let context = ScreenContext(session: session, sede: session.sede, isDemo: false, now: now)
        render(into: &canvas, area: Rect(x: 0, y: 1, width: width, height: height - 3), context: context)
        return canvas
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        guard let agenda else {
            load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
            return
        }
        if listMode {
            var t = list
            let tableArea = Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 3)
            t.layout(height: tableArea.height)
            t.render(into: &canvas, area: tableArea)
            if agenda.all.isEmpty { canvas.put("Sin citas este día", x: area.x + 2, y: area.y + 2, style: .hint) }
            renderFooter(into: &canvas, area: area, context: context)
            return
        }
        if agenda.vets.isEmpty {
            canvas.put("No hay veterinarios en esta sede", x: area.x + 2, y: area.y + 1, style: .hint)
            return
        }
        let gridX = area.x + Self.timeWidth
        let visibleColumns = max(1, (area.width - Self.timeWidth) / (Self.columnWidth + 1))
        var first = firstColumn
        if column < first { first = column }
        if column >= first + visibleColumns { first = column - visibleColumns + 1 }
        let gridTop = area.y + 1
        let visibleRows = max(1, area.height - 3)
        var top = firstRow
        if row < top { top = row }
        if row >= top + visibleRows { top = row - visibleRows + 1 }
        // Headings: the vets, with arrows when more are off screen.
        for (slot, index) in (first..<min(agenda.vets.count, first + visibleColumns)).enumerated() {
            let vet = agenda.vets[index]
            let x = gridX + slot * (Self.columnWidth + 1)
            let works = !(agenda.working[vet.id] ?? []).isEmpty
            canvas.putPadded(vet.fullName + (works ? "" : " (no atiende)"), x: x, y: area.y, width: Self.columnWidth,
                             style: index == column ? .selection : .header)
        }
        if first > 0 { canvas.put("◂", x: gridX - 1, y: area.y, style: .key) }
        if first + visibleColumns < agenda.vets.count { canvas.put("▸", x: min(area.x + area.width - 1, gridX + visibleColumns * (Self.columnWidth + 1) - 1), y: area.y, style: .key) }
        let (nowDay, nowMinute) = AgendaTime.dayAndMinute(context.now)
        for r in top..<min(rowCount, top + visibleRows) {
            let y = gridTop + r - top
            let m = minute(ofRow: r)
            let isNow = nowDay == agenda.day && m <= nowMinute && nowMinute < m + AgendaRules.slotMinutes
            canvas.put(AgendaTime.clock(minute: m), x: area.x, y: y, style: isNow ? .warning : (m % 60 == 0 ? .label : .hint))
            for (slot, index) in (first..<min(agenda.vets.count, first + visibleColumns)).enumerated() {
                let vet = agenda.vets[index]
                let x = gridX + slot * (Self.columnWidth + 1)
                let cursor = index == column && r == row
                if let entry = layout.entry(vetID: vet.id, minute: m) {
                    let item = entry.item
                    let rowsIn = (m - entry.start / AgendaRules.slotMinutes * AgendaRules.slotMinutes) / AgendaRules.slotMinutes
                    let firstRow = rowsIn <= 0 || r == top
                    var text = "  "
                    if firstRow {
                        text = (item.alerts.isEmpty ? "" : "⚠") + item.petName + " · " + item.typeName
                    } else if rowsIn == 1 {
                        text = "  " + item.status.label
                    }
                    if item.status == .enEspera { text = firstRow ? "◷" + text : text }
                    let role = StyleRole(rawValue: item.typeColor) ?? .header
                    canvas.putPadded(text, x: x, y: y, width: Self.columnWidth, style: cursor ? .selection : role)
                } else if isWorking(vetID: vet.id, row: r) {
                    canvas.putPadded(m % 60 == 0 ? "· libre" : "·", x: x, y: y, width: Self.columnWidth, style: cursor ? .selection : .normal)
                } else {
                    canvas.putPadded(cursor ? "(fuera de horario)" : "", x: x, y: y, width: Self.columnWidth, style: cursor ? .selection : .dim)
                }
            }
        }
        renderFooter(into: &canvas, area: area, context: context)
    }

    func renderFooter(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let y = area.y + area.height - 1
        if let message = message ?? load.reloadFailure {
            canvas.put(message, x: area.x + 1, y: y, style: .error, maxWidth: area.width - 2)
        } else if let item = selectedItem {
            var line = "\(LimaTime.clock(item.start))–\(LimaTime.clock(item.end)) \(item.petName) (\(item.species)) · \(item.ownerName)"
            line += " · \(item.typeName) · \(item.status.label)"
            if !item.roomName.isEmpty { line += " · \(item.roomName)" }
            if !item.reason.isEmpty { line += " · \(item.reason)" }
            canvas.put(line, x: area.x + 1, y: y, style: .label, maxWidth: area.width - 2)
            if !item.alerts.isEmpty {
                canvas.put("⚠ " + item.alerts.joined(separator: " · "), x: area.x + 1, y: y - 1, style: .alert, maxWidth: area.width - 2)
            }
        } else if let vet = selectedVet, let day = agenda?.day {
            let m = minute(ofRow: row)
            let free = isWorking(vetID: vet.id, row: row)
            canvas.put("\(vet.fullName) · \(AgendaTime.clock(minute: m)) · " + (free ? "libre: Enter reserva" : "fuera de horario")
                       + (day == CivilDate(limaDayOf: context.now) ? "" : " · " + day.display), x: area.x + 1, y: y, style: .hint, maxWidth: area.width - 2)
        }
    }
}
