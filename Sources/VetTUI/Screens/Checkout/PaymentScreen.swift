import VetCore
import VetStore

/// Paying a sale: one payment at a time by any method, what remains owing always shown. Each
/// payment's id is made when its form opens, so a retry after an error or a lost answer records
/// it once. Paid in full, the receipt follows. ^P leaves the rest on a payment plan; ^K leaves it
/// owing with a supervisor's clave.
public struct PaymentScreen: KeyBound {
    let session: Session
    let saleID: String
    var load: LoadState<SaleSummary>
    var method: PaymentMethod = .efectivo
    var form: Form
    var paymentID = UUIDv7Generator().make()
    var message: String?
    var clave: ClavePrompt?
    let choices = Choices(options: ["method": PaymentMethod.allCases.map(\.label), "brand": CardDetails.brands])

    public init(session: Session, saleID: String, summary: SaleSummary? = nil) {
        self.session = session
        self.saleID = saleID
        load = LoadState { services in
            guard let summary = try services.store.saleSummary(id: saleID) else { throw StoreError.notFound("La venta no existe") }
            return summary
        }
        form = Form(fields: [])
        if let summary { load.set(summary) }
        resetForm()
    }

    public var title: String { "Cobro · " + (load.value.map { SedeStore.saleNumberText($0.sale.number) } ?? "venta") }

    var summary: SaleSummary? { load.value }

    /// Cash on a sale with only cash so far is rounded down to S/ 0.10 (Ley 29571).
    var allCash: Bool { summary?.payments.allSatisfy { $0.method == .efectivo } ?? true }

    func prefilled(_ method: PaymentMethod) -> Money {
        guard let payable = summary?.payable else { return .zero }
        return method == .efectivo && allCash ? CashRounding.roundedDown(payable) : payable
    }

    mutating func resetForm(keepMethod: Bool = true) {
        paymentID = UUIDv7Generator().make()
        let amount = prefilled(method).plain
        var fields = [Form.Field(id: "method", label: "Medio de pago", input: TextField(method.label), help: "← → o la inicial")]
        switch method {
        case .efectivo:
            fields += [Form.Field(id: "tendered", label: "Recibido", input: TextField(mask: .amount, maxLength: 12), help: "Lo que entrega el cliente"),
                       Form.Field(id: "amount", label: "Monto a cobrar", input: TextField(amount, mask: .amount, maxLength: 12))]
        case .tarjeta:
            fields += [Form.Field(id: "amount", label: "Monto", input: TextField(amount, mask: .amount, maxLength: 12)),
                       Form.Field(id: "brand", label: "Marca", input: TextField("VISA"), help: "← → cambia"),
                       Form.Field(id: "last4", label: "Últimos 4 dígitos", input: TextField(mask: .digits(max: 4), maxLength: 4)),
                       Form.Field(id: "auth", label: "Cód. autorización", input: TextField(mask: .alphanumeric(max: 12), maxLength: 12)),
                       Form.Field(id: "reference", label: "Referencia", input: TextField(mask: .alphanumeric(max: 20), maxLength: 20), help: "Opcional"),
                       Form.Field(id: "terminal", label: "Terminal POS", input: TextField(mask: .alphanumeric(max: 20), maxLength: 20), help: "Opcional"),
                       Form.Field(id: "batch", label: "Lote", input: TextField(mask: .alphanumeric(max: 20), maxLength: 20), help: "Opcional")]
        case .yape:
            fields += [Form.Field(id: "amount", label: "Monto", input: TextField(amount, mask: .amount, maxLength: 12)),
                       Form.Field(id: "operation", label: "N° de operación", input: TextField(mask: .digits(max: 20), maxLength: 20)),
                       Form.Field(id: "security", label: "Cód. de seguridad", input: TextField(mask: .digits(max: 6), maxLength: 6), help: "Opcional")]
        case .plin:
            fields += [Form.Field(id: "amount", label: "Monto", input: TextField(amount, mask: .amount, maxLength: 12)),
                       Form.Field(id: "operation", label: "N° de operación", input: TextField(mask: .digits(max: 20), maxLength: 20))]
        case .transferencia:
            fields += [Form.Field(id: "amount", label: "Monto", input: TextField(amount, mask: .amount, maxLength: 12)),
                       Form.Field(id: "bank", label: "Banco", input: TextField(maxLength: 40)),
                       Form.Field(id: "operation", label: "N° de operación", input: TextField(mask: .alphanumeric(max: 30), maxLength: 30))]
        case .pagoefectivo, .unknown:
            fields += [Form.Field(id: "amount", label: "Monto", input: TextField(amount, mask: .amount, maxLength: 12),
                                  help: "Se genera un CIP; la venta queda pendiente de pago")]
        }
        form = Form(fields: fields, fieldWidth: 20)
        form.rowsPerField = 1
        form.focus = 1
    }

