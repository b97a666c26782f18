import VetCore
import VetStore

/// An owner's cart: the pending charges of all their pets, at today's prices, with discounts and
/// the totals by afectación. Reception changes quantities, removes lines, adds items by barcode or
/// SKU and discounts a line; C charges it (the sale's id is made when the cart opens, so pressing
/// it twice records one sale).
public struct CartScreen: KeyBound {
    enum Editing: Equatable {
        case adding(TextField)
        case discount(TextField)
    }

    struct Loaded { let ownerID: String; let charges: [PendingCharge] }

    let session: Session
    /// The owner whose charges these are (known once loaded when the cart opens from a pet).
    var ownerID: String?
    let ownerName: String
    /// The pet a vet is adding charges for (from the appointment or the history): added items are its.
    let petID: String?
    let appointmentID: String?
    let saleID: String
    var load: LoadState<Loaded>
    var lines: [PendingCharge] = []
    /// Discounts typed for lines, by charge id (they become the sale's when it is charged).
    var discounts: [String: Discount] = [:]
    var table = Table(columns: [Table.Column("Descripción", width: 34, minWidth: 16), Table.Column("Mascota", width: 12, minWidth: 8),
                                Table.Column("Cant.", width: 6), Table.Column("P. unit.", width: 11), Table.Column("Dscto.", width: 10),
                                Table.Column("Importe", width: 12)])
    var editing: Editing?
    var confirmRemove: Modal?
    var clave: ClavePrompt?
    var message: String?

    public init(session: Session, ownerID: String, ownerName: String, saleID: String = UUIDv7Generator().make()) {
        self.session = session
        self.ownerID = ownerID
        self.ownerName = ownerName
        self.petID = nil
        self.appointmentID = nil
        self.saleID = saleID
        let sedeID = session.sede.id
        load = LoadState { services in Loaded(ownerID: ownerID, charges: try services.store.pendingCharges(ownerID: ownerID, sedeID: sedeID)) }
    }

    /// The charges of a pet's owner, opened by a vet from the appointment or the history: what is
    /// added goes to this pet (and to the appointment).
    public init(session: Session, petID: String, petName: String, appointmentID: String? = nil) {
        self.session = session
        self.ownerID = nil
        self.ownerName = petName
        self.petID = petID
        self.appointmentID = appointmentID
        self.saleID = UUIDv7Generator().make()
        let sedeID = session.sede.id
        load = LoadState { services in
            guard let pet = try services.store.pet(id: petID) else { throw StoreError.notFound("La mascota no existe") }
            return Loaded(ownerID: pet.ownerId, charges: try services.store.pendingCharges(ownerID: pet.ownerId, sedeID: sedeID))
        }
    }

    public var title: String { (petID == nil ? "Caja · " : "Cargos · ") + ownerName }

    var selected: PendingCharge? { lines.indices.contains(table.selected) ? lines[table.selected] : nil }

    /// The cart priced in VetCore: lines without a price in force are left out (and reported).
    var priced: (lines: [PricedLine], totals: SaleTotals)? {
        try? SaleMath.totals(of: lines.compactMap { line in
            line.unitPrice.map { CartLine(quantity: line.charge.quantity, unitPrice: $0, affectation: line.item.igv, discount: discounts[line.id] ?? .none) }
        })
    }

    public func bindings(_ context: ScreenContext) -> [KeyBinding<CartScreen>] {
        if editing != nil {
            return [
                KeyBinding([.enter], hint: "Enter", label: "Aceptar") { s, _, _ in s.finishEditing() },
                KeyBinding([.escape], hint: "Esc", label: "Cancelar") { s, _, _ in s.editing = nil; return .none },
            ]
        }
        let edit = session.may(.editCharges), line = selected != nil
        return [
            KeyBinding([.up, .down, .pageUp, .pageDown, .home, .end], hint: "↑↓", label: "Elegir") { s, key, _ in s.table.update(key) ? .none : .ignored },
            KeyBinding(letter: "c", label: "Cobrar", enabled: !lines.isEmpty && session.may(.charge)) { s, _, _ in s.charge(approval: nil) },
            KeyBinding([.char("+")], hint: "+", label: "Más", enabled: edit && line) { s, _, _ in s.changeQuantity(by: 1) },
            KeyBinding([.char("-")], hint: "-", label: "Menos", enabled: edit && line) { s, _, _ in s.changeQuantity(by: -1) },
            KeyBinding(letter: "a", label: "Agregar", enabled: session.may(.addCharges) && ownerID != nil) { s, _, _ in
                s.editing = .adding(TextField(maxLength: 64)); s.message = nil; return .none
            },
            KeyBinding(letter: "d", label: "Descuento", enabled: line) { s, _, _ in
                s.editing = .discount(TextField(s.selected.flatMap { s.discounts[$0.id] }?.display.replacingOccurrences(of: " ", with: "") ?? "", maxLength: 12))
                s.message = nil
                return .none
            },
            KeyBinding(letter: "x", label: "Quitar", enabled: edit && line) { s, _, _ in
                guard let line = s.selected else { return .none }
                s.confirmRemove = Modal(title: "Quitar cargo", message: ["¿Quitar \(line.item.name) del cobro?", "Queda registrado quién lo quitó."])
                return .none
            },
            LoadState.retry(\.load, in: self),
            KeyBinding([.escape], hint: "Esc", label: "Volver") { _, _, _ in .ignored },
        ]
    }

