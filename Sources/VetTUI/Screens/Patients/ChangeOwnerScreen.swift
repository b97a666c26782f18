import VetCore
import VetStore

/// Gives a pet to another (registered) owner: type the new owner's document, check who it is,
/// confirm. The change is kept in the pet's history.
public struct ChangeOwnerScreen: KeyBound {
    let session: Session
    let pet: Pet
    var form = Form(fields: [
        Form.Field(id: "docType", label: "Tipo de documento", input: TextField(DocumentType.dni.label), help: "← → cambia"),
        Form.Field(id: "doc", label: "Documento del nuevo propietario", input: TextField(mask: .alphanumeric(max: 15))),
    ], fieldWidth: 20)
    let choices = Choices(options: ["docType": DocumentType.allCases.map(\.label)])
    var candidate: Owner?
    var confirm: Modal?
    var message: String?

    public init(session: Session, pet: Pet) {
        self.session = session
        self.pet = pet
        form.focus("doc")
    }

    public var title: String { "Cambiar propietario · \(pet.name)" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<ChangeOwnerScreen>] {
        [KeyBinding([.enter], hint: "Enter", label: "Buscar / Confirmar") { s, _, _ in s.findOrConfirm() },
         KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop }]
    }

    /// Enter: looks the document up, or asks to confirm the owner found.
    mutating func findOrConfirm() -> Command {
        if let candidate {
            confirm = Modal(title: "Cambiar propietario",
                            message: ["\(pet.name) pasa a \(candidate.fullName).", "El cambio queda en su historia."],
                            confirmLabel: "Cambiar", cancelLabel: "Cancelar")
            return .none
        }
        let type = docType, number = form["doc"]
        if let problem = DocumentValidation.problem(type: type, number: number) {
            form.setError("doc", problem)
            return .none
        }
        return .perform { services in Found(owner: try services.store.findOwner(docType: type, docNumber: number)) }
    }

    struct Found { let owner: Owner? }
    struct Changed {}

    var docType: DocumentType { DocumentType.allCases.first { $0.label == form["docType"] } ?? .dni }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if var modal = confirm, case .key(let key) = event {
            switch modal.update(key) {
            case .pending: confirm = modal; return .none
            case .cancelled: confirm = nil; return .none
            case .confirmed:
                confirm = nil
                guard let candidate else { return .none }
                let petID = pet.id, ownerID = candidate.id, session = self.session
                return .perform { services in
                    try services.store.changeOwner(petID: petID, to: ownerID, by: session)
                    return Changed()
                }
            }
        }
        switch event {
        case .key(let key):
            if choices.handle(key, form: &form) { candidate = nil; return .none }
            if let command = dispatch(key, context) { return command }
            switch form.update(key) {
            case .edited: candidate = nil; message = nil; return .none
            case .unhandled: return .ignored
            default: return .none
            }
        case .message(let found as Found):
            guard let owner = found.owner else { form.setError("doc", "No hay propietario con ese documento; regístrelo primero"); return .none }
            guard owner.id != pet.ownerId else { form.setError("doc", "Ya es el propietario de \(pet.name)"); return .none }
            candidate = owner
            return .none
        case .message(is Changed):
            return popAndReload("Propietario cambiado")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var shown = form
        shown.fields[0].input = TextField("◂ " + form["docType"] + " ▸")
        shown.render(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4, focused: confirm == nil)
        if let candidate {
            canvas.put("→ \(candidate.fullName) · \(candidate.docType.label) \(candidate.docNumber) · Enter para confirmar",
                       x: area.x + 2, y: area.y + 6, style: .ok, maxWidth: area.width - 4)
        }
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        confirm?.render(into: &canvas, area: area)
    }
}
