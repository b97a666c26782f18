import Foundation
import GRDB
import Testing
import VetCore
import VetFiscal
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport
@testable import VetTUI

/// Issue 15 end to end: a sede linked to a real `vetcentral`, SUNAT's billService played by the
/// local SUNAT (which checks each document with SUNAT's validator), and an injected clock.
@Suite(.serialized)
struct FiscalQueueTests {
    static let ruc = "20601234565"

    /// The labelled test certificate (password «pfx»), valid from a day before `now` for a year.
    static func certificate(_ now: Date) throws -> Data {
        try FiscalSigner.makeTestCertificate(commonName: "PRUEBAS VETDESK - NO VALIDO ANTE SUNAT", organization: "Huellitas (pruebas)",
                                             password: "pfx", validFrom: now.addingTimeInterval(-86_400), until: now.addingTimeInterval(86_400 * 365))
    }

    /// The test company in series B001/F001/BC01/FC01.
    static func config(annexCode: String, endpoint: String? = nil, solUser: String? = nil) -> FiscalConfiguration {
        FiscalConfiguration(ruc: ruc, legalName: "Veterinarias Huellitas S.A.C.", tradeName: "Huellitas", ubigeo: "150122",
                            address: "Av. José Larco 1150", district: "MIRAFLORES", province: "LIMA", department: "LIMA",
                            annexCode: annexCode, boletaSeries: "B001", facturaSeries: "F001", boletaNoteSeries: "BC01",
                            facturaNoteSeries: "FC01", endpoint: endpoint, solUser: solUser)
    }

    struct Day {
        let sede: TestSede
        let cashier: Session
        let item: String
        var operation = 7_000_000

        /// A sale of one consultation (S/ 80.00) paid by Yape: a boleta, or a factura to a company.
        mutating func sell(factura: Bool = false) throws -> FiscalDocumentRecord {
            operation += 1
            let customer = factura ? SaleCustomer(docType: "ruc", docNumber: "20100070970", name: "Supermercados Peruanos S.A.",
                                                  address: "Calle Morelli 181, San Borja") : nil
            let store = sede.store
            let sale = try store.checkout(SaleDraft(id: store.newID(), customer: customer, fiscalDocType: factura ? "01" : "03",
                                                    lines: [.init(itemID: item, quantity: 1)]),
                                          payments: [PaymentDraft(id: store.newID(), method: .yape, amount: Money(centimos: 8_000),
                                                                  operationNumber: String(operation))], by: cashier)
            return try #require(try store.fiscalDocument(saleID: sale.sale.id))
        }
    }

    static func states(_ store: SedeStore) throws -> [String: FiscalDocumentStatus] {
        Dictionary(uniqueKeysWithValues: try store.fiscalDocumentStatuses(days: 30).map { ($0.document.documentID, $0) })
    }

    /// Runs the queue until every document has SUNAT's final answer (a resumen's answer comes
    /// once the local SUNAT has validated it, a few seconds later; minutes on a loaded machine), at most four minutes.
    static func drain(_ sender: FiscalSender, _ store: SedeStore) throws {
        _ = try waitUntil(seconds: 240, every: 0.5) {
            try sender.runOnce()
            return try !states(store).values.contains { !$0.state.isFinal } && store.openSummaries().isEmpty
        }
    }

    /// The supervisor's F8 screen as the store shows it at the store's clock, and the status bar's
    /// SUNAT part.
    static func screen(_ store: SedeStore, _ session: Session, onlyPending: Bool = false) throws -> (text: String, status: String?) {
        var screen = FiscalScreen(session: session)
        guard case .perform(let work) = screen.onAppear() else { throw TestFailure("la pantalla SUNAT no carga datos") }
        let context = ScreenContext(session: session, sede: try store.localSede(), isDemo: false, now: store.clock.now)
        _ = screen.update(.message(try work(AppServices(store: store))), context)
        if onlyPending { _ = screen.update(.key(.char("p")), context) }
        var canvas = Canvas(width: 160, height: 30)
        screen.render(into: &canvas, area: Rect(x: 0, y: 0, width: 160, height: 30), context: context)
        return (canvas.text, try store.linkStatus().fiscal?.text())
    }

