import VetCore
import VetStore

/// F1: how work is done on the screen it was opened from, its keys, and the keys that work everywhere.
public struct HelpScreen: KeyBound {
    let from: String
    let screenHints: [(key: String, label: String)]
    let workflow: [String]
    let signedIn: Bool

    public init(for screen: any Screen, context: ScreenContext) {
        from = screen.title
        screenHints = screen.hints(in: context)
        workflow = HelpTopics.workflow(for: screen)
        signedIn = context.session != nil
    }

    public var title: String { "Ayuda" }
    public func bindings(_ context: ScreenContext) -> [KeyBinding<HelpScreen>] {
        [KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .pop },
         KeyBinding([.enter], hint: nil, label: "Volver") { _, _, _ in .pop }]
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if case .key(let key) = event, let command = dispatch(key, context) { return command }
        return .none
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        var y = area.y + 1
        let x = area.x + 2
        if !workflow.isEmpty {
            canvas.put("Cómo se trabaja en «\(from)»", x: x, y: y, style: .header); y += 1
            for paragraph in workflow {
                for line in TextLayout.wrap(paragraph, width: max(10, area.width - 4)) where y < area.y + area.height {
                    canvas.put(line, x: x, y: y, maxWidth: area.width - 4)
                    y += 1
                }
            }
            y += 1
        }
        if !screenHints.isEmpty, y < area.y + area.height {
            canvas.put("En «\(from)»", x: x, y: y, style: .header); y += 1
            for hint in screenHints where y < area.y + area.height {
                canvas.put(CellWidth.pad(hint.key, to: 12), x: x, y: y, style: .key)
                canvas.put(hint.label, x: x + 13, y: y, maxWidth: area.width - 16)
                y += 1
            }
            y += 1
        }
        guard y < area.y + area.height else { return }
        canvas.put("Teclas en todas las pantallas", x: x, y: y, style: .header); y += 1
        var global: [(String, String)] = [("F1", "Esta ayuda"), ("F10", "Salir de VetDesk"), ("Esc", "Volver a la pantalla anterior"),
                                          ("Enter", "Confirmar / pasar al siguiente campo"), ("Tab", "Siguiente campo"),
                                          ("Shift+Tab", "Campo anterior")]
        if signedIn { global.append(("Inactividad", "La terminal se bloquea y pide la clave")) }
        for (k, label) in global where y < area.y + area.height {
            canvas.put(CellWidth.pad(k, to: 12), x: x, y: y, style: .key)
            canvas.put(label, x: x + 13, y: y, maxWidth: area.width - 16)
            y += 1
        }
    }
}
