import Foundation
import VetCore
import VetStore

/// A pet's whole history across every sede, newest first, each entry with its sede and author;
/// `T` cycles the filter by kind. Vets add consultations, vaccinations, dewormings, prescriptions,
/// attachments and addenda from here; alerts are always highlighted at the top.
public struct PetScreen: KeyBound {
    let session: Session
    let petID: String
    var load: LoadState<Loaded>
    var pet: Pet? { load.value?.pet }
    var owner: Owner? { load.value?.owner }
    var lastWeight: Int64? { load.value?.lastWeight }
    var entries: [TimelineEntry] { load.value?.entries ?? [] }
    var filter: TimelineEntry.Kind?
    var table = Table(columns: [Table.Column("Fecha", width: 16), Table.Column("Sede", width: 6), Table.Column("Tipo", width: 15),
                                Table.Column("Detalle", width: 44), Table.Column("Autor", width: 24)])
    var message: String?

    public init(session: Session, petID: String) {
        self.session = session
        self.petID = petID
        load = LoadState(Self.fetch(petID, filter: nil))
    }

    public var title: String { pet.map { "Historia clínica · \($0.name)" } ?? "Historia clínica" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<PetScreen>] {
        let session = session
        /// A key that acts on the loaded pet; before it is loaded the key does nothing.
        func onPet(_ act: @escaping (inout PetScreen, Pet) -> Command) -> (inout PetScreen, Key, ScreenContext) -> Command {
            { s, _, _ in s.pet.map { act(&s, $0) } ?? .ignored }
        }
        func clinical(_ letter: Character, _ label: String, _ kind: @escaping (PetScreen) -> ClinicalFormScreen.Kind?) -> KeyBinding<PetScreen> {
            KeyBinding(letter: letter, label: label, enabled: session.may(.writeClinicalRecords),
                       refusal: .toast("Solo un veterinario escribe en la historia clínica", .warning), action: onPet { s, pet in
                if pet.deceasedOn != nil && letter != "n" && letter != "a" { return .toast("\(pet.name) falleció: no se registran nuevas atenciones", .warning) }
                guard let kind = kind(s) else { return s.openAddendum() }
                return .push(ClinicalFormScreen(session: session, pet: pet, kind: kind))
            })
        }
        var keys: [KeyBinding<PetScreen>] = pet == nil ? [LoadState.retry(\.load, in: self)] : []
        keys += [
            clinical("c", "Consulta") { _ in .consultation },
            clinical("v", "Vacuna") { _ in .vaccination },
            clinical("d", "Desparasitar") { _ in .deworming },
            clinical("r", "Receta") { _ in .prescription },
            clinical("n", "Adenda") { _ in nil },
            clinical("a", "Adjunto") { _ in .attachment },
            KeyBinding([.enter], hint: "Enter", label: "Ver completa") { s, _, _ in
                guard let pet = s.pet, let entry = s.selectedEntry else { return .ignored }
                return .push(EntryDetailScreen(petName: pet.name, entry: entry))
            },
            KeyBinding(letter: "i", label: "Imprimir receta", action: onPet { s, _ in s.printPrescription() }),
            KeyBinding(letter: "t", label: "Filtro", action: onPet { s, _ in
                let i = Self.filters.firstIndex(of: s.filter) ?? 0
                s.filter = Self.filters[(i + 1) % Self.filters.count]
                s.table.selected = 0
                return s.load.start(Self.fetch(s.petID, filter: s.filter))
            }),
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Entrada") { s, key, _ in
                s.table.update(key) ? .none : .ignored
            },
            KeyBinding(letter: "e", label: "Editar", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite editar mascotas", .warning), action: onPet { _, pet in
                .push(PetFormScreen(session: session, ownerID: pet.ownerId, existing: pet))
            }),
            KeyBinding(letter: "p", label: "Peso", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite registrar pesos", .warning), action: onPet { _, pet in
                .push(ClinicalFormScreen(session: session, pet: pet, kind: .weight))
            }),
            KeyBinding(letter: "m", label: "Cambiar propietario", enabled: session.may(.editPatients),
                       refusal: .toast("Su rol no permite cambiar el propietario", .warning), action: onPet { _, pet in
                .push(ChangeOwnerScreen(session: session, pet: pet))
            }),
            KeyBinding(letter: "o", label: "Propietario", action: onPet { _, pet in .push(OwnerScreen(session: session, ownerID: pet.ownerId)) }),
            KeyBinding(letter: "f", label: "Fusionar", enabled: session.may(.mergePatients),
                       refusal: .toast("Solo un supervisor fusiona mascotas", .warning), action: onPet { _, pet in
                .push(MergePetScreen(session: session, kept: pet))
            }),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
        return keys
    }

    /// `N`: an addendum to the selected consultation (or finishing one's own draft, or correcting
    /// one's own consultation within 24 hours).
    func openAddendum() -> Command {
        guard let entry = selectedEntry, entry.kind == .consultation else {
            return .toast("Elija una consulta para agregarle una adenda", .warning)
        }
        return .perform { services in
            guard let consultation = try services.store.consultation(id: entry.id) else { throw StoreError.invalid("La consulta ya no existe") }
            return OpenCorrection(consultation: consultation, locked: services.store.isLocked(consultation))
        }
    }

    /// `I`: the selected prescription written to a file for printing.
    func printPrescription() -> Command {
        guard let entry = selectedEntry, entry.kind == .prescription else { return .toast("Elija una receta para imprimir", .warning) }
        let id = entry.id
        return .perform { services in
            let folder = (services.store.path as NSString).deletingLastPathComponent + "/recetas"
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/receta-\(id).txt"
            try services.store.exportPrescription(id: id, to: path)
            return Printed(path: path)
        }
    }

    struct Loaded { let pet: Pet?; let owner: Owner?; let lastWeight: Int64?; let entries: [TimelineEntry] }
    struct Printed { let path: String }

    public func onAppear() -> Command { load.firstLoad() }

    static func fetch(_ id: String, filter: TimelineEntry.Kind?) -> (AppServices) throws -> Loaded {
        { services in
            let pet = try services.store.pet(id: id)
            let kinds: Set<TimelineEntry.Kind> = filter.map { $0 == .vaccination ? [.vaccination, .deworming] : [$0] } ?? Set(TimelineEntry.Kind.allCases)
            return Loaded(pet: pet, owner: try pet.flatMap { try services.store.owner(id: $0.ownerId) },
                          lastWeight: try services.store.weights(petID: id).first?.grams,
                          entries: try services.store.timeline(petID: id, kinds: kinds))
        }
    }

    static let filters: [TimelineEntry.Kind?] = [nil, .consultation, .vaccination, .prescription, .attachment, .weight, .ownerChange]

    var selectedEntry: TimelineEntry? { entries.indices.contains(table.selected) ? entries[table.selected] : nil }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded = received {
                table.setRows(entries.map { e in
                    [e.displayTime, e.sedeCode, e.kind.label + (e.state == .borrador ? "*" : ""),
                     (e.mergedPetName.map { "[\($0)] " } ?? "") + e.summary, e.author]
                })
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? .ignored
        case .message(let open as OpenCorrection):
            guard let pet else { return .none }
            if open.consultation.signedAt == nil {
                // A draft: only its author finishes it.
                guard open.consultation.vetId == session.userID else {
                    return .toast("Es un borrador de otro veterinario: solo su autor lo termina", .warning)
                }
                return .push(ClinicalFormScreen(session: session, pet: pet, kind: .consultation, correcting: open.consultation))
            }
            if !open.locked && open.consultation.vetId == session.userID {
                return .push(ClinicalFormScreen(session: session, pet: pet, kind: .consultation, correcting: open.consultation))
            }
            return .push(ClinicalFormScreen(session: session, pet: pet, kind: .addendum(consultationID: open.consultation.id)))
        case .message(let printed as Printed):
            return .toast("Receta lista para imprimir: \(printed.path)", .ok)
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    struct OpenCorrection { let consultation: Consultation; let locked: Bool }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        var y = area.y + 1
        guard let pet else {
            if let message {
                canvas.put(message, x: x, y: y, style: .error)
            } else if !load.renderPlaceholder(into: &canvas, x: x, y: y, width: area.width - 4) {
                canvas.put("No se encontró la mascota", x: x, y: y, style: .error)
            }
            return
        }
        let today = CivilDate(limaDayOf: context.now)
        var about = [pet.speciesValue?.label ?? pet.species]
        if let breed = pet.breed { about.append(breed) }
        if let sex = pet.sex.flatMap(PetSex.init(rawValue:)) {
            about.append(sex.label + (pet.neutered ? (sex == .male ? " castrado" : " esterilizada") : ""))
        }
        if let birth = pet.birthDate.flatMap(CivilDate.init(iso:)) {
            about.append((pet.birthEstimated ? "~" : "") + BirthRules.ageText(birth: birth, today: today))
        }
        if let color = pet.color { about.append(color) }
        if let g = lastWeight { about.append(WeightRules.kilograms(g) + " kg") }
        canvas.put(pet.name, x: x, y: y, style: .header)
        canvas.put(about.joined(separator: " · "), x: x + CellWidth.of(pet.name) + 2, y: y, maxWidth: area.width - 8 - CellWidth.of(pet.name))
        y += 1
        if let owner {
            let line = "Propietario: \(owner.fullName) · \(owner.docType.label) \(owner.docNumber)" + (owner.phone.map { " · " + PhoneRules.display($0) } ?? "")
                + (pet.microchip.map { " · Microchip \($0)" } ?? "")
            canvas.put(line, x: x, y: y, style: .label, maxWidth: area.width - 4)
        }
        y += 1
        if let deceased = pet.deceasedOn {
            canvas.put("† Falleció el \(describeDay(deceased))", x: x, y: y, style: .warning)
            y += 1
        }
        if !pet.alertList.isEmpty {
            canvas.putPadded(" ⚠ ALERTAS: " + pet.alertList.joined(separator: " · "), x: x, y: y, width: area.width - 4, style: .alert)
            y += 1
        }
        let filterLabel = filter.map { $0 == .vaccination ? "Vacunas y desparasitaciones" : $0.label } ?? "Todas las entradas"
        canvas.put("Historia (todas las sedes) · Filtro: \(filterLabel)", x: x, y: y + 1, style: .label)
        y += 2
        let detail = selectedEntry.map { [$0.kind.label + ($0.status.map { " · " + $0 } ?? "") + " · " + $0.displayTime + " · " + $0.sedeCode + " · " + $0.author]
            + ($0.mergedPetName.map { ["Registrada para \($0) (fusionada)"] } ?? []) + [$0.summary] + $0.details } ?? []
        let detailHeight = min(max(4, detail.count + 1), 12)
        var t = table
        let tableArea = Rect(x: x, y: y, width: area.width - 4, height: max(3, area.y + area.height - y - detailHeight - 1))
        t.layout(height: tableArea.height)
        t.render(into: &canvas, area: tableArea)
        if entries.isEmpty { canvas.put("Sin entradas" + (filter == nil ? "" : " de este tipo"), x: x, y: y + 1, style: .hint) }
        var dy = tableArea.y + tableArea.height + 1
        let pieces = detail.enumerated().flatMap { i, line in TextLayout.wrap(line, width: max(10, area.width - 6)).map { (i, $0) } }
        let room = area.y + area.height - dy
        for (n, (i, piece)) in pieces.enumerated() where dy < area.y + area.height {
            // What does not fit is opened whole with Enter.
            let cut = pieces.count > room && n == room - 1
            canvas.put(cut ? "… Enter muestra la entrada completa" : piece, x: x, y: dy,
                       style: cut ? .hint : (i == 0 ? .header : .normal), maxWidth: area.width - 4)
            dy += 1
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}