    /// The screen's row for a document: its printed id and what follows on that line.
    static func row(_ screen: String, _ doc: FiscalDocumentRecord) -> String? {
        screen.split(separator: "\n").first { $0.contains(doc.printedID + " ") }.map(String.init)
    }

    struct Env {
        let central: CentralProcess
        let lim: TestSede
        let sunat: LocalSunat
        let supervisor: Session
        let sender: FiscalSender
        let day: Day
    }

    /// A sede LIM01 linked to a running central, configured for SUNAT with the local SUNAT as its
    /// endpoint, one consultation (S/ 80.00) in its catalog, a cashier and a supervisor.
    static func linkedSede(_ clock: ManualClock) throws -> Env {
        let central = try CentralProcess.running(.sqlite)
        let lim = try TestSede("LIM01", clock: clock)
        try lim.link(central)
        try lim.sync()
        let sunat = try LocalSunat(users: ["\(Self.ruc)MODDATOS:moddatos"])
        let store = lim.store
        let cashier = try lim.user("caja.lim", .recepcionista)
        let admin = try lim.user("admin.lim", .administrador)
        let supervisor = try lim.user("super.lim", .supervisor)
        let item = try lim.consultation()
        try store.configureFiscal(Self.config(annexCode: "0001", endpoint: sunat.endpoint, solUser: "MODDATOS"),
                                  certificate: try Self.certificate(clock.now), certificatePassword: "pfx", solPassword: "moddatos", by: admin)
        let sender = try #require(try FiscalSender.configured(store: store))
        return Env(central: central, lim: lim, sunat: sunat, supervisor: supervisor, sender: sender,
                   day: Day(sede: lim, cashier: cashier, item: item))
    }

    @Test func offlineDayLinkBackAndA72HourOutage() throws {
        // Monday 2026-11-30, 08:00 in Lima.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_043_600))
        let env = try Self.linkedSede(clock)
        let (central, lim, sunat, store, supervisor, sender) = (env.central, env.lim, env.sunat, env.lim.store, env.supervisor, env.sender)
        var day = env.day

        // A day with the link down (central and SUNAT): every sale has its number at once, gapless.
        central.stop()
        try sunat.makeUnavailable(1_000)
        try sunat.receive(on: CivilDate(year: 2026, month: 11, day: 30)!)
        var docs: [FiscalDocumentRecord] = []
        for i in 0..<8 {
            docs.append(try day.sell(factura: i % 4 == 3))
            clock.advance(seconds: 1_800)
            if i == 3 {
                let tried = try sender.runOnce()
                #expect(tried.failures == 1 && tried.accepted == 0, "\(tried)")
            }
        }
        #expect(docs.map(\.documentID) == ["B001-1", "B001-2", "B001-3", "F001-1", "B001-4", "B001-5", "B001-6", "F001-2"])
        let offline = try Self.states(store)
        #expect(offline.values.allSatisfy { $0.state == .porEnviar }, "\(offline.mapValues(\.state))")

        // The link returns at 20:30: the queue sends the facturas and the day's resumen.
        clock.set(Date(timeIntervalSince1970: 1_796_088_600))
        try sunat.makeUnavailable(0)
        try central.start()
        try Self.drain(sender, store)
        let afterLink = try Self.states(store)
        #expect(afterLink.count == 8)
        #expect(afterLink.values.allSatisfy { $0.state == .aceptado }, "\(afterLink.mapValues(\.state))")
        let facturaCDR = try #require(try store.fiscalEvents(subjectID: docs[3].id).last { $0.kind == "cdr" })
        #expect(facturaCDR.code == 0 && facturaCDR.cdr != nil && facturaCDR.message?.contains("F001-1") == true)
        let open = try store.openSummaries()
        let openEvents = try open.map { try store.fiscalEvents(subjectID: $0.summary.id).map { "\($0.kind) \($0.code ?? -1) \($0.message ?? "")" } }
        #expect(open.isEmpty, "\(openEvents)\n\(sunat.log.suffix(3000))")
        // Once accepted, nothing is sent again.
        let requests = try sunat.stats()["requests"] as? Int
        try sender.runOnce(flushToday: true)
        #expect(try sunat.stats()["requests"] as? Int == requests)
        // The documents and their history reach the central.
        #expect(try lim.sync().rejected == 0)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_documents'") == 8)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_events'") >= 8)
        // The accountant's copy: every XML and every CDR.
        let out = TempDir("fiscal-export")
        let exported = try store.exportFiscal(from: CivilDate(year: 2026, month: 11, day: 30)!, to: CivilDate(year: 2026, month: 11, day: 30)!,
                                              into: out.path)
        #expect(exported.documents == 8 && exported.summaries == 1 && exported.cdrs == 3)
        #expect(FileManager.default.fileExists(atPath: out.file("R-\(Self.ruc)-01-F001-1.zip")))

        // Tuesday 09:00: a factura is sold, then SUNAT is unreachable for 72 hours.
        clock.set(Date(timeIntervalSince1970: 1_796_133_600))
        try sunat.makeUnavailable(10_000)
        let tuesday = try day.sell(factura: true)
        let tuesdayBoleta = try day.sell()
        // Wednesday: a factura whose answer will come too late is not possible yet; it is sold.
        clock.advance(seconds: 86_400)
        let wednesday = try day.sell(factura: true)
        for _ in 0..<4 {
            clock.advance(seconds: 43_200)
            try sender.runOnce()
        }
        // Friday 09:00, 72 h later: the link is back. Tuesday's factura is on its last day
        // (highlighted), Wednesday's has one more; nothing has missed its deadline.
        let before = try Self.states(store)
        #expect(before[tuesday.documentID]?.daysLeft == 0 && before[tuesday.documentID]?.nearDeadline == true)
        #expect(before[wednesday.documentID]?.daysLeft == 1)
        #expect(before.values.allSatisfy { !$0.missedDeadline })
        let outage = try Self.screen(store, supervisor)
        #expect(Self.row(outage.text, tuesday)?.contains("Por enviar") == true && Self.row(outage.text, tuesday)?.contains("¡Vence hoy!") == true,
                "\(outage.text)")
        #expect(Self.row(outage.text, wednesday)?.contains("¡Vence mañana!") == true, "\(outage.text)")
        #expect(!outage.text.contains("¡Fuera de plazo!"), "\(outage.text)")
        #expect(outage.status == "SUNAT: 2 vencen pronto", "\(outage.status ?? "nil")")
        try sunat.makeUnavailable(0)
        try sunat.receive(on: CivilDate(year: 2026, month: 12, day: 4)!)
        clock.advance(seconds: 3_600)
        try Self.drain(sender, store)
        let after = try Self.states(store)
        #expect(after[tuesday.documentID]?.state == .aceptado)
        #expect(after[wednesday.documentID]?.state == .aceptado)
        #expect(after[tuesdayBoleta.documentID]?.state == .aceptado)

