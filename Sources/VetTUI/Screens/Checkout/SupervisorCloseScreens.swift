import Foundation
import VetCore
import VetStore

/// F7 Cierre, the supervisor's screen: every drawer session of the last two weeks and any older one
/// still open or waiting, by cashier, with expected, counted and difference. Sessions open since
/// another day, and closes waiting for a note or a sign-off, are marked and listed first.
public struct CashCloseListScreen: KeyBound {
    let session: Session
    var load: LoadState<[CashSessionOverview]>
    var table = Table(columns: [Table.Column("", width: 2, minWidth: 2), Table.Column("Caja", width: 8, minWidth: 6),
                                Table.Column("Cajero", width: 18, minWidth: 10), Table.Column("Apertura", width: 16, minWidth: 11),
                                Table.Column("Estado", width: 28, minWidth: 12), Table.Column("Esperado", width: 11, minWidth: 10),
                                Table.Column("Contado", width: 11, minWidth: 10), Table.Column("Diferencia", width: 18, minWidth: 10)])
    var rows: [CashSessionOverview] = []

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in
            let all = try services.store.cashSessionOverviews(sedeID: sedeID)
            return all.filter { $0.state.blocksDrawer && !($0.state == .abierta) } + all.filter { !($0.state.blocksDrawer && !($0.state == .abierta)) }
        }
    }

    public var title: String { "Cierre de caja" }
    public var catalogID: String? { "cashclose" }

    var selected: CashSessionOverview? { rows.indices.contains(table.selected) ? rows[table.selected] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CashCloseListScreen>] {
        [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Ver sesión", enabled: selected != nil) { s, _, _ in
                guard let row = s.selected else { return .none }
                return .push(CashSessionScreen(session: s.session, sessionID: row.session.id))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let list) = received {
                rows = list
                table.setRows(list.map { row in
                    let opened = LimaTime.parseISO8601(row.session.openedAt).map(LimaTime.dayAndClock) ?? row.session.openedAt
                    let flag = row.state.blocksDrawer && row.state != .abierta ? "⚠" : ""
                    return [flag, row.session.drawer, row.cashierName, opened, row.state.label, row.expectedCash.formatted,
                            row.close.map { Money(centimos: $0.counted).formatted } ?? "", row.cashDifference.map(CashReport.differenceText) ?? ""]
                })
                table.alertRows = Set(list.indices.filter { list[$0].state.blocksDrawer && list[$0].state != .abierta })
            }
            return .none
        }
        switch event {
        case .key(let key): return dispatch(key, context) ?? .ignored
        case .message(is ReloadRequest), .dataChanged: return load.start()
        default: return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        let waiting = rows.filter { $0.state.blocksDrawer && $0.state != .abierta }.count
        canvas.put(waiting == 0 ? "Sesiones de caja de las últimas dos semanas" : "⚠ \(waiting) sesión(es) esperan: abiertas desde otro día, sin nota o sin firma",
                   x: x, y: area.y, style: waiting == 0 ? .hint : .alert, maxWidth: area.width - 2)
        var t = table
        t.layout(height: area.height - 2)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 2))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && rows.isEmpty { canvas.put("No hay sesiones de caja", x: x + 1, y: area.y + 3, style: .hint) }
        if let failure = load.reloadFailure { canvas.put(failure, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}

/// One drawer session for the supervisor: declared against expected per method, the deviation and
/// its notes, the sign-off, and the movements and payments behind every figure. F signs a close
/// off (note and clave), N adds a note, C closes a session left open, R shows the X or Z report.
public struct CashSessionScreen: KeyBound {
    struct Loaded {
        var report: CashReport
        var state: CashSessionState
        var movements: [CashMovement]
        var payments: [Payment]
        var saleNumbers: [String: String]
    }
    enum Form2: Equatable { case signOff(Form), note(Form) }

    let session: Session
    let sessionID: String
    let signOffID = UUIDv7Generator().make()
    let noteID = UUIDv7Generator().make()
    var load: LoadState<Loaded>
    var table = Table(columns: [Table.Column("Hora", width: 16, minWidth: 6), Table.Column("Movimiento", width: 22, minWidth: 10),
                                Table.Column("Monto", width: 13, minWidth: 10), Table.Column("Detalle", width: 60, minWidth: 10)])
    var editing: Form2?
    var message: String?

    public init(session: Session, sessionID: String) {
        self.session = session
        self.sessionID = sessionID
        load = LoadState { services in
            Loaded(report: try services.store.cashReport(sessionID: sessionID, by: session),
                   state: try services.store.cashSessionState(sessionID: sessionID) ?? .abierta,
                   movements: try services.store.cashMovements(sessionID: sessionID),
                   payments: try services.store.sessionPayments(sessionID: sessionID),
                   saleNumbers: try services.store.sessionSaleNumbers(sessionID: sessionID))
        }
    }

    public var title: String { load.value.map { "Caja · \($0.report.drawer) · \($0.report.openedBy)" } ?? "Sesión de caja" }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CashSessionScreen>] {
        let state = load.value?.state
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Movimientos") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding(letter: "f", label: "Firmar", enabled: state == .esperaFirma) { s, _, _ in
                var form = Form(fields: [Form.Field(id: "note", label: "Nota", input: TextField(maxLength: 500)),
                                         Form.Field(id: "clave", label: "Su clave", input: TextField(secure: true, maxLength: 72))], fieldWidth: 40)
                form.rowsPerField = 1
                s.editing = .signOff(form)
                return .none
            },
            KeyBinding(letter: "n", label: "Nota", enabled: state != nil && state?.isOpen == false) { s, _, _ in
                var form = Form(fields: [Form.Field(id: "note", label: "Nota", input: TextField(maxLength: 500))], fieldWidth: 50)
                form.rowsPerField = 1
                s.editing = .note(form)
                return .none
            },
            KeyBinding(letter: "c", label: "Cerrar caja", enabled: state?.isOpen == true) { s, _, _ in
                guard let report = s.load.value?.report else { return .none }
                return .push(CloseDrawerScreen(session: s.session, drawer: report.drawer, sessionID: s.sessionID))
            },
            KeyBinding(letter: "r", label: state?.isOpen == true ? "Reporte X" : "Reporte Z", enabled: load.isLoaded) { s, _, _ in
                .push(CashReportScreen(session: s.session, sessionID: s.sessionID))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in popAndReload("") },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    struct Saved { let note: String }

    mutating func submitEditing() -> Command {
        let session = session, sessionID = sessionID, signOffID = signOffID, noteID = noteID
        switch editing {
        case .signOff(var form)?:
            let note = form["note"], password = form["clave"]
            guard !note.trimmingCharacters(in: .whitespaces).isEmpty else {
                form.setError("note", "Escriba una nota para firmar"); form.focus("note"); editing = .signOff(form); return .none
            }
            guard !password.isEmpty else { form.setError("clave", "Escriba su clave"); form.focus("clave"); editing = .signOff(form); return .none }
            return .perform { services in
                guard let close = try services.store.cashClose(sessionID: sessionID)?.close else { throw StoreError.notFound("La sesión no está cerrada") }
                try services.store.signOffClose(id: signOffID, closeID: close.id, note: note,
                                                clave: Clave(username: session.username, password: password), by: session)
                return Saved(note: "Cierre firmado")
            }
        case .note(var form)?:
            let note = form["note"]
            guard !note.trimmingCharacters(in: .whitespaces).isEmpty else {
                form.setError("note", "Escriba la nota"); editing = .note(form); return .none
            }
            return .perform { services in
                guard let close = try services.store.cashClose(sessionID: sessionID)?.close else { throw StoreError.notFound("La sesión no está cerrada") }
                try services.store.addCloseNote(id: noteID, closeID: close.id, note: note, by: session)
                return Saved(note: "Nota guardada")
            }
        case nil:
            return .none
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received { fillTable(loaded) }
            return .none
        }
        switch event {
        case .key(let key):
            if editing != nil {
                if key == .escape { editing = nil; message = nil; return .none }
                if key == .ctrl("s") { return submitEditing() }
                switch editing {
                case .signOff(var form)?:
                    let action = form.update(key)
                    editing = .signOff(form)
                    if action == .submit { return submitEditing() }
                case .note(var form)?:
                    let action = form.update(key)
                    editing = .note(form)
                    if action == .submit { return submitEditing() }
                case nil: break
                }
                return .none
            }
            return dispatch(key, context) ?? .ignored
        case .message(let saved as Saved):
            editing = nil
            message = nil
            return .batch([.toast(saved.note, .ok), load.start()])
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        default:
            return .none
        }
    }

    mutating func fillTable(_ loaded: Loaded) {
        var rows: [[String]] = []
        for movement in loaded.movements {
            let at = LimaTime.parseISO8601(movement.at).map(LimaTime.dayAndClock) ?? movement.at
            var detail: [String] = []
            if let concept = movement.concept { detail.append(CashConcept(rawValue: concept).label) }
            if let reason = movement.reason { detail.append(reason) }
            if let document = movement.document { detail.append("Comp. \(document)") }
            if movement.authorizedBy != nil { detail.append("autorizado por supervisor") }
            if let sale = movement.saleId { detail.append(loaded.saleNumbers[sale] ?? "venta") }
            rows.append([at, movement.movementKind.label, Money(centimos: movement.amount).formatted, detail.joined(separator: " · ")])
        }
        for payment in loaded.payments where payment.method != .efectivo {
            let at = LimaTime.parseISO8601(payment.at).map(LimaTime.dayAndClock) ?? payment.at
            let detail = [loaded.saleNumbers[payment.saleId], payment.operationNumber.map { "Op. \($0)" }, payment.cardLast4.map { "**** \($0)" }, payment.batch.map { "lote \($0)" }]
                .compactMap { $0 }.joined(separator: " · ")
            rows.append([at, "Pago \(payment.method.label)", Money(centimos: payment.amount).formatted, detail])
        }
        table.setRows(rows)
    }

    /// `text` in a column of `width` cells, a space before the next one.
    func pad(_ text: String, _ width: Int) -> String { CellWidth.pad(text, to: width - 1) + " " }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1, width = area.width - 2
        guard let loaded = load.value else {
            _ = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 1, width: width - 2)
            return
        }
        let report = loaded.report
        var y = area.y
        let opened = LimaTime.parseISO8601(report.openedAt).map(LimaTime.dayAndClock) ?? report.openedAt
        let closed = report.closedAt.flatMap { LimaTime.parseISO8601($0).map(LimaTime.dayAndClock) }.map { " · cerró \(report.closedBy ?? "") \($0)" } ?? ""
        canvas.put("\(report.drawer) · abrió \(report.openedBy) \(opened)\(closed)", x: x, y: y, style: .title, maxWidth: width)
        y += 1
        canvas.put(loaded.state.label, x: x, y: y, style: loaded.state.blocksDrawer && loaded.state != .abierta ? .alert : .ok, maxWidth: width)
        y += 1
        canvas.put(pad("Medio", 16) + pad("Declarado", 14) + pad("Esperado", 14) + "Diferencia", x: x, y: y, style: .header, maxWidth: width)
        y += 1
        let cashDiff = report.cashDifference
        canvas.put(pad("Efectivo", 16) + pad(report.countedCash?.formatted ?? "—", 14) + pad(report.expectedCash.formatted, 14)
                   + (cashDiff.map(CashReport.differenceText) ?? ""), x: x, y: y, style: (cashDiff?.centimos ?? 0) == 0 ? .normal : .warning, maxWidth: width)
        y += 1
        for line in report.byMethod where line.method != .efectivo {
            canvas.put(pad(line.method.label, 16) + pad(line.declared?.formatted ?? "—", 14) + pad(line.recorded.formatted, 14)
                       + (line.difference.map(CashReport.differenceText) ?? ""), x: x, y: y,
                       style: (line.difference?.centimos ?? 0) == 0 ? .normal : .warning, maxWidth: width)
            y += 1
        }
        let cashLine = "Fondo \(report.float.formatted) · cobros \(report.cashTaken.formatted) · vueltos \(report.changeGiven.formatted) · devoluciones \(report.refunds.formatted) · ingresos \(report.income.formatted) · egresos \(report.expense.formatted) · retiros \(report.withdrawals.formatted) · depósitos \(report.deposits.formatted)"
        canvas.put(cashLine, x: x, y: y, style: .hint, maxWidth: width)
        y += 1
        if let level = report.level { canvas.put("Nivel: \(level.label)", x: x, y: y, style: level == .aceptado ? .ok : .warning, maxWidth: width); y += 1 }
        for note in report.notes.suffix(2) { canvas.put("Nota: \(note)", x: x, y: y, style: .normal, maxWidth: width); y += 1 }
        if let signed = report.signed {
            let at = LimaTime.parseISO8601(signed.at).map(LimaTime.dayAndClock) ?? signed.at
            canvas.put("Firmado por \(signed.supervisor) \(at): \(signed.note)", x: x, y: y, style: .ok, maxWidth: width)
            y += 1
        }
        let bottom = area.y + area.height - 1
        var t = table
        t.layout(height: max(2, bottom - y - 1))
        t.render(into: &canvas, area: Rect(x: x, y: y, width: width, height: max(2, bottom - y - 1)), focused: editing == nil)
        if let message { canvas.put(message, x: x, y: bottom, style: .error, maxWidth: width) }
        if let editing {
            let (form, heading): (Form, String) = switch editing {
            case .signOff(let f): (f, "Firmar el cierre: su nota y su clave")
            case .note(let f): (f, "Nota del cierre")
            }
            let w = min(area.width - 2, 76), h = 8
            let bx = area.x + (area.width - w) / 2, by = area.y + max(0, (area.height - h) / 2)
            canvas.fill(x: bx, y: by, width: w, height: h, style: .modal)
            canvas.box(x: bx, y: by, width: w, height: h, title: heading, style: .modal)
            form.render(into: &canvas, x: bx + 2, y: by + 2, width: w - 4)
            canvas.put("Enter/^S guardar · Esc cancelar", x: bx + 2, y: by + h - 2, style: .hint, maxWidth: w - 4)
        }
    }
}
