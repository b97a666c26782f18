import Foundation
import GRDB
import VetCore
import VetStore

/// The demo sede's pharmacy, dated around `today`; the same seed and the same `today` give the same rows.
///
/// - The catalog of `catalogs/demo-catalog.csv` (central data, written as received from the central,
///   so not journaled) with its network price list: every item's price in force, an older price for
///   some, a rise of Bravecto announced for next month, and two prices of the demo sede's own.
/// - The sede's stock ledger (journaled, as the sede writes it): supplier deliveries with their
///   facturas or guías and lots with expiries (some expire within 30 days, some within 90, two have
///   expired), packs opened into units (desarme), what the till sells (counter sales, the products of
///   attended appointments, two items sold out), use in surgery, a breakage and two prescriptions
///   dispensed (their charges sold at the till); minimum and ideal levels, with some items under
///   their minimum.
/// - Prescriptions of the last days that name catalog items and quantities, waiting to be
///   dispensed (one of them in part).
enum PharmacyDemo {
    static let catalogFile = "demo-catalog.csv"

    /// Prices of the demo sede (Miraflores) above the network's.
    static let sedePrices: [(sku: String, centimos: Int64)] = [("SRV-CONS-GENERAL", 8_000), ("SRV-BANOCORTE-PEQ", 7_000)]
    /// Items whose network price rises on the first day of next month.
    static let risingPrefix = "APA-BRAVECTO-"

    struct Supplier {
        let name: String
        let rucBody: String
        let docType: String
        let series: String
        let firstNumber: Int
        /// Days before `today` the supplier delivered.
        let days: [Int]
        var ruc: String { rucBody + String(DocumentValidation.rucCheckDigit(rucBody) ?? 0) }
    }

    /// Who supplies each kind of product.
    static let suppliers: [(kind: CatalogKind, supplier: Supplier)] = [
        (.medicamento, Supplier(name: "Droguería Veterinaria San Martín S.A.C.", rucBody: "2051438276", docType: "factura", series: "F001",
                                firstNumber: 18_240, days: [172, 141, 112, 84, 58, 33, 16, 5])),
        (.antiparasitario, Supplier(name: "Distribuidora Farmavet del Perú S.A.C.", rucBody: "2060318452", docType: "factura", series: "F002",
                                    firstNumber: 7_415, days: [165, 120, 76, 41, 19, 6])),
        (.vacuna, Supplier(name: "Biológicos Veterinarios del Pacífico S.A.C.", rucBody: "2054712093", docType: "factura", series: "F001",
                           firstNumber: 3_102, days: [158, 101, 52, 23, 8])),
        (.insumo, Supplier(name: "Insumos Médicos Lima E.I.R.L.", rucBody: "2049873115", docType: "factura", series: "E001",
                           firstNumber: 2_267, days: [150, 88, 37, 11])),
        (.alimento, Supplier(name: "Distribuidora de Alimentos Balanceados Santa Rosa S.A.C.", rucBody: "2055627481", docType: "guia",
                             series: "T001", firstNumber: 40_518, days: [134, 92, 55, 27, 12, 3])),
        (.accesorio, Supplier(name: "Importadora Mascotas del Sur S.A.C.", rucBody: "2060845127", docType: "guia", series: "T002",
                              firstNumber: 9_876, days: [146, 64, 18])),
    ]

    /// A prescription line: a catalog item and quantity, or free text (`sku` nil, `drug` the text).
    struct RxLine {
        var sku: String?
        var drug: String?
        var quantity: Int64?
        var dose: String, frequency: String, duration: String
        var instructions: String?
        init(_ sku: String, _ quantity: Int64, _ dose: String, _ frequency: String, _ duration: String, _ instructions: String? = nil) {
            self.sku = sku; self.quantity = quantity; self.dose = dose; self.frequency = frequency; self.duration = duration
            self.instructions = instructions
        }
        init(text: String, _ dose: String, _ frequency: String, _ duration: String) {
            drug = text; self.dose = dose; self.frequency = frequency; self.duration = duration
        }
    }

    enum Dispensing { case none, half, whole }

