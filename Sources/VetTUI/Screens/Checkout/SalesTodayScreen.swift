import VetCore
import VetStore

/// The sede's sales of today: Enter opens one (its payment while it owes, else its receipt); I
/// reprints the receipt; A voids a sale and D returns some of its units, each with a reason and a
/// supervisor (whose clave is asked when the cashier is not one). The refund goes back by the
/// method chosen (cash from this terminal's drawer). When the sale's document can still be given
/// de baja (SUNAT's 7 days), the void form offers «Comprobante: Nota de crédito / Comunicación de
/// baja»; otherwise the anulación issues a nota de crédito, as a return always does.
public struct SalesTodayScreen: KeyBound {
    enum Reversing: Equatable {
        /// The reason, the refund method, and for a return the units of each line.
        case form(sale: String, isVoid: Bool, form: Form)
        case clave(sale: String, isVoid: Bool, form: Form, prompt: ClavePrompt)
    }

    let session: Session
    var load: LoadState<[SaleSummary]>
    var table = Table(columns: [Table.Column("Venta", width: 9), Table.Column("Hora", width: 6), Table.Column("Cliente", width: 28, minWidth: 12),
                                Table.Column("Tipo", width: 11), Table.Column("Estado", width: 18, minWidth: 10), Table.Column("Total", width: 13)])
    var reversing: Reversing?
    var message: String?
    let choices = Choices(options: ["refund": [PaymentMethod.efectivo, .tarjeta, .yape, .plin, .transferencia].map(\.label),
                                    "fiscal": [Self.creditNote, Self.baja]])
    static let creditNote = "Nota de crédito", baja = "Comunicación de baja"

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in
            try services.store.sales(sedeID: sedeID, on: services.store.today).compactMap { try services.store.saleSummary(id: $0.id) }
        }
    }

    public var title: String { "Caja · Ventas del día" }

    var selected: SaleSummary? { load.value.flatMap { $0.indices.contains(table.selected) ? $0[table.selected] : nil } }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<SalesTodayScreen>] {
        if reversing != nil {
            return [
                KeyBinding([.ctrl("s")], hint: "^S", label: "Confirmar") { s, _, _ in s.submit(approval: nil) },
                KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, _, _ in s.reversing = nil; return .none },
            ]
        }
        let sale = selected, reversible = sale.map { $0.sale.kind == "venta" && $0.state != .anulada } ?? false
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Abrir", enabled: sale != nil) { s, _, _ in
                guard let sale = s.selected else { return .none }
                if sale.sale.kind == "venta" && sale.payable.centimos > 0 && sale.state != .anulada {
                    return .push(PaymentScreen(session: s.session, saleID: sale.sale.id))
                }
                return .push(ReceiptScreen(session: s.session, saleID: sale.sale.id, autoPrint: false))
            },
            KeyBinding(letter: "i", label: "Reimprimir", enabled: sale != nil) { s, _, _ in
                guard let sale = s.selected else { return .none }
                return .push(ReceiptScreen(session: s.session, saleID: sale.sale.id, autoPrint: true, reprint: true))
            },
            KeyBinding(letter: "a", label: "Anular", enabled: reversible) { s, _, _ in s.startReversal(isVoid: true) },
            KeyBinding(letter: "d", label: "Devolver", enabled: reversible) { s, _, _ in s.startReversal(isVoid: false) },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    mutating func startReversal(isVoid: Bool) -> Command {
        guard let sale = selected else { return .none }
        var fields = [Form.Field(id: "reason", label: "Motivo", input: TextField(maxLength: 200)),
                      Form.Field(id: "refund", label: "Devolver por", input: TextField(PaymentMethod.efectivo.label), help: "← → cambia")]
        if !isVoid {
            fields += sale.lines.map { line in
                Form.Field(id: line.id, label: String(line.description.prefix(28)), input: TextField("0", mask: .digits(max: 6), maxLength: 6),
                           help: "de \(line.quantity)")
            }
        }
        // Wide enough for «◂ Comunicación de baja ▸».
        var form = Form(fields: fields, fieldWidth: 26)
        form.rowsPerField = 1
        reversing = .form(sale: sale.sale.id, isVoid: isVoid, form: form)
        message = nil
        guard isVoid else { return .none }
        let saleID = sale.sale.id
        return .perform { services in BajaOffered(sale: saleID, option: try services.store.fiscalBajaOption(saleID: saleID)) }
    }

    struct Reversed { let summary: SaleSummary }
    /// Whether the sale being voided may have its document given de baja.
    struct BajaOffered { let sale: String; let option: FiscalBajaOption }

    /// Adds the «Comprobante» choice to the open void form of `offer.sale` when a baja is possible.
    mutating func offer(_ offer: BajaOffered) {
        guard case .form(let saleID, true, var form)? = reversing, saleID == offer.sale,
              case .available(let document, let lastDay) = offer.option, !form.fields.contains(where: { $0.id == "fiscal" }) else { return }
        form.fields.append(Form.Field(id: "fiscal", label: "Comprobante", input: TextField(Self.creditNote),
                                      help: "\(document): baja hasta el \(lastDay.display) · ← →"))
        reversing = .form(sale: saleID, isVoid: true, form: form)
    }

    mutating func submit(approval: Clave?) -> Command {
        guard case .form(let saleID, let isVoid, var form)? = reversing else { return .none }
        form.clearErrors()
        guard !form["reason"].trimmingCharacters(in: .whitespaces).isEmpty else {
            form.setError("reason", "Escriba el motivo")
            form.focus("reason")
            reversing = .form(sale: saleID, isVoid: isVoid, form: form)
            return .none
        }
        var lines: [String: Int64]?
        if !isVoid {
            var picked: [String: Int64] = [:]
            for field in form.fields where field.id != "reason" && field.id != "refund" {
                if let n = Int64(field.input.text), n > 0 { picked[field.id] = n }
            }
            guard !picked.isEmpty else {
                message = "Indique cuántas unidades se devuelven de al menos una línea"
                return .none
            }
            lines = picked
        }
        if approval == nil && !session.may(.authorizeCheckout) {
            reversing = .clave(sale: saleID, isVoid: isVoid, form: form,
                               prompt: ClavePrompt(reason: isVoid ? "Anular la venta necesita un supervisor" : "La devolución necesita un supervisor"))
            return .none
        }
        let method = PaymentMethod.allCases.first { $0.label == form["refund"] } ?? .efectivo
        let byBaja = isVoid && form.fields.contains { $0.id == "fiscal" } && form["fiscal"] == Self.baja
        let draft = ReversalDraft(id: UUIDv7Generator().make(), saleID: saleID, lines: lines, reason: form["reason"], refundID: UUIDv7Generator().make(),
                                  refundMethod: method, fiscalVoid: byBaja ? .baja : .notaCredito)
        let session = session
        return .perform { services in
            var withDrawer = draft
            withDrawer.drawer = services.till.drawer
            return Reversed(summary: try services.store.reverseSale(withDrawer, approval: approval, by: session))
        }
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let sales) = received {
                table.setRows(sales.map { s in
                    [SedeStore.saleNumberText(s.sale.number), LimaTime.parseISO8601(s.sale.at).map(LimaTime.clock) ?? "",
                     s.sale.customerName ?? "", s.sale.kind == "venta" ? "Venta" : (s.sale.kind == "anulacion" ? "Anulación" : "Devolución"),
                     s.state.label, Money(centimos: s.sale.total).formatted]
                })
            }
            return .none
        }
        switch event {
        case .key(let key):
            if case .clave(let saleID, let isVoid, let form, var prompt)? = reversing {
                switch prompt.update(key) {
                case .pending: reversing = .clave(sale: saleID, isVoid: isVoid, form: form, prompt: prompt)
                case .cancelled: reversing = .form(sale: saleID, isVoid: isVoid, form: form)
                case .authorised(let given):
                    reversing = .form(sale: saleID, isVoid: isVoid, form: form)
                    return submit(approval: given)
                }
                return .none
            }
            if let command = dispatch(key, context) { return command }
            if case .form(let saleID, let isVoid, var form)? = reversing {
                if !choices.handle(key, form: &form) {
                    if form.update(key) == .submit {
                        reversing = .form(sale: saleID, isVoid: isVoid, form: form)
                        return submit(approval: nil)
                    }
                }
                reversing = .form(sale: saleID, isVoid: isVoid, form: form)
                message = nil
                return .none
            }
            return .ignored
        case .message(let offered as BajaOffered):
            offer(offered)
            return .none
        case .message(let done as Reversed):
            reversing = nil
            let what = done.summary.sale.kind == "anulacion" ? "Venta anulada" : "Devolución registrada"
            return .batch([.toast("\(what): \(Money(centimos: done.summary.sale.total).formatted)", .ok), load.start()])
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
        var t = table
        t.layout(height: area.height - 3)
        t.render(into: &canvas, area: Rect(x: x, y: area.y, width: area.width - 2, height: area.height - 3))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 2, width: area.width - 4)
        if !placeholder && (load.value?.isEmpty ?? false) { canvas.put("Sin ventas hoy", x: x + 1, y: area.y + 2, style: .hint) }
        switch reversing {
        case .form(_, let isVoid, let form)?, .clave(_, let isVoid, let form, _)?:
            let h = min(area.height - 2, form.fields.count + 4)
            let y = area.y + area.height - h - 1
            canvas.fill(x: x, y: y, width: area.width - 2, height: h, style: .modal)
            canvas.box(x: x, y: y, width: area.width - 2, height: h, title: isVoid ? "Anular venta" : "Devolución", style: .modal)
            var shown = form
            for (i, field) in shown.fields.enumerated() where choices.options[field.id] != nil {
                shown.fields[i].input = TextField("◂ " + field.input.text + " ▸")
            }
            shown.render(into: &canvas, x: x + 2, y: y + 1, width: area.width - 6)
        case nil:
            break
        }
        if case .clave(_, _, _, let prompt)? = reversing { prompt.render(into: &canvas, area: area) }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
    }
}
