import Foundation
import VetCore
import VetStore

/// One catalog item at this sede: what it is, its price, its lots with their expiry and its last
/// movements. Farmacia and supervisors adjust, open packs and set levels from here.
public struct StockItemScreen: KeyBound {
    let session: Session
    let itemID: String
    var load: LoadState<Loaded>
    var lots = Table(columns: [Table.Column("Lote", width: 14), Table.Column("Vence", width: 10), Table.Column("Cantidad", width: 9),
                               Table.Column("Estado", width: 22)])
    var message: String?
    var confirm: Modal?

    struct Loaded {
        let row: StockRow
        let barcodes: [String]
        let lots: [LotBalance]
        let movements: [StockMovement]
        let prices: [PriceEntry]
        let today: CivilDate
    }
    struct Opened {}

    public init(session: Session, itemID: String) {
        self.session = session
        self.itemID = itemID
        let sedeID = session.sede.id
        load = LoadState { services in
            let store = services.store
            guard let item = try store.catalogItem(id: itemID) else { throw StoreError.notFound("El producto ya no está en el catálogo") }
            let today = store.today
            let row = try store.stockSearch(item.sku, sedeID: sedeID, includeInactive: true, limit: 1).first { $0.item.id == itemID }
            return Loaded(row: row ?? StockRow(item: item, onHand: 0, inTransit: 0, price: nil, minimum: nil, ideal: nil),
                          barcodes: try store.barcodes(itemID: itemID), lots: try store.lots(itemID: itemID, sedeID: sedeID),
                          movements: try store.movements(itemID: itemID, sedeID: sedeID, limit: 50),
                          prices: try store.priceHistory(itemID: itemID, sedeID: sedeID), today: today)
        }
    }

    public var title: String { load.value.map { "Farmacia · \($0.row.item.name)" } ?? "Farmacia · Producto" }

