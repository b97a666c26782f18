import Foundation
import VetCore
import VetStore

/// The forms of the clinical record: consultation (signed on saving, after a confirmation, or kept
/// as a draft to finish later), correction of one's own consultation within 24 h, addendum,
/// vaccination, deworming, prescription (one or more drugs), attachment and weighing. Leaving a
/// consultation with unsaved text asks whether to keep it as a draft: a note is never lost to Esc.
public struct ClinicalFormScreen: KeyBound {
    public enum Kind: Equatable, Sendable {
        case consultation, vaccination, deworming, prescription, attachment, weight
        case addendum(consultationID: String)
    }

    let session: Session
    let pet: Pet
    let kind: Kind
    let correcting: Consultation?
    var form: Form
    var items: [PrescriptionItemInput] = []
    /// The catalog product (SKU or barcode, as typed) of each item in `items`, "" for free text.
    var itemCodes: [String] = []
    var confirm: Modal?
    /// What the open modal decides: signing, leaving a consultation with unsaved text (as a draft),
    /// dropping what was typed in another form, or issuing a prescription over the pet's allergy alert.
    var pending: Pending = .sign
    enum Pending { case sign, leave, discard, allergy }
    /// Something was typed since the form opened or was last saved as a draft.
    var dirty = false
    var message: String?
    /// What the form starts from, read as it opens (nil for forms that start empty).
    var prefill: LoadState<Prefill>?
    /// Where a consultation being typed is kept until signed, drafted or discarded (ClinicalFormRecovery.swift).
    let recoveryID: String
    var keptAt: Date?
    var unkept = false

    /// A consultation not signed yet, being finished.
    var isDraft: Bool { correcting.map { $0.signedAt == nil } ?? false }

    public init(session: Session, pet: Pet, kind: Kind, correcting: Consultation? = nil, restoring: ClinicalRecovery? = nil) {
        self.session = session
        recoveryID = restoring?.id ?? UUID().uuidString.lowercased()
        self.pet = pet
        self.kind = kind
        self.correcting = correcting
        form = Form(fields: Self.fields(kind), fieldWidth: kind == .consultation ? 46 : 40)
        prefill = Self.prefillLoad(kind, petID: pet.id, correcting: correcting)
        if let c = correcting {
            form["reason"] = c.reason
            form["anamnesis"] = c.anamnesis ?? ""
            form["weight"] = c.weightGrams.map(WeightRules.kilograms) ?? ""
            form["temperature"] = c.temperatureDc.map { "\($0 / 10),\($0 % 10)" } ?? ""
            form["heartRate"] = c.heartRate.map(String.init) ?? ""
            form["respRate"] = c.respRate.map(String.init) ?? ""
            form["mucous"] = c.mucous ?? ""
            form["crt"] = c.crtSeconds.map(String.init) ?? ""
            form["bodyCondition"] = c.bodyCondition.map(String.init) ?? ""
            form["dxPresumptive"] = c.dxPresumptive ?? ""
            form["dxDefinitive"] = c.dxDefinitive ?? ""
            form["plan"] = c.plan ?? ""
        }
        if let restoring {
            fill(restoring.input)
            dirty = true
        }
    }

