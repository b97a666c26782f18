import Foundation
import VetCore
import VetStore

/// An income, expense, withdrawal to the safe or deposit of this terminal's open drawer. The kind,
/// and an expense's concept, are choices (← → or the first letter). A withdrawal asks for a
/// supervisor's clave. The movement's id is made when the screen opens.
public struct CashMovementScreen: KeyBound {
    static let kinds: [CashMovementKind] = [.egreso, .ingreso, .sangria, .deposito]
    let session: Session
    let drawer: String
    let movementID = UUIDv7Generator().make()
    var form: Form
    let choices = Choices(options: ["kind": kinds.map(\.label), "concept": CashConcept.allCases.map(\.label)])
    var clave: ClavePrompt?
    var message: String?

    public init(session: Session, drawer: String) {
        self.session = session
        self.drawer = drawer
        form = Form(fields: [
            Form.Field(id: "kind", label: "Tipo", input: TextField(Self.kinds[0].label, maxLength: 30), help: "← → para cambiar"),
            Form.Field(id: "amount", label: "Monto S/", input: TextField(mask: .amount, maxLength: 12)),
            Form.Field(id: "concept", label: "Concepto", input: TextField(CashConcept.proveedor.label, maxLength: 30), help: "solo egresos"),
            Form.Field(id: "reason", label: "Motivo", input: TextField(maxLength: 200)),
            Form.Field(id: "document", label: "Comprobante N.º", input: TextField(maxLength: 40)),
        ], fieldWidth: 30)
        form.rowsPerField = 1
    }

    public var title: String { "Movimiento de \(drawer)" }

