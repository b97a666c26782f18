import Foundation
import VetCore
import VetStore

/// Books an appointment (or registers a walk-in, `sin cita`): first the pet, found with the
/// patients search as you type (Ctrl+N registers a new owner), then type, vet, day, time, room
/// and reason. A refusal (`Horario ocupado`, `Fuera del horario`) is shown and nothing is saved;
/// when the pet already has an appointment at that time, the screen says so and books only if
/// the person confirms.
public struct BookingScreen: KeyBound {
    let session: Session
    let types: [AppointmentType]
    let vets: [AgendaVet]
    let walkIn: Bool
    var pet: PatientHit?
    var query = TextField(maxLength: 60)
    var hits: [PatientHit] = []
    var results = Table(columns: [Table.Column("Mascota", width: 16), Table.Column("Especie", width: 8),
                                  Table.Column("Propietario", width: 30), Table.Column("Teléfono", width: 11), Table.Column("Alertas", width: 30)])
    var form: Form
    var discard = DiscardGuard()
    var choices: Choices
    /// The sede's rooms, for the `Ambiente` choice (a walk-in takes none).
    var rooms: LoadState<[Room]>
    var message: String?
    /// Asks whether to book a pet that already has an appointment at that time.
    var overlapModal: Modal?
    var overlapping: BookingRequest?

    static let anyVet = "Cualquiera"
    static let autoRoom = "Automático"

    public init(session: Session, types: [AppointmentType], vets: [AgendaVet], vetID: String? = nil, start: Date? = nil, typeID: String? = nil,
                walkIn: Bool = false) {
        self.session = session
        self.types = types
        self.vets = vets
        self.walkIn = walkIn
        let vetNames = (walkIn ? [Self.anyVet] : []) + vets.map(\.fullName)
        var fields = [
            Form.Field(id: "type", label: "Tipo", input: TextField((types.first { $0.id == typeID } ?? types.first)?.name ?? ""), help: "← → cambia el tipo"),
            Form.Field(id: "vet", label: "Veterinario", input: TextField(vets.first { $0.id == vetID }?.fullName ?? vetNames.first ?? ""),
                       help: "← → cambia el veterinario"),
        ]
        var options: [String: [String]] = ["type": types.map(\.name), "vet": vetNames]
        if !walkIn {
            let (day, minute) = start.map(AgendaTime.dayAndMinute) ?? (CivilDate(year: 2000, month: 1, day: 1)!, 0)
            fields += [
                Form.Field(id: "day", label: "Fecha", input: TextField(start == nil ? "" : day.display, mask: .date), help: "dd/mm/aaaa"),
                Form.Field(id: "time", label: "Hora", input: TextField(start == nil ? "" : AgendaTime.clock(minute: minute), maxLength: 5), help: "hh:mm"),
                Form.Field(id: "room", label: "Ambiente", input: TextField(Self.autoRoom), help: "← → elige; Automático toma uno libre"),
            ]
            options["room"] = [Self.autoRoom]
        }
        fields.append(Form.Field(id: "reason", label: "Motivo", input: TextField(maxLength: 120)))
        if !walkIn && session.may(.overrideSchedule) {
            fields.append(Form.Field(id: "override", label: "Fuera de horario", input: TextField("No"), help: "Sí: reserva aunque el veterinario no atienda"))
            options["override"] = yesNo
        }
        form = Form(fields: fields, fieldWidth: 34)
        choices = Choices(options: options)
        discard.start(form)
        let sedeID = session.sede.id
        rooms = LoadState { services in try services.store.rooms(sedeID: sedeID) }
    }

