import Foundation
import GRDB
import VetCore
import VetStore

/// A visit to the till planned from an attended appointment: the service of its type, and the
/// product some take home (a vaccine, a dewormer, something from the counter).
struct TillVisit {
    /// Days from `today` (0 is today) and the Lima minute the owner reached the till.
    var day: Int
    var minute: Int
    var ownerID: String
    var petID: String
    var appointmentID: String
    var vetID: String
    /// Catalog SKUs.
    var services: [String]
    var products: [(sku: String, quantity: Int64)]
    /// Also something from the counter, which the pharmacy picks from what it has.
    var counterProduct: Bool
}

/// A sale the till makes: its lines, with the lots the pharmacy's ledger took for its products
/// (FEFO), or the pending charges it sells.
struct TillSale {
    struct Line {
        var itemID: String
        var quantity: Int64
        var lot: LotChoice? = nil
        var chargeID: String? = nil
        var isProduct = false
    }
    /// Unix milliseconds.
    var at: UInt64
    var ownerID: String? = nil
    var petID: String? = nil
    var lines: [Line]
}

/// The demo sede's checkout: every attended appointment of the last two weeks, every counter sale and
/// every dispense sold at the till when it happened; «Caja 1» opened every morning with its float and
/// closed every evening with its count (one day short within the note level and explained, another
/// beyond it and signed off by the supervisor), with a few movements by hand; today's still open;
/// the payment mix a Peruvian clinic sees (cash with change and rounding, Niubiz card, Yape,
/// Plin, PagoEfectivo paid, pending and expired, a transfer, a split payment, a plan of three
/// instalments with one paid, a void and a partial return); and this morning's attended pets with
/// their charges waiting at the till (services, products and a dispense).
enum CheckoutDemo {
    static let drawer = SedeStore.defaultDrawer
    /// The float «Caja 1» opens with every morning: S/ 200 in notes and coins.
    static let float: [Int64: Int64] = [2_000: 5, 1_000: 4, 500: 6, 100: 20, 50: 10, 20: 15, 10: 20]
    /// Opened at 07:45.
    static let openingMinute = 465
    /// Closed at 20:30, after the last appointment and its customer at the till (or after the day's
    /// last act, if later).
    static let closingMinute = 1_230
    /// What the cashier buys now and then with the drawer's cash, with a boleta.
    static let purchases: [(reason: String, centimos: Int64)] = [
        ("Agua de mesa y vasos descartables", 1_650), ("Papel toalla y bolsas de basura", 2_380),
        ("Lejía y detergente para la limpieza", 3_120), ("Útiles de escritorio", 1_450),
        ("Pilas para el termómetro y la balanza", 2_200), ("Balón de gas para la terma del área de baños", 4_800),
    ]

    /// What an owner takes home from the counter when the vet suggests it, for today's charges.
    static let counterSKUs = ["APA-NEXGARD-10-25", "APA-FRONTPLUS-M", "APA-SIMPARICA-10-20", "APA-DRONTALPLUS-TAB", "APA-MILBEMAX-GATO"]
    /// What the vet prescribes this morning and the pharmacy dispenses (the first with stock).
    static let morningPrescriptions: [(sku: String, quantity: Int64, dose: String, frequency: String, duration: String)] = [
        ("MED-AMOXCLAV-250-TAB", 14, "1 tableta", "cada 12 h", "7 días"),
        ("MED-CEFALEX-500-CAP", 14, "1 cápsula", "cada 12 h", "7 días"),
        ("MED-OMEP-20-CAP", 7, "1 cápsula", "cada 24 h", "7 días"),
        ("MED-MELOX-2-TAB", 5, "1 comprimido", "cada 24 h", "5 días"),
    ]

    static let rabies = ["VAC-NOBIRAB-DOS", "VAC-RABISIN", "VAC-DEFENSOR1"]
    static let canineCore = ["VAC-VANG5CVL-DOS", "VAC-NOBIDHPPI", "VAC-CANIGEN-DHPPIL", "VAC-VANG5L4CV"]
    static let feline = ["VAC-FELOCELL3-DOS", "VAC-NOBITRICAT", "VAC-FELOCELL4"]

    /// The service an appointment of `type` sells, by its reason and the pet's species.
    static func services(type: String, reason: String?, species: String) -> [String] {
        let cat = species == "gato", dog = species == "perro"
        switch type {
        case "consulta": return [dog || cat ? "SRV-CONS-GENERAL" : "SRV-CONS-EXOTICOS"]
        case "control": return ["SRV-CONS-CONTROL"]
        case "emergencia": return ["SRV-CONS-EMERG"]
        case "vacunacion": return [reason == "Desparasitación" ? "SRV-DESPARASIT-APLIC" : "SRV-VAC-APLICACION"]
        case "cirugia":
            let surgery = switch reason {
            case "Esterilización": cat ? "SRV-QX-OVH-GATA" : "SRV-QX-OVH-PERRA-10"
            case "Castración": cat ? "SRV-QX-ORQ-GATO" : "SRV-QX-ORQ-PERRO-10"
            case "Profilaxis dental": "SRV-QX-PROFILAXIS"
            default: "SRV-QX-MASA"
            }
            return ["SRV-LAB-PREQX", surgery]
        case "bano_corte":
            if cat { return ["SRV-BANO-GATO"] }
            switch reason {
            case "Baño medicado": return ["SRV-BANO-MEDICADO"]
            case "Corte de uñas y baño": return ["SRV-BANO-PERRO-PEQ", "SRV-CORTE-UNAS"]
            default: return ["SRV-BANOCORTE-PEQ"]
            }
        default: return ["SRV-CONS-GENERAL"]
        }
    }