    static let optional: Set<String> = ["reference", "terminal", "batch", "security"]

    public func bindings(_ context: ScreenContext) -> [KeyBinding<PaymentScreen>] {
        let owing = (summary?.payable.centimos ?? 0) > 0
        return [
            KeyBinding([.enter], hint: "Enter", label: "Cobrar", enabled: owing) { s, _, _ in s.enter() },
            KeyBinding([.ctrl("p")], hint: "^P", label: "Plan de pagos", enabled: owing && summary?.sale.ownerId != nil) { s, _, _ in
                guard let summary = s.summary else { return .none }
                return .push(PaymentPlanScreen(session: s.session, summary: summary))
            },
            KeyBinding([.ctrl("k")], hint: "^K", label: "Dejar a cuenta", enabled: owing && summary?.sale.ownerId != nil) { s, _, _ in
                s.leaveOwing(approval: nil)
            },
            KeyBinding([.ctrl("r")], hint: "^R", label: "Comprobante", enabled: summary != nil) { s, _, _ in
                .push(ReceiptScreen(session: s.session, saleID: s.saleID, autoPrint: false))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.isLoaded ? .none : load.firstLoad() }

    struct Recorded { let summary: SaleSummary; let payment: Payment }
    struct LeftOwing { let summary: SaleSummary }

    mutating func enter() -> Command {
        let id = form.fields.indices.contains(form.focus) ? form.fields[form.focus].id : ""
        let missing = form.fields.firstIndex { $0.id != "method" && !Self.optional.contains($0.id) && $0.input.text.isEmpty }
        if id == "method" || (missing != nil && missing != form.focus) {
            form.focus = missing ?? min(form.focus + 1, form.fields.count - 1)
            return .none
        }
        return submit()
    }

    mutating func submit() -> Command {
        form.clearErrors()
        message = nil
        func amount(_ id: String) -> Money? {
            do { return try Money.parse(form[id]) } catch { form.setError(id, error.description); form.focus(id); return nil }
        }
        guard let value = amount("amount") else { return .none }
        var tendered: Money?
        if method == .efectivo {
            if form["tendered"].isEmpty { form["tendered"] = value.plain }
            guard let given = amount("tendered") else { return .none }
            tendered = given
        }
        let card = method == .tarjeta
            ? CardDetails(brand: form["brand"], last4: form["last4"], authCode: form["auth"], reference: form["reference"], terminal: form["terminal"], batch: form["batch"])
            : nil
        let operation = form["operation"].isEmpty ? nil : form["operation"]
        do {
            _ = try PaymentRules.check(method: method, amount: value, tendered: tendered, card: card, operationNumber: operation,
                                       securityCode: form["security"], bank: form["bank"])
        } catch {
            let field: String = switch error.field {
            case .tendered: "tendered"
            case .operationNumber: "operation"
            case .securityCode: "security"
            case .bank: "bank"
            case .card: form["last4"].count != 4 ? "last4" : "auth"
            default: "amount"
            }
            form.setError(field, error.message)
            form.focus(field)
            return .none
        }
        let draft = PaymentDraft(id: paymentID, method: method, amount: value, tendered: tendered, card: card, operationNumber: operation,
                                 securityCode: form["security"].isEmpty ? nil : form["security"], bank: form["bank"].isEmpty ? nil : form["bank"])
        let session = session, saleID = saleID
        return .perform { services in
            let payment = try services.store.recordPayment(draft, saleID: saleID, drawer: services.till.drawer, by: session)
            guard let summary = try services.store.saleSummary(id: saleID) else { throw StoreError.notFound("La venta no existe") }
            return Recorded(summary: summary, payment: payment)
        }
    }

    mutating func leaveOwing(approval: Clave?) -> Command {
        if approval == nil && !session.may(.authorizeCheckout) {
            clave = ClavePrompt(reason: "Dejar el saldo a cuenta sin plan de pagos necesita un supervisor")
            return .none
        }
        let session = session, saleID = saleID, creditID = UUIDv7Generator().make()
        return .perform { services in
            LeftOwing(summary: try services.store.leaveBalance(CreditDraft(id: creditID, instalments: nil), saleID: saleID, approval: approval, by: session))
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded = received, form.fields.count <= 1 || (form["amount"].isEmpty && form.focus <= 1) { resetForm() }
            return .none
        }
        switch event {
        case .key(let key):
            if let outcome = clave.decide(key) {
                if case .authorised(let given) = outcome { return leaveOwing(approval: given) }
                return .none
            }
            if let command = dispatch(key, context) { return command }
            if form.fields.indices.contains(form.focus), form.fields[form.focus].id == "method" {
                let before = form["method"]
                if choices.handle(key, form: &form) {
                    if form["method"] != before, let picked = PaymentMethod.allCases.first(where: { $0.label == form["method"] }) {
                        method = picked
                        resetForm()
                        form.focus = 0
                    }
                    return .none
                }
            }
            if choices.handle(key, form: &form) { return .none }
            switch form.update(key) {
            case .edited, .moved: message = nil; return .none
            case .submit: return enter()
            case .unhandled: return .ignored
            }
        case .message(let recorded as Recorded):
            load.set(recorded.summary)
            let payment = recorded.payment
            var note = "\(payment.label): \(Money(centimos: payment.amount).formatted)"
            if let change = payment.change, change > 0 { note += " · Vuelto \(Money(centimos: change).formatted)" }
            if payment.rounding > 0 { note += " · Redondeo \(Money(centimos: payment.rounding).formatted)" }
            if recorded.summary.state == .pagada {
                return .batch([.toast(note, .ok), .replace(ReceiptScreen(session: session, saleID: saleID, autoPrint: true, lastChange: payment.change))])
            }
            message = nil
            lastPayment = note
            resetForm()
            form.focus = 0
            return .toast(note, .ok)
        case .message(let left as LeftOwing):
            return .batch([.toast("Saldo de \(left.summary.balance.formatted) a cuenta del propietario", .ok),
                           .replace(ReceiptScreen(session: session, saleID: saleID, autoPrint: true, lastChange: nil))])
        case .message(let failure as PerformFailure):
            message = failure.message
            if failure.code == StoreError.Code.duplicateOperation.rawValue { form.setError("operation", failure.message); form.focus("operation") }
            if failure.code == StoreError.Code.noCashSession.rawValue { message = failure.message + " (F6, O)" }
            return .none
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        default:
            return .none
        }
    }

    /// The last payment recorded here, shown until the next.
    var lastPayment: String?

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        guard let summary else {
            _ = load.renderPlaceholder(into: &canvas, x: x, y: area.y + 1, width: area.width - 4)
            return
        }
        var y = area.y
        canvas.put("\(SedeStore.saleNumberText(summary.sale.number)) · \(summary.state.label)", x: x, y: y, style: .title)
        y += 1
        let right = area.x + area.width - 3
        func money(_ label: String, _ value: Money, _ style: StyleRole = .normal) {
            let text = value.formatted
            canvas.put(label, x: right - 36, y: y, style: .label)
            canvas.put(text, x: right - CellWidth.of(text), y: y, style: style)
            y += 1
        }
        money("Total", Money(centimos: summary.sale.total), .title)
        money("Pagado", summary.paid)
        if summary.rounding.centimos > 0 { money("Redondeo (efectivo)", summary.rounding) }
        if summary.pendingPagoEfectivo.centimos > 0 { money("CIP PagoEfectivo por pagar", summary.pendingPagoEfectivo, .warning) }
        money("Falta pagar", summary.payable, summary.payable.centimos > 0 ? .warning : .ok)
        var py = area.y + 1
        for payment in summary.payments.suffix(6) {
            var text = "\(payment.label) \(Money(centimos: payment.amount).formatted)"
            if let change = payment.change, change > 0 { text += " · vuelto \(Money(centimos: change).formatted)" }
            canvas.put(text, x: x, y: py, style: .hint, maxWidth: right - 38 - x)
            py += 1
        }
        let formY = max(y, py) + 1
        var shown = form
        for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
            shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
        }
        shown.render(into: &canvas, x: x, y: formY, width: area.width - 4)
        if method == .efectivo, let tendered = try? Money.parse(form["tendered"]), let amount = try? Money.parse(form["amount"]), tendered > amount {
            canvas.put("Vuelto: \(Money(centimos: tendered.centimos - amount.centimos).formatted)", x: x, y: formY + form.fields.count + 1, style: .ok)
        }
        if let lastPayment { canvas.put(lastPayment, x: x, y: area.y + area.height - 2, style: .ok, maxWidth: area.width - 4) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
        clave?.render(into: &canvas, area: area)
    }
}