        // A longer outage: a factura sold Friday reaches SUNAT only on Tuesday. The screen shows it
        // past its deadline before sending; SUNAT rejects it (2108) and it shows as rejected.
        let friday = try day.sell(factura: true)
        try sunat.makeUnavailable(10_000)
        clock.advance(seconds: 86_400 * 4)
        try sender.runOnce()
        let late = try #require(try Self.states(store)[friday.documentID])
        #expect(late.missedDeadline && late.daysLeft == -1)
        let past = try Self.screen(store, supervisor, onlyPending: true)
        #expect(Self.row(past.text, friday)?.contains("¡Fuera de plazo! (07/12/2026)") == true, "\(past.text)")
        #expect(past.text.contains("Fuera de plazo 1") && past.status == "SUNAT: 1 fuera de plazo", "\(past.text)")
        try sunat.makeUnavailable(0)
        try sunat.receive(on: CivilDate(year: 2026, month: 12, day: 8)!)
        clock.advance(seconds: 3_600)
        let report = try sender.runOnce()
        #expect(report.rejected == 1)
        #expect(report.messages.first?.contains("2108") == true)
        let rejected = try #require(try Self.states(store)[friday.documentID])
        #expect(rejected.state == .rechazado(code: 2108, message: "Presentacion fuera de fecha"))
        #expect(!rejected.missedDeadline)
        // Only it needs something: it is selected, and its whole answer is on the line below the table.
        let shown = try Self.screen(store, supervisor, onlyPending: true)
        #expect(Self.row(shown.text, friday)?.contains("Rechazado (2108)") == true, "\(shown.text)")
        #expect(shown.text.contains("\(friday.printedID) · Rechazado (2108): Presentacion fuera de fecha"), "\(shown.text)")
        #expect(shown.status == "SUNAT: 1 rechazado")

