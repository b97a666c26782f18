import VetCore
import VetStore

/// F8, for the supervisor: the sede's SUNAT documents of the last month, newest first, with their
/// state and the time left before SUNAT's deadline. Those due today or tomorrow, or past it, are
/// highlighted and start with «¡»; a rejected one shows SUNAT's code and message, and N issues a new
/// document for its sale (the rejected number stays used up). Enter shows a document's sending
/// history; P shows only what still needs something.
public struct FiscalScreen: KeyBound {
    struct History { let status: FiscalDocumentStatus; let lines: [String] }
    struct Reissued { let record: FiscalDocumentRecord }

    let session: Session
    var load = LoadState<[FiscalDocumentStatus]> { services in try services.store.fiscalDocumentStatuses(days: 31) }
    var table = Table(columns: [Table.Column("Comprobante", width: 13), Table.Column("Emisión", width: 10),
                                Table.Column("Cliente", width: 24, minWidth: 10), Table.Column("Total", width: 12),
                                Table.Column("Estado", width: 34, minWidth: 14), Table.Column("Plazo", width: 30, minWidth: 12)])
    var onlyPending = false
    var shown: [FiscalDocumentStatus] = []
    var history: History?
    var confirm: Modal?
    var message: String?

    public init(session: Session) {
        self.session = session
    }

    public var title: String { "SUNAT · Comprobantes electrónicos" }