    var selectedLot: LotBalance? {
        guard let lots = load.value?.lots, lots.indices.contains(self.lots.selected) else { return nil }
        return lots[self.lots.selected]
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<StockItemScreen>] {
        let session = session, manage = session.may(.manageStock)
        let item = load.value?.row.item
        let isProduct = item?.isProduct ?? false
        let canOpen = manage && item?.unitItemID != nil && (selectedLot?.quantity ?? 0) > 0
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown], hint: "↑↓", label: "Lote") { s, key, _ in s.lots.update(key) ? .none : .ignored },
            KeyBinding(letter: "j", label: "Ajustar", enabled: manage && isProduct,
                       refusal: manage ? nil : .toast("Solo farmacia o un supervisor ajustan el stock", .warning)) { s, _, _ in
                guard let item else { return .none }
                return .push(AdjustStockScreen(session: session, item: item, lot: s.selectedLot))
            },
            KeyBinding(letter: "x", label: "Desarmar 1", enabled: canOpen) { s, _, _ in
                guard let item, let lot = s.selectedLot else { return .none }
                s.confirm = Modal(title: "Desarme", message: ["¿Abrir 1 empaque de \(item.name)", "lote \(lot.lotCode.isEmpty ? "sin lote" : lot.lotCode)?",
                                                              "Pasa a unidades del mismo lote y vencimiento."])
                return .none
            },
            KeyBinding(letter: "n", label: "Niveles", enabled: manage && isProduct) { s, _, _ in
                guard let row = s.load.value?.row else { return .none }
                return .push(StockLevelScreen(session: session, row: row))
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received {
                lots.setRows(loaded.lots.map { lot in
                    [lot.lotCode.isEmpty ? "(sin lote)" : lot.lotCode, lot.expiry?.display ?? "—", String(lot.quantity), Self.lotState(lot, today: loaded.today)]
                })
                lots.alertRows = Set(loaded.lots.indices.filter { loaded.lots[$0].isExpired(today: loaded.today) || loaded.lots[$0].quantity < 0 })
            }
            return .none
        }
        switch event {
        case .key(let key):
            if let outcome = confirm.decide(key) {
                guard outcome == .confirmed, let lot = selectedLot else { return .none }
                let session = session, itemID = itemID
                return .perform { services in
                    try services.store.openPacks(actID: services.store.newID(), packItemID: itemID, lot: LotChoice(lotCode: lot.lotCode, expiry: lot.expiry), packs: 1, by: session)
                    return Opened()
                }
            }
            return dispatch(key, context) ?? .ignored
        case .message(is Opened):
            return .batch([.toast("Empaque abierto", .ok), load.start()])
        case .message(is ReloadRequest), .dataChanged:
            return load.start()
        case .message(let failure as PerformFailure):
            message = failure.message
            return .none
        default:
            return .none
        }
    }

    static func lotState(_ lot: LotBalance, today: CivilDate) -> String {
        if lot.quantity < 0 { return "Regularizar" }
        guard let expiry = lot.expiry else { return "" }
        let days = expiry.daysSinceEpoch - today.daysSinceEpoch
        if days < 0 { return "VENCIDO" }
        if days == 0 { return "Vence hoy" }
        return days <= 90 ? "Vence en \(days) \(days == 1 ? "día" : "días")" : ""
    }

    public func render(into canvas: inout Canvas, area: Rect, context: ScreenContext) {
        let x = area.x + 2, width = area.width - 4
        if load.renderPlaceholder(into: &canvas, x: x, y: area.y + 1, width: width) { return }
        guard let loaded = load.value else { return }
        let item = loaded.row.item
        var y = area.y + 1
        canvas.put("\(item.sku) · \(item.name)", x: x, y: y, style: .title, maxWidth: width)
        y += 1
        var facts = [item.kind.label, item.category]
        if !item.presentation.isEmpty { facts.append(item.presentation) }
        facts.append("Unidad \(item.unitCode) (\(item.baseUnit))")
        facts.append("IGV \(item.igv.label.lowercased())")
        canvas.put(facts.joined(separator: " · "), x: x, y: y, style: .normal, maxWidth: width)
        y += 1
        var flags: [String] = []
        if item.controlled { flags.append("CONTROLADO") }
        if item.prescription { flags.append("Con receta") }
        if item.tracksLots { flags.append("Lotes y vencimiento") }
        if !item.active { flags.append("INACTIVO") }
        if !loaded.barcodes.isEmpty { flags.append("Código " + loaded.barcodes.joined(separator: ", ")) }
        canvas.put(flags.joined(separator: " · "), x: x, y: y, style: item.controlled ? .warning : .hint, maxWidth: width)
        y += 2
        let price = loaded.row.price?.formatted ?? "sin precio"
        let upcoming = loaded.prices.first { $0.effectiveFrom > loaded.today && ($0.sedeID == nil || $0.sedeID == session.sede.id) }
        var priceLine = "Precio hoy: \(price) (IGV incluido)"
        if let upcoming { priceLine += " · desde el \(upcoming.effectiveFrom.display): \(upcoming.price.formatted)" }
        canvas.put(priceLine, x: x, y: y, style: .label, maxWidth: width)
        y += 1
        if item.isProduct {
            var stock = "Stock: \(loaded.row.onHand) \(item.baseUnit)"
            if loaded.row.inTransit > 0 { stock += " · en tránsito: \(loaded.row.inTransit)" }
            if let min = loaded.row.minimum, let ideal = loaded.row.ideal { stock += " · mínimo \(min), ideal \(ideal)" }
            canvas.put(stock, x: x, y: y, style: loaded.row.isBelowMinimum ? .warning : .label, maxWidth: width)
            y += 2
            var t = lots
            let lotsHeight = min(max(3, loaded.lots.count + 1), max(3, (area.height - (y - area.y)) / 2))
            t.layout(height: lotsHeight)
            t.render(into: &canvas, area: Rect(x: x, y: y, width: min(width, 60), height: lotsHeight))
            if loaded.lots.isEmpty { canvas.put("Sin stock registrado", x: x + 1, y: y + 1, style: .hint) }
            y += lotsHeight + 1
            canvas.put("Últimos movimientos", x: x, y: y, style: .label)
            y += 1
            for movement in loaded.movements where y < area.y + area.height - 1 {
                let when = LimaTime.parseISO8601(movement.at).map(LimaTime.dayAndClock) ?? movement.at
                let lot = movement.lotCode.isEmpty ? "" : " lote \(movement.lotCode)"
                let qty = movement.quantity > 0 ? "+\(movement.quantity)" : String(movement.quantity)
                var text = "\(when)  \(qty.padding(toLength: 7, withPad: " ", startingAt: 0)) \(movement.kind.label)\(lot)"
                if let reason = movement.reason { text += " · " + (AdjustmentReason.parse(reason).label) }
                if let doc = movement.docRef, movement.kind == .recepcion { text += " · " + doc }
                canvas.put(text, x: x, y: y, style: .normal, maxWidth: width)
                y += 1
            }
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: width) }
        confirm?.render(into: &canvas, area: area)
    }
}