        // The supervisor issues a new factura for that sale: the next number, sent and accepted;
        // the rejected one stays, used up, and a second new one is refused.
        let again = try store.reissueFiscalDocument(documentID: friday.id, by: supervisor)
        #expect(again.saleId == friday.saleId && again.series == "F001" && again.number == friday.number + 1)
        #expect(throws: StoreError.self) { try store.reissueFiscalDocument(documentID: friday.id, by: supervisor) }
        #expect(throws: StoreError.self) { try store.reissueFiscalDocument(documentID: again.id, by: supervisor) }
        #expect(try store.fiscalDocument(saleID: friday.saleId)?.id == again.id)
        try Self.drain(sender, store)
        #expect(try Self.states(store)[again.documentID]?.state == .aceptado)
        let replaced = try Self.screen(store, supervisor)
        #expect(Self.row(replaced.text, friday)?.contains("→ \(again.printedID)") == true, "\(replaced.text)")
        #expect(replaced.status == nil)
    }

    /// Item 2 end to end: a voided factura goes in a comunicación de baja (RA), a voided boleta in a
    /// resumen diario with ConditionCode 3; the local SUNAT checks each with SUNAT's validator and
    /// accepts it; the F8 screen shows the documents voided, and the bajas reach the central. A
    /// baja past its 7 days is refused.
    @Test func voidedFacturaAndBoletaGoByBajaAndShowAsVoided() throws {
        // Monday 2026-11-30, 20:30 in Lima: the day's resumen goes now.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_088_600))
        let env = try Self.linkedSede(clock)
        let (central, lim, sunat, store, supervisor, sender) = (env.central, env.lim, env.sunat, env.lim.store, env.supervisor, env.sender)
        var day = env.day
        try sunat.receive(on: CivilDate(year: 2026, month: 11, day: 30)!)
        let factura = try day.sell(factura: true), boleta = try day.sell(), kept = try day.sell(), late = try day.sell(factura: true)
        try Self.drain(sender, store)
        #expect(try Self.states(store).values.allSatisfy { $0.state == .aceptado })
        clock.advance(seconds: 60)

        func void(_ doc: FiscalDocumentRecord, _ reason: String) throws {
            _ = try store.reverseSale(ReversalDraft(id: store.newID(), saleID: doc.saleId, reason: reason, refundID: store.newID(),
                                                    refundMethod: .yape, fiscalVoid: .baja), by: supervisor)
        }
        try void(factura, "Factura emitida a otro RUC")
        clock.advance(seconds: 60)
        try void(boleta, "Cobro duplicado")
        #expect(try store.fiscalState(documentID: factura.id) == .bajaEnCurso && store.fiscalState(documentID: boleta.id) == .bajaEnCurso)
        try Self.drain(sender, store)
        let after = try Self.states(store)
        #expect(after[factura.documentID]?.state == .anulado && after[boleta.documentID]?.state == .anulado, "\(after.mapValues(\.state))")
        #expect(after[kept.documentID]?.state == .aceptado)
        // No nota de crédito was issued; SUNAT answered 0 to both bajas, each checked by its validator.
        #expect(try store.fiscalDocuments(from: CivilDate(year: 2026, month: 11, day: 30)!, to: CivilDate(year: 2026, month: 11, day: 30)!)
                    .allSatisfy { $0.docType != "07" })
        let summaries = try store.read { db in try FiscalSummaryRecord.fetchAll(db, sql: "SELECT * FROM fiscal_summaries ORDER BY created_at, id") }
        #expect(summaries.map(\.summaryId) == ["RC-20261130-1", "RA-20261130-1", "RC-20261130-2"])
        for summary in summaries {
            let answer = try store.fiscalEvents(subjectID: summary.id).last { $0.kind == "cdr" }
            #expect(answer?.code == 0, "\(summary.summaryId): \(answer?.message ?? "sin respuesta")\n\(sunat.log.suffix(2000))")
        }
        #expect(summaries[1].xml.contains("<sac:DocumentSerialID>F001</sac:DocumentSerialID>"))
        #expect(summaries[2].xml.contains("<cbc:ConditionCode>3</cbc:ConditionCode>") && summaries[2].xml.contains("<cbc:ID>\(boleta.documentID)</cbc:ID>"))
        // The supervisor's screen reads them as voided, and the history names the baja.
        let shown = try Self.screen(store, supervisor)
        #expect(Self.row(shown.text, factura)?.contains("Anulado (baja)") == true, "\(shown.text)")
        #expect(Self.row(shown.text, boleta)?.contains("Anulado (baja)") == true, "\(shown.text)")
        #expect(shown.status == nil)
        #expect(try store.fiscalHistory(documentID: factura.id).contains { $0.via == "RA-20261130-1" && $0.event.kind == "cdr" })
        // The bajas reach the central with the documents.
        #expect(try lim.sync().rejected == 0)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_voids'") == 2)

        // Eight days later the other factura can no longer go by baja: a nota de crédito it is.
        clock.advance(seconds: 86_400 * 8)
        let sales = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") }
        do {
            try void(late, "Anulación tardía")
            Issue.record("a baja past its limit was accepted")
        } catch let error as StoreError {
            #expect(error.code == .fiscalDocument && error.message.contains("nota de crédito"), "\(error.message)")
        }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sales") } == sales)
        #expect(try store.fiscalState(documentID: late.id) == .aceptado)
    }

    /// Item 3: the void form of today's sales offers «Comprobante: Nota de crédito / Comunicación
    /// de baja» when the sale's document can go by baja, and the choice voids it by baja.
    @Test func voidFormOffersTheBajaAndUsesIt() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_796_088_600))
        let env = try Self.linkedSede(clock)
        let (store, supervisor) = (env.lim.store, env.supervisor)
        var day = env.day
        try env.sunat.receive(on: CivilDate(year: 2026, month: 11, day: 30)!)
        let factura = try day.sell(factura: true)
        try Self.drain(env.sender, store)
        let services = AppServices(store: store)
        let context = ScreenContext(session: supervisor, sede: try store.localSede(), isDemo: false, now: store.clock.now)
        func run(_ screen: inout SalesTodayScreen, _ command: Command) throws {
            switch command {
            case .perform(let work):
                let next = screen.update(.message(try work(services)), context)
                try run(&screen, next)
            case .batch(let commands): for c in commands { try run(&screen, c) }
            default: break
            }
        }
        func text(_ screen: SalesTodayScreen) -> String {
            var canvas = Canvas(width: 100, height: 30)
            screen.render(into: &canvas, area: Rect(x: 0, y: 0, width: 100, height: 30), context: context)
            return canvas.text
        }
        func keys(_ screen: inout SalesTodayScreen, _ keys: [Key]) throws {
            for key in keys {
                let next = screen.update(.key(key), context)
                try run(&screen, next)
            }
        }
        #expect(try store.fiscalBajaOption(saleID: factura.saleId) == .available(document: "F001-00000001", lastDay: CivilDate(year: 2026, month: 12, day: 7)!))
        var screen = SalesTodayScreen(session: supervisor)
        try run(&screen, screen.onAppear())  // onAppear does not change the screen
        try keys(&screen, [.char("a")])
        #expect(text(screen).contains("Comprobante") && text(screen).contains("◂ Nota de crédito ▸"), "\(text(screen))")
        // A return never offers it.
        var returning = SalesTodayScreen(session: supervisor)
        try run(&returning, returning.onAppear())
        try keys(&returning, [.char("d")])
        #expect(!text(returning).contains("Comprobante"), "\(text(returning))")
        // Reason, refund by Yape, Comunicación de baja, confirm.
        try keys(&screen, "Factura a otro RUC".map { .char($0) } + [.down, .right, .right, .down, .right])
        #expect(text(screen).contains("◂ Yape ▸") && text(screen).contains("◂ Comunicación de baja ▸"), "\(text(screen))")
        #expect(text(screen).contains("F001-00000001: baja hasta el 07/12/2026"), "\(text(screen))")
        try keys(&screen, [.ctrl("s")])
        #expect(!text(screen).contains("Anular venta"), "\(text(screen))")
        #expect(try store.fiscalState(documentID: factura.id) == .bajaEnCurso)
        #expect(try store.fiscalDocuments(from: store.today, to: store.today).map(\.documentID) == ["F001-1"])
        #expect(try store.read { db in try FiscalSummaryRecord.fetchAll(db, sql: "SELECT * FROM fiscal_summaries") }.map(\.kind) == ["RA"])
    }
}