    public func onAppear() -> Command { load.firstLoad() }

    struct Changed { let note: String? }
    struct Charged { let summary: SaleSummary }

    mutating func changeQuantity(by delta: Int64) -> Command {
        guard let line = selected else { return .none }
        guard line.charge.dispensationId == nil else {
            message = "Este cargo viene de una dispensación: la cantidad dispensada no se cambia aquí"
            return .none
        }
        let quantity = line.charge.quantity + delta
        guard quantity > 0 else { message = "Para quitar la línea pulse X"; return .none }
        let session = session, id = line.id
        return .perform { services in
            try services.store.setChargeQuantity(chargeID: id, quantity: quantity, by: session)
            return Changed(note: nil)
        }
    }

    mutating func finishEditing() -> Command {
        switch editing {
        case .adding(let field)?:
            guard let ownerID else { return .none }
            let text = field.text, session = session, pet = petID ?? selected?.charge.petId, appointmentID = appointmentID
            let chargeID = UUIDv7Generator().make()
            editing = nil
            return .perform { services in
                var item = try services.store.saleItem(code: text, sedeID: session.sede.id)?.item
                if item == nil {
                    let found = try services.store.stockSearch(text, sedeID: session.sede.id, limit: 6)
                    guard !found.isEmpty else { throw StoreError.notFound("No hay ningún producto o servicio que coincida con «\(text)»") }
                    guard found.count == 1 else {
                        throw StoreError.invalid("Varios coinciden: " + found.prefix(5).map { "\($0.item.name) (\($0.item.sku))" }.joined(separator: ", ")
                                                 + ". Escriba el SKU o el código de barras")
                    }
                    item = found[0].item
                }
                guard let item else { return Changed(note: nil) }
                guard try services.store.price(itemID: item.id, sedeID: session.sede.id, on: services.store.today) != nil else {
                    throw StoreError.invalid("\(item.name) no tiene precio vigente en esta sede")
                }
                try services.store.addCharge(id: chargeID, itemID: item.id, quantity: 1, petID: pet, ownerID: ownerID, appointmentID: appointmentID, by: session)
                return Changed(note: "Agregado: \(item.name)")
            }
        case .discount(let field)?:
            guard let line = selected else { editing = nil; return .none }
            switch Discount.parse(field.text) {
            case .success(let discount):
                if let price = line.unitPrice {
                    do { _ = try SaleMath.price(CartLine(quantity: line.charge.quantity, unitPrice: price, affectation: line.item.igv, discount: discount)) } catch {
                        message = error.message
                        return .none
                    }
                }
                discounts[line.id] = discount == .none ? nil : discount
                editing = nil
                refreshTable()
            case .failure(let problem):
                message = problem.message
            }
            return .none
        case nil:
            return .none
        }
    }

    mutating func charge(approval: Clave?) -> Command {
        if let missing = lines.first(where: { $0.unitPrice == nil }) {
            message = "\(missing.item.name) no tiene precio vigente: quítelo para cobrar"
            return .none
        }
        guard let ownerID else { return .none }
        let draft = SaleDraft(id: saleID, ownerID: ownerID, lines: lines.map {
            SaleDraft.Line(itemID: $0.item.id, quantity: $0.charge.quantity, discount: discounts[$0.id] ?? .none, chargeID: $0.id, petID: $0.charge.petId)
        }, drawer: nil)
        let session = session
        return .perform { services in
            var withDrawer = draft
            withDrawer.drawer = services.till.drawer
            return Charged(summary: try services.store.createSale(withDrawer, approval: approval, by: session))
        }
    }