    var kind: CashMovementKind { Self.kinds.first { $0.label == form["kind"] } ?? .egreso }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CashMovementScreen>] {
        [
            KeyBinding([.ctrl("s")], hint: "^S", label: "Registrar") { s, _, _ in s.submit(approval: nil) },
            KeyBinding([.enter], hint: "Enter", label: "Siguiente") { s, key, _ in s.form.update(key) == .submit ? s.submit(approval: nil) : .none },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    struct Recorded { let movement: CashMovement }

    mutating func submit(approval: Clave?) -> Command {
        form.clearErrors()
        message = nil
        let amount: Money
        do { amount = try Money.parse(form["amount"]) } catch {
            form.setError("amount", error.description); form.focus("amount"); return .none
        }
        guard amount.centimos > 0 else { form.setError("amount", "El monto debe ser mayor que cero"); form.focus("amount"); return .none }
        let kind = kind
        let reason = form["reason"].trimmingCharacters(in: .whitespaces)
        if (kind == .egreso || kind == .ingreso) && reason.isEmpty {
            form.setError("reason", kind == .egreso ? "Escriba el motivo del egreso" : "Escriba el motivo del ingreso"); form.focus("reason"); return .none
        }
        if kind == .sangria && approval == nil && !session.may(.authorizeCheckout) {
            clave = ClavePrompt(reason: "El retiro a caja fuerte de \(amount.formatted) necesita un supervisor")
            return .none
        }
        let concept = kind == .egreso ? CashConcept.allCases.first { $0.label == form["concept"] } : nil
        let draft = CashMovementDraft(id: movementID, drawer: drawer, kind: kind, amount: amount, concept: concept, reason: reason,
                                      document: form["document"], supervisor: approval)
        let session = session
        return .perform { services in Recorded(movement: try services.store.recordCashMovement(draft, by: session)) }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let outcome = clave.decide(key) {
                if case .authorised(let given) = outcome { return submit(approval: given) }
                return .none
            }
            if let command = dispatch(key, context) { return command }
            if choices.handle(key, form: &form) { return .none }
            if form.update(key) == .unhandled { return .ignored }
            message = nil
            return .none
        case .message(let done as Recorded):
            let amount = Money(centimos: abs(done.movement.amount)).formatted
            return popAndReload("\(done.movement.movementKind.label) de \(amount) registrado en \(drawer)")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        canvas.put("Dinero que entra o sale de la caja fuera de una venta. Un error se corrige con un movimiento opuesto.",
                   x: x, y: area.y, style: .hint, maxWidth: area.width - 4)
        form.render(into: &canvas, x: x, y: area.y + 2, width: area.width - 4)
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        clave?.render(into: &canvas, area: area)
    }
}

/// Closing this terminal's drawer: a blind count by denomination (one recount allowed), then the
/// non-cash totals, then, only once the close is written, the result: expected, counted and the
/// difference per method. A deviation over the accepted level asks for a note; beyond the note
/// level the close waits for a supervisor's sign-off (F7). The close's id is made when the screen
/// opens, so a retry after a lost answer closes once.
public struct CloseDrawerScreen: KeyBound {
    enum Step: Equatable { case count, review, declare, result }

    let session: Session
    let drawer: String
    let sessionID: String
    let closeID = UUIDv7Generator().make()
    let noteID = UUIDv7Generator().make()
    var step: Step
    var countForm: Form
    var firstCounts: [Int64: Int64]?
    var declareForm: Form
    var noteForm = Form(fields: [Form.Field(id: "note", label: "Nota", input: TextField(maxLength: 500))], fieldWidth: 60)
    var confirm: Modal?
    var leave: Modal?
    var result: Closed?
    var message: String?

    struct Closed {
        var report: CashReport
        var state: CashSessionState
        var file: String?
        var printed: String?
    }

    /// `closed`: the session is already closed (its close waits for a note): the screen opens on the result.
    public init(session: Session, drawer: String, sessionID: String, closed: Bool = false) {
        self.session = session
        self.drawer = drawer
        self.sessionID = sessionID
        step = closed ? .result : .count
        countForm = Self.countForm()
        declareForm = Form(fields: CashDeclaration.methods.map {
            Form.Field(id: $0.rawValue, label: CashDeclaration.prompt($0), input: TextField(mask: .amount, maxLength: 12))
        }, fieldWidth: 14)
        declareForm.rowsPerField = 1
        noteForm.rowsPerField = 1
    }

    static func countForm() -> Form {
        var form = Form(fields: Denomination.all.map {
            Form.Field(id: String($0), label: Denomination.label($0), input: TextField(mask: .digits(max: 5), maxLength: 5))
        }, fieldWidth: 8)
        form.rowsPerField = 1
        return form
    }

    public var title: String { "Cierre de \(drawer)" }

    var counts: [Int64: Int64] {
        Dictionary(uniqueKeysWithValues: Denomination.all.map { ($0, Int64(countForm[String($0)]) ?? 0) })
    }

    public func onAppear() -> Command {
        guard step == .result, result == nil else { return .none }
        return load()
    }

    func load(printing: Bool = false) -> Command {
        let sessionID = sessionID, session = session
        return .perform { services in
            let report = try services.store.cashReport(sessionID: sessionID, by: session)
            return Closed(report: report, state: try Self.state(services, sessionID: sessionID, session: session), file: nil, printed: nil)
        }
    }

    static func state(_ services: AppServices, sessionID: String, session: Session) throws -> CashSessionState {
        try services.store.cashSessionState(sessionID: sessionID) ?? .cerrada
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CloseDrawerScreen>] {
        switch step {
        case .count:
            return [
                KeyBinding([.enter], hint: "Enter", label: "Siguiente") { s, key, _ in s.countForm.update(key) == .submit ? s.reviewCount() : .none },
                KeyBinding([.ctrl("s")], hint: "^S", label: "Terminar conteo") { s, _, _ in s.reviewCount() },
                KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
            ]
        case .review:
            return [
                KeyBinding([.enter], hint: "Enter", label: "Continuar") { s, _, _ in s.step = .declare; return .none },
                KeyBinding(letter: "r", label: "Recontar", enabled: firstCounts == nil) { s, _, _ in
                    s.firstCounts = s.counts
                    s.countForm = Self.countForm()
                    s.step = .count
                    return .toast("Recuente la caja desde cero", .info)
                },
                KeyBinding([.escape], hint: "Esc", label: "Corregir conteo") { s, _, _ in s.step = .count; return .none },
            ]
        case .declare:
            return [
                KeyBinding([.enter], hint: "Enter", label: "Siguiente") { s, key, _ in s.declareForm.update(key) == .submit ? s.askToClose() : .none },
                KeyBinding([.ctrl("s")], hint: "^S", label: "Declarar y cerrar") { s, _, _ in s.askToClose() },
                KeyBinding([.escape], hint: "Esc", label: "Volver al conteo") { s, _, _ in s.step = .review; return .none },
            ]
        case .result:
            let needsNote = result?.state == .faltaNota
            return [
                KeyBinding([.ctrl("s")], hint: "^S", label: "Guardar nota", enabled: result != nil) { s, _, _ in s.saveNote() },
                KeyBinding([.enter], hint: "Enter", label: needsNote ? "Guardar nota" : "Listo") { s, _, _ in
                    needsNote || !s.noteForm["note"].isEmpty ? s.saveNote() : s.done()
                },
                KeyBinding([.ctrl("p")], hint: "^P", label: "Imprimir Z", enabled: result != nil) { s, _, _ in s.printZ() },
                KeyBinding([.escape], hint: "Esc", label: "Salir") { s, _, _ in s.done() },
            ]
        }
    }

    mutating func reviewCount() -> Command {
        countForm.clearErrors()
        do { _ = try Denomination.total(counts) } catch {
            message = error.message
            return .none
        }
        message = nil
        step = .review
        return .none
    }

    mutating func askToClose() -> Command {
        declareForm.clearErrors()
        for method in CashDeclaration.methods where !declareForm[method.rawValue].isEmpty {
            do { _ = try Money.parse(declareForm[method.rawValue]) } catch {
                declareForm.setError(method.rawValue, error.description); declareForm.focus(method.rawValue); return .none
            }
        }
        let counted = (try? Denomination.total(counts))?.formatted ?? "—"
        confirm = Modal(title: "Cerrar \(drawer)", message: ["Efectivo contado: \(counted).",
                                                              "Al cerrar, el conteo y los totales declarados ya no se cambian.", "¿Cerrar la caja?"],
                        confirmLabel: "Cerrar", cancelLabel: "Volver")
        return .none
    }

    func close() -> Command {
        var declared: [PaymentMethod: Money] = [:]
        for method in CashDeclaration.methods where !declareForm[method.rawValue].isEmpty {
            declared[method] = try? Money.parse(declareForm[method.rawValue])
        }
        let draft = CashCloseDraft(id: closeID, sessionID: sessionID, counts: counts, firstCounts: firstCounts, declared: declared)
        let session = session
        return .perform { services in
            let report = try services.store.closeCashSession(draft, by: session)
            let state = try Self.state(services, sessionID: draft.sessionID, session: session)
            let file = try? SedeStore.writeCashReport(report, columns: ReceiptColumns(rawValue: services.till.columns) ?? .narrow,
                                                      folder: services.store.cashReportsFolder)
            return Closed(report: report, state: state, file: file, printed: Self.sendToPrinter(report, services))
        }
    }

    /// Prints the report on the terminal's printer, if it has one: what happened, for the screen.
    static func sendToPrinter(_ report: CashReport, _ services: AppServices) -> String? {
        guard let text = services.till.printer else { return nil }
        do throws(PrinterError) {
            let configuration = try PrinterConfiguration.parse(text)
            try ReceiptPrinter(configuration: configuration).send(EscPos.encode(CashReportLayout(columns: configuration.columns).lines(for: report)))
            return "Reporte impreso en \(configuration.target)"
        } catch {
            return "No se imprimió: \(error.message)"
        }
    }

    mutating func saveNote() -> Command {
        guard let result else { return .none }
        let note = noteForm["note"].trimmingCharacters(in: .whitespaces)
        guard !note.isEmpty else {
            noteForm.setError("note", "Escriba la nota: qué explica la diferencia")
            return .none
        }
        let session = session, sessionID = sessionID, noteID = noteID
        _ = result
        return .perform { services in
            guard let close = try services.store.cashClose(sessionID: sessionID)?.close else { throw StoreError.notFound("El cierre no existe") }
            try services.store.addCloseNote(id: noteID, closeID: close.id, note: note, by: session)
            let report = try services.store.cashReport(sessionID: sessionID, by: session)
            // The Z report file is written again with the note.
            _ = try? SedeStore.writeCashReport(report, columns: ReceiptColumns(rawValue: services.till.columns) ?? .narrow,
                                               folder: services.store.cashReportsFolder)
            return NoteSaved(report: report, state: try Self.state(services, sessionID: sessionID, session: session))
        }
    }

    struct NoteSaved { let report: CashReport; let state: CashSessionState }
    struct Printed { let note: String }

    func printZ() -> Command {
        guard let report = result?.report else { return .none }
        return .perform { services in
            guard services.till.printer != nil else {
                throw StoreError.invalid("Esta terminal no tiene impresora: configure VETDESK_PRINTER (file:, device: o tcp:host:9100)")
            }
            return Printed(note: Self.sendToPrinter(report, services) ?? "")
        }
    }

    mutating func done() -> Command {
        if result?.state == .faltaNota {
            leave = Modal(title: "Falta la nota", message: ["El cierre tiene una diferencia y queda pendiente hasta que escriba la nota.",
                                                            "\(drawer) no podrá abrirse de nuevo hasta entonces. ¿Salir sin la nota?"],
                          confirmLabel: "Salir", cancelLabel: "Escribir nota")
            return .none
        }
        return popAndReload("\(drawer) cerrada")
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                return outcome == .confirmed ? close() : .none
            }
            if let outcome = leave.decide(key) {
                return outcome == .confirmed ? popAndReload("\(drawer) cerrada: falta la nota") : .none
            }
            if let command = dispatch(key, context) { return command }
            switch step {
            case .count: if countForm.update(key) == .unhandled { return .ignored }
            case .declare: if declareForm.update(key) == .unhandled { return .ignored }
            case .result: if noteForm.update(key) == .unhandled { return .ignored }
            case .review: return .ignored
            }
            message = nil
            return .none
        case .message(let closed as Closed):
            result = closed
            step = .result
            message = nil
            if let printed = closed.printed { return .toast(printed, printed.hasPrefix("No se") ? .error : .ok) }
            return .none
        case .message(let saved as NoteSaved):
            result?.report = saved.report
            result?.state = saved.state
            noteForm = Form(fields: [Form.Field(id: "note", label: "Nota", input: TextField(maxLength: 500))], fieldWidth: 60)
            noteForm.rowsPerField = 1
            return .toast("Nota guardada", .ok)
        case .message(let printed as Printed):
            result?.printed = printed.note
            return .toast(printed.note, printed.note.hasPrefix("No se") ? .error : .ok)
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        switch step {
        case .count:
            let heading = firstCounts == nil ? "Cuente el efectivo de la caja: cantidad de billetes y monedas de cada valor."
                                             : "Recuento: cuente de nuevo toda la caja."
            canvas.put(heading, x: x, y: area.y, style: .hint, maxWidth: width)
            countForm.render(into: &canvas, x: x, y: area.y + 2, width: 40)
            let total = (try? Denomination.total(counts))?.formatted ?? "—"
            canvas.put("Su conteo: \(total)", x: x, y: area.y + 3 + countForm.fields.count, style: .title)
        case .review:
            let total = (try? Denomination.total(counts))?.formatted ?? "—"
            canvas.put("Su conteo: \(total)", x: x, y: area.y, style: .title)
            var y = area.y + 2
            for denomination in Denomination.all {
                guard let count = counts[denomination], count > 0, y < area.y + area.height - 5 else { continue }
                canvas.put("\(Denomination.label(denomination)) x \(count)", x: x + 2, y: y, style: .normal)
                y += 1
            }
            y += 1
            if firstCounts == nil {
                canvas.put("Si no está seguro, pulse R para recontar (una sola vez). Enter para seguir.", x: x, y: y, style: .hint, maxWidth: width)
            } else {
                canvas.put("Ya recontó. Enter para seguir con los otros medios de pago.", x: x, y: y, style: .hint, maxWidth: width)
            }
        case .declare:
            canvas.put("Declare los totales de los otros medios de pago (vacío es cero).", x: x, y: area.y, style: .hint, maxWidth: width)
            declareForm.render(into: &canvas, x: x, y: area.y + 2, width: width)
        case .result:
            renderResult(into: &canvas, area: area)
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
        leave?.render(into: &canvas, area: area)
    }

    func renderResult(into canvas: inout Canvas, area: Rect) {
        let x = area.x + 2, width = area.width - 4
        guard let result else {
            canvas.put("Cargando el cierre…", x: x, y: area.y + 1, style: .hint)
            return
        }
        let report = result.report
        var y = area.y
        canvas.put("\(drawer) cerrada · \(result.state.label)", x: x, y: y, style: result.state.blocksDrawer ? .warning : .ok, maxWidth: width)
        y += 2
        canvas.put(pad("Medio", 16) + pad("Declarado", 14) + pad("Esperado", 14) + "Diferencia", x: x, y: y, style: .header, maxWidth: width)
        y += 1
        if let counted = report.countedCash, let difference = report.cashDifference {
            canvas.put(pad("Efectivo", 16) + pad(counted.formatted, 14) + pad(report.expectedCash.formatted, 14) + CashReport.differenceText(difference),
                       x: x, y: y, style: difference.centimos == 0 ? .normal : .title, maxWidth: width)
            y += 1
        }
        for line in report.byMethod where line.method != .efectivo && (line.declared?.centimos ?? 0 != 0 || line.recorded.centimos != 0) {
            let diff = line.difference ?? .zero
            canvas.put(pad(line.method.label, 16) + pad((line.declared ?? .zero).formatted, 14) + pad(line.recorded.formatted, 14)
                       + CashReport.differenceText(diff), x: x, y: y, style: diff.centimos == 0 ? .normal : .title, maxWidth: width)
            y += 1
        }
        y += 1
        if let level = report.level { canvas.put(level.label, x: x, y: y, style: level == .aceptado ? .ok : .warning, maxWidth: width); y += 1 }
        for note in report.notes.suffix(2) { canvas.put("Nota: \(note)", x: x, y: y, style: .normal, maxWidth: width); y += 1 }
        if let signed = report.signed { canvas.put("Firmado por \(signed.supervisor): \(signed.note)", x: x, y: y, style: .ok, maxWidth: width); y += 1 }
        y += 1
        switch result.state {
        case .faltaNota:
            canvas.put("La diferencia necesita una nota: escriba qué la explica y pulse Enter.", x: x, y: y, style: .warning, maxWidth: width)
        case .esperaFirma:
            canvas.put("La diferencia necesita la firma de un supervisor (F7 Cierre). Puede dejar una nota.", x: x, y: y, style: .warning, maxWidth: width)
        default:
            canvas.put("Puede agregar una nota.", x: x, y: y, style: .hint, maxWidth: width)
        }
        noteForm.render(into: &canvas, x: x, y: y + 1, width: width)
        if let file = result.file { canvas.put("Reporte Z: \(file)", x: x, y: area.y + area.height - 2, style: .hint, maxWidth: width) }
    }

    /// `text` in a column of `width` cells, a space before the next one.
    func pad(_ text: String, _ width: Int) -> String { CellWidth.pad(text, to: width - 1) + " " }
}

/// An X or Z report as it prints; I prints it on the terminal's printer.
public struct CashReportScreen: KeyBound {
    let session: Session
    let sessionID: String
    var load: LoadState<CashReport>
    var scroll = 0
    var printed: String?

    public init(session: Session, sessionID: String) {
        self.session = session
        self.sessionID = sessionID
        load = LoadState { services in try services.store.cashReport(sessionID: sessionID, by: session) }
    }

    public var title: String { load.value.map { ($0.isClose ? "Reporte Z · " : "Reporte X · ") + $0.drawer } ?? "Reporte de caja" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CashReportScreen>] {
        [
            .scroll(\.scroll),
            KeyBinding(letter: "i", label: "Imprimir y guardar", enabled: load.isLoaded) { s, _, _ in
                guard let report = s.load.value else { return .none }
                return .perform { services in
                    let file = try SedeStore.writeCashReport(report, columns: ReceiptColumns(rawValue: services.till.columns) ?? .narrow,
                                                             folder: services.store.cashReportsFolder)
                    return CloseDrawerScreen.Printed(note: [CloseDrawerScreen.sendToPrinter(report, services), "guardado en \(file)"]
                        .compactMap { $0 }.joined(separator: "; "))
                }
            },
            KeyBinding([.enter, .escape], hint: "Esc", label: "Volver") { _, _, _ in .pop },
            LoadState.retry(\.load, in: self),
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if load.receive(event) != nil { return .none }
        switch event {
        case .key(let key): return dispatch(key, context) ?? .ignored
        case .message(let done as CloseDrawerScreen.Printed):
            printed = done.note
            return .toast(done.note, done.note.hasPrefix("No se") ? .error : .ok)
        case .message(let failure as PerformFailure):
            printed = failure.message
            return .none
        default: return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        guard let report = load.value else {
            _ = load.renderPlaceholder(into: &canvas, x: area.x + 2, y: area.y + 1, width: area.width - 4)
            return
        }
        let lines = CashReportLayout(columns: .wide).lines(for: report)
        let x = area.x + max(1, (area.width - 52) / 2)
        let visible = area.height - 2
        let top = min(scroll, max(0, lines.count - visible))
        for (i, line) in lines.dropFirst(top).prefix(visible).enumerated() {
            canvas.put(line.text, x: x, y: area.y + i, style: line.emphasis == .normal ? .normal : .title, maxWidth: area.width - 2)
        }
        if let printed { canvas.put(printed, x: area.x + 2, y: area.y + area.height - 1, style: .hint, maxWidth: area.width - 4) }
    }
}
