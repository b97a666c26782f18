import Crypto
import Foundation
import VetCore
import VetProtocol
import VetStore
#if canImport(Glibc)
import Glibc
#endif

/// How a sede reaches PagoEfectivo's API: the merchant's credentials PagoEfectivo issued (access
/// key, secret key, service id) and the API's address, which stays configuration (PagoEfectivo's
/// test and production servers differ).
///
/// Read from a file next to the database (`sede.db.pagoefectivo`, or where
/// `$VETDESK_PAGOEFECTIVO_FILE` says) that only the sync daemon's user may read, like the sync
/// token: the secret key signs PagoEfectivo's notifications. One `clave = valor` a line, `#` for
/// comments. Each key may also come from the environment, `VETDESK_PAGOEFECTIVO_` + the key in
/// capitals (`VETDESK_PAGOEFECTIVO_SECRET_KEY`), which wins over the file.
///
/// | key | meaning |
/// |---|---|
/// | `url` | the API's base address, e.g. `https://services.pagoefectivo.pe` (https; http only to this machine) |
/// | `access_key`, `secret_key`, `service_id` | the credentials (the service id is a number) |
/// | `admin_email` | the clinic's address: PagoEfectivo's `adminEmail`, and the customer's `userEmail` when the owner has none |
/// | `expiry_hours` | how long a CIP may be paid, from when it is generated (1 to 720; 48 if absent) |
/// | `concept` | the `paymentConcept` the customer reads (`Atención veterinaria` if absent) |
/// | `cacert` | a private CA to verify the API with |
public struct PagoEfectivoConfig: Sendable, Equatable {
    public var baseURL: String
    public var accessKey: String
    public var secretKey: String
    public var serviceID: String
    public var adminEmail: String
    public var expiryHours: Int
    public var concept: String
    public var caCertPath: String?

    public init(baseURL: String, accessKey: String, secretKey: String, serviceID: String, adminEmail: String,
                expiryHours: Int = 48, concept: String = "Atención veterinaria", caCertPath: String? = nil) {
        self.baseURL = baseURL; self.accessKey = accessKey; self.secretKey = secretKey; self.serviceID = serviceID
        self.adminEmail = adminEmail; self.expiryHours = expiryHours; self.concept = concept; self.caCertPath = caCertPath
    }

    static let keys = ["url", "access_key", "secret_key", "service_id", "admin_email", "expiry_hours", "concept", "cacert"]

    /// The configuration file of the sede whose database is at `databasePath`.
    public static func path(forDatabase databasePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let env = environment["VETDESK_PAGOEFECTIVO_FILE"], !env.isEmpty { return env }
        return databasePath + ".pagoefectivo"
    }

    /// The sede's configuration; nil when PagoEfectivo is not configured (no file, no variable).
    /// Throws `PagoEfectivoError.configuration` for a file others may read, an unknown key, a
    /// missing or invalid value.
    public static func load(databasePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PagoEfectivoError) -> PagoEfectivoConfig? {
        let path = path(forDatabase: databasePath, environment: environment)
        var values: [String: String] = [:]
        if FileManager.default.fileExists(atPath: path) {
            var info = stat()
            guard stat(path, &info) == 0, access(path, R_OK) == 0, let data = FileManager.default.contents(atPath: path) else {
                throw .configuration("No se puede leer la configuración de PagoEfectivo \(path): ejecute vetdesk sync con el usuario del servicio de sincronización")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw .configuration("La configuración de PagoEfectivo \(path) tiene la clave secreta y otros usuarios pueden leerla: déjela legible solo por el usuario del servicio de sincronización (chmod 600)")
            }
            for (index, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard let equals = line.firstIndex(of: "=") else {
                    throw .configuration("\(path), línea \(index + 1): se esperaba «clave = valor»")
                }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                guard keys.contains(key) else {
                    throw .configuration("\(path), línea \(index + 1): clave desconocida «\(key)» (se admiten: \(keys.joined(separator: ", ")))")
                }
                values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
        }
        for key in keys {
            if let value = environment["VETDESK_PAGOEFECTIVO_" + key.uppercased()], !value.isEmpty { values[key] = value }
        }
        if values.isEmpty { return nil }
        func required(_ key: String) throws(PagoEfectivoError) -> String {
            guard let value = values[key], !value.isEmpty else {
                throw .configuration("Falta «\(key)» en la configuración de PagoEfectivo (\(path))")
            }
            return value
        }
        let url = try required("url")
        do { try CurlHTTPClient.checkScheme(url) } catch {
            throw .configuration("La dirección de PagoEfectivo «\(url)» no es válida: use https (http solo hacia esta misma máquina)")
        }
        let serviceID = try required("service_id")
        guard serviceID.count <= 18, serviceID.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .configuration("El service_id de PagoEfectivo debe ser un número («\(serviceID)»)")
        }
        let adminEmail = try required("admin_email")
        guard Self.looksLikeEmail(adminEmail) else { throw .configuration("admin_email no es un correo válido («\(adminEmail)»)") }
        var expiryHours = 48
        if let text = values["expiry_hours"] {
            guard let hours = Int(text), (1...720).contains(hours) else {
                throw .configuration("expiry_hours debe ser un número de horas entre 1 y 720 («\(text)»)")
            }
            expiryHours = hours
        }
        return PagoEfectivoConfig(baseURL: url, accessKey: try required("access_key"), secretKey: try required("secret_key"), serviceID: serviceID,
                                  adminEmail: adminEmail, expiryHours: expiryHours,
                                  concept: values["concept"].flatMap { $0.isEmpty ? nil : $0 } ?? "Atención veterinaria",
                                  caCertPath: values["cacert"].flatMap { $0.isEmpty ? nil : $0 })
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace) && text.count <= 100
    }
}

