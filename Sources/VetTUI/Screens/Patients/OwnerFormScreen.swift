import VetCore
import VetStore

/// Registers or edits an owner. Each problem shows next to its field and nothing is saved until
/// all are fixed. A document number already registered is reported on the form, with Ctrl+O to
/// open that owner: the screen never changes under keys the user is still typing.
public struct OwnerFormScreen: KeyBound {
    let session: Session
    let existing: Owner?
    var form: Form
    let choices = Choices(options: [
        "docType": DocumentType.allCases.map(\.label),
        "whatsapp": yesNo, "emailConsent": yesNo,
    ])
    var message: String?
    /// The sede's district: a bare district name is looked for in its province first.
    var home: District?
    /// The owner already registered with the typed document, offered with Ctrl+O.
    var registered: Owner?
    var discard = DiscardGuard()

    public init(session: Session, existing: Owner? = nil) {
        self.session = session
        self.existing = existing
        form = Form(fields: [
            Form.Field(id: "docType", label: "Tipo de documento", input: TextField(DocumentType.dni.label), help: "← → cambia: DNI, RUC, CE, Pasaporte"),
            Form.Field(id: "doc", label: "Número", input: TextField(mask: .digits(max: 8))),
            Form.Field(id: "firstNames", label: "Nombres", input: TextField(maxLength: 200)),
            Form.Field(id: "lastNames", label: "Apellidos", input: TextField(maxLength: 200), help: "Para RUC de empresa, puede quedar vacío"),
            Form.Field(id: "phone", label: "Celular", input: TextField(maxLength: 16), help: "9 dígitos, empieza con 9 (+51 opcional)"),
            Form.Field(id: "phone2", label: "Otro teléfono", input: TextField(maxLength: 16), help: "Opcional; fijo con código de ciudad"),
            Form.Field(id: "email", label: "Correo", input: TextField(maxLength: 80)),
            Form.Field(id: "address", label: "Dirección", input: TextField(maxLength: 100)),
            Form.Field(id: "district", label: "Distrito", input: TextField(maxLength: 60), help: "Nombre, «nombre, provincia» o código ubigeo"),
            Form.Field(id: "whatsapp", label: "Recordatorios WhatsApp", input: TextField("No"), help: "← → o S/N"),
            Form.Field(id: "emailConsent", label: "Recordatorios por correo", input: TextField("No"), help: "← → o S/N"),
        ], fieldWidth: 36)
        form.focus("doc")
        if let o = existing {
            form["docType"] = o.docType.label
            setDocMask(o.docType)
            form["doc"] = o.docNumber
            form["firstNames"] = o.firstNames
            form["lastNames"] = o.lastNames
            form["phone"] = o.phone ?? ""
            form["phone2"] = o.phone2 ?? ""
            form["email"] = o.email ?? ""
            form["address"] = o.address ?? ""
            form["district"] = o.ubigeo ?? o.district ?? ""
            form["whatsapp"] = o.consentWhatsapp ? "Sí" : "No"
            form["emailConsent"] = o.consentEmail ? "Sí" : "No"
        }
        discard.start(form)
    }

