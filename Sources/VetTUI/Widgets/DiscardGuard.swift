/// Esc on a form that holds typed data asks before dropping it («Descartar» / «Seguir editando»,
/// the safe one chosen); on an untouched form Esc simply goes back. A screen remembers its form as
/// opened with `start`, passes every key through `update` first, and draws the question last.
public struct DiscardGuard: Sendable, Equatable {
    var initial: [String] = []
    public private(set) var question: Modal?

    public init() {}

    /// The form as it was opened: only what differs from it counts as typed.
    public mutating func start(_ form: Form) { initial = form.fields.map(\.input.text) }

    public func hasTypedData(_ form: Form) -> Bool { form.fields.map(\.input.text) != initial }

    /// What `key` decides while the question is open, or for Esc; nil when the key belongs to the form.
    public mutating func update(_ key: Key, _ form: Form) -> Command? {
        if var open = question {
            // Esc over the question goes back to the form: only an explicit choice drops data.
            if key == .escape { question = nil; return Command.none }
            switch open.update(key) {
            case .pending: question = open; return Command.none
            case .cancelled: question = nil; return Command.none
            case .confirmed: question = nil; return .pop
            }
        }
        guard key == .escape else { return nil }
        guard hasTypedData(form) else { return .pop }
        question = Modal(title: "Salir sin guardar", message: ["Lo escrito en este formulario no está guardado.", "¿Lo descarta?"],
                         confirmLabel: "Descartar", cancelLabel: "Seguir editando")
        return Command.none
    }

    public func render(into canvas: inout Canvas, area: Rect) {
        question?.render(into: &canvas, area: area)
    }
}
