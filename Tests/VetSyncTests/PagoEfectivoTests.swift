import Foundation
import GRDB
import Testing
import VetCentral
import VetCore
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// PagoEfectivo end to end across real processes: the sede asks the sandbox (PagoEfectivo's API on
/// 127.0.0.1) for the CIP a payment waits for, the sandbox posts PagoEfectivo's signed
/// notification to a real `vetcentral`, and the sede learns by pull that the payment is paid.
@Suite(.serialized)
struct PagoEfectivoTests {
    /// A central that knows the PagoEfectivo secret key.
    static func central(_ backend: Backend) throws -> CentralProcess {
        let secretDir = TempDir()
        let secretFile = secretDir.file("pagoefectivo.secret")
        try SedeFiles.write(Data((PagoEfectivoSandbox.secretKey + "\n").utf8), to: secretFile, mode: SedeFiles.secretFileMode)
        let central = try CentralProcess(backend, extraServeArgs: ["--pagoefectivo-secret-file", secretFile])
        try central.start()
        return central
    }

    /// A sale and its PagoEfectivo payment, written as the checkout would (one store write); the payment's id.
    @discardableResult
    static func sell(_ sede: TestSede, total: Int64, email: String? = "lucia@correo.pe") throws -> String {
        let owner = try sede.addOwner(doc: "4567\(Int.random(in: 1000...9999))", first: "Lucía")
        if let email { try sede.setOwner(owner, "email", email) }
        let sale = sede.store.newID(), payment = sede.store.newID()
        try sede.store.write(user: nil) { db in
            let number = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(number), 0) + 1 FROM sales WHERE sede_id = ?", arguments: [sede.sedeID])) ?? 1
            try db.execute(sql: """
                INSERT INTO sales (id, sede_id, number, kind, owner_id, gravada, exonerada, inafecta, igv, discount, total, user_id, at)
                VALUES (?, ?, ?, 'venta', ?, ?, 0, 0, ?, 0, ?, 'recepcion', ?)
                """, arguments: [sale, sede.sedeID, number, owner, total * 100 / 118, total - total * 100 / 118, total, sede.store.nowText])
            try db.execute(sql: """
                INSERT INTO payments (id, sede_id, sale_id, method, amount, user_id, at) VALUES (?, ?, ?, 'pagoefectivo', ?, 'recepcion', ?)
                """, arguments: [payment, sede.sedeID, sale, total, sede.store.nowText])
        }
        return payment
    }

    static func cip(of state: PagoEfectivoState) -> String? {
        if case .pending(let cip, _) = state { return cip }
        return nil
    }

    @Test(arguments: backends)
    func aCIPIsGeneratedAndItsPaidNotificationReachesTheSedeOnce(_ backend: Backend) throws {
        let central = try Self.central(backend)
        let sandbox = try PagoEfectivoSandbox.running()
        let lim = try TestSede.linked("LIM01", to: central)
        try sandbox.configure(lim)

        // A voided sale's PagoEfectivo payment is never asked for.
        let voided = try Self.sell(lim, total: 700)
        try lim.store.write(user: nil) { db in
            try db.execute(sql: """
                INSERT INTO sales (id, sede_id, number, kind, reverses_sale_id, gravada, exonerada, inafecta, igv, discount, total, reason, user_id, at)
                SELECT ?, sede_id, number + 1, 'anulacion', id, -gravada, 0, 0, -igv, 0, -total, 'Error de digitación', 'supervisor', at
                FROM sales WHERE id = (SELECT sale_id FROM payments WHERE id = ?)
                """, arguments: [lim.store.newID(), voided])
        }
        let payment = try Self.sell(lim, total: 1050)
        #expect(try lim.store.pagoEfectivoState(paymentID: payment) == .waitingForCIP)
        let waiting = try lim.store.pendingCIPRequests()
        #expect(waiting.map(\.paymentID) == [payment])
        #expect(waiting.first?.amount == Money(centimos: 1050) && waiting.first?.customer.email == "lucia@correo.pe")

        let round = try CIPRequester(store: lim.store).requestPending()
        #expect(round == CIPRequester.Round(configured: true, generated: 1, waiting: 0, failures: []))
        let generated = try sandbox.cips()
        #expect(generated.count == 1)
        let cip = try #require(generated.first?["cip"] as? Int).description
        // What PagoEfectivo received: the payment's id as transactionCode, S/ 10.50 written exactly.
        #expect(generated.first?["transactionCode"] as? String == payment)
        let sent = try #require(generated.first?["request"] as? String)
        #expect(sent.contains("\"amount\":10.50,") && sent.contains("\"currency\":\"PEN\"") && sent.contains("\"userEmail\":\"lucia@correo.pe\""), "\(sent)")
        let state = try lim.store.pagoEfectivoState(paymentID: payment)
        #expect(Self.cip(of: state) == cip, "\(state)")
        if case .pending(_, let expiresAt) = state {
            #expect(abs(expiresAt.timeIntervalSinceNow - 48 * 3600) < 120, "\(expiresAt)")
        }
        // Recorded once, journaled; a second answer for the same payment changes nothing.
        #expect(try lim.count("SELECT count(*) FROM journal WHERE tbl = 'pagoefectivo_cips' AND op = 'I'") == 1)
        #expect(try lim.store.recordCIP(paymentID: payment, cip: "999", amount: Money(centimos: 1050), expiresAt: Date(), url: nil) == false)
        #expect(try lim.count("SELECT count(*) FROM pagoefectivo_cips") == 1)
        #expect(try Self.cip(of: lim.store.pagoEfectivoState(paymentID: payment)) == cip)
        #expect(try lim.store.pendingCIPRequests().isEmpty)
        #expect(try CIPRequester(store: lim.store).requestPending().generated == 0)
        try lim.sync()

        // A wrongly signed or unsigned notification: 401, nothing in the central's log.
        let events = "SELECT count(*) FROM changes WHERE tbl = 'pagoefectivo_events'"
        let forged = try sandbox.notify(cip: cip, event: "cip.paid", central: central, signature: "wrong")
        #expect(forged.status == 401 && forged.body.contains("\"code\":\"invalid_signature\""), "\(forged)")
        let unsigned = try sandbox.notify(cip: cip, event: "cip.paid", central: central, signature: "missing")
        #expect(unsigned.status == 401 && unsigned.body.contains("\"code\":\"missing_signature\""), "\(unsigned)")
        #expect(try central.count(events) == 0)
        try lim.sync()
        #expect(try Self.cip(of: lim.store.pagoEfectivoState(paymentID: payment)) == cip)

        // The signed one is recorded once; a repeat is answered 200 and writes nothing.
        let paid = try sandbox.notify(cip: cip, event: "cip.paid", central: central)
        #expect(paid.status == 200 && paid.body.contains("\"code\":\"recorded\""), "\(paid)")
        let again = try sandbox.notify(cip: cip, event: "cip.paid", central: central)
        #expect(again.status == 200 && again.body.contains("\"code\":\"already_recorded\""), "\(again)")
        #expect(try central.count(events) == 1)

        try lim.sync()
        guard case .paid(let at) = try lim.store.pagoEfectivoState(paymentID: payment) else {
            Issue.record("el pago no figura pagado: \(try lim.store.pagoEfectivoState(paymentID: payment))")
            return
        }
        #expect(abs(at.timeIntervalSinceNow) < 120)
        let row = try #require(try lim.store.read { db in
            try Row.fetchOne(db, sql: "SELECT payment_id, sede_id, amount, event, operation FROM pagoefectivo_events WHERE cip = ?", arguments: [cip])
        })
        #expect(row["event"] as String == "cip.paid" && row["amount"] as Int64 == 1050 && (row["operation"] as String?) != nil)
        // The CIP's row reached the central by sync: the event names its payment and sede.
        #expect(row["payment_id"] as String? == payment && row["sede_id"] as String? == lim.sedeID)
        #expect(try lim.count("SELECT count(*) FROM pagoefectivo_events") == 1)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects") == 0)

        // Another sede sees the same: the payment, its CIP and its event are network data.
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try are.sync()
        #expect(try are.store.pagoEfectivoState(paymentID: payment) == .paid(at: at))
        // …and does not ask PagoEfectivo for LIM01's payments.
        #expect(try are.store.pendingCIPRequests().isEmpty)
    }

    @Test
    func anExpiredCIPIsExpiredAtTheSedeAndAPaymentAfterItWins() throws {
        let central = try Self.central(.sqlite)
        let sandbox = try PagoEfectivoSandbox.running()
        let lim = try TestSede.linked("LIM01", to: central)
        try sandbox.configure(lim, extra: ["expiry_hours = 2", "concept = Consulta veterinaria"])
        let payment = try Self.sell(lim, total: 8990, email: nil)
        #expect(try CIPRequester(store: lim.store).requestPending().generated == 1)
        let cip = try #require(Self.cip(of: try lim.store.pagoEfectivoState(paymentID: payment)))
        let sent = try #require(try sandbox.cips().first?["request"] as? String)
        // Without the owner's address, the clinic's; the concept and expiry from the configuration.
        #expect(sent.contains("\"userEmail\":\"caja@vetdesk.pe\"") && sent.contains("\"paymentConcept\":\"Consulta veterinaria\"") && sent.contains("\"amount\":89.90,"))
        if case .pending(_, let expiresAt) = try lim.store.pagoEfectivoState(paymentID: payment) {
            #expect(abs(expiresAt.timeIntervalSinceNow - 2 * 3600) < 120)
        }
        try lim.sync()

        let expired = try sandbox.notify(cip: cip, event: "cip.expired", central: central)
        #expect(expired.status == 200 && expired.body.contains("\"code\":\"recorded\""), "\(expired)")
        try lim.sync()
        #expect(try lim.store.pagoEfectivoState(paymentID: payment) == .expired)
        #expect(PagoEfectivoState.expired.label == "CIP vencido sin pagar")

        // A paid notice that arrives after the expiry still counts: the customer paid.
        #expect(try sandbox.notify(cip: cip, event: "cip.paid", central: central).status == 200)
        try lim.sync()
        guard case .paid = try lim.store.pagoEfectivoState(paymentID: payment) else {
            Issue.record("un pago notificado tras el vencimiento no cuenta")
            return
        }
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'pagoefectivo_events'") == 2)
    }

    /// The central's route against bodies a forger or a broken peer sends: each is answered with a
    /// JSON error or acknowledged, the central keeps serving and records nothing.
    @Test
    func hostileNotificationsAreAnsweredAndNothingIsWritten() throws {
        let central = try Self.central(.sqlite)
        let client = try central.client()
        func post(_ body: String, signed: Bool = true) throws -> (status: Int, code: String) {
            var headers: [String: String] = [:]
            if signed { headers["PE-Signature"] = PagoEfectivoNotifications.signature(body: Data(body.utf8), secret: PagoEfectivoSandbox.secretKey) }
            let response = try client.post("/v1/pagoefectivo/notifications", body: Data(body.utf8), headers: headers)
            let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            #expect((answer?["message"] as? String)?.isEmpty == false, "\(String(decoding: response.body, as: UTF8.self))")
            return (response.status, answer?["code"] as? String ?? "")
        }
        let cases: [(String, Int, String)] = [
            ("{\"eventType\":\"cip.paid\",", 400, "malformed_notification"),
            ("[1,2,3]", 400, "malformed_notification"),
            ("{\"data\":{\"cip\":\"123\"}}", 400, "malformed_notification"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":\"12a\",\"currency\":\"PEN\",\"amount\":1.00}}", 422, "invalid_cip"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":{\"n\":1}}}", 400, "malformed_notification"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":123,\"currency\":\"USD\",\"amount\":1.00}}", 422, "invalid_currency"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":123,\"currency\":\"PEN\",\"amount\":1.005}}", 422, "invalid_amount"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":123,\"currency\":\"PEN\",\"amount\":1e400}}", 422, "invalid_amount"),
            ("{\"eventType\":\"cip.paid\",\"data\":{\"cip\":123,\"currency\":\"PEN\",\"amount\":\"-5.00\"}}", 422, "invalid_amount"),
            ("{\"eventType\":\"cip.deleted\",\"data\":{\"cip\":123}}", 200, "ignored"),
        ]
        for (body, status, code) in cases {
            let answer = try post(body)
            #expect(answer.status == status && answer.code == code, "\(body) → \(answer)")
        }
        let good = "{\"eventType\":\"cip.paid\",\"operationNumber\":12,\"data\":{\"cip\":2514399,\"currency\":\"PEN\",\"amount\":25.5,\"paymentDate\":\"2026-03-01 10:15:00-05:00\"}}"
        #expect(try post(good, signed: false) == (401, "missing_signature"))
        var tampered = try client.post("/v1/pagoefectivo/notifications", body: Data(good.replacingOccurrences(of: "25.5", with: "2.55").utf8),
                                       headers: ["PE-Signature": PagoEfectivoNotifications.signature(body: Data(good.utf8), secret: PagoEfectivoSandbox.secretKey)])
        #expect(tampered.status == 401)
        tampered = try client.post("/v1/pagoefectivo/notifications", body: Data(good.utf8), headers: ["PE-Signature": "zz" + String(repeating: "0", count: 62)])
        #expect(tampered.status == 401)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'pagoefectivo_events'") == 0)

        // A well-formed one without a CIP row at the central yet is still recorded (the sede matches by CIP).
        #expect(try post(good) == (200, "recorded"))
        #expect(try central.count("""
            SELECT count(*) FROM current_rows WHERE tbl = 'pagoefectivo_events' AND json_extract(cols, '$.cip') = '2514399'
              AND json_extract(cols, '$.amount') = 2550 AND json_extract(cols, '$.at') = '2026-03-01T15:15:00.000Z'
              AND json_extract(cols, '$.payment_id') IS NULL AND json_extract(cols, '$.operation') = '12'
            """) == 1)
        #expect(try client.get("/health").status == 200)
    }

    @Test
    func aCentralWithoutTheSecretRecordsNothing() throws {
        let central = try CentralProcess.running(.sqlite)
        let body = "{\"eventType\":\"cip.paid\",\"data\":{\"cip\":\"1\"}}"
        let response = try central.client().post("/v1/pagoefectivo/notifications", body: Data(body.utf8),
                                                  headers: ["PE-Signature": PagoEfectivoNotifications.signature(body: Data(body.utf8), secret: "x")])
        #expect(response.status == 503 && String(decoding: response.body, as: UTF8.self).contains("pagoefectivo_not_configured"))
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'pagoefectivo_events'") == 0)
    }

    /// `vetdesk sync run` with PagoEfectivo down: the payment waits, the daemon says why once, and
    /// the CIP is asked for and recorded as soon as the API is back.
    @Test
    func theDaemonSendsTheQueuedRequestWhenPagoEfectivoComesBack() throws {
        let central = try Self.central(.sqlite)
        let sandbox = try PagoEfectivoSandbox.running()
        let lim = try TestSede.linked("LIM01", to: central)
        try sandbox.configure(lim)
        sandbox.stop()
        let payment = try Self.sell(lim, total: 4000)

        // Directly: unreachable, still waiting.
        let down = try CIPRequester(store: lim.store).requestPending()
        #expect(down.generated == 0 && down.waiting == 1 && down.failures.count == 1)
        #expect(down.failures.first?.code == "pagoefectivo_unreachable" && down.failures.first?.message.contains("No se pudo conectar con PagoEfectivo") == true,
                "\(down.failures)")
        #expect(try lim.store.pagoEfectivoState(paymentID: payment) == .waitingForCIP)

        let daemon = try SpawnedProcess(Binaries.vetdesk, ["sync", "run", "--db", lim.path, "--interval", "0.2", "--max-backoff", "1"])
        // The daemon has tried (and said why it could not) before the API comes back.
        #expect(VetTestSupport.waitUntil(seconds: 30) { daemon.stderrSoFar.contains("No se pudo conectar con PagoEfectivo") }, "\(daemon.stderrSoFar)")
        #expect(try lim.store.pagoEfectivoState(paymentID: payment) == .waitingForCIP)
        try sandbox.start()
        try waitUntil("el CIP registrado por el demonio", timeout: 30) {
            Self.cip(of: try lim.store.pagoEfectivoState(paymentID: payment)) != nil
        }
        // Sync took the CIP to the central in the daemon's cycle.
        try waitUntil("el CIP en la central", timeout: 30) {
            try central.count("SELECT count(*) FROM current_rows WHERE tbl = 'pagoefectivo_cips'") == 1
        }
        daemon.stop(SIGTERM)
        let log = try daemon.wait(timeout: 20).stderr
        #expect(log.components(separatedBy: "No se pudo conectar con PagoEfectivo").count == 2, "\(log)")
        #expect(log.contains("PagoEfectivo: 1 CIP generado"), "\(log)")
        #expect(try sandbox.cips().count == 1)
    }

    @Test
    func theConfigurationIsCheckedBeforeAnythingIsAsked() throws {
        let sede = try TestSede("LIM01")
        let path = PagoEfectivoConfig.path(forDatabase: sede.path, environment: [:])
        #expect(try PagoEfectivoConfig.load(databasePath: sede.path, environment: [:]) == nil)
        #expect(try CIPRequester(store: sede.store, environment: [:]).requestPending().configured == false)

        func refusal(_ text: String, mode: mode_t = SedeFiles.secretFileMode, environment: [String: String] = [:]) -> String {
            do {
                try SedeFiles.write(Data(text.utf8), to: path, mode: mode)
                _ = try PagoEfectivoConfig.load(databasePath: sede.path, environment: environment)
                return ""
            } catch { return (error as? PagoEfectivoError)?.message ?? "\(error)" }
        }
        let full = "url = https://pre1a.services.pagoefectivo.pe\naccess_key = AK\nsecret_key = SK\nservice_id = 1518\nadmin_email = caja@vetdesk.pe\n"
        #expect(refusal(full) == "")
        #expect(refusal(full, mode: 0o640).contains("chmod 600"))
        #expect(refusal(full + "clave = valor\n").contains("línea 6: clave desconocida «clave»"))
        #expect(refusal(full + "expiry_hours = mucho\n").contains("expiry_hours"))
        #expect(refusal(full.replacingOccurrences(of: "service_id = 1518\n", with: "")).contains("Falta «service_id»"))
        #expect(refusal(full.replacingOccurrences(of: "https://pre1a", with: "http://pre1a")).contains("use https"))
        #expect(refusal(full, environment: ["VETDESK_PAGOEFECTIVO_SERVICE_ID": "15a8"]).contains("debe ser un número"))
        let fromEnvironment = try #require(try PagoEfectivoConfig.load(databasePath: sede.dir.file("otra.db"), environment: [
            "VETDESK_PAGOEFECTIVO_URL": "http://127.0.0.1:9", "VETDESK_PAGOEFECTIVO_ACCESS_KEY": "a", "VETDESK_PAGOEFECTIVO_SECRET_KEY": "s",
            "VETDESK_PAGOEFECTIVO_SERVICE_ID": "7", "VETDESK_PAGOEFECTIVO_ADMIN_EMAIL": "a@b.pe",
        ]))
        #expect(fromEnvironment.serviceID == "7" && fromEnvironment.expiryHours == 48 && fromEnvironment.concept == "Atención veterinaria")

        // Wrong credentials: PagoEfectivo refuses, in Spanish, and the payment keeps waiting.
        let sandbox = try PagoEfectivoSandbox.running()
        try SedeFiles.write(Data("url = \(sandbox.url)\naccess_key = otro\nsecret_key = SK\nservice_id = 1518\nadmin_email = caja@vetdesk.pe\n".utf8),
                            to: path, mode: SedeFiles.secretFileMode)
        let central = try Self.central(.sqlite)
        try sede.link(central)
        let payment = try Self.sell(sede, total: 100)
        let round = try CIPRequester(store: sede.store).requestPending()
        #expect(round.generated == 0 && round.waiting == 1)
        #expect(round.failures.first?.message.contains("PagoEfectivo rechazó el pedido (401, código 111): Credenciales inválidas") == true, "\(round.failures)")
        #expect(try sede.store.pagoEfectivoState(paymentID: payment) == .waitingForCIP)
    }

    /// Answers of PagoEfectivo's API that must not be believed: a CIP for another amount, another
    /// transaction or currency, or no CIP at all. None is recorded, none crashes.
    @Test
    func untrustworthyCIPAnswersAreRefused() throws {
        let request = CIPRequest(transactionCode: "pago-1", amount: Money(centimos: 1050), expiresAt: Date(timeIntervalSince1970: 2_000_000_000),
                                 concept: "Atención veterinaria", customer: PagoEfectivoCustomer())
        func parse(_ data: String) -> Result<GeneratedCIP, PagoEfectivoError> {
            Result { () throws(PagoEfectivoError) -> GeneratedCIP in try PagoEfectivoClient.parseCIP(Data(data.utf8), for: request) }
        }
        let good = parse("{\"code\":\"100\",\"data\":{\"cip\":2514315,\"amount\":10.5,\"currency\":\"PEN\",\"transactionCode\":\"pago-1\",\"dateExpiry\":\"2033-05-18 03:33:20-05:00\",\"cipUrl\":\"https://pago.pe/x\"}}")
        #expect(try good.get() == GeneratedCIP(cip: "2514315", amount: Money(centimos: 1050), expiresAt: Date(timeIntervalSince1970: 2_000_018_000),
                                               url: "https://pago.pe/x"))
        for (body, fragment) in [
            ("{\"data\":{\"cip\":1,\"amount\":10.49}}", "por S/ 10.49"),
            ("{\"data\":{\"cip\":1,\"transactionCode\":\"pago-2\"}}", "otra transacción"),
            ("{\"data\":{\"cip\":1,\"currency\":\"USD\"}}", "no en soles"),
            ("{\"data\":{\"cip\":\"12 34\"}}", "número de CIP"),
            ("{\"data\":{\"amount\":10.50}}", "número de CIP"),
            ("{\"data\":{\"cip\":1,\"dateExpiry\":\"mañana\"}}", "vencimiento ilegible"),
            ("{\"data\":{\"cip\":1,\"amount\":true}}", "no es JSON válido"),
            ("{\"code\":\"100\"}", "no trae «data»"),
            ("<html>", "no es JSON válido"),
        ] {
            switch parse(body) {
            case .success(let cip): Issue.record("\(body) se aceptó: \(cip)")
            case .failure(let error): #expect(error.code == "pagoefectivo_invalid_response" && error.message.contains(fragment), "\(body): \(error.message)")
            }
        }
    }
}
