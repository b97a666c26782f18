import VetCore
import VetStore

/// Sign-in: `Usuario` and `Clave`. Enter moves to the next field and submits on the last.
public struct LoginScreen: KeyBound {
    public var form = Form(fields: [
        Form.Field(id: "user", label: "Usuario", input: TextField(maxLength: 32)),
        Form.Field(id: "password", label: "Clave", input: TextField(secure: true, maxLength: 64)),
    ], fieldWidth: 24)
    public var message: String?
    public var busy = false
    let demoLogins: [String]

    public init(demoLogins: [String]) { self.demoLogins = demoLogins }

    public var title: String { "Iniciar sesión" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<LoginScreen>] {
        [KeyBinding([.enter], hint: "Enter", label: "Siguiente / Ingresar") { s, key, _ in s.formKey(key) },
         KeyBinding([.tab], hint: "Tab", label: "Cambiar campo") { s, key, _ in s.formKey(key) }]
    }
    public var isGate: Bool { true }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            return dispatch(key, context) ?? formKey(key)
        case .message(let outcome as Authenticator.Outcome):
            switch outcome {
            case .success(let session):
                return .signIn(session)
            case .failure(let text):
                message = text
                form["password"] = ""
                form.focus("password")
                return .none
            }
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    /// Typing and moving between the fields; Enter on the last one signs in.
    mutating func formKey(_ key: Key) -> Command {
        switch form.update(key) {
        case .submit:
            return submit()
        case .edited, .moved:
            message = nil
            return .none
        case .unhandled:
            return .ignored
        }
    }

    mutating func submit() -> Command {
        form.clearErrors()
        let user = form["user"], password = form["password"]
        if user.trimmingCharacters(in: .whitespaces).isEmpty {
            form.setError("user", "Ingrese el usuario")
            form.focus("user")
            return .none
        }
        if password.isEmpty {
            form.setError("password", "Ingrese la clave")
            return .none
        }
        return .perform { services in try services.auth.login(username: user, password: password) }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let boxWidth = min(area.width - 2, 56)
        let x = area.x + (area.width - boxWidth) / 2
        var y = area.y + max(0, (area.height - 12) / 3)
        canvas.putCentered("VetDesk", y: y, style: .header)
        canvas.putCentered("\(context.sede.name) (\(context.sede.code))", y: y + 1, style: .label)
        y += 3
        canvas.box(x: x, y: y, width: boxWidth, height: 6, title: "Iniciar sesión")
        form.render(into: &canvas, x: x + 2, y: y + 1, width: boxWidth - 4)
        y += 7
        if let message { canvas.putCentered(message, y: y, style: .error) }
        if !demoLogins.isEmpty, y + 2 < area.y + area.height {
            canvas.putCentered("Demo: " + demoLogins.joined(separator: ", "), y: y + 2, style: .hint)
            canvas.putCentered("clave 1234", y: y + 3, style: .hint)
        }
    }
}

import Foundation