    /// Written by the demo vet in the last three days; the first is half dispensed.
    static let waitingPrescriptions: [(species: String, lines: [RxLine])] = [
        ("perro", [RxLine("MED-AMOXCLAV-250-TAB", 14, "1 tableta", "cada 12 h", "7 días", "Dar con comida"),
                   RxLine("MED-OMEP-20-CAP", 7, "1 cápsula", "cada 24 h", "7 días", "En ayunas, 30 minutos antes del desayuno")]),
        ("perro", [RxLine("MED-TRAMADOL-50-TAB", 10, "1/2 tableta", "cada 12 h", "10 días", "Puede causar somnolencia"),
                   RxLine("MED-MELOX-2-TAB", 5, "1 comprimido", "cada 24 h", "5 días", "Dar después de la comida")]),
        ("gato", [RxLine("MED-METACAM-05-GATO", 1, "0.1 ml/kg", "cada 24 h", "5 días", "Con la jeringa dosificadora, sobre la comida"),
                  RxLine("MED-CEFALEX-SUSP-60", 1, "1 ml", "cada 12 h", "7 días", "Agitar antes de usar; mantener refrigerado")]),
        ("perro", [RxLine("MED-APOQUEL-16-TAB", 14, "1 tableta", "cada 12 h", "14 días"),
                   RxLine("MED-SHAMP-CLORHEX-250", 1, "Baño", "cada 3 días", "3 semanas", "Dejar actuar 10 minutos antes de enjuagar")]),
        ("perro", [RxLine("MED-ENRO-150-TAB", 10, "1 tableta", "cada 24 h", "10 días"),
                   RxLine("MED-PREDNI-20-TAB", 6, "1 tableta", "cada 24 h", "6 días", "Dar en la mañana con comida"),
                   RxLine(text: "Dieta blanda (pollo sancochado con arroz)", "Porciones pequeñas", "cada 8 h", "5 días")]),
        ("gato", [RxLine("MED-METRO-SUSP-120", 1, "2 ml", "cada 12 h", "5 días"),
                  RxLine("MED-PROKOLIN-15", 1, "2 ml", "cada 12 h", "3 días")]),
    ]
    /// Written and dispensed a week ago.
    static let dispensedPrescriptions: [(species: String, lines: [RxLine])] = [
        ("perro", [RxLine("MED-TRAMADOL-50-TAB", 10, "1/2 tableta", "cada 12 h", "10 días", "Post operatorio"),
                   RxLine("MED-MELOX-2-TAB", 7, "1 comprimido", "cada 24 h", "7 días", "Dar después de la comida")]),
        ("perro", [RxLine("MED-CEFALEX-500-CAP", 14, "1 cápsula", "cada 12 h", "7 días", "Dar con comida")]),
    ]
    /// What a sterilisation uses, in base units.
    static let surgeryUse: [(sku: String, quantity: Int64)] = [
        ("INS-JER-3ML", 3), ("INS-GUANTE-QX-7", 2), ("INS-SUTURA-PGA-20", 1), ("INS-BISTURI-15", 1), ("INS-CATETER-22G", 1),
        ("MED-KETAMINA-10-ML", 2),
    ]

    struct Item {
        let id: String
        let line: CatalogLine
        /// The pack this item is the unit of (desarme), if any.
        var packID: String?
        var price: Int64 { line.price?.centimos ?? 0 }
    }

    struct LotKey: Hashable {
        let itemID: String
        let lot: String
        let expiry: String
    }

    /// One row to insert.
    struct Insert {
        let table: String
        let values: [(column: String, value: (any DatabaseValueConvertible)?)]
    }

    /// What one person did at one moment: the rows written in one transaction.
    struct Act {
        let userID: String
        var inserts: [Insert] = []
    }

    /// What happens in the pharmacy's timeline: an act written here, or a sale the till makes with
    /// the lots this ledger took for it.
    enum Step {
        case act(Act)
        case sale(TillSale)
    }

    /// The stock the acts leave, per lot.
    struct Ledger {
        var balances: [LotKey: Int64] = [:]
        /// Each item's lots in the order they arrived.
        var lots: [String: [LotKey]] = [:]

        func onHand(_ itemID: String) -> Int64 { (lots[itemID] ?? []).reduce(0) { $0 + (balances[$1] ?? 0) } }

        func hasExpiredStock(_ itemID: String, on day: CivilDate) -> Bool {
            (lots[itemID] ?? []).contains { !$0.expiry.isEmpty && $0.expiry < day.iso && (balances[$0] ?? 0) > 0 }
        }