    static func fields(_ kind: Kind) -> [Form.Field] {
        switch kind {
        case .consultation:
            [Form.Field(id: "reason", label: "Motivo", input: TextField(maxLength: 200)),
             Form.Field(id: "anamnesis", label: "Anamnesis", input: TextField(maxLength: 1000, rows: 3)),
             Form.Field(id: "weight", label: "Peso (kg)", input: TextField(mask: .amount)),
             Form.Field(id: "temperature", label: "Temperatura (°C)", input: TextField(mask: .amount)),
             Form.Field(id: "heartRate", label: "FC (lpm)", input: TextField(mask: .digits(max: 3))),
             Form.Field(id: "respRate", label: "FR (rpm)", input: TextField(mask: .digits(max: 3))),
             Form.Field(id: "mucous", label: "Mucosas", input: TextField(maxLength: 40), help: VitalRules.mucousOptions.joined(separator: ", ")),
             Form.Field(id: "crt", label: "TLLC (s)", input: TextField(mask: .digits(max: 2))),
             Form.Field(id: "bodyCondition", label: "Condición corporal (1-9)", input: TextField(mask: .digits(max: 1))),
             Form.Field(id: "dxPresumptive", label: "Dx presuntivo", input: TextField(maxLength: 300)),
             Form.Field(id: "dxDefinitive", label: "Dx definitivo", input: TextField(maxLength: 300)),
             Form.Field(id: "plan", label: "Plan", input: TextField(maxLength: 1000, rows: 3))]
        case .vaccination, .deworming:
            [Form.Field(id: "product", label: "Producto", input: TextField(maxLength: 80)),
             Form.Field(id: "lot", label: "Lote", input: TextField(maxLength: 30)),
             Form.Field(id: "expiry", label: "Vencimiento", input: TextField(mask: .date), help: "dd/mm/aaaa del producto"),
             Form.Field(id: "appliedOn", label: "Fecha de aplicación", input: TextField(mask: .date)),
             Form.Field(id: "nextDue", label: "Próxima dosis", input: TextField(mask: .date), help: "dd/mm/aaaa; vacío si no corresponde")]
        case .prescription:
            [Form.Field(id: "drug", label: "Medicamento", input: TextField(maxLength: 80)),
             Form.Field(id: "dose", label: "Dosis", input: TextField(maxLength: 40)),
             Form.Field(id: "frequency", label: "Frecuencia", input: TextField(maxLength: 40), help: "ej. cada 12 h"),
             Form.Field(id: "duration", label: "Duración", input: TextField(maxLength: 40), help: "ej. 7 días"),
             Form.Field(id: "instructions", label: "Indicaciones", input: TextField(maxLength: 300)),
             Form.Field(id: "product", label: "Producto (farmacia)", input: TextField(maxLength: 60), help: "SKU o código de barras; vacío: solo texto"),
             Form.Field(id: "quantity", label: "Cantidad a dispensar", input: TextField(maxLength: 12), help: "En la unidad del producto (tabletas, ml…)")]
        case .attachment:
            [Form.Field(id: "path", label: "Archivo (ruta)", input: TextField(maxLength: 300), help: "Ruta completa, ej. /srv/adjuntos/hemograma.pdf"),
             Form.Field(id: "description", label: "Descripción", input: TextField(maxLength: 120))]
        case .weight:
            [Form.Field(id: "weight", label: "Peso (kg)", input: TextField(mask: .amount))]
        case .addendum:
            [Form.Field(id: "text", label: "Adenda", input: TextField(maxLength: 1000), help: "Queda debajo de la consulta original")]
        }
    }

    public var title: String {
        switch kind {
        case .consultation: correcting == nil ? "Nueva consulta · \(pet.name)"
            : isDraft ? "Borrador de consulta · \(pet.name)" : "Corregir consulta · \(pet.name)"
        case .vaccination: "Vacuna · \(pet.name)"
        case .deworming: "Desparasitación · \(pet.name)"
        case .prescription: "Receta · \(pet.name)"
        case .attachment: "Adjunto · \(pet.name)"
        case .weight: "Peso · \(pet.name)"
        case .addendum: "Adenda · \(pet.name)"
        }
    }

    /// Short enough that ^B Borrador and Esc still show at 80 columns (Tab moves between fields
    /// too, unlisted).
    public func bindings(_ context: ScreenContext) -> [KeyBinding<ClinicalFormScreen>] {
        [
            KeyBinding([.enter], hint: "Enter", label: "Siguiente") { s, key, context in s.formKey(key, context) },
            KeyBinding([.ctrl("s")], hint: "^S", label: kind == .consultation ? "Firmar" : "Guardar") { s, _, context in s.submit(context) },
            KeyBinding([.ctrl("b")], hint: "^B", label: "Borrador", enabled: kind == .consultation && (correcting == nil || isDraft)) { s, _, context in
                s.saveDraft(context)
            },
            KeyBinding([.ctrl("a")], hint: "^A", label: "Agregar", enabled: kind == .prescription) { s, _, _ in
                s.addItem()
                return .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, _, _ in s.leave() },
        ]
    }