    public var title: String { walkIn ? "Llegada sin cita" : "Nueva cita" }
    /// Two steps with their own keys: choosing the pet, then the booking's form.
    public func bindings(_ context: ScreenContext) -> [KeyBinding<BookingScreen>] {
        let session = session
        if pet == nil {
            return [
                KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Elegir") { s, key, _ in
                    _ = s.results.update(key)
                    return .none
                },
                KeyBinding([.enter], hint: "Enter", label: "Esta mascota") { s, _, _ in
                    guard s.hits.indices.contains(s.results.selected) else { return .none }
                    let hit = s.hits[s.results.selected]
                    if hit.deceased { return .toast("\(hit.petName) falleció: no se reservan citas", .warning) }
                    s.pet = hit
                    s.message = nil
                    return .none
                },
                KeyBinding([.ctrl("n")], hint: "^N", label: "Nuevo propietario") { _, _, _ in .push(OwnerFormScreen(session: session)) },
                KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .pop },
            ]
        }
        return [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Reservar") { s, key, context in s.fieldKey(key, context) },
            KeyBinding([.tab], hint: "Tab", label: "Campo") { s, key, context in s.fieldKey(key, context) },
            KeyBinding([.ctrl("s")], hint: "^S", label: walkIn ? "Registrar" : "Reservar") { s, _, context in s.submit(context) },
            KeyBinding([.ctrl("p")], hint: "^P", label: "Otra mascota") { s, _, _ in
                s.pet = nil
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, key, _ in s.discard.update(key, s.form) ?? .pop },
        ]
    }

    struct Searched { let text: String; let result: PatientSearchResult }
    struct Booked { let text: String }
    struct PetOverlap { let message: String; let request: BookingRequest }

    public func onAppear() -> Command { rooms.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = rooms.receive(event) {
            // Without rooms the booking still works (`Automático`); the error says why none are offered.
            if case .failed(let failure) = received { message = failure }
            return .none
        }
        switch event {
        case .key(let key):
            if var modal = overlapModal {
                let outcome = modal.update(key)
                overlapModal = modal
                guard outcome != .pending else { return .none }
                overlapModal = nil
                guard outcome == .confirmed, var request = overlapping else { overlapping = nil; return .none }
                overlapping = nil
                request.petOverlapConfirmed = true
                return book(request)
            }
            return pet == nil ? searchKey(key, context) : formKey(key, context)
        case .message(let done as Searched):
            guard done.text == query.text else { return .none }
            hits = done.result.hits.filter { $0.petID != nil }
            results.selected = 0
            results.offset = 0
            results.setRows(hits.map { [($0.deceased ? "† " : "") + $0.petName, $0.species, $0.ownerName, $0.phone, $0.alerts.joined(separator: "; ")] })
            results.alertRows = Set(hits.indices.filter { !hits[$0].alerts.isEmpty })
            return .none
        case .message(let booked as Booked):
            return popAndReload(booked.text)
        case .message(let overlap as PetOverlap):
            overlapping = overlap.request
            overlapModal = Modal(title: "Misma mascota a la misma hora", message: [overlap.message + ".", "¿Reservar esta cita de todos modos?"])
            return .none
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return query.text.isEmpty || pet != nil ? .none : search()
        default:
            return .none
        }
    }

    func search() -> Command {
        let text = query.text
        return .perform { services in Searched(text: text, result: try services.store.searchPatients(text)) }
    }

    mutating func searchKey(_ key: Key, _ context: ScreenContext) -> Command {
        if let command = dispatch(key, context) { return command }
        guard query.handle(key) else { return .ignored }
        return search()
    }

    var roomOptions: [String] { [Self.autoRoom] + (rooms.value ?? []).map(\.name) }

    mutating func formKey(_ key: Key, _ context: ScreenContext) -> Command {
        if let decided = discard.update(key, form) { return decided }
        if let command = dispatch(key, context) { return command }
        if !walkIn { choices.options["room"] = roomOptions }
        if choices.handle(key, form: &form) { return .none }
        return fieldKey(key, context)
    }

    /// Typing and moving between the fields; Enter on the last one books.
    mutating func fieldKey(_ key: Key, _ context: ScreenContext) -> Command {
        switch form.update(key) {
        case .submit: return submit(context)
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    mutating func submit(_ context: ScreenContext) -> Command {
        form.clearErrors()
        guard let pet, let petID = pet.petID else { return .none }
        guard let type = types.first(where: { $0.name == form["type"] }) else { form.setError("type", "Elija un tipo"); return .none }
        let vet = vets.first { $0.fullName == form["vet"] }
        let reason = form["reason"]
        let session = self.session
        if walkIn {
            let vetID = vet?.id
            return .perform { services in
                try services.store.addWalkIn(petID: petID, typeID: type.id, vetID: vetID, reason: reason, by: session)
                return Booked(text: "\(pet.petName) pasó a la sala de espera")
            }
        }
        guard let vet else { form.setError("vet", "Elija un veterinario"); return .none }
        guard let day = CivilDate(display: form["day"]) else { form.setError("day", "Fecha inválida (dd/mm/aaaa)"); form.focus("day"); return .none }
        guard let minute = AgendaTime.minute(parsing: form["time"]) else { form.setError("time", "Hora inválida (hh:mm)"); form.focus("time"); return .none }
        let roomID = rooms.value?.first { $0.name == form["room"] }?.id
        let start = AgendaTime.instant(day, minute: minute)
        let request = BookingRequest(petID: petID, typeID: type.id, vetID: vet.id, start: start, roomID: roomID, reason: reason,
                                     overrideSchedule: form["override"] == "Sí")
        return book(request)
    }

    /// Books `request`; a pet already booked at that time comes back as `PetOverlap` to ask.
    func book(_ request: BookingRequest) -> Command {
        guard let pet, let vet = vets.first(where: { $0.id == request.vetID }) else { return .none }
        let session = self.session
        return .perform { services in
            do {
                try services.store.book(request, by: session)
            } catch let needed as ConfirmationNeeded {
                return PetOverlap(message: needed.message, request: request)
            }
            return Booked(text: "Cita reservada: \(pet.petName), \(LimaTime.dayAndClock(request.start)) con \(vet.fullName)")
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        guard let pet else {
            canvas.put("Mascota:", x: x, y: area.y + 1, style: .label)
            query.render(into: &canvas, x: x + 10, y: area.y + 1, width: min(50, area.width - 14), focused: true)
            canvas.put("nombre, propietario, DNI, teléfono o microchip", x: x + 62, y: area.y + 1, style: .hint, maxWidth: max(0, area.width - 66))
            var t = results
            let tableArea = Rect(x: x, y: area.y + 3, width: area.width - 4, height: area.height - 5)
            t.layout(height: tableArea.height)
            t.render(into: &canvas, area: tableArea)
            let status = query.text.isEmpty ? "Escriba para buscar la mascota · Ctrl+N registra un propietario nuevo"
                : hits.isEmpty ? "Sin resultados · Ctrl+N registra un propietario nuevo" : "\(hits.count) resultados"
            canvas.put(message ?? status, x: x, y: area.y + area.height - 1, style: message == nil ? .hint : .error, maxWidth: area.width - 4)
            return
        }
        canvas.put("Mascota: ", x: x, y: area.y + 1, style: .label)
        canvas.put("\(pet.petName) (\(pet.species)) · \(pet.ownerName)" + (pet.phone.isEmpty ? "" : " · \(pet.phone)"),
                   x: x + 9, y: area.y + 1, style: .header, maxWidth: area.width - 12)
        if !pet.alerts.isEmpty {
            canvas.putPadded(" ⚠ ALERTAS: " + pet.alerts.joined(separator: " · "), x: x, y: area.y + 2, width: area.width - 4, style: .alert)
        }
        var shown = form
        for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
            shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
        }
        shown.render(into: &canvas, x: x, y: area.y + 4, width: area.width - 4)
        if let type = types.first(where: { $0.name == form["type"] }) {
            canvas.put("\(type.name): \(type.minutes) min · \(Room.kindLabel(type.roomKind).lowercased())", x: x,
                       y: area.y + 4 + form.fields.count * 2, style: .hint, maxWidth: area.width - 4)
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        overlapModal?.render(into: &canvas, area: area)
        discard.render(into: &canvas, area: area)
    }
}
