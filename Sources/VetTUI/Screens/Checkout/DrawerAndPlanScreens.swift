import VetCore
import VetStore

/// Opening this terminal's drawer: the float counted by denomination, its total shown as it is
/// typed. The opening's id is made when the screen opens.
public struct OpenDrawerScreen: KeyBound {
    let session: Session
    let drawer: String
    let actID = UUIDv7Generator().make()
    var form: Form
    var message: String?

    public init(session: Session, drawer: String) {
        self.session = session
        self.drawer = drawer
        form = Form(fields: Denomination.all.map {
            Form.Field(id: String($0), label: Denomination.label($0), input: TextField(mask: .digits(max: 5), maxLength: 5))
        }, fieldWidth: 8)
        form.rowsPerField = 1
    }

    public var title: String { "Abrir \(drawer)" }

    var counts: [Int64: Int64] {
        Dictionary(uniqueKeysWithValues: Denomination.all.map { ($0, Int64(form[String($0)]) ?? 0) })
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<OpenDrawerScreen>] {
        [
            KeyBinding([.ctrl("s")], hint: "^S", label: "Abrir caja") { s, _, _ in s.submit() },
            KeyBinding([.enter], hint: "Enter", label: "Siguiente") { s, key, _ in
                s.form.update(key) == .submit ? s.submit() : .none
            },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    struct Opened { let session: CashSession }

    mutating func submit() -> Command {
        let counts = counts, session = session, drawer = drawer, actID = actID
        return .perform { services in
            Opened(session: try services.store.openCashSession(id: actID, drawer: drawer, counts: counts, by: session))
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            if form.update(key) == .unhandled { return .ignored }
            message = nil
            return .none
        case .message(let opened as Opened):
            return popAndReload("\(opened.session.drawer) abierta con \(Money(centimos: opened.session.openingFloat).formatted)")
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        canvas.put("Cuente el fondo de la caja: cantidad de billetes y monedas de cada valor.", x: area.x + 2, y: area.y, style: .hint, maxWidth: area.width - 4)
        form.render(into: &canvas, x: area.x + 2, y: area.y + 2, width: 40)
        let total = (try? Denomination.total(counts))?.formatted ?? "—"
        canvas.put("Fondo: \(total)", x: area.x + 2, y: area.y + 3 + form.fields.count, style: .title)
        if let message { canvas.put(message, x: area.x + 2, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}

/// A payment plan for what the sale still owes: the number of monthly instalments and the first
/// due date; the instalments split the balance exactly (the last takes the céntimos left).
public struct PaymentPlanScreen: KeyBound {
    let session: Session
    let summary: SaleSummary
    let creditID = UUIDv7Generator().make()
    var form: Form
    var message: String?

    public init(session: Session, summary: SaleSummary, today: CivilDate = CivilDate(limaDayOf: Date())) {
        self.session = session
        self.summary = summary
        form = Form(fields: [
            Form.Field(id: "count", label: "Cuotas", input: TextField("3", mask: .digits(max: 2), maxLength: 2), help: "1 a \(PaymentPlanRules.maxInstalments)"),
            Form.Field(id: "first", label: "Primera cuota", input: TextField(today.adding(months: 1).display, mask: .date, maxLength: 10), help: "dd/mm/aaaa"),
        ], fieldWidth: 12)
    }

    public var title: String { "Plan de pagos · \(SedeStore.saleNumberText(summary.sale.number))" }

    var plan: [Instalment] {
        guard let count = Int(form["count"]), count > 0, count <= PaymentPlanRules.maxInstalments, let first = CivilDate(display: form["first"]) else { return [] }
        return PaymentPlanRules.even(balance: summary.payable, count: count, first: first)
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<PaymentPlanScreen>] {
        [
            KeyBinding([.ctrl("s")], hint: "^S", label: "Guardar plan") { s, _, _ in s.submit() },
            KeyBinding([.enter], hint: "Enter", label: "Siguiente / Guardar") { s, key, _ in s.form.update(key) == .submit ? s.submit() : .none },
            KeyBinding([.escape], hint: "Esc", label: "Cancelar") { _, _, _ in .pop },
        ]
    }

    struct Saved { let summary: SaleSummary }

    mutating func submit() -> Command {
        form.clearErrors()
        guard let count = Int(form["count"]), count > 0, count <= PaymentPlanRules.maxInstalments else {
            form.setError("count", "Entre 1 y \(PaymentPlanRules.maxInstalments) cuotas"); form.focus("count"); return .none
        }
        guard CivilDate(display: form["first"]) != nil else { form.setError("first", "Fecha no válida (dd/mm/aaaa)"); form.focus("first"); return .none }
        _ = count
        let plan = plan, session = session, saleID = summary.sale.id, creditID = creditID
        return .perform { services in
            Saved(summary: try services.store.leaveBalance(CreditDraft(id: creditID, instalments: plan), saleID: saleID, by: session))
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        switch event {
        case .key(let key):
            if let command = dispatch(key, context) { return command }
            if form.update(key) == .unhandled { return .ignored }
            message = nil
            return .none
        case .message(is Saved):
            return .batch([.pop, .replace(ReceiptScreen(session: session, saleID: summary.sale.id, autoPrint: true, lastChange: nil)),
                           .toast("Plan de pagos registrado", .ok)])
        case .message(let failure as PerformFailure):
            message = failure.message
            form.setError("count", failure.message)
            return .none
        default:
            return .none
        }
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2
        canvas.put("Saldo a financiar: \(summary.payable.formatted) (lo pagado hoy es la cuota inicial)", x: x, y: area.y, style: .label, maxWidth: area.width - 4)
        form.render(into: &canvas, x: x, y: area.y + 2, width: area.width - 4)
        var y = area.y + 7
        for (i, instalment) in plan.enumerated() where y < area.y + area.height - 2 {
            canvas.put("Cuota \(i + 1)  \(instalment.dueDate.display)  \(instalment.amount.formatted)", x: x, y: y, style: .normal)
            y += 1
        }
        if let message { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 4) }
    }
}

import Foundation