    /// The till visits of the attended appointments from two weeks ago to this morning, in time order.
    static func visits(store: SedeStore, sedeID: String, seed: UInt64, today: CivilDate) throws -> [TillVisit] {
        var rng = SplitMix64(seed: seed &+ 0xCA_5E_D0)
        func pick(_ list: [String]) -> String { list[Int(rng.next() % UInt64(list.count))] }
        let from = AgendaTime.iso(AgendaTime.instant(today.adding(days: -14), minute: 0))
        let to = AgendaTime.iso(AgendaTime.instant(today.adding(days: 1), minute: 0))
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.id, a.pet_id, a.vet_id, a.done_at, a.reason, t.code, p.owner_id, p.species FROM appointments a
                JOIN appointment_types t ON t.id = a.type_id JOIN pets p ON p.id = a.pet_id
                WHERE a.sede_id = ? AND a.status = 'atendida' AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.done_at, a.id
                """, arguments: [sedeID, from, to])
        }
        return rows.compactMap { row in
            guard let doneText: String = row["done_at"], let done = LimaTime.parseISO8601(doneText) else { return nil }
            // At the till a few minutes after the appointment ends.
            let at = Date(timeIntervalSince1970: done.timeIntervalSince1970 + Double(3 + rng.next() % 10) * 60)
            let (day, minute) = AgendaTime.dayAndMinute(at)
            let type: String = row["code"], reason: String? = row["reason"], species: String = row["species"]
            var products: [(sku: String, quantity: Int64)] = []
            if type == "vacunacion" {
                switch (reason, species) {
                case ("Desparasitación", "gato"): products = [("APA-MILBEMAX-GATO", 1)]
                case ("Desparasitación", _): products = [("APA-DRONTALPLUS-TAB", 1 + Int64(rng.next() % 2))]
                case ("Vacuna antirrábica", "perro"): products = [(pick(rabies), 1)]
                case (_, "perro"): products = [(pick(canineCore), 1)]
                case (_, "gato"): products = [(pick(feline), 1)]
                case (_, "conejo"): products = [("VAC-NOBIMYXO", 1)]
                default: break
                }
            }
            return TillVisit(day: day.daysSinceEpoch - today.daysSinceEpoch, minute: minute, ownerID: row["owner_id"], petID: row["pet_id"],
                             appointmentID: row["id"], vetID: row["vet_id"], services: services(type: type, reason: reason, species: species),
                             products: products, counterProduct: type != "vacunacion" && rng.next() % 100 < 30)
        }
    }

    static func ms(_ day: CivilDate, _ minute: Int) -> UInt64 { PharmacyDemo.ms(day, minute) }
    static func date(_ ms: UInt64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
    static func iso(_ ms: UInt64) -> String { PharmacyDemo.iso(ms) }

    /// The till of the demo sede: the store's checkout on the same file, on a clock the demo sets to
    /// when each act happened, so every row is dated in the past. The acts that show a rule (a plan,
    /// PagoEfectivo, a split payment, a void, a return) go through the store's own calls; the few
    /// hundred ordinary sales paid at once are written as `checkout` writes them, with VetCore's own
    /// arithmetic (SaleMath, CashRounding, PaymentRules): the store's calls take milliseconds each in a
    /// debug build, and the demo is built by many tests.
    final class Till {
        /// What some sales of the two weeks show: a payment method or an act besides the usual payment.
        enum Special: CaseIterable {
            case plan, transfer, pagoEfectivoPaid, split, pagoEfectivoExpired, void, partialReturn, pagoEfectivoPending

            /// The days (from today) the sale may be on.
            var days: ClosedRange<Int> {
                switch self {
                case .plan: -13 ... -8
                case .transfer: -11 ... -2
                case .pagoEfectivoPaid: -10 ... -2
                case .split: -9 ... -1
                case .pagoEfectivoExpired: -7 ... -3
                case .void: -5 ... -1
                case .partialReturn: -4 ... -2
                case .pagoEfectivoPending: -1 ... -1
                }
            }
        }

        let store: SedeStore
        let desk: SedeStore
        let clock: ManualClock
        let sedeID: String
        let today: CivilDate
        let reception: Session, supervisor: Session, pharmacist: Session
        /// Ids of the central's rows (PagoEfectivo's notifications).
        let centralIDs: UUIDv7Generator
        var rng: SplitMix64
        var specials = Special.allCases
        /// Acts that come after a sale (a void, an instalment paid, a notification), run in time order.
        var followUps: [(at: UInt64, seq: Int, act: () throws -> Void)] = []
        var followUpCount = 0
        /// The last day (from today) whose drawer was opened.
        var drawerDay: Int?
        var operations = 0
        var customers: [String: SaleCustomer] = [:]
        var prices: [String: (affectation: IGVAffectation, entries: [PriceEntry])] = [:]
        var items: [String: (name: String, unitCode: String)] = [:]
        /// The drawer's session of the day.
        var cashSessionID = ""
        /// The cash close's own choices (the movements by hand, the counts), apart from the sales' mix.
        var closeRNG: SplitMix64
        /// The past day whose count is short within the note level, and the one short beyond it.
        let noteDay: Int, supervisorDay: Int
        /// How short the count of `noteDay` is: S/ 1.10 to S/ 19.00.
        let noteShortfall: Int64
        /// Rows written as `checkout` writes them, waiting to be written together
        /// (before the next call to the store, which reads them).
        var pendingWrites: [(Database) throws -> Void] = []
        var itemIDs: [String: String] = [:]

        init(store: SedeStore, sedeID: String, seed: UInt64, today: CivilDate) throws {
            self.store = store
            self.sedeID = sedeID
            self.today = today
            clock = ManualClock(date(CheckoutDemo.ms(today.adding(days: -30), 0)))
            desk = try SedeStore.open(path: store.path, clock: clock, ids: UUIDv7Generator(seed: seed &+ 0xCA_5E))
            centralIDs = UUIDv7Generator(seed: seed &+ 0xCE_47)
            rng = SplitMix64(seed: seed &+ 0x7111)
            closeRNG = SplitMix64(seed: seed &+ 0xC1_05E)
            // Busy days: not a Sunday, when one vet attends in the morning.
            let weekday = { (day: Int) in today.adding(days: day).weekday == 7 ? day + 1 : day }
            noteDay = weekday(-2 - Int(closeRNG.next() % 5))
            supervisorDay = weekday(-8 - Int(closeRNG.next() % 5))
            noteShortfall = 110 + 10 * Int64(closeRNG.next() % 180)
            let (sede, users) = try store.read { db in
                (try Sede.fetchOne(db, key: sedeID),
                 try Row.fetchAll(db, sql: "SELECT id, username, full_name FROM users WHERE username IN ('recepcion', 'supervisor', 'farmacia')"))
            }
            guard let sede else { throw PharmacyDemo.DemoDataError(description: "La caja de la demo necesita su sede") }
            func session(_ username: String, _ role: Role) throws -> Session {
                guard let user = users.first(where: { $0["username"] == username }) else {
                    throw PharmacyDemo.DemoDataError(description: "La caja de la demo necesita el usuario \(username)")
                }
                return Session(userID: user["id"], username: username, fullName: user["full_name"], roles: [role], sede: sede)
            }
            reception = try session("recepcion", .recepcionista)
            supervisor = try session("supervisor", .supervisor)
            pharmacist = try session("farmacia", .farmacia)
            planCashMovements()
        }

        func close() throws { try desk.close() }

        func roll(_ n: Int) -> Int { Int(rng.next() % UInt64(max(1, n))) }

        /// Days from today of the instant `ms`.
        func day(of ms: UInt64) -> Int { CivilDate(limaDayOf: date(ms)).daysSinceEpoch - today.daysSinceEpoch }

        // MARK: Time

        /// Runs the follow-ups due by `ms`, opens the drawer of every morning up to it, and sets the clock.
        func advance(to ms: UInt64) throws {
            while let next = followUps.min(by: { ($0.at, $0.seq) < ($1.at, $1.seq) }), next.at <= ms {
                followUps.removeAll { $0.seq == next.seq }
                try openDrawers(through: next.at)
                try flush()
                clock.set(date(next.at))
                try next.act()
            }
            try openDrawers(through: ms)
            clock.set(date(ms))
        }

        func later(_ at: UInt64, _ act: @escaping () throws -> Void) {
            followUpCount += 1
            followUps.append((at, followUpCount, act))
        }

        /// «Caja 1» opened at 07:45 with its float, every day from the first sale's to `ms`'s, each
        /// day's session closed (`closeDrawer`) before the next one opens. Through the store, which
        /// opens a drawer only once its last session is closed and needs nothing more.
        func openDrawers(through ms: UInt64) throws {
            let last = day(of: ms)
            var next = drawerDay.map { $0 + 1 } ?? last
            while next <= last {
                if let open = drawerDay { try closeDrawer(day: open, sessionID: cashSessionID) }
                try flush()
                clock.set(date(CheckoutDemo.ms(today.adding(days: next), openingMinute)))
                cashSessionID = try desk.openCashSession(id: desk.newID(), drawer: drawer, counts: float, by: reception).id
                drawerDay = next
                next += 1
            }
        }

        // MARK: The cash close

        /// The movements the cashier records by hand in the last two weeks, planned before the first
        /// sale so they run in time order among the sales: now and then a small purchase paid from
        /// the drawer with its boleta, change brought from the safe once, and at 17:30 or so, when the
        /// drawer holds S/ 500 or more over its float, the supervisor takes it to the safe.
        func planCashMovements() {
            let depositDay = -3 - Int(closeRNG.next() % 8)
            for day in -14 ... -1 {
                let date = today.adding(days: day)
                if day == depositDay {
                    later(CheckoutDemo.ms(date, 560)) { [self] in
                        try desk.recordCashMovement(CashMovementDraft(id: desk.newID(), drawer: drawer, kind: .deposito, amount: Money(centimos: 5_000),
                                                                      reason: "Sencillo de la caja fuerte para dar vuelto"), by: reception)
                    }
                }
                if closeRNG.next() % 100 < 35 {
                    let purchase = purchases[Int(closeRNG.next() % UInt64(purchases.count))]
                    let document = "B" + LimaTime.pad(Int64(1 + closeRNG.next() % 3), 3) + "-" + LimaTime.pad(Int64(1_000 + closeRNG.next() % 60_000), 8)
                    later(CheckoutDemo.ms(date, 600 + Int(closeRNG.next() % 300))) { [self] in
                        try desk.recordCashMovement(CashMovementDraft(id: desk.newID(), drawer: drawer, kind: .egreso,
                                                                      amount: Money(centimos: purchase.centimos), concept: .compraMenor,
                                                                      reason: purchase.reason, document: document), by: reception)
                    }
                }
                // The supervisor withdraws it themselves: their session authorises it (no clave to check).
                later(CheckoutDemo.ms(date, 1_050 + Int(closeRNG.next() % 40))) { [self] in
                    let held = try desk.expectedCash(sessionID: cashSessionID).centimos
                    let amount = (held - float.reduce(Int64(0)) { $0 + $1.key * $1.value }) / 10_000 * 10_000
                    guard amount >= 50_000 else { return }
                    try desk.recordCashMovement(CashMovementDraft(id: desk.newID(), drawer: drawer, kind: .sangria, amount: Money(centimos: amount),
                                                                  reason: "Retiro a caja fuerte"), by: supervisor)
                }
            }
        }

        /// Closes the session of `day` (from today) after its last act, at 20:30 at the earliest: the
        /// cashier counts the drawer by denomination and declares the card batch and the apps' totals
        /// as the payments recorded them. Most days the count is what the drawer should hold (to the
        /// S/ 0.10 a count can reach); `noteDay` is short within the note level and the cashier explains
        /// it; `supervisorDay` is short a S/ 50 note, explained, and the supervisor signs it off that
        /// evening (the store would refuse to open the drawer the next morning otherwise).
        func closeDrawer(day: Int, sessionID: String) throws {
            try flush()
            let at = max(CheckoutDemo.ms(today.adding(days: day), closingMinute), UInt64(clock.nowMs) + 5 * 60_000)
            clock.set(date(at))
            let (expected, recorded) = try desk.read { db in
                (try Int64.fetchOne(db, sql: "SELECT coalesce(sum(amount), 0) FROM cash_movements WHERE session_id = ?", arguments: [sessionID]) ?? 0,
                 try Row.fetchAll(db, sql: "SELECT method, sum(amount) AS total FROM payments WHERE cash_session_id = ? GROUP BY method",
                                  arguments: [sessionID]))
            }
            var declared: [PaymentMethod: Money] = [:]
            for row in recorded {
                let method = PaymentMethod.parse(row["method"])
                if CashDeclaration.methods.contains(method) { declared[method] = Money(centimos: max(0, row["total"] as Int64)) }
            }
            let short: Int64 = day == noteDay ? noteShortfall : day == supervisorDay ? 5_000 : 0
            let counted = max(0, (expected + 5) / 10 * 10 - short)
            let closeID = desk.newID()
            try desk.closeCashSession(CashCloseDraft(id: closeID, sessionID: sessionID, counts: Self.counts(counted), declared: declared),
                                      by: reception)
            if short > 0 {
                clock.set(date(at + 4 * 60_000))
                let note = day == noteDay
                    ? "Faltan \(Money(centimos: short).formatted). Creo que di vuelto de más en la tarde, cuando hubo cola; lo revisaré con las boletas."
                    : "Falta un billete de S/ 50. Revisé el cajón, el piso y los sobres de la caja fuerte, y no aparece."
                try desk.addCloseNote(id: desk.newID(), closeID: closeID, note: note, by: reception)
            }
            if day == supervisorDay {
                // The supervisor's sign-off, the row `signOffClose` writes once it has checked their
                // clave: checking a bcrypt clave (cost 12) takes about a third of a second, and many
                // tests build the demo.
                clock.set(date(at + 12 * 60_000))
                let id = desk.newID(), now = desk.nowText, sedeID = sedeID, supervisorID = supervisor.userID
                try desk.write(user: supervisorID) { db in
                    try db.execute(sql: "INSERT INTO cash_signoffs (id, sede_id, close_id, supervisor_id, note, at) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [id, sedeID, closeID, supervisorID,
                                               "Recontado con la cajera: faltan S/ 50.00. Se revisará la cámara de la caja mañana; queda registrado.",
                                               now])
                }
            }
        }

        /// `centimos` in the fewest notes and coins (it is a multiple of S/ 0.10).
        static func counts(_ centimos: Int64) -> [Int64: Int64] {
            var left = centimos, counts: [Int64: Int64] = [:]
            for denomination in Denomination.all where left >= denomination {
                counts[denomination] = left / denomination
                left %= denomination
            }
            return counts
        }

        // MARK: Selling

        /// Sells `sale` at its time, paid as the day's mix has it.
        func sell(_ sale: TillSale) throws {
            try advance(to: sale.at)
            let saleDay = day(of: sale.at)
            let lines = sale.lines.map { line in
                // A regular customer's 5 % off a product now and then (within the desk's limit).
                let discount: Discount = line.isProduct && line.chargeID == nil && roll(100) < 15 ? .percent(basisPoints: 500) : .none
                return SaleDraft.Line(itemID: line.itemID, quantity: line.quantity, discount: discount, chargeID: line.chargeID,
                                      petID: sale.petID, lot: line.lot)
            }
            let total = try self.total(of: lines, on: today.adding(days: saleDay))
            let customer = try sale.ownerID.map(customer)
            let draft = SaleDraft(id: desk.newID(), ownerID: sale.ownerID, customer: customer,
                                  fiscalDocType: customer?.docType == DocumentType.ruc.rawValue ? "01" : "03", lines: lines, drawer: drawer)
            let returnable = lines.firstIndex { $0.lot != nil && ($0.quantity >= 2 || lines.count >= 2) }
            let special = specials.first { special in
                guard special.days.contains(saleDay) else { return false }
                switch special {
                case .plan: return sale.ownerID != nil && total.centimos >= 15_000
                case .split: return total.centimos >= 8_000
                case .void: return sale.ownerID == nil
                case .partialReturn: return returnable != nil
                case .transfer, .pagoEfectivoPaid, .pagoEfectivoExpired, .pagoEfectivoPending: return sale.ownerID != nil
                }
            }
            specials.removeAll { $0 == special }
            if special != nil { try flush() }
            switch special {
            case .none:
                let methods: [(PaymentMethod, Int)] = [(.efectivo, 45), (.tarjeta, 30), (.yape, 16), (.plin, 6), (.transferencia, 3)]
                var r = roll(100), method = PaymentMethod.efectivo
                for (m, weight) in methods { if r < weight { method = m; break }; r -= weight }
                try record(draft, paidBy: payment(method, total, day: saleDay), on: today.adding(days: saleDay))
            case .plan:
                try desk.createSale(draft, by: reception)
                let plan = PaymentPlanRules.even(balance: total, count: 3, first: today.adding(days: saleDay + 7))
                let credit = try desk.leaveBalance(CreditDraft(id: desk.newID(), instalments: plan), saleID: draft.id, by: reception)
                if let first = credit.instalments.first {
                    later(CheckoutDemo.ms(today.adding(days: saleDay + 7), 630)) { [self] in
                        var card = payment(.tarjeta, Money(centimos: first.amount), day: saleDay + 7)
                        card.instalmentID = first.id
                        try desk.recordPayment(card, saleID: draft.id, drawer: drawer, by: reception)
                    }
                }
            case .transfer:
                try paid(draft, [payment(.transferencia, total, day: saleDay)])
            case .split:
                let cash = PaymentDraft(id: desk.newID(), method: .efectivo, amount: Money(centimos: 5_000), tendered: Money(centimos: 5_000))
                try paid(draft, [cash, payment(.yape, Money(centimos: total.centimos - 5_000), day: saleDay)])
            case .pagoEfectivoPaid, .pagoEfectivoExpired, .pagoEfectivoPending:
                let summary = try desk.checkout(draft, payments: [payment(.pagoefectivo, total, day: saleDay)], by: reception)
                guard let payment = summary.payments.first else { return }
                let hours: UInt64 = special == .pagoEfectivoPending ? 72 : 48
                let cip = LimaTime.pad(Int64(41_200_000 + operations * 1_000 + roll(1_000)), 8)
                let expires = sale.at + hours * 3_600_000
                try desk.write(user: reception.userID) { db in
                    try db.execute(sql: """
                        INSERT INTO pagoefectivo_cips (id, sede_id, payment_id, cip, amount, expires_at, url, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [desk.newID(), sedeID, payment.id, cip, payment.amount, iso(expires),
                                         "https://pagoefectivo.pe/pago/\(cip)", desk.nowText])
                }
                if special == .pagoEfectivoPaid {
                    let paidAt = CheckoutDemo.ms(today.adding(days: saleDay + 1), 552)
                    let operation = "PE" + LimaTime.pad(Int64(5_300_000 + roll(100_000)), 8)
                    later(paidAt) { [self] in try notify(cip: cip, payment: payment, event: "cip.paid", operation: operation, at: paidAt) }
                } else if special == .pagoEfectivoExpired {
                    later(expires) { [self] in try notify(cip: cip, payment: payment, event: "cip.expired", operation: nil, at: expires) }
                }
            case .void:
                try paid(draft, [payment(.efectivo, total, day: saleDay)])
                later(sale.at + 25 * 60_000) { [self] in
                    try desk.reverseSale(ReversalDraft(id: desk.newID(), saleID: draft.id, reason: "El cliente desistió de la compra",
                                                       refundID: desk.newID(), refundMethod: .efectivo, drawer: drawer), by: supervisor)
                }
            case .partialReturn:
                let summary = try paid(draft, [payment(.efectivo, total, day: saleDay)])
                guard let index = returnable, index < summary.lines.count else { return }
                let line = summary.lines[index]
                later(CheckoutDemo.ms(today.adding(days: saleDay + 1), 615)) { [self] in
                    try desk.reverseSale(ReversalDraft(id: desk.newID(), saleID: draft.id, lines: [line.id: 1],
                                                       reason: "Devuelve una unidad sin abrir: le sobró", refundID: desk.newID(),
                                                       refundMethod: .efectivo, drawer: drawer), by: supervisor)
                }
            }
        }

        /// Writes the rows waiting, in one transaction.
        func flush() throws {
            guard !pendingWrites.isEmpty else { return }
            let writes = pendingWrites
            pendingWrites = []
            try desk.write(user: reception.userID) { db in for write in writes { try write(db) } }
        }

        /// The sale and its payments in one transaction; the demo's arithmetic must be the store's.
        @discardableResult
        func paid(_ draft: SaleDraft, _ payments: [PaymentDraft]) throws -> SaleSummary {
            let summary = try desk.checkout(draft, payments: payments, by: reception)
            guard summary.state == .pagada else {
                throw PharmacyDemo.DemoDataError(description: "La venta \(SedeStore.saleNumberText(summary.sale.number)) de la demo quedó "
                                                 + "\(summary.state.label.lowercased()) con saldo \(summary.balance.formatted)")
            }
            return summary
        }

        /// A payment of `amount` by `method`, with the details its voucher or app shows.
        func payment(_ method: PaymentMethod, _ amount: Money, day: Int) -> PaymentDraft {
            operations += 1
            var draft = PaymentDraft(id: desk.newID(), method: method, amount: amount)
            switch method {
            case .efectivo:
                // Paid wholly in cash: the store rounds down to S/ 0.10; the customer hands a note
                // or two over it (or the exact amount), and gets change.
                let due = CashRounding.roundedDown(amount).centimos
                let candidates = [1_000, 5_000, 10_000, 20_000].map { unit in (due + unit - 1) / unit * unit }
                draft.tendered = Money(centimos: candidates[roll(3)])
            case .tarjeta:
                let brands = ["VISA", "VISA", "VISA", "MASTERCARD", "MASTERCARD", "AMEX", "DINERS"]
                draft.card = CardDetails(brand: brands[roll(brands.count)], last4: LimaTime.pad(Int64(roll(10_000)), 4),
                                         authCode: LimaTime.pad(Int64(roll(1_000_000)), 6),
                                         reference: LimaTime.pad(Int64(104_000 + operations), 6), terminal: "30512874",
                                         batch: LimaTime.pad(Int64(400 + today.adding(days: day).daysSinceEpoch % 1_000), 6))
            case .yape:
                draft.operationNumber = String(31_000_000 + operations * 1_000 + roll(1_000))
                if roll(2) == 0 { draft.securityCode = LimaTime.pad(Int64(roll(1_000)), 3) }
            case .plin:
                draft.operationNumber = String(702_000_000 + operations * 1_000 + roll(1_000))
            case .transferencia:
                let banks = ["BCP", "Interbank", "BBVA", "Scotiabank"]
                draft.bank = banks[roll(banks.count)]
                draft.operationNumber = LimaTime.pad(Int64(6_100_000 + operations * 100 + roll(100)), 10)
            case .pagoefectivo, .unknown:
                break
            }
            return draft
        }

        /// PagoEfectivo's notification, as the central verifies and delivers it.
        func notify(cip: String, payment: Payment, event: String, operation: String?, at: UInt64) throws {
            try store.applyingRemote { db in
                try db.execute(sql: """
                    INSERT INTO pagoefectivo_events (id, cip, payment_id, sede_id, event, amount, operation, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [centralIDs.make(unixMs: at), cip, payment.id, sedeID, event, payment.amount, operation, iso(at)])
            }
        }

        /// The sale's total at the prices in force on `day`, as the store will price it.
        func total(of lines: [SaleDraft.Line], on day: CivilDate) throws -> Money { try priced(lines, on: day).totals.total }

        func priced(_ lines: [SaleDraft.Line], on day: CivilDate) throws -> (cart: [CartLine], lines: [PricedLine], totals: SaleTotals) {
            try loadCatalog()
            let cart = try lines.map { line in
                guard let item = prices[line.itemID], let price = PriceList.price(at: sedeID, on: day, from: item.entries) else {
                    throw PharmacyDemo.DemoDataError(description: "Un producto de la demo no tiene precio el \(day.display)")
                }
                return CartLine(quantity: line.quantity, unitPrice: price.price, affectation: item.affectation, discount: line.discount)
            }
            do {
                let (priced, totals) = try SaleMath.totals(of: cart)
                return (cart, priced, totals)
            } catch {
                throw PharmacyDemo.DemoDataError(description: "Una venta de la demo no se puede calcular: \(error.message)")
            }
        }

        /// An ordinary sale paid at once, with the rows `checkout` writes: the sale numbered next, its
        /// lines at the day's prices, the charges it takes, its products out of the lots the pharmacy
        /// chose (`venta` movements of the sale), the payment in the drawer's open session whatever its
        /// method (cash rounded down to S/ 0.10 on a sale paid wholly in cash, with the change) and its
        /// cash movements.
        func record(_ draft: SaleDraft, paidBy payment: PaymentDraft, on day: CivilDate) throws {
            let (cart, pricedLines, totals) = try priced(draft.lines, on: day)
            var amount = totals.total, rounding = Money.zero
            var tendered: Int64?, change: Int64?
            if payment.method == .efectivo {
                amount = CashRounding.roundedDown(totals.total)
                rounding = CashRounding.waived(on: totals.total)
                let handed = payment.tendered ?? amount
                tendered = handed.centimos
                change = handed.centimos - amount.centimos
            }
            let details: (card: CardDetails?, operationNumber: String?, securityCode: String?, bank: String?)
            do {
                details = try PaymentRules.check(method: payment.method, amount: amount, tendered: tendered.map(Money.init(centimos:)),
                                                 card: payment.card, operationNumber: payment.operationNumber,
                                                 securityCode: payment.securityCode, bank: payment.bank)
            } catch {
                throw PharmacyDemo.DemoDataError(description: "Un pago de la demo no es válido: \(error.message)")
            }
            let now = desk.nowText, user = reception.userID
            let lineIDs = draft.lines.map { _ in desk.newID() }
            let movementIDs = draft.lines.map { $0.lot != nil && $0.chargeID == nil ? desk.newID() : "" }
            let cashIDs = (desk.newID(), desk.newID())
            let customer = draft.customer, items = items, sedeID = sedeID, cashSessionID = cashSessionID
            // The sale's SUNAT document is issued in the same write, at the sale's time, as the store does.
            let fiscal = try fiscalContext()?.at(desk.clock.now)
            let deskStore = desk
            pendingWrites.append { db in
                try db.cachedStatement(sql: """
                    INSERT INTO sales (id, sede_id, number, kind, owner_id, customer_doc_type, customer_doc_number, customer_name, fiscal_doc_type,
                                       gravada, exonerada, inafecta, igv, discount, total, drawer, user_id, at, customer_address)
                    SELECT ?, ?, coalesce(max(number), 0) + 1, 'venta', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM sales WHERE sede_id = ?
                    """).execute(arguments: [draft.id, sedeID, draft.ownerID, customer?.docType, customer?.docNumber, customer?.name, draft.fiscalDocType,
                                     totals.gravada.centimos, totals.exonerada.centimos, totals.inafecta.centimos, totals.igv.centimos,
                                     totals.discount.centimos, totals.total.centimos, draft.drawer, user, now,
                                     draft.fiscalDocType == "01" ? customer?.address : nil, sedeID])
                for (i, line) in draft.lines.enumerated() {
                    let item = items[line.itemID], p = pricedLines[i]
                    let bp: Int64? = if case .percent(let value) = line.discount { value } else { nil }
                    try db.cachedStatement(sql: """
                        INSERT INTO sale_lines (id, sale_id, sede_id, line_no, item_id, description, unit_code, igv_affectation, quantity, unit_price,
                                                discount_percent_bp, discount, base, igv, total, charge_id, pet_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [lineIDs[i], draft.id, sedeID, i + 1, line.itemID, item?.name ?? "", item?.unitCode ?? "NIU",
                                         cart[i].affectation.rawValue, line.quantity, cart[i].unitPrice.centimos, bp, p.discount.centimos,
                                         p.base.centimos, p.igv.centimos, p.total.centimos, line.chargeID, line.petID])
                    if let chargeID = line.chargeID {
                        try db.execute(sql: "UPDATE charges SET sale_id = ?, updated_at = ? WHERE id = ? AND sale_id IS NULL",
                                       arguments: [draft.id, now, chargeID])
                    } else if let lot = line.lot {
                        try db.cachedStatement(sql: """
                            INSERT INTO stock_movements (id, sede_id, act_id, item_id, lot_code, expiry, quantity, kind, doc_type, doc_ref, pet_id,
                                                         owner_id, user_id, at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 'venta', 'venta', ?, ?, ?, ?, ?)
                            """).execute(arguments: [movementIDs[i], sedeID, draft.id, line.itemID, lot.lotCode, lot.expiry?.iso ?? "", -line.quantity,
                                             draft.id, line.petID, draft.ownerID, user, now])
                    }
                }
                try db.cachedStatement(sql: """
                    INSERT INTO payments (id, sede_id, sale_id, method, amount, tendered, change, rounding, card_brand, card_last4, auth_code,
                                          reference, pos_terminal, batch, operation_number, security_code, bank, cash_session_id, user_id, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [payment.id, sedeID, draft.id, payment.method.rawValue, amount.centimos, tendered, change, rounding.centimos,
                                     details.card?.brand, details.card?.last4, details.card?.authCode, details.card?.reference,
                                     details.card?.terminal, details.card?.batch, details.operationNumber, details.securityCode, details.bank,
                                     cashSessionID, user, now])
                if let tendered, let change {
                    try db.cachedStatement(sql: """
                        INSERT INTO cash_movements (id, sede_id, session_id, act_id, kind, amount, sale_id, payment_id, user_id, at)
                        VALUES (?, ?, ?, ?, 'cobro', ?, ?, ?, ?, ?)
                        """).execute(arguments: [cashIDs.0, sedeID, cashSessionID, payment.id, tendered, draft.id, payment.id, user, now])
                    if change > 0 {
                        try db.cachedStatement(sql: """
                            INSERT INTO cash_movements (id, sede_id, session_id, act_id, kind, amount, sale_id, payment_id, user_id, at)
                            VALUES (?, ?, ?, ?, 'vuelto', ?, ?, ?, ?, ?)
                            """).execute(arguments: [cashIDs.1, sedeID, cashSessionID, payment.id, -change, draft.id, payment.id, user, now])
                    }
                }
                try SedeStore.issueFiscalDocument(forSale: draft.id, fiscal, newID: { deskStore.newID() }, db)
            }
        }

        /// The desk's fiscal context, read once (the company is set up before the first sale).
        var cachedFiscal: FiscalContext??
        func fiscalContext() throws -> FiscalContext? {
            if let cachedFiscal { return cachedFiscal }
            let context = try desk.fiscalContext()
            cachedFiscal = .some(context)
            return context
        }

        /// The catalog's items and prices, read once (the pharmacy writes them before the first sale).
        func loadCatalog() throws {
            guard prices.isEmpty else { return }
            let (catalog, entries) = try store.read { db in
                (try Row.fetchAll(db, sql: "SELECT id, sku, name, unit_code, igv_affectation FROM catalog_items"),
                 try Row.fetchAll(db, sql: "SELECT item_id, sede_id, price, effective_from, created_at FROM catalog_prices"))
            }
            for row in catalog {
                prices[row["id"]] = (IGVAffectation.parse(row["igv_affectation"]), [])
                items[row["id"]] = (row["name"], row["unit_code"])
                itemIDs[row["sku"]] = row["id"]
            }
            for row in entries {
                guard let from = CivilDate(iso: row["effective_from"]) else { continue }
                prices[row["item_id"]]?.entries.append(PriceEntry(sedeID: row["sede_id"], price: Money(centimos: row["price"]),
                                                                  effectiveFrom: from, createdAt: row["created_at"]))
            }
        }

        /// The owner as the document names them: a boleta to a DNI, a factura to a RUC.
        func customer(_ ownerID: String) throws -> SaleCustomer {
            if let known = customers[ownerID] { return known }
            let row = try store.read { db in
                try Row.fetchOne(db, sql: "SELECT doc_type, doc_number, first_names, last_names, address, district FROM owners WHERE id = ?",
                                 arguments: [ownerID])
            }
            guard let row else { throw PharmacyDemo.DemoDataError(description: "Un propietario de la demo no existe") }
            // A factura names the company's domicilio fiscal: the owner's address and district.
            let address = [row["address"] as String?, row["district"] as String?].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            let customer = SaleCustomer(docType: row["doc_type"], docNumber: row["doc_number"],
                                        name: (row["first_names"] as String) + " " + (row["last_names"] as String),
                                        address: address.isEmpty ? "Av. Javier Prado Este 4200, Santiago de Surco" : address)
            customers[ownerID] = customer
            return customer
        }

        // MARK: This morning

        /// Runs what is left of the two weeks, opens today's drawer, and leaves this morning's
        /// attended pets with their charges at the till: their services, the products the vet
        /// suggested, and one prescription dispensed by the pharmacy.
        func finish(today visits: [TillVisit]) throws {
            try advance(to: CheckoutDemo.ms(today, openingMinute))
            try flush()
            try loadCatalog()
            var dispensed = false
            for (n, visit) in visits.enumerated() {
                try advance(to: max(UInt64(clock.nowMs), CheckoutDemo.ms(today, visit.minute)))
                let vet = Session(userID: visit.vetID, username: "", fullName: "", roles: [.veterinario], sede: reception.sede)
                var lines: [(sku: String, quantity: Int64)] = visit.services.map { (sku: $0, quantity: 1) } + visit.products
                if n == 0 || visit.counterProduct { lines.append((sku: counterSKUs[roll(counterSKUs.count)], quantity: 1)) }
                for (sku, quantity) in lines {
                    guard let itemID = itemIDs[sku] else { continue }
                    try desk.addCharge(id: desk.newID(), itemID: itemID, quantity: quantity, petID: visit.petID,
                                       appointmentID: visit.appointmentID, by: vet)
                }
                if !dispensed, visit.services.contains("SRV-CONS-GENERAL") {
                    dispensed = try prescribeAndDispense(for: visit)
                }
            }
        }

        /// The vet's prescription of a medicine the pharmacy has, dispensed a few minutes later (the
        /// store adds its charge); false when none of them is in stock.
        func prescribeAndDispense(for visit: TillVisit) throws -> Bool {
            let day = today.iso
            let found = try desk.read { db in
                try Self.morningPrescription(itemIDs: itemIDs, sedeID: sedeID, day: day, db)
            }
            guard let found else { return false }
            let (prescribed, itemID) = found
            let prescriptionID = desk.newID(), lineID = desk.newID()
            try desk.write(user: visit.vetID) { db in
                try db.execute(sql: "INSERT INTO prescriptions (id, pet_id, sede_id, vet_id, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [prescriptionID, visit.petID, sedeID, visit.vetID, desk.nowText])
                try db.execute(sql: """
                    INSERT INTO prescription_items (id, prescription_id, position, drug, dose, frequency, duration, instructions, item_id, quantity)
                    SELECT ?, ?, 1, name, ?, ?, ?, 'Dar con comida', id, ? FROM catalog_items WHERE id = ?
                    """, arguments: [lineID, prescriptionID, prescribed.dose, prescribed.frequency, prescribed.duration, prescribed.quantity, itemID])
            }
            try advance(to: UInt64(clock.nowMs) + 10 * 60_000)
            _ = try desk.dispense(actID: desk.newID(), prescriptionItemID: lineID, quantity: prescribed.quantity, by: pharmacist)
            return true
        }

        /// The first of the morning's prescriptions whose medicine the pharmacy has, unexpired, enough of.
        static func morningPrescription(itemIDs: [String: String], sedeID: String, day: String, _ db: Database) throws
            -> ((sku: String, quantity: Int64, dose: String, frequency: String, duration: String), String)? {
            for prescribed in morningPrescriptions {
                guard let itemID = itemIDs[prescribed.sku] else { continue }
                let held = try Int64.fetchOne(db, sql: """
                    SELECT coalesce(sum(quantity), 0) FROM stock_balances
                    WHERE sede_id = ? AND item_id = ? AND quantity > 0 AND (expiry = '' OR expiry >= ?)
                    """, arguments: [sedeID, itemID, day]) ?? 0
                if held >= prescribed.quantity { return (prescribed, itemID) }
            }
            return nil
        }
    }
}