    /// `^A`: the prescription line typed joins the list, and its fields empty for the next one.
    mutating func addItem() {
        let item = currentItem
        let problems = item.problems().merging(catalogProblems) { a, _ in a }
        if !problems.isEmpty { form.show(problems); return }
        items.append(item)
        itemCodes.append(form["product"].trimmingCharacters(in: .whitespaces))
        for id in ["drug", "dose", "frequency", "duration", "instructions", "product", "quantity"] { form[id] = "" }
        form.clearErrors()
        form.focus("drug")
    }

    /// Esc: back at once when nothing was typed; else asks to keep a draft or to discard.
    mutating func leave() -> Command {
        guard dirty else { return .pop }
        guard kind == .consultation, correcting == nil || isDraft else {
            pending = .discard
            confirm = Modal(title: "Salir sin guardar", message: ["Lo escrito en este formulario no está guardado.", "¿Lo descarta?"],
                            confirmLabel: "Descartar", cancelLabel: "Seguir editando")
            return .none
        }
        pending = .leave
        confirm = Modal(title: "Salir de la consulta",
                        message: ["Lo escrito no está guardado.", "¿Lo guarda como borrador para terminarlo después?"],
                        confirmLabel: "Guardar borrador", cancelLabel: "Descartar")
        confirm?.choice = true
        return .none
    }

    /// Typing and moving between the fields; Enter on the last one saves.
    mutating func formKey(_ key: Key, _ context: ScreenContext) -> Command {
        switch form.update(key) {
        case .submit: return submit(context)
        case .edited: message = nil; dirty = true; return autosave(context.now)
        case .moved: return .none
        case .unhandled: return .ignored
        }
    }

    struct Saved { let problems: FieldProblems?; let done: String }
    /// The prescription matches the pet's alerts: one line per match, to confirm.
    struct AllergyWarning { let lines: [String] }
    /// A new consultation starts from the reason of the pet's appointment today; a vaccination or
    /// deworming from today's date.
    enum Prefill { case appointmentReason(String?), today(CivilDate) }

    static func prefillLoad(_ kind: Kind, petID: String, correcting: Consultation?) -> LoadState<Prefill>? {
        switch kind {
        case .consultation where correcting == nil:
            LoadState { services in .appointmentReason(try services.store.todaysAppointmentReason(petID: petID)) }
        case .vaccination, .deworming:
            LoadState { services in .today(services.store.today) }
        default:
            nil
        }
    }

