import VetCore
import VetStore

/// The terminal locked after idle minutes (or on request): only the same user's clave opens it;
/// Esc signs out so someone else can sign in.
public struct LockScreen: KeyBound {
    let session: Session
    let byUser: Bool
    var form = Form(fields: [Form.Field(id: "password", label: "Clave", input: TextField(secure: true, maxLength: 64))], fieldWidth: 20)
    var message: String?

    public init(session: Session, byUser: Bool = false) {
        self.session = session
        self.byUser = byUser
    }

    public var title: String { "Terminal bloqueada" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<LockScreen>] {
        [KeyBinding([.enter], hint: "Enter", label: "Desbloquear") { s, _, _ in s.submit() },
         KeyBinding([.escape], hint: "Esc", label: "Cambiar de usuario") { _, _, _ in .signOut }]
    }
    public var isGate: Bool { true }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            _ = form.update(key)
            return .none
        case .message(let outcome as Authenticator.Outcome):
            switch outcome {
            case .success: return .pop
            case .failure(let text):
                message = text
                form["password"] = ""
                return .none
            }
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    mutating func submit() -> Command {
        guard form.update(.enter) == .submit else { return .none }
        let password = form["password"]
        guard !password.isEmpty else { form.setError("password", "Ingrese la clave"); return .none }
        return .perform { [session] services in try services.auth.unlock(session: session, password: password) }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let w = min(area.width - 2, 56)
        let x = area.x + (area.width - w) / 2
        let y = area.y + max(0, (area.height - 9) / 3)
        canvas.box(x: x, y: y, width: w, height: 7, title: byUser ? "Terminal bloqueada" : "Bloqueada por inactividad")
        canvas.put("Sesión de \(session.fullName) (\(session.username))", x: x + 2, y: y + 2, style: .label, maxWidth: w - 4)
        form.render(into: &canvas, x: x + 2, y: y + 4, width: w - 4)
        if let message { canvas.putCentered(message, y: y + 8, style: .error) }
    }
}
