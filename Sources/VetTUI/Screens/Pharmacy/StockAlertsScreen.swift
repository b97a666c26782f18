import VetCore
import VetStore

/// The pharmacy's alerts: lots expired (to write off), lots about to expire (within the sede's
/// 90/60/30-day bands), items under their minimum and lots with a negative balance («Stock a
/// regularizar», until a count settles them).
public struct StockAlertsScreen: KeyBound {
    enum Kind { case expired, expiring, below, negative }
    struct Entry { let kind: Kind; let itemID: String; let lot: LotChoice?; let controlled: Bool }

    let session: Session
    var load: LoadState<Loaded>
    var table = Table(columns: [Table.Column("Alerta", width: 16), Table.Column("Producto", width: 40, minWidth: 20),
                                Table.Column("Lote", width: 14), Table.Column("Vence", width: 10), Table.Column("Cantidad", width: 9),
                                Table.Column("Detalle", width: 24)])
    var entries: [Entry] = []
    var confirm: Modal?
    var message: String?

    struct Loaded { let alerts: StockAlerts }
    struct WrittenOff {}

    public init(session: Session) {
        self.session = session
        let sedeID = session.sede.id
        load = LoadState { services in Loaded(alerts: try services.store.stockAlerts(sedeID: sedeID, today: services.store.today)) }
    }

    public var title: String { "Farmacia · Alertas" }

    var selected: Entry? { entries.indices.contains(table.selected) ? entries[table.selected] : nil }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<StockAlertsScreen>] {
        let session = session
        let expired = selected?.kind == .expired
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding([.enter], hint: "Enter", label: "Ver producto", enabled: selected != nil) { s, _, _ in
                guard let entry = s.selected else { return .none }
                return .push(StockItemScreen(session: session, itemID: entry.itemID))
            },
            KeyBinding(letter: "b", label: "Dar de baja", enabled: expired && session.may(.manageStock),
                       refusal: expired ? .toast("Solo farmacia o un supervisor dan de baja", .warning) : nil) { s, _, _ in
                guard let entry = s.selected, let lot = entry.lot else { return .none }
                if entry.controlled { return .toast("Controlado: registre la baja con testigo desde el producto (J Ajustar)", .warning) }
                s.confirm = Modal(title: "Baja por vencimiento", message: ["¿Dar de baja todo el lote \(lot.lotCode)", "vencido el \(lot.expiry?.display ?? "—")?"])
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received { fill(loaded.alerts) }
            return .none
        }
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let entry = selected, let lot = entry.lot else { return .none }
                let session = session
                return .perform { services in
                    try services.store.writeOffExpired(actID: services.store.newID(), itemID: entry.itemID, lot: lot, by: session)
                    return WrittenOff()
                }
            }
            return dispatch(key, context) ?? .ignored
        case .message(is WrittenOff):
            return .batch([.toast("Lote dado de baja", .ok), load.start()])
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    mutating func fill(_ alerts: StockAlerts) {
        var rows: [[String]] = []
        entries = []
        for a in alerts.expired {
            entries.append(Entry(kind: .expired, itemID: a.item.id, lot: LotChoice(lotCode: a.lotCode, expiry: a.expiry), controlled: a.item.controlled))
            rows.append(["VENCIDO", a.item.name, a.lotCode, a.expiry.display, String(a.quantity), "hace \(-a.daysLeft) \(a.daysLeft == -1 ? "día" : "días")"])
        }
        for a in alerts.expiring {
            entries.append(Entry(kind: .expiring, itemID: a.item.id, lot: LotChoice(lotCode: a.lotCode, expiry: a.expiry), controlled: a.item.controlled))
            rows.append(["Vence ≤ \(a.band ?? 0) días", a.item.name, a.lotCode, a.expiry.display, String(a.quantity),
                         a.daysLeft == 0 ? "vence hoy" : "en \(a.daysLeft) \(a.daysLeft == 1 ? "día" : "días")"])
        }
        for r in alerts.belowMinimum {
            entries.append(Entry(kind: .below, itemID: r.item.id, lot: nil, controlled: r.item.controlled))
            rows.append(["Bajo mínimo", r.item.name, "", "", String(r.onHand),
                         "mínimo \(r.minimum ?? 0)" + (r.inTransit > 0 ? ", en tránsito \(r.inTransit)" : "")])
        }
        for n in alerts.negative {
            entries.append(Entry(kind: .negative, itemID: n.item.id, lot: LotChoice(lotCode: n.lotCode, expiry: n.expiry), controlled: n.item.controlled))
            rows.append(["Regularizar", n.item.name, n.lotCode.isEmpty ? "(sin lote)" : n.lotCode, n.expiry?.display ?? "", String(n.quantity),
                         "stock negativo: contar"])
        }
        table.setRows(rows)
        table.alertRows = Set(entries.indices.filter { entries[$0].kind == .expired || entries[$0].kind == .negative })
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 1
        var t = table
        t.layout(height: area.height - 3)
        t.render(into: &canvas, area: Rect(x: x, y: area.y + 1, width: area.width - 2, height: area.height - 3))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 3, width: area.width - 4)
        if !placeholder && entries.isEmpty {
            canvas.put("Sin alertas: nada vencido, por vencer, bajo mínimo ni por regularizar", x: x + 1, y: area.y + 3, style: .hint)
        }
        if let a = load.value?.alerts {
            let summary = "\(a.expired.count) vencidos · \(a.expiring.count) por vencer · \(a.belowMinimum.count) bajo mínimo · \(a.negative.count) por regularizar"
            canvas.put(message ?? summary, x: x, y: area.y + area.height - 1, style: message == nil ? .label : .error, maxWidth: area.width - 2)
        }
        confirm?.render(into: &canvas, area: area)
    }
}
