import Foundation
import VetCore
import VetStore

/// One appointment and what the desk does with it: `L` Llegó (check-in: alerts and due vaccines
/// shown; only on the appointment's day, or confirmed by a supervisor), `U` undoes a mistaken
/// arrival, `M` Mover, `C` Cancelar (reason required, then confirmed), `N` No asistió (confirmed),
/// `H` the pet's history; vets also call in (`En consulta`) and mark `Atendida`. The hints show
/// only what the appointment's state allows.
public struct AppointmentScreen: KeyBound {
    let session: Session
    let appointmentID: String
    var item: AgendaItem?
    var vets: [AgendaVet] = []
    var load: LoadState<Loaded>
    var notice: CheckInNotice?
    var mode: Mode = .view
    var reasonField = Form(fields: [Form.Field(id: "reason", label: "Motivo de la cancelación", input: TextField(maxLength: 120))], fieldWidth: 40)
    var moveForm = Form(fields: [Form.Field(id: "day", label: "Fecha", input: TextField(mask: .date), help: "dd/mm/aaaa"),
                                 Form.Field(id: "time", label: "Hora", input: TextField(maxLength: 5), help: "hh:mm"),
                                 Form.Field(id: "vet", label: "Veterinario", input: TextField(), help: "← → cambia el veterinario")], fieldWidth: 34)
    var modal: Modal?
    var pendingAction: PendingAction?
    var message: String?

    enum Mode: Equatable { case view, cancelReason, move }
    enum PendingAction: Equatable { case cancel(String), noShow, checkInOtherDay, undoCheckIn, moveOverlapping(Date, String?) }

    public init(session: Session, appointmentID: String) {
        self.session = session
        self.appointmentID = appointmentID
        let sedeID = session.sede.id
        load = LoadState { services in
            guard let a = try services.store.appointment(id: appointmentID) else { return Loaded(item: nil, vets: []) }
            let (day, _) = AgendaTime.dayAndMinute(a.start)
            let agenda = try services.store.dayAgenda(day: day, sedeID: sedeID)
            return Loaded(item: agenda.all.first { $0.id == appointmentID }, vets: agenda.vets)
        }
    }

    public var title: String { item.map { "Cita · \($0.petName)" } ?? "Cita" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<AppointmentScreen>] {
        let back = KeyBinding<AppointmentScreen>([.escape], hint: "Esc", label: "Volver") { s, _, _ in
            if s.mode == .view { return .ignored }
            s.mode = .view
            return .none
        }
        switch mode {
        case .cancelReason:
            return [KeyBinding([.enter], hint: "Enter", label: "Continuar") { s, key, _ in s.cancelKey(key) }, back]
        case .move:
            return [KeyBinding([.enter], hint: "Enter", label: "Siguiente / Mover") { s, key, _ in s.moveKey(key) }, back]
        case .view:
            let retry = LoadState.retry(\.load, in: self)
            guard let item else { return [retry, back] }
            let booked = item.status == .reservada, waiting = item.status == .enEspera
            let mayCallIn = session.may(.attendPatients)
            let id = appointmentID, session = session
            return [
                KeyBinding(letter: "l", label: "Llegó", enabled: booked,
                           refusal: .toast("La cita está \(item.status.label.lowercased()): no se registra la llegada", .warning)) { _, _, _ in
                    .perform { services in
                        do {
                            return CheckedIn(notice: try services.store.checkIn(appointmentID: id, by: session))
                        } catch let needed as ConfirmationNeeded {
                            return NeedsConfirmation(message: needed.message, action: .checkInOtherDay)
                        }
                    }
                },
                KeyBinding(letter: "u", label: "Deshacer llegada", enabled: waiting && !item.walkIn,
                           refusal: .toast(item.walkIn ? "Una llegada sin cita no se deshace: cancélela (C)" : "Solo se deshace la llegada de una cita en espera", .warning)) { s, _, _ in
                    s.pendingAction = .undoCheckIn
                    s.modal = Modal(title: "Deshacer llegada", message: ["¿Deshacer la llegada de \(item.petName)?", "Sale de la sala de espera y la cita vuelve a quedar reservada."])
                    return .none
                },
                KeyBinding(letter: "m", label: "Mover", enabled: booked && !item.walkIn,
                           refusal: .toast("Solo se mueve una cita reservada", .warning)) { s, _, _ in
                    let (day, minute) = AgendaTime.dayAndMinute(item.start)
                    s.moveForm["day"] = day.display
                    s.moveForm["time"] = AgendaTime.clock(minute: minute)
                    s.moveForm["vet"] = item.vetName
                    s.moveForm.focus = 0
                    s.mode = .move
                    return .none
                },
                KeyBinding(letter: "c", label: "Cancelar", enabled: booked || waiting,
                           refusal: .toast("Esta cita ya no se puede cancelar", .warning)) { s, _, _ in
                    s.reasonField["reason"] = ""
                    s.mode = .cancelReason
                    return .none
                },
                KeyBinding(letter: "n", label: "No asistió", enabled: booked,
                           refusal: .toast("Solo una cita reservada puede quedar como no asistida", .warning)) { s, _, context in
                    if item.start > context.now {
                        return .toast("La cita aún no empieza (\(LimaTime.dayAndClock(item.start))): podrá marcarla como no asistida desde esa hora", .warning)
                    }
                    s.pendingAction = .noShow
                    s.modal = Modal(title: "No asistió", message: ["¿Marcar que \(item.petName) no asistió a la cita de las \(LimaTime.clock(item.start))?"])
                    return .none
                },
                // Disabled, the store says why (not a vet, or not in the waiting room).
                KeyBinding(letter: "k", label: "En consulta", enabled: mayCallIn && waiting,
                           refusal: AgendaActions.callIn(item, by: session)) { _, _, _ in AgendaActions.callIn(item, by: session) },
                KeyBinding(letter: "a", label: "Atendida", enabled: mayCallIn && (waiting || item.status == .enConsulta),
                           refusal: AgendaActions.markAttended(item, by: session)) { _, _, _ in AgendaActions.markAttended(item, by: session) },
                KeyBinding(letter: "h", label: "Historia") { _, _, _ in .push(PetScreen(session: session, petID: item.petID)) },
                KeyBinding(letter: "g", label: "Cargos", enabled: session.may(.addCharges) && item.status != .cancelada && item.status != .noAsistio) { _, _, _ in
                    .push(CartScreen(session: session, petID: item.petID, petName: item.petName, appointmentID: id))
                },
                retry,
                back,
            ]
        }
    }