/// Why PagoEfectivo gave no CIP; `message` is Spanish, for the person who reads the daemon's log.
public enum PagoEfectivoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The sede's configuration is missing a value or is wrong.
    case configuration(String)
    /// No answer: the link is down, the API did not answer in time, or answered 5xx.
    case unreachable(String)
    /// The API refused the request (4xx, or an error code in its answer).
    case refused(status: Int, code: String, message: String)
    /// The API answered something that is not what it promises.
    case invalidResponse(String)

    /// A stable name of the case, for programs and tests.
    public var code: String {
        switch self {
        case .configuration: "pagoefectivo_configuration"
        case .unreachable: "pagoefectivo_unreachable"
        case .refused: "pagoefectivo_refused"
        case .invalidResponse: "pagoefectivo_invalid_response"
        }
    }

    public var message: String {
        switch self {
        case .configuration(let m): m
        case .unreachable(let m): "No se pudo conectar con PagoEfectivo: \(m). El pago sigue esperando su CIP y se pedirá otra vez."
        case .refused(let status, let code, let m): "PagoEfectivo rechazó el pedido (\(status), código \(code)): \(m)"
        case .invalidResponse(let m): "Respuesta inesperada de PagoEfectivo: \(m)"
        }
    }
    public var description: String { message }

    /// Whether PagoEfectivo could not be reached at all: the other waiting payments would fare the same.
    public var isLinkDown: Bool {
        if case .unreachable = self { return true }
        return false
    }
}

/// What a CIP is generated for.
public struct CIPRequest: Sendable, Equatable {
    /// The merchant's reference for the CIP (`transactionCode`): the payment's id, made before the act.
    public var transactionCode: String
    public var amount: Money
    public var expiresAt: Date
    public var concept: String
    /// What else the customer reads (`additionalData`), e.g. the sale's number.
    public var detail: String?
    public var customer: PagoEfectivoCustomer

    public init(transactionCode: String, amount: Money, expiresAt: Date, concept: String, detail: String? = nil, customer: PagoEfectivoCustomer) {
        self.transactionCode = transactionCode; self.amount = amount; self.expiresAt = expiresAt; self.concept = concept
        self.detail = detail; self.customer = customer
    }
}

/// A CIP as PagoEfectivo generated it.
public struct GeneratedCIP: Sendable, Equatable {
    public var cip: String
    public var amount: Money
    public var expiresAt: Date
    /// The page where the customer sees how to pay (`cipUrl`), when PagoEfectivo gave one.
    public var url: String?
}

/// PagoEfectivo's API v1 over libcurl: `POST /v1/authorizations` (access key, service id, the
/// request's time and the SHA-256 of `serviceId.accessKey.secretKey.dateRequest`, answered with a
/// bearer token) and `POST /v1/cips` (currency PEN, the amount in soles with two decimals, the
/// merchant's `transactionCode`, `dateExpiry` in Lima time, the customer's data), answered with
/// `cip`, `cipUrl` and `dateExpiry` under `data`. The token is reused until it expires, and asked
/// again once if the API no longer accepts it. Every answer is checked before it is believed: the
/// CIP must be for the amount and transaction asked.
public final class PagoEfectivoClient: @unchecked Sendable {
    public let config: PagoEfectivoConfig
    let http: CurlHTTPClient
    let now: @Sendable () -> Date
    private var token: (value: String, expires: Date)?
    private let lock = NSLock()