        /// FEFO takes of up to `quantity` from the lots not expired on `day`: never more than is on hand.
        func takes(_ itemID: String, _ quantity: Int64, on day: CivilDate) -> [(LotKey, Int64)] {
            let keys = lots[itemID] ?? []
            let held = keys.map { LotBalance(lotCode: $0.lot, expiry: CivilDate(iso: $0.expiry), quantity: balances[$0] ?? 0) }
            return FEFO.plan(quantity: quantity, lots: held, today: day).takes.compactMap { take in
                keys.first { $0.lot == take.lotCode && $0.expiry == (take.expiry?.iso ?? "") }.map { ($0, take.quantity) }
            }
        }

        mutating func move(_ key: LotKey, _ quantity: Int64) {
            if balances[key] == nil { lots[key.itemID, default: []].append(key) }
            balances[key, default: 0] += quantity
        }
    }

    struct DemoDataError: Error, CustomStringConvertible {
        let description: String
    }

    /// The demo catalog's lines, read as `vetcentral catalog import` reads a file.
    static func catalogLines() throws -> [CatalogLine] {
        guard let text = EmbeddedDemoCatalogs.files.first(where: { $0.name == catalogFile })?.text else {
            throw DemoDataError(description: "Falta el catálogo de la demo (\(catalogFile))")
        }
        let validated = CatalogCSV.validate(text)
        guard validated.problems.isEmpty else {
            throw DemoDataError(description: "El catálogo de la demo tiene errores: "
                                + validated.problems.prefix(5).map(\.description).joined(separator: "; "))
        }
        return validated.entries.map(\.item)
    }