    var selected: FiscalDocumentStatus? { shown.indices.contains(table.selected) ? shown[table.selected] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<FiscalScreen>] {
        if history != nil {
            return [KeyBinding([.escape, .enter], hint: "Esc", label: "Cerrar") { s, _, _ in s.history = nil; return .none }]
        }
        let selected = selected
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in
                s.message = nil
                return s.table.update(key) ? .none : .ignored
            },
            KeyBinding([.enter], hint: "Enter", label: "Historial", enabled: selected != nil) { s, _, _ in
                guard let status = s.selected else { return .none }
                return .perform { services in
                    History(status: status, lines: try services.store.fiscalHistory(documentID: status.document.id).map(Self.historyLine))
                }
            },
            KeyBinding(letter: "n", label: "Nuevo comprobante", enabled: selected?.needsNewDocument ?? false) { s, _, _ in
                guard let status = s.selected, status.needsNewDocument else { return .none }
                s.confirm = Modal(title: "Nuevo comprobante",
                                  message: ["SUNAT rechazó \(status.document.printedID).",
                                            "Se emitirá un comprobante nuevo para la misma venta;",
                                            "el número rechazado queda usado. ¿Continuar?"])
                return .none
            },
            KeyBinding(letter: "p", label: onlyPending ? "Ver todos" : "Solo pendientes") { s, _, _ in
                s.onlyPending.toggle()
                s.refill()
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    static func historyLine(_ entry: (event: FiscalEvent, via: String?)) -> String {
        let e = entry.event
        let when = LimaTime.parseISO8601(e.at).map(LimaTime.dayAndClock) ?? e.at
        let via = entry.via.map { " (resumen \($0))" } ?? ""
        let code = e.code.map { " \($0)" } ?? ""
        let text: String
        switch FiscalEvent.Kind(rawValue: e.kind) {
        case .envio: text = "Envío a SUNAT" + via
        case .ticket: text = "Ticket \(e.ticket ?? "")" + via
        case .cdr:
            let what = (e.code ?? 0) == 0 ? "aceptado" : (e.code ?? 0) >= 4000 ? "aceptado con observaciones" : (e.code ?? 0) >= 2000 ? "rechazado" : "por corregir"
            text = "CDR\(code) \(what)" + via + (e.message.map { ": " + $0 } ?? "") + (e.notes.map { " · Obs.: " + $0 } ?? "")
        case .error, nil:
            text = "Error\(code)" + via + (e.message.map { ": " + $0 } ?? "")
        }
        return when + "  " + text
    }

    /// «Rechazado (2108): Presentación fuera de fecha», «Aceptado con observaciones: …».
    static func stateText(_ status: FiscalDocumentStatus) -> String {
        switch status.state {
        case .rechazado(_, let message):
            let replaced = status.replacedBy.map { " → " + $0 } ?? ""
            return status.state.label + replaced + (message.isEmpty ? "" : ": " + message)
        case .porCorregir(_, let message): return status.state.label + (message.isEmpty ? "" : ": " + message)
        case .bajaRechazada(_, let message): return status.state.label + (message.isEmpty ? "" : ": " + message)
        case .observado(let notes): return status.state.label + (notes.isEmpty ? "" : ": " + notes)
        default: return status.state.label
        }
    }

    mutating func refill() {
        let all = load.value ?? []
        shown = onlyPending ? all.filter { !$0.state.isFinal || $0.needsNewDocument || $0.bajaRejected } : all
        table.setRows(shown.map { s in
            [s.document.printedID, CivilDate(iso: s.document.issueDate)?.display ?? s.document.issueDate,
             s.document.customerName.isEmpty ? "Clientes varios" : s.document.customerName,
             Money(centimos: s.document.total).formatted, Self.stateText(s), s.deadlineText]
        })
        table.alertRows = Set(shown.indices.filter { shown[$0].nearDeadline || shown[$0].needsNewDocument || shown[$0].bajaRejected })
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded = received { refill() }
            return .none
        }
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let status = selected else { return .none }
                let session = session, id = status.document.id
                return .perform { services in Reissued(record: try services.store.reissueFiscalDocument(documentID: id, by: session)) }
            }
            return dispatch(key, context) ?? .ignored
        case .message(let loaded as History):
            history = loaded
            return .none
        case .message(let done as Reissued):
            message = nil
            return .batch([.toast("Emitido \(done.record.printedID): se enviará a SUNAT", .ok), load.start()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        let alerts = FiscalAlerts(load.value ?? [])
        let counts = "Por enviar o en curso \(alerts.pending) · Rechazados sin reemplazo \(alerts.rejected) · "
            + "Vencen hoy o mañana \(alerts.nearDeadline) · Fuera de plazo \(alerts.missed)"
            + (onlyPending ? " · Solo pendientes" : "")
        canvas.put(counts, x: x, y: area.y, style: alerts.needsAttention ? .warning : .hint, maxWidth: area.width - 2)
        var t = table
        t.layout(height: area.height - 4)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 4))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && shown.isEmpty {
            canvas.put(onlyPending ? "Nada pendiente con SUNAT" : "Sin comprobantes electrónicos en el último mes", x: x + 1, y: area.y + 3, style: .hint)
        }
        // The selected document's whole state, where the table had to cut it.
        if let status = selected {
            let line = status.document.printedID + " · " + Self.stateText(status) + (status.state.isFinal ? "" : " · Plazo: " + status.deadlineText)
            canvas.put(line, x: x, y: area.y + area.height - 2, style: status.needsNewDocument || status.nearDeadline ? .warning : .hint,
                       maxWidth: area.width - 2)
        }
        if let message = message ?? load.reloadFailure {
            canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2)
        }
        if let history {
            let lines = [history.status.document.printedID + " · " + history.status.document.customerName
                         + " · " + Money(centimos: history.status.document.total).formatted,
                         "Estado: " + Self.stateText(history.status), "Plazo: " + history.status.deadlineText, ""]
                + (history.lines.isEmpty ? ["Aún no se ha enviado a SUNAT"] : history.lines)
            let h = min(area.height - 2, lines.count + 2)
            let y = area.y + 1
            canvas.fill(x: x, y: y, width: area.width - 2, height: h, style: .modal)
            canvas.box(x: x, y: y, width: area.width - 2, height: h, title: "Historial ante SUNAT", style: .modal)
            for (i, line) in lines.suffix(h - 2).enumerated() {
                canvas.put(line, x: x + 2, y: y + 1 + i, style: .modal, maxWidth: area.width - 6)
            }
        }
        confirm?.render(into: &canvas, area: area)
    }
}