    struct Loaded { let item: AgendaItem?; let vets: [AgendaVet] }
    struct CheckedIn { let notice: CheckInNotice }
    /// The store asks for a confirmation before `action`.
    struct NeedsConfirmation { let message: String; let action: PendingAction }
    typealias Done = AgendaActions.Done

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            guard case .loaded(let loaded) = received else { return .none }
            item = loaded.item
            vets = loaded.vets
            if item?.status == .reservada { notice = nil }
            if item == nil { message = "La cita ya no existe" }
            return .none
        }
        switch event {
        case .key(let key):
            if var m = modal {
                let outcome = m.update(key)
                modal = m
                switch outcome {
                case .pending: return .none
                case .cancelled:
                    modal = nil
                    pendingAction = nil
                    return .none
                case .confirmed:
                    modal = nil
                    return runPending()
                }
            }
            if let command = dispatch(key, context) { return command }
            switch mode {
            case .cancelReason: return cancelKey(key)
            case .move: return moveKey(key)
            case .view: return .ignored
            }
        case .message(let needed as NeedsConfirmation):
            message = nil
            pendingAction = needed.action
            switch needed.action {
            case .checkInOtherDay:
                modal = Modal(title: "Llegada de otro día", message: [needed.message + ".", "¿Registrar la llegada de todos modos?"])
            default:
                modal = Modal(title: "Misma mascota a la misma hora", message: [needed.message + ".", "¿Mover la cita de todos modos?"])
            }
            return .none
        case .message(let checked as CheckedIn):
            notice = checked.notice
            message = nil
            return .batch([.toast("\(checked.notice.petName) está en la sala de espera", .ok), load.start()])
        case .message(let done as Done):
            message = nil
            mode = .view
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

    mutating func cancelKey(_ key: Key) -> Command {
        switch reasonField.update(key) {
        case .submit:
            let reason = reasonField["reason"].trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else { reasonField.setError("reason", "Indique el motivo"); return .none }
            guard let item else { return .none }
            pendingAction = .cancel(reason)
            modal = Modal(title: "Cancelar cita", message: ["¿Cancelar la cita de \(item.petName) del \(LimaTime.dayAndClock(item.start))?",
                                                             "Motivo: \(reason)"])
            return .none
        default:
            return .none
        }
    }

    mutating func moveKey(_ key: Key) -> Command {
        let names = vets.map(\.fullName)
        if Choices(options: ["vet": names]).handle(key, form: &moveForm) { return .none }
        guard moveForm.update(key) == .submit || key == .ctrl("s") else { return .none }
        moveForm.clearErrors()
        guard let day = CivilDate(display: moveForm["day"]) else { moveForm.setError("day", "Fecha inválida"); return .none }
        guard let minute = AgendaTime.minute(parsing: moveForm["time"]) else { moveForm.setError("time", "Hora inválida"); return .none }
        let vetID = vets.first { $0.fullName == moveForm["vet"] }?.id
        let start = AgendaTime.instant(day, minute: minute)
        let id = appointmentID, session = self.session
        return .perform { services in
            do {
                try services.store.move(appointmentID: id, to: start, vetID: vetID, by: session)
            } catch let needed as ConfirmationNeeded {
                return NeedsConfirmation(message: needed.message, action: .moveOverlapping(start, vetID))
            }
            return Done(text: "Cita movida al \(LimaTime.dayAndClock(start))")
        }
    }

    mutating func runPending() -> Command {
        guard let action = pendingAction else { return .none }
        pendingAction = nil
        let id = appointmentID, session = self.session
        switch action {
        case .cancel(let reason):
            return .perform { services in
                try services.store.cancel(appointmentID: id, reason: reason, by: session)
                return Done(text: "Cita cancelada")
            }
        case .noShow:
            return .perform { services in
                try services.store.markNoShow(appointmentID: id, by: session)
                return Done(text: "Marcada como no asistida")
            }
        case .checkInOtherDay:
            return .perform { services in CheckedIn(notice: try services.store.checkIn(appointmentID: id, otherDayConfirmed: true, by: session)) }
        case .undoCheckIn:
            return .perform { services in
                try services.store.undoCheckIn(appointmentID: id, by: session)
                return Done(text: "Llegada deshecha: la cita vuelve a estar reservada")
            }
        case .moveOverlapping(let start, let vetID):
            return .perform { services in
                try services.store.move(appointmentID: id, to: start, vetID: vetID, petOverlapConfirmed: true, by: session)
                return Done(text: "Cita movida al \(LimaTime.dayAndClock(start))")
            }
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        var y = area.y + 1
        guard let item else {
            // Loaded, the appointment is gone: its message stands in place of it.
            if !load.renderPlaceholder(into: &canvas, x: x, y: y, width: area.width - 4), let message {
                canvas.put(message, x: x, y: y, style: .error, maxWidth: area.width - 4)
            }
            return
        }
        canvas.put("\(item.petName) (\(item.species))", x: x, y: y, style: .header)
        canvas.put(item.status.label + (item.walkIn ? " · sin cita" : ""), x: x + 40, y: y, style: StyleRole(rawValue: item.typeColor) ?? .label)
        y += 1
        if !item.alerts.isEmpty {
            canvas.putPadded(" ⚠ ALERTAS: " + item.alerts.joined(separator: " · "), x: x, y: y, width: area.width - 4, style: .alert)
            y += 1
        }
        let rows: [(String, String)] = [
            ("Propietario", item.ownerName + (item.phone.isEmpty ? "" : " · " + item.phone)),
            ("Tipo", item.typeName),
            ("Fecha", LimaTime.day(item.start) + " " + LimaTime.clock(item.start) + "–" + LimaTime.clock(item.end)),
            ("Veterinario", item.vetName.isEmpty ? "(el primero libre)" : item.vetName),
            ("Ambiente", item.roomName.isEmpty ? "—" : item.roomName),
            ("Motivo", item.reason.isEmpty ? "—" : item.reason),
        ] + (item.checkedInAt.map { [("Llegó", LimaTime.clock($0) + " · espera " + WaitingRoomScreen.waited(since: $0, now: item.calledAt ?? context.now))] } ?? [])
          + (item.cancelReason.map { [("Cancelada", $0)] } ?? [])
        for (label, value) in rows {
            y += 1
            canvas.put(label, x: x, y: y, style: .label)
            canvas.put(value, x: x + 14, y: y, maxWidth: area.width - 18)
        }
        y += 2
        if let notice {
            canvas.put("Al llegar:", x: x, y: y, style: .header)
            y += 1
            if notice.alerts.isEmpty && notice.dueVaccines.isEmpty { canvas.put("Sin alertas ni vacunas pendientes", x: x, y: y, style: .ok); y += 1 }
            if !notice.alerts.isEmpty { canvas.put("⚠ " + notice.alerts.joined(separator: " · "), x: x, y: y, style: .alert, maxWidth: area.width - 4); y += 1 }
            for due in notice.dueVaccines { canvas.put("Vacuna pendiente: " + due, x: x, y: y, style: .warning, maxWidth: area.width - 4); y += 1 }
            y += 1
        }
        switch mode {
        case .cancelReason:
            reasonField.render(into: &canvas, x: x, y: y, width: area.width - 4)
        case .move:
            var shown = moveForm
            if let i = shown.fields.firstIndex(where: { $0.id == "vet" }) { shown.fields[i].input = TextField("◂ " + moveForm["vet"] + " ▸") }
            shown.render(into: &canvas, x: x, y: y, width: area.width - 4)
        case .view:
            break
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        if let modal { modal.render(into: &canvas, area: area) }
    }
}