    /// Fills the pharmacy; `till` makes each sale of `visits`, of the counter and of the dispensations,
    /// in time order among the pharmacy's acts, with the lots this ledger took for its products.
    static func fill(store: SedeStore, sedeID: String, seed: UInt64, today: CivilDate, visits: [TillVisit],
                     till: (TillSale) throws -> Void) throws {
        var rng = SplitMix64(seed: seed &+ 0xFA_4A_C1A)
        let ids = UUIDv7Generator(seed: seed &+ 0x4A_C1A)
        func roll(_ n: Int) -> Int { Int(rng.next() % UInt64(max(1, n))) }

        let items = try writeCatalog(store: store, sedeID: sedeID, today: today, ids: ids)
        let bySKU = Dictionary(uniqueKeysWithValues: items.map { ($0.line.sku, $0) })
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
        let (users, pets) = try store.read { db in
            (try Dictionary(Row.fetchAll(db, sql: "SELECT username, id FROM users WHERE username IN ('farmacia', 'veterinario')")
                .map { ($0["username"] as String, $0["id"] as String) }, uniquingKeysWith: { a, _ in a }),
             try Row.fetchAll(db, sql: """
                SELECT id, owner_id, species FROM pets WHERE deceased_on IS NULL AND species IN ('perro', 'gato') ORDER BY id LIMIT 500
                """).map { (id: $0["id"] as String, owner: $0["owner_id"] as String, species: $0["species"] as String) })
        }
        guard let pharmacist = users["farmacia"], let vet = users["veterinario"] else {
            throw DemoDataError(description: "La farmacia de la demo necesita los usuarios farmacia y veterinario")
        }

        // What the sede receives: every active product but the units of packs (they come from
        // opening a pack), in 1–3 lots (1–2 deliveries without lots), from its kind's supplier.
        let stocked = items.filter { $0.line.kind.isProduct && $0.line.active && $0.packID == nil }
        let lotted = stocked.filter(\.line.tracksLots)
        // The oldest lot of twenty items: two already expired, six expiring within 30 days, twelve within 90.
        var nearExpiry: [String: Int] = [:]
        for (rank, item) in lotted.shuffled(using: &rng).prefix(20).enumerated() {
            nearExpiry[item.id] = rank < 2 ? -(3 + roll(20)) : rank < 8 ? 6 + roll(22) : 35 + roll(50)
        }
        var deliveries = suppliers.map { Array(repeating: [(LotKey, Int64)](), count: $0.supplier.days.count) }
        var received: [String: Int64] = [:]
        for item in stocked {
            guard let s = suppliers.firstIndex(where: { $0.kind == item.line.kind }) else { continue }
            let supplier = suppliers[s].supplier
            var slots = Array(Array(supplier.days.indices).shuffled(using: &rng).prefix(item.line.tracksLots ? 1 + roll(3) : 1 + roll(2)).sorted())
            // An expired lot came in the oldest delivery; a pack first came early enough to have been opened.
            if let days = nearExpiry[item.id], days < 0 { slots[0] = 0 }
            if item.line.unitSKU != nil, slots[0] > 1 { slots[0] = roll(2) }
            // About S/ 250 of each item (3 to 20; ampoules and sachets by the box), at least two packs
            // a delivery, one of what costs over S/ 500, at most five of a controlled drug.
            var total = min(20, max(3, 25_000 / max(100, item.price)))
            if item.line.presentation.hasPrefix("Ampolla") || item.line.presentation.hasPrefix("Sobre") { total += 20 }
            if item.price > 50_000 { total = 1 }
            if item.line.controlled { total = min(5, total) }
            for (n, slot) in slots.enumerated() {
                let receivedOn = today.adding(days: -supplier.days[slot])
                var quantity = max(item.line.unitSKU == nil || item.price > 50_000 ? 1 : 2, total / Int64(slots.count) + Int64(roll(3)) - 1)
                var lot = "", expiry = ""
                if item.line.tracksLots {
                    lot = lotCode(madeBefore: receivedOn, &rng)
                    if n == 0, let days = nearExpiry[item.id] {
                        expiry = today.adding(days: days).iso
                        quantity = max(3, quantity)
                    } else {
                        expiry = lastDayOfMonth(receivedOn.adding(months: 14 + roll(17))).iso
                    }
                }
                deliveries[s][slot].append((LotKey(itemID: item.id, lot: lot, expiry: expiry), quantity))
                received[item.id, default: 0] += quantity
            }
        }

        // The last six months, run in time order.
        enum Event {
            case delivery(supplier: Int, index: Int)
            case desarme(packID: String)
            case sale
            case visit(Int)
            case sellOut(itemID: String)
            case surgery
            case breakage
            case prescription(species: String, lines: [RxLine], dispensing: Dispensing)
        }
        var events: [(day: Int, minute: Int, event: Event)] = []
        var firstArrival: [String: Int] = [:]
        for (s, entry) in suppliers.enumerated() {
            for (index, daysAgo) in entry.supplier.days.enumerated() where !deliveries[s][index].isEmpty {
                events.append((-daysAgo, 570 + roll(120), .delivery(supplier: s, index: index)))
                for (key, _) in deliveries[s][index] { firstArrival[key.itemID] = min(firstArrival[key.itemID] ?? 0, -daysAgo) }
            }
        }
        // A pack is opened the day after it first arrives, and again when its units run short.
        for item in items where item.line.unitSKU != nil {
            guard let first = firstArrival[item.id] else { continue }
            events.append((first + 1, 545, .desarme(packID: item.id)))
        }
        for day in -21 ... -1 {
            for _ in 0..<(3 + roll(4)) { events.append((day, 700 + roll(480), .sale)) }
            if day % 3 == 0 { events.append((day, 600 + roll(150), .surgery)) }
        }
        events.append((-9, 1_060, .breakage))
        for (n, visit) in visits.enumerated() { events.append((visit.day, visit.minute, .visit(n))) }
        let expensive = stocked.filter { !$0.line.tracksLots && [CatalogKind.alimento, .accesorio].contains($0.line.kind) && $0.price >= 10_000 }
        for (n, item) in expensive.shuffled(using: &rng).prefix(2).enumerated() { events.append((-8 + 5 * n, 1_020, .sellOut(itemID: item.id))) }
        for (n, rx) in dispensedPrescriptions.enumerated() {
            events.append((-7 + n, 660 + 90 * n, .prescription(species: rx.species, lines: rx.lines, dispensing: .whole)))
        }
        for (n, rx) in waitingPrescriptions.enumerated() {
            events.append((-3 + n / 2, 600 + 75 * n, .prescription(species: rx.species, lines: rx.lines, dispensing: n == 0 ? .half : .none)))
        }

        // What the counter sells: no prescription drugs, no whole packs of units, no vaccines (they are
        // applied in the consulting room), no clinic supplies but syringes.
        let sellable = items.filter {
            $0.line.kind.isProduct && $0.line.active && !$0.line.prescription && $0.line.unitSKU == nil && $0.line.kind != .vacuna
                && ($0.line.kind != .insumo || $0.line.sku.hasPrefix("INS-JER-")) && !$0.line.presentation.contains("uso clínico")
        }
        var ledger = Ledger()
        var steps: [(at: UInt64, step: Step)] = []
        var documentNumbers = suppliers.map(\.supplier.firstNumber)
        var treated = Set<String>()

        for entry in events.enumerated().sorted(by: { ($0.element.day, $0.element.minute, $0.offset) < ($1.element.day, $1.element.minute, $1.offset) })
            .map(\.element) {
            let day = today.adding(days: entry.day)
            let at = ms(day, entry.minute)
            let actID = ids.make(unixMs: at)
            // A movement of this event's act and time, unless another act (a dispensation) and time are given.
            func movement(_ key: LotKey, _ quantity: Int64, _ kind: StockMovementKind, act: String? = nil, at time: UInt64? = nil, user: String,
                          reason: String? = nil, docType: String? = nil, docRef: String? = nil,
                          pet: (id: String, owner: String)? = nil, note: String? = nil) -> Insert {
                ledger.move(key, quantity)
                let stamp = time ?? at
                return Insert(table: "stock_movements", values: [
                    ("id", ids.make(unixMs: stamp)), ("sede_id", sedeID), ("act_id", act ?? actID), ("item_id", key.itemID), ("lot_code", key.lot),
                    ("expiry", key.expiry), ("quantity", quantity), ("kind", kind.rawValue), ("reason", reason), ("doc_type", docType),
                    ("doc_ref", docRef), ("pet_id", pet?.id), ("owner_id", pet?.owner), ("note", note), ("user_id", user), ("at", iso(stamp)),
                ])
            }
            /// Opens packs (FEFO), a minute before the take, while the units of `item` do not cover `quantity`.
            func openPacks(_ item: Item, toCover quantity: Int64, before time: UInt64, user: String) {
                guard let packID = item.packID, let units = byID[packID]?.line.packUnits else { return }
                while ledger.takes(item.id, quantity, on: day).reduce(0, { $0 + $1.1 }) < quantity,
                      let key = ledger.takes(packID, 1, on: day).first?.0 {
                    let opened = time - 60_000, openingID = ids.make(unixMs: opened)
                    steps.append((opened, .act(Act(userID: user, inserts: [
                        movement(key, -1, .desarme, act: openingID, at: opened, user: user),
                        movement(LotKey(itemID: item.id, lot: key.lot, expiry: key.expiry), units, .desarme, act: openingID, at: opened, user: user),
                    ]))))
                }
            }
            /// FEFO takes of up to `quantity` of what is on hand (opening packs if need be), as movements out.
            func take(_ item: Item, _ quantity: Int64, _ kind: StockMovementKind, act: String? = nil, at time: UInt64? = nil, user: String,
                      reason: String? = nil, docType: String? = nil, docRef: String? = nil,
                      pet: (id: String, owner: String)? = nil, note: String? = nil) -> (inserts: [Insert], taken: Int64) {
                openPacks(item, toCover: quantity, before: time ?? at, user: user)
                let takes = ledger.takes(item.id, quantity, on: day)
                return (takes.map { movement($0.0, -$0.1, kind, act: act, at: time, user: user, reason: reason, docType: docType, docRef: docRef,
                                             pet: pet, note: note) },
                        takes.reduce(0) { $0 + $1.1 })
            }
            /// What the till sells of up to `quantity` of what is on hand (opening packs if need be): one
            /// line per lot, FEFO. The sale writes the movements.
            func sell(_ item: Item, _ quantity: Int64) -> [TillSale.Line] {
                openPacks(item, toCover: quantity, before: at, user: pharmacist)
                return ledger.takes(item.id, quantity, on: day).map { key, taken in
                    ledger.move(key, -taken)
                    return TillSale.Line(itemID: item.id, quantity: taken, lot: LotChoice(lotCode: key.lot, expiry: CivilDate(iso: key.expiry)),
                                         isProduct: true)
                }
            }
            /// What the counter sells by the unit, the kilo or the piece.
            func counterQuantity(_ item: Item) -> Int64 {
                item.line.baseUnit == "kg" ? Int64(1 + roll(5)) : item.packID != nil && item.price < 500 ? Int64(5 + roll(10)) : roll(5) == 0 ? 2 : 1
            }

            switch entry.event {
            case .delivery(let s, let index):
                let supplier = suppliers[s].supplier
                documentNumbers[s] += 1 + roll(40)
                let docRef = supplier.series + "-" + LimaTime.pad(Int64(documentNumbers[s]), 8)
                steps.append((at, .act(Act(userID: pharmacist, inserts: deliveries[s][index].map { key, quantity in
                    movement(key, quantity, .recepcion, user: pharmacist, docType: supplier.docType, docRef: docRef,
                             note: "\(supplier.name), RUC \(supplier.ruc)")
                }))))
            case .desarme(let packID):
                guard let pack = byID[packID], let unit = pack.line.unitSKU.flatMap({ bySKU[$0] }), let units = pack.line.packUnits,
                      let key = ledger.takes(packID, 1, on: day).first?.0 else { continue }
                steps.append((at, .act(Act(userID: pharmacist, inserts: [
                    movement(key, -1, .desarme, user: pharmacist),
                    movement(LotKey(itemID: unit.id, lot: key.lot, expiry: key.expiry), units, .desarme, user: pharmacist),
                ]))))
            case .sale:
                var lines: [TillSale.Line] = []
                for _ in 0..<(1 + roll(3)) {
                    let item = sellable[roll(sellable.count)]
                    lines += sell(item, counterQuantity(item))
                }
                if !lines.isEmpty { steps.append((at, .sale(TillSale(at: at, lines: lines)))) }
            case .visit(let n):
                let visit = visits[n]
                var lines = visit.services.compactMap { bySKU[$0] }.map { TillSale.Line(itemID: $0.id, quantity: 1) }
                for product in visit.products {
                    guard let item = bySKU[product.sku] else { continue }
                    lines += sell(item, product.quantity)
                }
                if visit.counterProduct, !sellable.isEmpty {
                    let item = sellable[roll(sellable.count)]
                    lines += sell(item, counterQuantity(item))
                }
                guard !lines.isEmpty else { continue }
                steps.append((at, .sale(TillSale(at: at, ownerID: visit.ownerID, petID: visit.petID, lines: lines))))
            case .sellOut(let itemID):
                guard let item = byID[itemID] else { continue }
                let lines = sell(item, ledger.onHand(itemID))
                if !lines.isEmpty { steps.append((at, .sale(TillSale(at: at, lines: lines)))) }
            case .surgery:
                guard !pets.isEmpty else { continue }
                let pet = pets[roll(pets.count)]
                let note = pet.species == "gato" ? "Esterilización de gata" : "Esterilización de perra"
                var used = Act(userID: vet)
                for use in surgeryUse {
                    guard let item = bySKU[use.sku] else { continue }
                    used.inserts += take(item, use.quantity, .usoInterno, user: vet, pet: (pet.id, pet.owner), note: note).inserts
                }
                steps.append((at, .act(used)))
            case .breakage:
                guard let item = bySKU["MED-DEXA-2-INY-50"] else { continue }
                let broken = take(item, 1, .ajuste, user: pharmacist, reason: AdjustmentReason.rotura.rawValue, note: "Frasco roto al reponer el estante")
                steps.append((at, .act(Act(userID: pharmacist, inserts: broken.inserts))))
            case .prescription(let species, let lines, let dispensing):
                guard let pet = pets.first(where: { $0.species == species && !treated.contains($0.id) }) else { continue }
                treated.insert(pet.id)
                var written = Act(userID: vet, inserts: [Insert(table: "prescriptions", values: [
                    ("id", actID), ("pet_id", pet.id), ("sede_id", sedeID), ("vet_id", vet), ("created_at", iso(at)),
                ])])
                var named: [(lineID: String, item: Item, quantity: Int64)] = []
                for (position, line) in lines.enumerated() {
                    let item = line.sku.flatMap { bySKU[$0] }
                    let lineID = ids.make(unixMs: at)
                    if let item, let quantity = line.quantity { named.append((lineID, item, quantity)) }
                    written.inserts.append(Insert(table: "prescription_items", values: [
                        ("id", lineID), ("prescription_id", actID), ("position", position + 1), ("drug", item?.line.name ?? line.drug ?? ""),
                        ("dose", line.dose), ("frequency", line.frequency), ("duration", line.duration), ("instructions", line.instructions),
                        ("item_id", item?.id), ("quantity", item == nil ? nil : line.quantity),
                    ]))
                }
                steps.append((at, .act(written)))
                guard dispensing != .none else { continue }
                // Dispensed at the pharmacy within the hour (each with its charge, as the store adds it); a
                // half leaves the rest for the owner to collect. The owner pays at the till a little later.
                let later = at + 40 * 60_000
                var dispensed = Act(userID: pharmacist)
                var charged: [TillSale.Line] = []
                for (lineID, item, quantity) in named {
                    let dispensationID = ids.make(unixMs: later)
                    let out = take(item, dispensing == .half ? quantity / 2 : quantity, .dispensacion, act: dispensationID, at: later,
                                   user: pharmacist, docType: "receta", docRef: actID, pet: (pet.id, pet.owner))
                    guard out.taken > 0 else { continue }
                    dispensed.inserts.append(Insert(table: "dispensations", values: [
                        ("id", dispensationID), ("prescription_id", actID), ("prescription_item_id", lineID), ("item_id", item.id),
                        ("quantity", out.taken), ("pet_id", pet.id), ("sede_id", sedeID), ("user_id", pharmacist), ("at", iso(later)),
                    ]))
                    dispensed.inserts += out.inserts
                    dispensed.inserts.append(Insert(table: "charges", values: [
                        ("id", dispensationID), ("sede_id", sedeID), ("owner_id", pet.owner), ("pet_id", pet.id), ("dispensation_id", dispensationID),
                        ("item_id", item.id), ("quantity", out.taken), ("stock_act_id", dispensationID), ("added_by", pharmacist),
                        ("added_at", iso(later)), ("updated_at", iso(later)),
                    ]))
                    charged.append(TillSale.Line(itemID: item.id, quantity: out.taken, chargeID: dispensationID, isProduct: true))
                }
                steps.append((later, .act(dispensed)))
                if !charged.isEmpty {
                    let paid = later + 15 * 60_000
                    steps.append((paid, .sale(TillSale(at: paid, ownerID: pet.owner, petID: pet.id, lines: charged))))
                }
            }
        }

        // Levels set two months ago for most of what the sede keeps: what sold since fell under its
        // minimum, and the pharmacist raised a few minimums of what little is left.
        let levelsAt = ms(today.adding(days: -60), 540)
        var levels = Act(userID: pharmacist)
        var raised = 0
        for item in stocked where roll(100) < 60 || ledger.onHand(item.id) == 0 {
            let got = received[item.id] ?? 0
            let onHand = ledger.onHand(item.id)
            var minimum = max(1, got / 3)
            if onHand >= minimum, onHand <= 10, raised < 6, !ledger.hasExpiredStock(item.id, on: today), roll(6) == 0 {
                minimum = onHand + 1 + Int64(roll(3))
                raised += 1
            }
            levels.inserts.append(Insert(table: "stock_levels", values: [
                ("id", ids.make(unixMs: levelsAt)), ("sede_id", sedeID), ("item_id", item.id), ("minimum", minimum),
                ("ideal", max(got, minimum * 2)), ("updated_at", iso(levelsAt)),
            ]))
        }
        if !levels.inserts.isEmpty { try store.write(user: pharmacist) { db in try insert(levels.inserts, db) } }
        for (_, step) in steps.enumerated().sorted(by: { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }).map(\.element) {
            switch step {
            case .act(let act) where !act.inserts.isEmpty:
                try store.write(user: act.userID) { db in try insert(act.inserts, db) }
            case .act:
                continue
            case .sale(let sale):
                try till(sale)
            }
        }
    }