    public func onAppear() -> Command { prefill?.firstLoad() ?? .none }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if var modal = confirm, case .key(let key) = event {
            // Esc over "leave?" goes back to the form: only an explicit choice discards a note.
            if pending != .sign && key == .escape { confirm = nil; return .none }
            switch modal.update(key) {
            case .pending: confirm = modal; return .none
            case .cancelled:
                confirm = nil
                return pending == .leave ? .batch([dropRecovery(), .pop, .perform { _ in ReloadRequest() }]) : .none
            case .confirmed:
                confirm = nil
                switch pending {
                case .leave: return saveDraft(context)
                case .discard: return .batch([dropRecovery(), .pop])
                case .sign: return save()
                case .allergy: return save(allergyConfirmed: true)
                }
            }
        }
        if let received = prefill?.receive(event) {
            switch received {
            case .loaded(.appointmentReason(let text)):
                // The appointment's reason starts the consultation's «Motivo», unless something was typed.
                if let text, form["reason"].isEmpty { form["reason"] = text }
            case .loaded(.today(let day)):
                // Applied today; next dose in a year (vaccines) or three months (dewormings), editable.
                if form["appliedOn"].isEmpty { form["appliedOn"] = day.display }
                if form["nextDue"].isEmpty { form["nextDue"] = day.adding(months: kind == .vaccination ? 12 : 3).display }
            case .failed(let failure):
                message = failure
            case .stale:
                break
            }
            return .none
        }
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? formKey(key, context)
        case .message(let saved as Saved):
            if let problems = saved.problems {
                form.show(problems)
                message = "Revise los campos marcados; no se guardó nada"
                return .none
            }
            return popAndReload(saved.done)
        case .message(let warning as AllergyWarning):
            pending = .allergy
            confirm = Modal(title: "⚠ Alerta de alergia", message: ["Alertas de \(pet.name) que coinciden con la receta:"]
                                + warning.lines.map { "  " + $0 } + ["¿Emitir la receta de todos modos? Queda registrado en ella."],
                            confirmLabel: "Emitir igual", cancelLabel: "Revisar")
            return .none
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .tick:
            return unkept ? autosave(context.now) : .none
        default:
            return .none
        }
    }

    var currentItem: PrescriptionItemInput {
        PrescriptionItemInput(drug: form["drug"], dose: form["dose"], frequency: form["frequency"], duration: form["duration"],
                              instructions: form["instructions"], quantity: try? StockRules.quantity(form["quantity"]))
    }

    /// A prescription line names a catalog product with a whole quantity to dispense, or neither.
    var catalogProblems: FieldProblems {
        var p = FieldProblems()
        let product = form["product"].trimmingCharacters(in: .whitespaces), quantity = form["quantity"].trimmingCharacters(in: .whitespaces)
        if product.isEmpty {
            if !quantity.isEmpty { p["product"] = "Indique el producto a dispensar, o deje la cantidad vacía" }
        } else {
            do { _ = try StockRules.quantity(quantity) } catch { p["quantity"] = "\(error)" }
        }
        return p
    }

    var consultationInput: ConsultationInput {
        var c = ConsultationInput()
        c.reason = form["reason"]; c.anamnesis = form["anamnesis"]; c.weight = form["weight"]; c.temperature = form["temperature"]
        c.heartRate = form["heartRate"]; c.respRate = form["respRate"]; c.mucous = form["mucous"]; c.capillaryRefill = form["crt"]
        c.bodyCondition = form["bodyCondition"]; c.dxPresumptive = form["dxPresumptive"]; c.dxDefinitive = form["dxDefinitive"]; c.plan = form["plan"]
        return c
    }

    var vaccinationInput: VaccinationInput {
        VaccinationInput(kind: kind == .vaccination ? .vaccine : .deworming, product: form["product"], lot: form["lot"],
                         expiry: form["expiry"], appliedOn: form["appliedOn"], nextDue: form["nextDue"])
    }

    /// Checks the form; a consultation asks for confirmation before it is signed.
    mutating func submit(_ context: ScreenContext) -> Command {
        let today = CivilDate(limaDayOf: context.now)
        let species = pet.speciesValue ?? .otro
        var problems = FieldProblems()
        switch kind {
        case .consultation: problems = consultationInput.problems(species: species)
        case .vaccination, .deworming: problems = vaccinationInput.problems(today: today)
        case .prescription:
            let item = currentItem
            if !(items.count > 0 && item == PrescriptionItemInput() && form["product"].isEmpty) {
                problems = item.problems().merging(catalogProblems) { a, _ in a }
            }
        case .weight: problems["weight"] = WeightRules.problem(form["weight"], species: species, required: true)
        case .addendum: if form["text"].trimmingCharacters(in: .whitespaces).isEmpty { problems["text"] = "Escriba el texto de la adenda" }
        case .attachment: break
        }
        problems = problems.filter { !$0.value.isEmpty }
        if !problems.isEmpty {
            form.show(problems)
            message = "Revise los campos marcados; no se guardó nada"
            return .none
        }
        if kind == .consultation {
            pending = .sign
            confirm = Modal(title: correcting == nil || isDraft ? "Firmar consulta" : "Guardar corrección",
                            message: ["Se firma a nombre de \(session.fullName).",
                                      "Podrá corregirla durante 24 h; después solo con adendas."],
                            confirmLabel: "Firmar", cancelLabel: "Seguir editando")
            confirm?.choice = true
            return .none
        }
        return save()
    }

    /// Keeps the consultation unsigned, with the same checks as signing it.
    mutating func saveDraft(_ context: ScreenContext) -> Command {
        let problems = consultationInput.problems(species: pet.speciesValue ?? .otro).filter { !$0.value.isEmpty }
        if !problems.isEmpty {
            form.show(problems)
            message = "Revise los campos marcados; el borrador no se guardó"
            return .none
        }
        let session = self.session, petID = pet.id, input = consultationInput, id = correcting?.id, recoveryID = self.recoveryID
        return .perform { services in
            switch try services.store.saveConsultation(input, petID: petID, id: id, sign: false, by: session) {
            case .saved:
                try services.store.dropRecovery(id: recoveryID)
                return Saved(problems: nil, done: "Borrador guardado: N sobre él, en la historia, lo retoma")
            case .invalid(let p): return Saved(problems: p, done: "")
            case .existing: return Saved(problems: nil, done: "")
            }
        }
    }

    func save(allergyConfirmed: Bool = false) -> Command {
        let session = self.session, petID = pet.id
        switch kind {
        case .consultation:
            let input = consultationInput, id = correcting?.id, draft = isDraft, recoveryID = self.recoveryID
            return .perform { services in
                switch try services.store.saveConsultation(input, petID: petID, id: id, sign: true, by: session) {
                case .saved:
                    try services.store.dropRecovery(id: recoveryID)
                    return Saved(problems: nil, done: id == nil || draft ? "Consulta firmada" : "Consulta corregida")
                case .invalid(let p): return Saved(problems: p, done: "")
                case .existing: return Saved(problems: nil, done: "")
                }
            }
        case .vaccination, .deworming:
            let input = vaccinationInput, label = kind == .vaccination ? "Vacuna registrada" : "Desparasitación registrada"
            return .perform { services in
                switch try services.store.recordVaccination(input, petID: petID, by: session) {
                case .invalid(let p): Saved(problems: p, done: "")
                default: Saved(problems: nil, done: label)
                }
            }
        case .prescription:
            let current = currentItem
            let currentCode = form["product"].trimmingCharacters(in: .whitespaces)
            let blank = current == PrescriptionItemInput() && currentCode.isEmpty
            let typed = items + (blank ? [] : [current]), codes = itemCodes + (blank ? [] : [currentCode])
            return .perform { services in
                // Each line that names a product takes the catalog item it names.
                var all = typed
                for (i, code) in codes.enumerated() where !code.isEmpty {
                    guard let product = try services.store.catalogItem(code: code), product.isProduct else {
                        throw StoreError.notFound("Línea \(i + 1): no hay ningún producto con el SKU o código «\(code)»")
                    }
                    all[i].itemID = product.id
                }
                for i in all.indices where all[i].itemID == nil { all[i].quantity = nil }
                do {
                    switch try services.store.issuePrescription(items: all, petID: petID, allergyConfirmed: allergyConfirmed, by: session) {
                    case .invalid(let p): return Saved(problems: p, done: "")
                    default: return Saved(problems: nil, done: "Receta emitida · I la imprime")
                    }
                } catch let needed as ConfirmationNeeded {
                    return AllergyWarning(lines: needed.message.split(separator: "\n").map(String.init))
                }
            }
        case .attachment:
            let path = form["path"], description = form["description"]
            return .perform { services in
                switch try services.store.addAttachment(petID: petID, path: path, description: description, by: session) {
                case .invalid(let p): Saved(problems: p, done: "")
                default: Saved(problems: nil, done: "Adjunto registrado")
                }
            }
        case .weight:
            let grams = WeightRules.grams(fromKilograms: form["weight"]) ?? 0
            return .perform { services in
                try services.store.recordWeight(petID: petID, grams: grams, by: session)
                return Saved(problems: nil, done: "Peso registrado")
            }
        case .addendum(let consultationID):
            let text = form["text"]
            return .perform { services in
                try services.store.addAddendum(consultationID: consultationID, text: text, by: session)
                return Saved(problems: nil, done: "Adenda agregada")
            }
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var y = area.y + 1
        let x = area.x + 2
        if !pet.alertList.isEmpty {
            canvas.putPadded(" ⚠ ALERTAS: " + pet.alertList.joined(separator: " · "), x: x, y: y, width: area.width - 4, style: .alert)
            y += 2
        }
        if kind == .prescription && !items.isEmpty {
            for (i, item) in items.enumerated() {
                let dispense = itemCodes.indices.contains(i) && !itemCodes[i].isEmpty ? " · dispensar \(item.quantity ?? 0) de \(itemCodes[i])" : ""
                canvas.put("\(i + 1). \(item.drug) — \(item.dose), \(item.frequency), \(item.duration)\(dispense)", x: x, y: y, style: .ok, maxWidth: area.width - 4)
                y += 1
            }
            y += 1
        }
        var shown = form
        shown.rowsPerField = form.height(rowsPerField: 2) + 1 > area.y + area.height - y ? 1 : 2
        shown.render(into: &canvas, x: x, y: y, width: area.width - 4, focused: confirm == nil)
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        confirm?.render(into: &canvas, area: area)
    }
}
