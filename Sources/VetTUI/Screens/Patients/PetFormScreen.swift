import VetCore
import VetStore

/// Registers or edits a pet: species with its breed list (any breed may be typed), birth date or
/// approximate age, microchip, weight (goes to the weight history) and alerts.
public struct PetFormScreen: KeyBound {
    let session: Session
    let ownerID: String
    let existing: Pet?
    var form: Form
    var discard = DiscardGuard()
    let choices = Choices(options: [
        "species": Species.allCases.map(\.rawValue),
        "sex": ["—", "Macho", "Hembra"],
        "neutered": yesNo,
    ])
    var message: String?

    public init(session: Session, ownerID: String, existing: Pet? = nil) {
        self.session = session
        self.ownerID = ownerID
        self.existing = existing
        var fields = [
            Form.Field(id: "name", label: "Nombre", input: TextField(maxLength: 200)),
            Form.Field(id: "species", label: "Especie", input: TextField(Species.perro.rawValue), help: "← → cambia la especie"),
            Form.Field(id: "breed", label: "Raza", input: TextField(maxLength: 40)),
            Form.Field(id: "sex", label: "Sexo", input: TextField("—"), help: "← → o M/H"),
            Form.Field(id: "neutered", label: "Castrado/esterilizada", input: TextField("No"), help: "← → o S/N"),
            Form.Field(id: "birth", label: "Nacimiento", input: TextField(mask: .date), help: "dd/mm/aaaa, o deje vacío y dé la edad"),
            Form.Field(id: "age", label: "Edad aproximada", input: TextField(maxLength: 12), help: "3a, 8m o 2a 6m"),
            Form.Field(id: "color", label: "Color", input: TextField(maxLength: 40)),
            Form.Field(id: "chip", label: "Microchip", input: TextField(mask: .digits(max: 15)), help: "15 dígitos"),
            Form.Field(id: "weight", label: "Peso (kg)", input: TextField(mask: .amount), help: "Se guarda en el historial de pesos"),
            Form.Field(id: "alerts", label: "Alertas", input: TextField(maxLength: 120), help: "Separe con ; (agresivo; alérgico a penicilina)"),
        ]
        if existing != nil {
            fields.append(Form.Field(id: "deceased", label: "Fallecido el", input: TextField(mask: .date), help: "dd/mm/aaaa; sin recordatorios después"))
        }
        form = Form(fields: fields, fieldWidth: 30)
        if let p = existing {
            form["name"] = p.name
            form["species"] = p.speciesValue?.rawValue ?? Species.otro.rawValue
            form["breed"] = p.breed ?? ""
            form["sex"] = p.sex.flatMap(PetSex.init(rawValue:))?.label ?? "—"
            form["neutered"] = p.neutered ? "Sí" : "No"
            if !p.birthEstimated { form["birth"] = describeDay(p.birthDate) }
            if p.birthEstimated, let i = form.fields.firstIndex(where: { $0.id == "age" }) {
                form.fields[i].help = "Nacimiento estimado \(describeDay(p.birthDate)); vacío lo conserva"
            }
            form["color"] = p.color ?? ""
            form["chip"] = p.microchip ?? ""
            form["alerts"] = p.alertList.joined(separator: "; ")
            form["deceased"] = describeDay(p.deceasedOn)
        }
        discard.start(form)
    }

    public var title: String { existing == nil ? "Nueva mascota" : "Editar mascota · \(existing?.name ?? "")" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<PetFormScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Guardar") { s, key, context in s.formKey(key, context) },
            KeyBinding([.tab], hint: "Tab", label: "Campo") { s, key, context in s.formKey(key, context) },
            KeyBinding([.ctrl("s")], hint: "^S", label: "Guardar") { s, _, context in s.submit(context) },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, key, _ in s.discard.update(key, s.form) ?? .pop },
        ]
    }

    var species: Species { Species(loose: form["species"]) ?? .otro }

    var input: PetInput {
        let sex = form["sex"] == "Macho" ? "M" : form["sex"] == "Hembra" ? "H" : ""
        return PetInput(name: form["name"], species: form["species"], breed: form["breed"], sex: sex, neutered: form["neutered"] == "Sí",
                        birthDate: form["birth"], approximateAge: form["age"], color: form["color"], microchip: form["chip"],
                        weight: form["weight"], alerts: form["alerts"], deceasedOn: form["deceased"])
    }

    struct Saved { let outcome: SaveOutcome<Pet> }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let decided = discard.update(key, form) { return decided }
            if let command = dispatch(key, context) { return command }
            if choices.handle(key, form: &form) { return .none }
            return formKey(key, context)
        case .message(let saved as Saved):
            switch saved.outcome {
            case .saved(let pet):
                if existing != nil { return popAndReload("Mascota guardada") }
                return .batch([.replace(PetScreen(session: session, petID: pet.id)), .toast("Mascota registrada", .ok)])
            case .invalid(let problems):
                form.show(problems)
                message = "Revise los campos marcados; no se guardó nada"
                return .none
            case .existing:
                return .none
            }
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    /// Typing and moving between the fields; Enter on the last one saves.
    mutating func formKey(_ key: Key, _ context: ScreenContext) -> Command {
        switch form.update(key) {
        case .submit: return submit(context)
        case .edited: message = nil; return .none
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    mutating func submit(_ context: ScreenContext) -> Command {
        let problems = input.problems(today: CivilDate(limaDayOf: context.now))
        if !problems.isEmpty {
            form.show(problems)
            message = "Revise los campos marcados; no se guardó nada"
            return .none
        }
        let input = self.input, ownerID = self.ownerID, id = existing?.id, session = self.session
        return .perform { services in Saved(outcome: try services.store.savePet(input, ownerID: ownerID, id: id, by: session)) }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var shown = form
        for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
            shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
        }
        shown.rowsPerField = form.fields.count * 2 + 2 > area.height ? 1 : 2
        shown.render(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
        if shown.rowsPerField == 2, form.fields.indices.contains(form.focus), form.fields[form.focus].id == "breed", form.fields[form.focus].error == nil {
            let breeds = species.breeds
            if !breeds.isEmpty {
                let typed = Ubigeo.fold(form["breed"])
                let list = breeds.filter { typed.isEmpty || Ubigeo.fold($0).hasPrefix(typed) }
                let row = area.y + 1 + shown.rowsPerField * form.focus + 1
                canvas.put("Razas: " + (list.isEmpty ? "(otra: se guarda como la escriba)" : list.joined(separator: ", ")),
                           x: area.x + 2 + form.labelWidth, y: row, style: .hint, maxWidth: area.width - form.labelWidth - 4)
            }
        }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        discard.render(into: &canvas, area: area)
    }
}