    mutating func refreshTable() {
        let priced = lines.map { line in
            line.unitPrice.flatMap { try? SaleMath.price(CartLine(quantity: line.charge.quantity, unitPrice: $0, affectation: line.item.igv,
                                                                  discount: discounts[line.id] ?? .none)) }
        }
        table.setRows(zip(lines, priced).map { line, p in
            [line.item.name, line.petName ?? "", String(line.charge.quantity), line.unitPrice?.formatted ?? "sin precio",
             (discounts[line.id] ?? .none).display, p?.total.formatted ?? ""]
        })
    }

    public mutating func update(_ event: Event, _ context: ScreenContext) -> Command {
        if let received = load.receive(event) {
            if case .loaded(let loaded) = received {
                let list = loaded.charges
                ownerID = loaded.ownerID
                lines = list
                discounts = discounts.filter { id, _ in list.contains { $0.id == id } }
                refreshTable()
            }
            return .none
        }
        switch event {
        case .key(let key):
            if let outcome = clave.decide(key) {
                if case .authorised(let given) = outcome { return charge(approval: given) }
                return .none
            }
            if let outcome = confirmRemove.decide(key) {
                guard outcome == .confirmed, let line = selected else { return .none }
                let session = session, id = line.id
                return .perform { services in
                    try services.store.removeCharge(chargeID: id, by: session)
                    return Changed(note: "Cargo quitado")
                }
            }
            if let command = dispatch(key, context) { return command }
            switch editing {
            case .adding(var field)?: if field.handle(key) { editing = .adding(field); message = nil }; return .none
            case .discount(var field)?: if field.handle(key) { editing = .discount(field); message = nil }; return .none
            case nil: return .ignored
            }
        case .message(let changed as Changed):
            return .batch([changed.note.map { .toast($0, .ok) } ?? .none, load.start()])
        case .message(let charged as Charged):
            return .replace(PaymentScreen(session: session, saleID: charged.summary.sale.id, summary: charged.summary))
        case .message(let failure as PerformFailure):
            if failure.code == StoreError.Code.needsSupervisor.rawValue {
                clave = ClavePrompt(reason: failure.message)
            } else if failure.code == StoreError.Code.chargesTaken.rawValue {
                message = failure.message
                return load.start()
            } else {
                message = failure.message
            }
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
        let tableHeight = max(3, area.height - 11)
        t.layout(height: tableHeight)
        t.render(into: &canvas, area: Rect(x: x, y: area.y, width: area.width - 2, height: tableHeight))
        let placeholder = load.renderPlaceholder(into: &canvas, x: x + 1, y: area.y + 2, width: area.width - 4)
        if !placeholder && lines.isEmpty && load.isLoaded {
            canvas.put("No hay cargos pendientes: pulse A para agregar por código o SKU", x: x + 1, y: area.y + 2, style: .hint)
        }
        var y = area.y + tableHeight + 1
        if !lines.isEmpty, let totals = priced?.totals {
            let right = area.x + area.width - 2
            func line(_ label: String, _ money: Money, _ style: StyleRole = .normal) {
                let text = money.formatted
                canvas.put(label, x: right - 34, y: y, style: .label)
                canvas.put(text, x: right - CellWidth.of(text), y: y, style: style)
                y += 1
            }
            if totals.gravada.centimos != 0 { line("Op. gravada", totals.gravada) }
            if totals.exonerada.centimos != 0 { line("Op. exonerada", totals.exonerada) }
            if totals.inafecta.centimos != 0 { line("Op. inafecta", totals.inafecta) }
            line("IGV 18 %", totals.igv)
            if totals.discount.centimos != 0 { line("Descuentos", totals.discount) }
            line("TOTAL", totals.total, .title)
        }
        switch editing {
        case .adding(let field)?:
            canvas.put("Código, SKU o nombre:", x: x, y: area.y + area.height - 2, style: .label)
            field.render(into: &canvas, x: x + 22, y: area.y + area.height - 2, width: 34, focused: true)
        case .discount(let field)?:
            canvas.put("Descuento de la línea (10% o 5.00):", x: x, y: area.y + area.height - 2, style: .label)
            field.render(into: &canvas, x: x + 36, y: area.y + area.height - 2, width: 12, focused: true)
        case nil:
            break
        }
        if let message = message ?? load.reloadFailure { canvas.put(message, x: x, y: area.y + area.height - 1, style: .error, maxWidth: area.width - 2) }
        confirmRemove?.render(into: &canvas, area: area)
        clave?.render(into: &canvas, area: area)
    }
}