    /// The catalog, its barcodes and its prices, written as pulled from the central; the items.
    static func writeCatalog(store: SedeStore, sedeID: String, today: CivilDate, ids: UUIDv7Generator) throws -> [Item] {
        let lines = try catalogLines()
        let createdMs = ms(today.adding(days: -420), 480)
        var items = lines.enumerated().map { n, line in Item(id: ids.make(unixMs: createdMs + UInt64(n)), line: line) }
        let index = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1.line.sku, $0) })
        for n in items.indices {
            if let unit = items[n].line.unitSKU.flatMap({ index[$0] }) { items[unit].packID = items[n].id }
        }
        let olderFrom = today.adding(days: -420), currentFrom = today.adding(days: -150)
        let risesOn = lastDayOfMonth(today).adding(days: 1)
        try store.applyingRemote { db in
            for (n, item) in items.enumerated() {
                let line = item.line
                try db.cachedStatement(sql: """
                    INSERT INTO catalog_items (id, sku, name, kind, category, unit_code, igv_affectation, presentation, base_unit,
                        unit_item_id, pack_units, tracks_lots, controlled, prescription, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [item.id, line.sku, line.name, line.kind.rawValue, line.category, line.unitCode, line.igv.rawValue,
                                             line.presentation, line.baseUnit, line.unitSKU.flatMap { index[$0].map { items[$0].id } },
                                             line.packUnits, line.tracksLots, line.controlled, line.prescription, line.active,
                                             iso(createdMs), iso(createdMs)])
                for code in line.barcodes {
                    try db.cachedStatement(sql: "INSERT INTO catalog_barcodes (id, item_id, code) VALUES (?, ?, ?)")
                        .execute(arguments: [ids.make(unixMs: createdMs), item.id, code])
                }
                guard let price = line.price?.centimos else { continue }
                // (sede, céntimos, effective from, written days before it takes effect)
                var prices: [(String?, Int64, CivilDate, Int)] = []
                // One item in five cost about 8 % less until the list changed five months ago.
                if n % 5 == 2 { prices.append((nil, price * 92 / 100 / 10 * 10, olderFrom, 0)) }
                prices.append((nil, price, currentFrom, 7))
                if line.sku.hasPrefix(risingPrefix) { prices.append((nil, (price * 105 + 5_000) / 10_000 * 100, risesOn, 10)) }
                if let own = sedePrices.first(where: { $0.sku == line.sku }) { prices.append((sedeID, own.centimos, today.adding(days: -60), 2)) }
                for (sede, centimos, from, daysBefore) in prices {
                    let written = ms(from.adding(days: -daysBefore), 480)
                    try db.cachedStatement(sql: "INSERT INTO catalog_prices (id, item_id, sede_id, price, effective_from, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                        .execute(arguments: [ids.make(unixMs: written), item.id, sede, centimos, from.iso, iso(written)])
                }
            }
        }
        return items
    }

    static func insert(_ rows: [Insert], _ db: Database) throws {
        for row in rows {
            let columns = row.values.map(\.column)
            try db.cachedStatement(sql: "INSERT INTO \(row.table) (\(columns.joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: columns.count)))")
                .execute(arguments: StatementArguments(row.values.map(\.value)))
        }
    }

    static func ms(_ day: CivilDate, _ minute: Int) -> UInt64 { UInt64(AgendaTime.instant(day, minute: minute).timeIntervalSince1970 * 1000) }

    static func iso(_ ms: UInt64) -> String { LimaTime.iso8601(Date(timeIntervalSince1970: Double(ms) / 1000)) }

    /// The last day of `day`'s month (a box printed `mm/aaaa` expires then).
    static func lastDayOfMonth(_ day: CivilDate) -> CivilDate {
        (CivilDate(year: day.year, month: day.month, day: 1) ?? day).adding(months: 1).adding(days: -1)
    }

    /// A lot code as boxes print them: `L2605123`, `AB12345` or `260514`, made some months before `received`.
    static func lotCode(madeBefore received: CivilDate, _ rng: inout SplitMix64) -> String {
        let made = received.adding(days: -Int(30 + rng.next() % 120))
        let yymm = LimaTime.pad(Int64(made.year % 100), 2) + LimaTime.pad(Int64(made.month), 2)
        let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        func letter() -> Character { letters[Int(rng.next() % UInt64(letters.count))] }
        switch rng.next() % 3 {
        case 0: return "L" + yymm + LimaTime.pad(Int64(rng.next() % 1000), 3)
        case 1: return String([letter(), letter()]) + LimaTime.pad(Int64(rng.next() % 100_000), 5)
        default: return yymm + LimaTime.pad(Int64(made.day), 2)
        }
    }
}