    public var title: String { existing == nil ? "Nuevo propietario" : "Editar propietario" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<OwnerFormScreen>] {
        let session = session
        return [
            KeyBinding([.ctrl("o")], hint: "^O", label: "Abrir el ya registrado", enabled: registered != nil) { s, _, _ in
                s.registered.map { .replace(OwnerScreen(session: session, ownerID: $0.id)) } ?? .none
            },
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Guardar") { s, key, _ in s.formKey(key) },
            KeyBinding([.tab], hint: "Tab", label: "Campo") { s, key, _ in s.formKey(key) },
            KeyBinding([.ctrl("s")], hint: "^S", label: "Guardar") { s, _, _ in s.submit() },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, key, _ in s.discard.update(key, s.form) ?? .pop },
        ]
    }

    var docType: DocumentType { DocumentType.allCases.first { $0.label == form["docType"] } ?? .dni }

    mutating func setDocMask(_ type: DocumentType) {
        guard let i = form.fields.firstIndex(where: { $0.id == "doc" }) else { return }
        let mask: TextField.Mask = switch type {
        case .dni: .digits(max: 8)
        case .ruc: .digits(max: 11)
        case .ce: .alphanumeric(max: 12)
        case .pasaporte: .alphanumeric(max: 15)
        }
        form.fields[i].input.mask = mask
    }

    var input: OwnerInput {
        OwnerInput(docType: docType, docNumber: form["doc"], firstNames: form["firstNames"], lastNames: form["lastNames"],
                   phone: form["phone"], phone2: form["phone2"], email: form["email"], address: form["address"],
                   district: form["district"], consentWhatsApp: form["whatsapp"] == "Sí", consentEmail: form["emailConsent"] == "Sí")
    }

    struct Found { let owner: Owner? }
    struct HomeLoaded { let district: District? }

    public func onAppear() -> Command {
        .perform { services in HomeLoaded(district: try services.store.homeDistrict()) }
    }
    struct Saved { let outcome: SaveOutcome<Owner> }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let decided = discard.update(key, form) { return decided }
            if let command = dispatch(key, context) { return command }
            let before = form["docType"]
            if choices.handle(key, form: &form) {
                if form["docType"] != before {
                    setDocMask(docType)
                    form["doc"] = ""
                    registered = nil
                }
                return .none
            }
            return formKey(key)
        case .message(let loaded as HomeLoaded):
            home = loaded.district
            return .none
        case .message(let found as Found):
            // Reported, not opened: the keys typed after the document keep filling this form.
            guard let owner = found.owner, owner.docNumber == input.normalizedDocNumber else { return .none }
            registered = owner
            return .none
        case .message(let saved as Saved):
            switch saved.outcome {
            case .saved(let owner):
                if existing != nil { return popAndReload("Propietario guardado") }
                return .batch([.replace(OwnerScreen(session: session, ownerID: owner.id)), .toast("Propietario registrado", .ok)])
            case .invalid(let problems):
                form.show(problems)
                message = "Revise los campos marcados; no se guardó nada"
                return .none
            case .existing(let owner):
                registered = owner
                form.focus("doc")
                message = "No se guardó: el documento ya está registrado"
                return .none
            }
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    /// Typing and moving between the fields; leaving a valid document looks it up; Enter on the
    /// last field saves.
    mutating func formKey(_ key: Key) -> Command {
        let leavingDoc = form.fields[form.focus].id == "doc" && (key == .enter || key == .tab)
        switch form.update(key) {
        case .submit:
            return submit()
        case .moved:
            // A registered document opens its owner before anything else is typed.
            if leavingDoc, existing == nil, DocumentValidation.problem(type: docType, number: input.normalizedDocNumber) == nil {
                let type = docType, number = input.normalizedDocNumber
                return .perform { services in Found(owner: try services.store.findOwner(docType: type, docNumber: number)) }
            }
            if leavingDoc, let problem = DocumentValidation.problem(type: docType, number: input.normalizedDocNumber) {
                form.setError("doc", problem)
            }
            return .none
        case .edited:
            message = nil
            if form.fields[form.focus].id == "doc" { registered = nil }
            return .none
        case .unhandled:
            return .ignored
        }
    }

    mutating func submit() -> Command {
        let problems = input.problems()
        if !problems.isEmpty {
            form.show(problems)
            message = "Revise los campos marcados; no se guardó nada"
            return .none
        }
        let input = self.input, id = existing?.id, session = self.session
        return .perform { services in Saved(outcome: try services.store.saveOwner(input, id: id, by: session)) }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var shown = form
        for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
            shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
        }
        shown.rowsPerField = form.fields.count * 2 + 2 > area.height ? 1 : 2
        shown.render(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
        let districtRow = area.y + 1 + shown.rowsPerField * (form.fields.firstIndex { $0.id == "district" } ?? 0) + 1
        let text = form["district"]
        if shown.rowsPerField == 2, !text.trimmingCharacters(in: .whitespaces).isEmpty, form.fields.first(where: { $0.id == "district" })?.error == nil {
            let matches = Ubigeo.matches(text, home: home)
            let note = matches.count == 1 ? "→ \(matches[0].label) · \(matches[0].code)"
                : matches.isEmpty ? "" : "→ " + matches.prefix(4).map(\.label).joined(separator: " · ")
            canvas.put(note, x: area.x + 2 + form.labelWidth, y: districtRow, style: .hint, maxWidth: area.width - form.labelWidth - 4)
        }
        if let registered {
            let note = "\(registered.docType.label) \(registered.docNumber) ya registrado: \(registered.fullName) · Ctrl+O lo abre"
            canvas.put(note, x: area.x + 2, y: area.y + area.height - 2, style: .warning, maxWidth: area.width - 4)
        }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        discard.render(into: &canvas, area: area)
    }
}
