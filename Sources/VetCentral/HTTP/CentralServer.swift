import Foundation
import Hummingbird
import Logging
import NIOCore
import VetCore
import VetProtocol

/// How `vetcentral serve` runs.
public struct CentralServerOptions: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int
    /// Where to write the bound port once listening (for scripts and tests using `--port 0`).
    public var portFile: String?
    /// The merchant's PagoEfectivo secret key, which signs PagoEfectivo's notifications; without
    /// it, notifications are answered 503 and nothing is recorded.
    public var pagoEfectivoSecret: String?

    public init(host: String = "127.0.0.1", port: Int = 8640, maxBodyBytes: Int = 16 << 20, portFile: String? = nil,
                pagoEfectivoSecret: String? = nil) {
        self.host = host; self.port = port; self.maxBodyBytes = maxBodyBytes; self.portFile = portFile
        self.pagoEfectivoSecret = pagoEfectivoSecret
    }
}

/// The central HTTP service. Routes are thin: authenticate, decode, call the storage, encode.
public enum CentralServer {
    public static func run(storage: any CentralStorage, options: CentralServerOptions) async throws {
        let metrics = CentralMetrics()
        let router = Router(context: BasicRequestContext.self)
        let api = CentralAPI(storage: storage, metrics: metrics, maxBodyBytes: options.maxBodyBytes, pagoEfectivoSecret: options.pagoEfectivoSecret)
        router.get("/health") { _, _ in await api.guarded { try await api.health() } }
        router.get("/metrics") { _, _ in await api.guarded { try await api.metrics() } }
        router.get("/v1/sync/hello") { request, _ in await api.guarded { try await api.hello(request) } }
        router.post("/v1/sync/push") { request, _ in await api.guarded { try await api.push(request) } }
        router.get("/v1/sync/pull") { request, _ in await api.guarded { try await api.pull(request) } }
        router.get("/v1/trace") { request, _ in await api.guarded { try await api.trace(request) } }
        router.post("/v1/pagoefectivo/notifications") { request, _ in await api.guarded { try await api.pagoEfectivoNotification(request) } }
        router.get("/v1/calendars/:sede/:file") { request, context in
            await api.guarded {
                try await api.calendar(request, sedeCode: context.parameters.get("sede") ?? "", file: context.parameters.get("file") ?? "")
            }
        }
        var logger = Logger(label: "vetcentral")
        logger.logLevel = .warning
        let portFile = options.portFile
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "vetcentral"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                FileHandle.standardOutput.write(Data("vetcentral escuchando en http://\(options.host):\(port)\n".utf8))
                if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
            },
            logger: logger)
        try await app.runService()
        try await storage.close()
    }
}

struct CentralAPI: Sendable {
    let storage: any CentralStorage
    let metrics: CentralMetrics
    let maxBodyBytes: Int
    let pagoEfectivoSecret: String?

    var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Storage failures (database down, constraint broken) become a logged 500 with a JSON body.
    func guarded(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as CentralError {
            return failure(error)
        } catch {
            FileHandle.standardError.write(Data("vetcentral: error interno: \(String(reflecting: error))\n".utf8))
            return failure(CentralError(500, "internal", "Error interno de la central; reintente más tarde"))
        }
    }

    func health() async throws -> Response {
        _ = try await storage.counts()
        return json(200, Data("{\"status\":\"ok\"}".utf8))
    }