    public init(config: PagoEfectivoConfig, connectTimeoutMs: Int = 5_000, timeoutMs: Int = 20_000,
                now: @escaping @Sendable () -> Date = { Date() }) throws(PagoEfectivoError) {
        self.config = config
        self.now = now
        do {
            http = try CurlHTTPClient(baseURL: config.baseURL, caCertPath: config.caCertPath)
        } catch {
            throw .configuration("La dirección de PagoEfectivo «\(config.baseURL)» no es válida: use https (http solo hacia esta misma máquina)")
        }
        http.connectTimeoutMs = connectTimeoutMs
        http.timeoutMs = timeoutMs
        http.maxResponseBytes = 1 << 20
    }

    /// A bearer token for the API (the one held while it is valid for another minute).
    public func authorize() throws(PagoEfectivoError) -> String {
        lock.lock()
        defer { lock.unlock() }
        return try authorizeLocked(renew: false)
    }

    private func authorizeLocked(renew: Bool) throws(PagoEfectivoError) -> String {
        let at = now()
        if !renew, let token, token.expires.timeIntervalSince(at) > 60 { return token.value }
        let dateRequest = PagoEfectivoTime.text(at)
        let hash = SHA256.hash(data: Data("\(config.serviceID).\(config.accessKey).\(config.secretKey).\(dateRequest)".utf8))
        let body = "{" + [
            "\"accessKey\":" + Self.jsonString(config.accessKey),
            "\"idService\":" + config.serviceID,
            "\"dateRequest\":" + Self.jsonString(dateRequest),
            "\"hashString\":" + Self.jsonString(Self.hex(hash)),
        ].joined(separator: ",") + "}"
        let data = try checked(try send("/v1/authorizations", body: body, token: nil))
        var value: String?, expires: Date?
        do {
            try Self.readData(data) { reader, key in
                switch key {
                case "token": value = try reader.readStringOrNull()
                case "tokenExpires": expires = try reader.readStringOrNull().flatMap(PagoEfectivoTime.parse)
                default: try reader.skipValue()
                }
            }
        } catch let error as PagoEfectivoError { throw error } catch {
            throw .invalidResponse("la autorización no es JSON válido (\(error))")
        }
        guard let value, !value.isEmpty, value.count <= 4096, !value.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .invalidResponse("la autorización no trae un token")
        }
        // Without a stated expiry the token is used for this request only.
        token = (value, expires ?? at)
        return value
    }

    /// Generates the CIP for `request`.
    public func generateCIP(_ request: CIPRequest) throws(PagoEfectivoError) -> GeneratedCIP {
        guard request.amount.centimos > 0 else { throw .configuration("Un CIP es por un monto positivo (\(request.amount.formatted))") }
        lock.lock()
        defer { lock.unlock() }
        let body = cipBody(request)
        var response = try send("/v1/cips", body: body, token: try authorizeLocked(renew: false))
        if response.status == 401 {
            response = try send("/v1/cips", body: body, token: try authorizeLocked(renew: true))
        }
        return try Self.parseCIP(try checked(response), for: request)
    }

    /// The JSON `POST /v1/cips` takes, built by hand so the amount is written exactly (`10.50`).
    func cipBody(_ request: CIPRequest) -> String {
        let customer = request.customer
        var fields: [(String, String)] = [
            ("currency", Self.jsonString("PEN")),
            ("amount", request.amount.plain),
            ("transactionCode", Self.jsonString(request.transactionCode)),
            ("adminEmail", Self.jsonString(config.adminEmail)),
            ("dateExpiry", Self.jsonString(PagoEfectivoTime.text(request.expiresAt))),
            ("paymentConcept", Self.jsonString(Self.clip(request.concept, 40))),
            ("userEmail", Self.jsonString(customer.email.flatMap { PagoEfectivoConfig.looksLikeEmail($0) ? $0 : nil } ?? config.adminEmail)),
            ("userCountry", Self.jsonString("PERU")),
            ("userCodeCountry", Self.jsonString("+51")),
            ("serviceId", config.serviceID),
        ]
        if let detail = request.detail { fields.append(("additionalData", Self.jsonString(Self.clip(detail, 200)))) }
        if let name = customer.firstNames.map({ Self.clip($0, 40) }), !name.isEmpty { fields.append(("userName", Self.jsonString(name))) }
        if let name = customer.lastNames.map({ Self.clip($0, 40) }), !name.isEmpty { fields.append(("userLastName", Self.jsonString(name))) }
        if let type = customer.docType.flatMap(Self.documentType), let number = customer.docNumber, !number.isEmpty {
            fields.append(("userDocumentType", Self.jsonString(type)))
            fields.append(("userDocumentNumber", Self.jsonString(Self.clip(number, 20))))
        }
        if let phone = customer.phone.map({ $0.filter(\.isNumber) }), !phone.isEmpty { fields.append(("userPhone", Self.jsonString(Self.clip(phone, 15)))) }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// PagoEfectivo's document types for the sede's (or SUNAT's catálogo 06 code); nil when it has none.
    static func documentType(_ sedeType: String) -> String? {
        switch sedeType.lowercased() {
        case "dni", "1": "DNI"
        case "pasaporte", "7": "PAS"
        default: nil
        }
    }

    static func parseCIP(_ data: Data, for request: CIPRequest) throws(PagoEfectivoError) -> GeneratedCIP {
        var cip: String?, amountText: String?, currency: String?, transactionCode: String?, expiry: String?, url: String?
        do {
            try readData(data) { reader, key in
                switch key {
                case "cip": cip = try reader.readTextOrNumber()
                case "amount": amountText = try reader.readTextOrNumber()
                case "currency": currency = try reader.readStringOrNull()
                case "transactionCode": transactionCode = try reader.readTextOrNumber()
                case "dateExpiry": expiry = try reader.readStringOrNull()
                case "cipUrl": url = try reader.readStringOrNull()
                default: try reader.skipValue()
                }
            }
        } catch let error as PagoEfectivoError { throw error } catch {
            throw .invalidResponse("el CIP no es JSON válido (\(error))")
        }
        guard let cip, !cip.isEmpty, cip.count <= 32, cip.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .invalidResponse("la respuesta no trae un número de CIP válido")
        }
        if let currency, currency != "PEN" { throw .invalidResponse("el CIP \(cip) está en \(currency.prefix(8)), no en soles") }
        if let transactionCode, transactionCode != request.transactionCode {
            throw .invalidResponse("el CIP \(cip) es de otra transacción («\(transactionCode.prefix(64))»)")
        }
        var amount = request.amount
        if let amountText {
            guard let parsed = Money(solesDecimal: amountText) else { throw .invalidResponse("monto ilegible «\(amountText.prefix(32))» en el CIP \(cip)") }
            guard parsed == request.amount else {
                throw .invalidResponse("el CIP \(cip) es por \(parsed.formatted) y se pidió por \(request.amount.formatted)")
            }
            amount = parsed
        }
        var expiresAt = request.expiresAt
        if let expiry {
            guard let parsed = PagoEfectivoTime.parse(expiry) else { throw .invalidResponse("fecha de vencimiento ilegible «\(expiry.prefix(40))» en el CIP \(cip)") }
            expiresAt = parsed
        }
        let link = url.flatMap { text -> String? in
            let lower = text.lowercased()
            return text.count <= 500 && (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && !text.contains(where: \.isWhitespace) ? text : nil
        }
        return GeneratedCIP(cip: cip, amount: amount, expiresAt: expiresAt, url: link)
    }

    // MARK: Wire

    private func send(_ path: String, body: String, token: String?) throws(PagoEfectivoError) -> HTTPResponse {
        var headers = ["Accept": "application/json", "Accept-Language": "es-PE", "Origin": "web"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let response: HTTPResponse
        do { response = try http.post(path, body: Data(body.utf8), headers: headers) } catch {
            switch error {
            case .unreachable(let detail): throw .unreachable(detail)
            case .insecureURL(let url), .invalidURL(let url): throw .configuration("La dirección de PagoEfectivo «\(url)» no es válida")
            }
        }
        if response.status >= 500 { throw .unreachable("el servicio respondió \(response.status)") }
        return response
    }

    /// The body of a successful answer (2xx with `code` 100); the API's refusal otherwise.
    private func checked(_ response: HTTPResponse) throws(PagoEfectivoError) -> Data {
        var code: String?, message: String?
        do {
            try JSONReader.read(response.body) { reader in
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "code": code = try reader.readTextOrNumber()
                    case "message": message = try reader.readStringOrNull()
                    default: try reader.skipValue()
                    }
                }
            }
        } catch {
            guard (200..<300).contains(response.status) else {
                throw .refused(status: response.status, code: "http_\(response.status)", message: "respuesta sin detalle")
            }
            throw .invalidResponse("la respuesta no es JSON válido")
        }
        guard (200..<300).contains(response.status), code == nil || code == "100" else {
            throw .refused(status: response.status, code: String((code ?? "http_\(response.status)").prefix(16)),
                           message: String((message ?? "sin detalle").prefix(300)))
        }
        return response.body
    }

    /// Calls `member` for each key of the answer's `data` object.
    static func readData(_ body: Data, _ member: (inout JSONReader, String) throws -> Void) throws {
        var found = false
        try JSONReader.read(body) { reader in
            try reader.beginObject()
            while let key = try reader.nextKey() {
                guard key == "data", !(try reader.readNull()) else { try reader.skipValue(); continue }
                found = true
                try reader.beginObject()
                while let inner = try reader.nextKey() { try member(&reader, inner) }
            }
        }
        guard found else { throw PagoEfectivoError.invalidResponse("la respuesta no trae «data»") }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u00" + hex([UInt8(scalar.value)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(limit))
    }
}
