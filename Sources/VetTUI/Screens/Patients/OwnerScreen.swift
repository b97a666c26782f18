import VetCore
import VetStore

/// An owner with their pets: open a pet, add one, edit the owner, or (supervisors) merge a duplicate.
public struct OwnerScreen: KeyBound {
    let session: Session
    let ownerID: String
    var load: LoadState<Loaded>
    var owner: Owner? { load.value?.owner }
    var pets: [Pet] { load.value?.pets ?? [] }
    var table = Table(columns: [Table.Column("Mascota", width: 16), Table.Column("Especie", width: 8), Table.Column("Raza", width: 22),
                                Table.Column("Sexo", width: 7), Table.Column("Nacimiento", width: 10), Table.Column("Alertas", width: 40)])
    var message: String?
    var merge: MergeOwnerPrompt?

    public init(session: Session, ownerID: String) {
        self.session = session
        self.ownerID = ownerID
        load = LoadState(Self.fetch(ownerID))
    }

    public var title: String { owner.map { "Propietario · \($0.fullName)" } ?? "Propietario" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<OwnerScreen>] {
        let session = session
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Mascota") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            KeyBinding([.enter], hint: "Enter", label: "Abrir") { s, _, _ in
                guard s.pets.indices.contains(s.table.selected) else { return .none }
                return .push(PetScreen(session: session, petID: s.pets[s.table.selected].id))
            },
            KeyBinding(letter: "n", label: "Nueva mascota", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite registrar mascotas", .warning)) { s, _, _ in
                guard let owner = s.owner else { return .toast("Su rol no permite registrar mascotas", .warning) }
                return .push(PetFormScreen(session: session, ownerID: owner.id))
            },
            KeyBinding(letter: "e", label: "Editar propietario", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite editar propietarios", .warning)) { s, _, _ in
                guard let owner = s.owner else { return .toast("Su rol no permite editar propietarios", .warning) }
                return .push(OwnerFormScreen(session: session, existing: owner))
            },
            KeyBinding(letter: "f", label: "Fusionar duplicado", enabled: session.may(.mergePatients),
                       refusal: .toast("Solo un supervisor fusiona propietarios", .warning)) { s, _, _ in
                s.merge = MergeOwnerPrompt()
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    struct Loaded { let owner: Owner?; let pets: [Pet] }
    struct MergeTarget { let owner: Owner? }
    struct Merged {}

    public func onAppear() -> Command { load.firstLoad() }

    static func fetch(_ id: String) -> (AppServices) throws -> Loaded {
        { services in
            var owner = try services.store.owner(id: id)
            if let kept = owner?.mergedInto { owner = try services.store.owner(id: kept) ?? owner }
            return Loaded(owner: owner, pets: try services.store.pets(ofOwner: owner?.id ?? id))
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if var prompt = merge, case .key(let key) = event {
            let command = prompt.update(key, session: session, keptID: owner?.id ?? ownerID)
            merge = prompt.finished ? nil : prompt
            return command
        }
        if let received = load.receive(event) {
            if case .loaded = received {
                table.setRows(pets.map { p in
                    [(p.deceasedOn != nil ? "† " : "") + p.name, p.species, p.breed ?? "", p.sex.flatMap(PetSex.init(rawValue:))?.label ?? "",
                     describeDay(p.birthDate) + (p.birthEstimated ? "~" : ""), p.alertList.joined(separator: "; ")]
                })
                table.alertRows = Set(pets.indices.filter { !pets[$0].alertList.isEmpty })
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let target as MergeTarget):
            let keptID = owner?.id ?? ownerID
            merge?.found(target.owner, keptID: keptID)
            return .none
        case .message(is Merged):
            merge = nil
            return .batch([.toast("Propietarios fusionados; nada se perdió", .ok), load.start()])
        case .message(let failure as PerformFailure):
            if merge != nil { merge?.error = failure.message } else { message = failure.message }
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        var y = area.y + 1
        guard let o = owner else {
            if let message {
                canvas.put(message, x: x, y: y, style: .error)
            } else if !load.renderPlaceholder(into: &canvas, x: x, y: y, width: area.width - 4) {
                canvas.put("No se encontró el propietario", x: x, y: y, style: .error)
            }
            return
        }
        canvas.put(o.fullName, x: x, y: y, style: .header); y += 1
        canvas.put("\(o.docType.label) \(o.docNumber)", x: x, y: y, style: .label)
        var contact = [o.phone.map(PhoneRules.display), o.phone2.map(PhoneRules.display), o.email].compactMap { $0 }.joined(separator: " · ")
        if contact.isEmpty { contact = "sin contacto" }
        canvas.put(contact, x: x + 20, y: y, maxWidth: area.width - 24); y += 1
        let place = [o.address, o.ubigeo.flatMap(Ubigeo.district(code:))?.label ?? o.district].compactMap { $0 }.joined(separator: " · ")
        canvas.put(place, x: x, y: y, maxWidth: area.width - 4); y += 1
        let consents = "Recordatorios: WhatsApp \(o.consentWhatsapp ? "sí" : "no") · correo \(o.consentEmail ? "sí" : "no")"
        canvas.put(consents, x: x, y: y, style: .hint); y += 2
        var t = table
        let tableArea = Rect(x: x, y: y, width: area.width - 4, height: area.y + area.height - y - 1)
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        if pets.isEmpty { canvas.put("Sin mascotas registradas · N agrega una", x: x, y: y + 1, style: .hint) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        merge?.render(into: &canvas, area: area, kept: o)
    }
}

/// Supervisor's merge of a duplicate owner into the one on screen: type the duplicate's document,
/// see who it is, confirm.
struct MergeOwnerPrompt {
    var docType = DocumentType.dni
    var field = TextField(mask: .alphanumeric(max: 15))
    var candidate: Owner?
    var confirm: Modal?
    var error: String?
    var finished = false

    mutating func update(_ key: Key, session: Session, keptID: String) -> Command {
        if var modal = confirm {
            switch modal.update(key) {
            case .pending: confirm = modal; return .none
            case .cancelled: confirm = nil; return .none
            case .confirmed:
                confirm = nil
                guard let candidate else { return .none }
                let mergeID = candidate.id
                return .perform { services in
                    try services.store.mergeOwners(keep: keptID, merge: mergeID, by: session)
                    return OwnerScreen.Merged()
                }
            }
        }
        switch key {
        case .escape:
            finished = true
            return .none
        case .left, .right:
            let all = DocumentType.allCases
            docType = all[((all.firstIndex(of: docType) ?? 0) + (key == .right ? 1 : all.count - 1)) % all.count]
            return .none
        case .enter:
            if let candidate {
                confirm = Modal(title: "Fusionar propietarios",
                                message: ["Se fusiona \(candidate.fullName) (\(candidate.docType.label) \(candidate.docNumber))",
                                          "en el propietario de esta pantalla. Sus mascotas pasan a él;",
                                          "nada se borra y queda registrado en el historial."],
                                confirmLabel: "Fusionar", cancelLabel: "Cancelar")
                return .none
            }
            let type = docType, number = field.text
            if let problem = DocumentValidation.problem(type: type, number: number) { error = problem; return .none }
            return .perform { services in OwnerScreen.MergeTarget(owner: try services.store.findOwner(docType: type, docNumber: number)) }
        default:
            if field.handle(key) { candidate = nil; error = nil }
            return .none
        }
    }

    mutating func found(_ owner: Owner?, keptID: String) {
        guard let owner else { error = "No hay propietario con ese documento"; return }
        guard owner.id != keptID else { error = "Es el mismo propietario"; return }
        candidate = owner
        error = nil
    }

    func render(into canvas: inout Canvas, area: Rect, kept: Owner) {
        let w = min(area.width - 4, 76), h = 8
        let x = area.x + (area.width - w) / 2, y = area.y + max(1, (area.height - h) / 2)
        canvas.fill(x: x, y: y, width: w, height: h, style: .modal)
        canvas.box(x: x, y: y, width: w, height: h, title: "Fusionar duplicado en \(kept.fullName)", style: .modal)
        canvas.put("Documento del duplicado:", x: x + 2, y: y + 2, style: .label)
        canvas.put("◂ \(docType.label) ▸", x: x + 27, y: y + 2)
        field.render(into: &canvas, x: x + 42, y: y + 2, width: 16, focused: confirm == nil)
        if let candidate {
            canvas.put("→ \(candidate.fullName) · \(candidate.phone.map(PhoneRules.display) ?? "")", x: x + 2, y: y + 4, style: .ok, maxWidth: w - 4)
            canvas.put("Enter: fusionar · Esc: cancelar", x: x + 2, y: y + 5, style: .hint)
        } else {
            canvas.put("Enter: buscar · Esc: cancelar", x: x + 2, y: y + 5, style: .hint)
        }
        if let error { canvas.put("✖ " + error, x: x + 2, y: y + 4, style: .error, maxWidth: w - 4) }
        confirm?.render(into: &canvas, area: area)
    }
}