    func metrics() async throws -> Response {
        let counts = try await storage.counts()
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: metrics.text(logChanges: counts.changes, storedRejects: counts.rejects))))
        response.headers[.contentType] = "text/plain; version=0.0.4"
        return response
    }

    func hello(_ request: Request) async throws -> Response {
        do {
            let sede = try await authenticate(request)
            return try encode(HelloResponse(sedeID: sede.id, code: sede.code, name: sede.name, serverTimeMs: nowMs))
        } catch let error as CentralError { return failure(error) }
    }

    func push(_ request: Request) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let sede = try await authenticate(request)
            let body = try await readBody(request)
            let push: ReceivedPush
            do { push = try ReceivedPush.parse(body) } catch {
                throw CentralError(400, "malformed_json", "El cuerpo no es un lote de sincronización JSON válido")
            }
            guard push.sede == sede.id else {
                throw CentralError(403, "wrong_sede", "El lote dice ser de otra sede que la del token")
            }
            if let error = PushPlanner.framingError(push) { throw error }
            if let key = request.headers.first(where: { $0.name.canonicalName == "idempotency-key" })?.value, key != push.idempotencyKey {
                throw CentralError(400, "idempotency_key_mismatch", "Idempotency-Key no corresponde al lote (se esperaba \(push.idempotencyKey))")
            }
            switch try await storage.push(sede: sede.id, request: push, nowMs: nowMs) {
            case .stored(let ack) where ack.ackedThrough < push.toSeq:
                // Entries from ackedThrough + 1 carry an HLC ahead of central's clock: stored up to
                // there, the rest waits at the sede (re-sending the prefix gets its rejects).
                metrics.recordConflict()
                return try encode(ErrorBody(code: "clock_ahead",
                                            message: "El reloj de la sede está adelantado respecto de la central: corrija la hora del equipo; lo escrito se enviará entonces",
                                            expectedSeq: ack.ackedThrough + 1), status: 409)
            case .stored(let ack):
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                metrics.recordPush(entries: push.entries.count, rejects: ack.rejects.count, seconds: seconds)
                // Entries another sede owns or central data: 403, still carrying the acknowledgement.
                let forbidden = ack.rejects.contains { $0.status == 403 }
                return try encode(ack, status: forbidden ? 403 : 200)
            case .gap(let expected):
                metrics.recordConflict()
                return try encode(ErrorBody(code: "seq_gap", message: "Falta una parte del diario: la central espera la entrada \(expected)", expectedSeq: expected), status: 409)
            case .epochConflict:
                metrics.recordConflict()
                return try encode(ErrorBody(code: "epoch_conflict", message: "La central ya tiene otras entradas con esos números: la sede fue restaurada y debe usar un epoch nuevo"), status: 409)
            }
        } catch let error as CentralError { return failure(error) }
    }

    func pull(_ request: Request) async throws -> Response {
        do {
            let sede = try await authenticate(request)
            let query = request.uri.queryParameters
            guard let after = query.get("after", as: Int64.self), after >= 0 else {
                throw CentralError(400, "invalid_cursor", "Falta el cursor after (entero ≥ 0)")
            }
            let limit = min(max(query.get("limit", as: Int.self) ?? 1000, 1), 5_000)
            let epoch = query.get("epoch") ?? ""
            let check = query.get("check", as: Int64.self)
            let page = try await storage.pull(sede: sede.id, epoch: epoch, after: after, check: check, limit: limit)
            metrics.recordPull(changes: page.changes.count)
            return json(200, page.json(serverTimeMs: nowMs))
        } catch let error as CentralError { return failure(error) }
    }

    /// `GET /v1/calendars/{sede}/{vet}.ics`: a vet's appointments at a sede as iCalendar, built from
    /// the read model. Read with the sede's own Bearer token (another sede's is refused with 403), or
    /// with `?token=` from `vetcentral calendar add`, which reads only that vet at that sede (how
    /// Google Calendar and Outlook subscribe: they cannot send a header). `from`/`to` (aaaa-mm-dd,
    /// Lima days, both included) default to 30 days back and 90 ahead, as `vetdesk agenda ics` does.
    func calendar(_ request: Request, sedeCode: String, file: String) async throws -> Response {
        do {
            let query = request.uri.queryParameters
            let subscription: (sedeID: String, userID: String)?
            let caller: CentralSede?
            if let token = query.get("token") {
                guard let found = try await storage.calendarSubscription(tokenHash: CentralAdmin.hashToken(token)) else {
                    throw CentralError(401, "unauthorized", "Enlace de calendario desconocido o anulado")
                }
                subscription = found
                caller = nil
            } else {
                subscription = nil
                caller = try await authenticate(request)
            }
            guard file.hasSuffix(".ics"), file.count > 4 else {
                throw CentralError(404, "not_found", "Use /v1/calendars/{sede}/{usuario}.ics")
            }
            if let caller, let asked = try await storage.listSedes().first(where: { $0.code == sedeCode.uppercased() }), asked.id != caller.id {
                throw CentralError(403, "forbidden_sede", "El token de la sede \(caller.code) no puede leer los calendarios de la sede \(asked.code)")
            }
            let (sede, vet) = try await CentralAdmin.calendarOwner(storage, sedeCode: sedeCode, username: String(file.dropLast(4)))
            if let subscription, subscription.sedeID != sede.id || subscription.userID != vet.id {
                throw CentralError(403, "forbidden_calendar", "Este enlace es del calendario de otro veterinario o de otra sede")
            }
            func day(_ name: String, default value: CivilDate) throws -> CivilDate {
                guard let text = query.get(name) else { return value }
                guard let day = CivilDate(iso: text) else { throw CentralError(400, "invalid_date", "\(name): fecha inválida «\(text)» (use aaaa-mm-dd)") }
                return day
            }
            let now = Date()
            let today = CivilDate(limaDayOf: now)
            let from = try day("from", default: today.adding(days: -30)), to = try day("to", default: today.adding(days: 90))
            guard from <= to else { throw CentralError(400, "invalid_range", "from es posterior a to") }
            let rows = try await CentralCalendar.rows(storage, sede: sede, vet: vet)
            let text = CentralCalendar.document(rows, sede: sede, vet: vet, from: from, to: to, stamp: now)
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
            response.headers[.contentType] = "text/calendar; charset=utf-8"
            return response
        } catch let error as CentralError { return failure(error) }
    }

    /// `GET /v1/trace?sku=…&lot=…`: the network-wide trace of one lot (`LotTrace`), for any sede's
    /// token (a recall concerns every sede).
    func trace(_ request: Request) async throws -> Response {
        do {
            _ = try await authenticate(request)
            let query = request.uri.queryParameters
            guard let sku = query.get("sku"), let lot = query.get("lot") else {
                throw CentralError(400, "missing_parameter", "Indique el artículo y el lote: /v1/trace?sku=…&lot=…")
            }
            return json(200, try CentralTrace.json(try await CentralTrace.trace(storage, sku: sku, lot: lot)))
        } catch let error as CentralError { return failure(error) }
    }

    /// `POST /v1/pagoefectivo/notifications`: PagoEfectivo's signed notice that a CIP was paid or
    /// expired (`PagoEfectivoNotifications`). No sede token: the `PE-Signature` authenticates it.
    func pagoEfectivoNotification(_ request: Request) async throws -> Response {
        do {
            guard let secret = pagoEfectivoSecret, !secret.isEmpty else {
                throw CentralError(503, "pagoefectivo_not_configured",
                                   "La central no tiene configurada la clave secreta de PagoEfectivo: no se registró nada")
            }
            let limit = PagoEfectivoNotifications.maxBodyBytes
            let tooLarge = CentralError(413, "body_too_large", "La notificación pesa más de \(limit / 1024) KiB")
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
            let body: Data
            do {
                var buffer = try await request.body.collect(upTo: limit)
                body = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
            } catch { throw tooLarge }
            let signature = request.headers.first(where: { $0.name.canonicalName == PagoEfectivoNotifications.signatureHeader.lowercased() })?.value
            let outcome = try await PagoEfectivoNotifications.receive(storage, body: body, signature: signature, secret: secret)
            return json(200, Data(outcome.json.utf8))
        } catch let error as CentralError { return failure(error) }
    }

    func authenticate(_ request: Request) async throws -> CentralSede {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw CentralError(401, "unauthorized", "Falta el token de la sede")
        }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let sede = try await storage.authenticate(tokenHash: CentralAdmin.hashToken(token)) else {
            throw CentralError(401, "unauthorized", "Token de sede desconocido o revocado")
        }
        return sede
    }

    func readBody(_ request: Request) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw CentralError(413, "body_too_large", "El lote pesa más de \(maxBodyBytes / (1 << 20)) MiB; envíe lotes más pequeños")
        }
        do {
            var buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch {
            throw CentralError(413, "body_too_large", "El lote pesa más de \(maxBodyBytes / (1 << 20)) MiB; envíe lotes más pequeños")
        }
    }

    func failure(_ error: CentralError) -> Response {
        metrics.recordError(error.code)
        return (try? encode(ErrorBody(code: error.code, message: error.message), status: error.status))
            ?? json(500, Data("{\"code\":\"internal\",\"message\":\"Error interno\"}".utf8))
    }

    func encode<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        json(status, try SyncCoding.encoder().encode(value))
    }

    func json(_ status: Int, _ data: Data) -> Response {
        var response = Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = "application/json; charset=utf-8"
        return response
    }
}
