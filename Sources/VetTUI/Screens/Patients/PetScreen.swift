import Foundation
import VetCore
import VetStore

/// A pet's whole history across every sede, newest first, each entry with its sede and author;
/// `T` cycles the filter by kind. Vets add consultations, vaccinations, dewormings, prescriptions,
/// attachments and addenda from here; alerts are always highlighted at the top.
public struct PetScreen: Screen {
    let session: Session
    let petID: String
    var pet: Pet?
    var owner: Owner?
    var lastWeight: Int64?
    var entries: [TimelineEntry] = []
    var filter: TimelineEntry.Kind?
    var table = Table(columns: [Table.Column("Fecha", width: 16), Table.Column("Sede", width: 6), Table.Column("Tipo", width: 15),
                                Table.Column("Detalle", width: 44), Table.Column("Autor", width: 24)])
    var message: String?

    public init(session: Session, petID: String) {
        self.session = session
        self.petID = petID
    }

    public var title: String { pet.map { "Historia clínica · \($0.name)" } ?? "Historia clínica" }
    public var hints: [(key: String, label: String)] {
        var h: [(String, String)] = []
        if session.may(.writeClinicalRecords) {
            h += [("C", "Consulta"), ("V", "Vacuna"), ("D", "Desparasitar"), ("R", "Receta"), ("N", "Adenda"), ("A", "Adjunto")]
        }
        h += [("Enter", "Ver completa"), ("I", "Imprimir receta"), ("T", "Filtro"), ("↑↓", "Entrada")]
        if session.may(.editPatients) { h += [("E", "Editar"), ("P", "Peso"), ("M", "Cambiar propietario")] }
        h.append(("O", "Propietario"))
        if session.may(.mergePatients) { h.append(("F", "Fusionar")) }
        h.append(("Esc", "Volver"))
        return h
    }

    struct Loaded { let pet: Pet?; let owner: Owner?; let lastWeight: Int64?; let entries: [TimelineEntry] }
    struct Printed { let path: String }

    public func onAppear() -> Command { load() }

    func load() -> Command {
        let id = petID, filter = self.filter
        return .perform { services in
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
        switch event {
        case .key(let key):
            if table.update(key) { return .none }
            if key == .enter, let pet, let entry = selectedEntry { return .push(EntryDetailScreen(petName: pet.name, entry: entry)) }
            guard case .char(let raw) = key else { return .ignored }
            let c = Character(raw.lowercased())
            guard let pet else { return .ignored }
            switch c {
            case "t":
                let i = Self.filters.firstIndex(of: filter) ?? 0
                filter = Self.filters[(i + 1) % Self.filters.count]
                table.selected = 0
                return load()
            case "c", "v", "d", "r", "a", "n":
                guard session.may(.writeClinicalRecords) else { return .toast("Solo un veterinario escribe en la historia clínica", .warning) }
                if pet.deceasedOn != nil && c != "n" && c != "a" { return .toast("\(pet.name) falleció: no se registran nuevas atenciones", .warning) }
                switch c {
                case "c": return .push(ClinicalFormScreen(session: session, pet: pet, kind: .consultation))
                case "v": return .push(ClinicalFormScreen(session: session, pet: pet, kind: .vaccination))
                case "d": return .push(ClinicalFormScreen(session: session, pet: pet, kind: .deworming))
                case "r": return .push(ClinicalFormScreen(session: session, pet: pet, kind: .prescription))
                case "a": return .push(ClinicalFormScreen(session: session, pet: pet, kind: .attachment))
                default:
                    guard let entry = selectedEntry, entry.kind == .consultation else {
                        return .toast("Elija una consulta para agregarle una adenda", .warning)
                    }
                    return .perform { services in
                        guard let consultation = try services.store.consultation(id: entry.id) else { throw StoreError.notFound("La consulta ya no existe") }
                        return OpenCorrection(consultation: consultation, locked: services.store.isLocked(consultation))
                    }
                }
            case "i":
                guard let entry = selectedEntry, entry.kind == .prescription else { return .toast("Elija una receta para imprimir", .warning) }
                let id = entry.id
                return .perform { services in
                    let folder = (services.store.path as NSString).deletingLastPathComponent + "/recetas"
                    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    let path = folder + "/receta-\(id).txt"
                    try services.store.exportPrescription(id: id, to: path)
                    return Printed(path: path)
                }
            case "e":
                guard session.may(.editPatients) else { return .toast("Su rol no permite editar mascotas", .warning) }
                return .push(PetFormScreen(session: session, ownerID: pet.ownerId, existing: pet))
            case "p":
                guard session.may(.editPatients) else { return .toast("Su rol no permite registrar pesos", .warning) }
                return .push(ClinicalFormScreen(session: session, pet: pet, kind: .weight))
            case "o":
                return .push(OwnerScreen(session: session, ownerID: pet.ownerId))
            case "m":
                guard session.may(.editPatients) else { return .toast("Su rol no permite cambiar el propietario", .warning) }
                return .push(ChangeOwnerScreen(session: session, pet: pet))
            case "f":
                guard session.may(.mergePatients) else { return .toast("Solo un supervisor fusiona mascotas", .warning) }
                return .push(MergePetScreen(session: session, kept: pet))
            default:
                return .ignored
            }
        case .message(let loaded as Loaded):
            pet = loaded.pet
            owner = loaded.owner
            lastWeight = loaded.lastWeight
            entries = loaded.entries
            table.setRows(entries.map { e in
                [e.displayTime, e.sedeCode, e.kind.label + (e.state == .borrador ? "*" : ""),
                 (e.mergedPetName.map { "[\($0)] " } ?? "") + e.summary, e.author]
            })
            return .none
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
            return load()
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
            canvas.put(message ?? "Cargando…", x: x, y: y, style: message == nil ? .hint : .error)
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
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}
