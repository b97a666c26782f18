import Crypto
import Foundation
import VetCore
import VetProtocol

/// PagoEfectivo's notifications at the central (`POST /v1/pagoefectivo/notifications`).
///
/// PagoEfectivo posts a JSON body, `{"eventType":"cip.paid","operationNumber":…,"data":{"cip":…,
/// "currency":"PEN","amount":10.50,"paymentDate":…,"transactionCode":…}}`, with the header
/// `PE-Signature`: the HMAC-SHA256 of the raw body under the merchant's secret key, in hex.
///
/// Guarantees: nothing is believed or written before the signature over the exact bytes received
/// checks out (compared in constant time); a `cip.paid` or `cip.expired` becomes one central row of
/// `pagoefectivo_events` (through `CentralStorage.appendCentral`, so it is in the log every sede
/// pulls and in the read model) whose id is derived from (cip, event), so a repeated notification
/// writes nothing; another event type is acknowledged and ignored. The payment and sede are taken
/// from the CIP's row when the read model has it (it arrives by sync), else from the payment the
/// `transactionCode` names, else left empty: the sede finds its payment by the CIP.
public enum PagoEfectivoNotifications {
    /// The header carrying the signature.
    public static let signatureHeader = "PE-Signature"
    /// Larger bodies are refused: a notification is a few hundred bytes.
    public static let maxBodyBytes = 64 << 10

    /// What a verified notification changed.
    public enum Outcome: Sendable, Equatable {
        /// A new event row, with its id.
        case recorded(id: String)
        /// The same (cip, event) was already recorded: nothing written.
        case alreadyRecorded(id: String)
        /// An event type the central does not record (acknowledged so PagoEfectivo stops retrying).
        case ignored(eventType: String)

        /// The JSON body the route answers with (200).
        public var json: String {
            switch self {
            case .recorded(let id): "{\"code\":\"recorded\",\"message\":\"Notificación registrada\",\"id\":\"\(id)\"}"
            case .alreadyRecorded(let id): "{\"code\":\"already_recorded\",\"message\":\"Notificación ya registrada\",\"id\":\"\(id)\"}"
            case .ignored: "{\"code\":\"ignored\",\"message\":\"Evento no usado por VetDesk: no se registra\"}"
            }
        }
    }

    /// A notification's fields, as read from a verified body.
    struct Notification: Equatable {
        var eventType: String
        var operationNumber: String?
        var cip: String?
        var currency: String?
        var amount: String?
        var paymentDate: String?
        var transactionCode: String?
    }

    /// Whether `signature` (hex) is the HMAC-SHA256 of `body` under `secret`, compared in constant time.
    public static func verify(body: Data, signature: String?, secret: String) -> Bool {
        guard let signature, !secret.isEmpty, let mac = hexBytes(signature.trimmingCharacters(in: .whitespaces)), mac.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// The hex signature of `body` under `secret` (what PagoEfectivo sends).
    public static func signature(body: Data, secret: String) -> String {
        hex(Array(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))))
    }

    /// Verifies, reads and records one notification. Throws `CentralError`: 401 for a missing or
    /// wrong signature, 400 for a body that is not a notification, 422 for values that cannot be
    /// recorded (nothing written in every case).
    public static func receive(_ storage: any CentralStorage, body: Data, signature: String?, secret: String,
                               nowText: String = CentralAdmin.nowText) async throws -> Outcome {
        guard verify(body: body, signature: signature, secret: secret) else {
            throw CentralError(401, signature == nil ? "missing_signature" : "invalid_signature",
                               signature == nil ? "Falta la firma PE-Signature de PagoEfectivo: no se registró nada"
                                   : "La firma PE-Signature no corresponde al contenido: no se registró nada")
        }
        let notification = try parse(body)
        guard let event = PagoEfectivoEvent(rawValue: notification.eventType) else { return .ignored(eventType: notification.eventType) }
        guard let cip = notification.cip, !cip.isEmpty, cip.count <= 32,
              cip.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw CentralError(422, "invalid_cip", "La notificación no trae un número de CIP válido")
        }
        if let currency = notification.currency, currency != "PEN" {
            throw CentralError(422, "invalid_currency", "El CIP \(cip) no está en soles (\(currency.prefix(8))): no se registra")
        }
        var amount: Money?
        if let text = notification.amount {
            guard let parsed = Money(solesDecimal: text), parsed.centimos >= 0 else {
                throw CentralError(422, "invalid_amount", "Monto ilegible «\(text.prefix(32))» en la notificación del CIP \(cip)")
            }
            amount = parsed
        }
        let at = event == .paid ? notification.paymentDate.flatMap(PagoEfectivoTime.parse).map(LimaTime.iso8601) ?? nowText : nowText
        let id = eventID(cip: cip, event: event)
        let owner = try await paymentOf(cip: cip, transactionCode: notification.transactionCode, storage: storage)
        let row: [String: SQLValue] = [
            "id": .text(id), "cip": .text(cip), "event": .text(event.rawValue), "at": .text(at),
            "payment_id": owner.paymentID.map(SQLValue.text) ?? .null, "sede_id": owner.sedeID.map(SQLValue.text) ?? .null,
            "amount": amount.map { .int($0.centimos) } ?? .null,
            "operation": notification.operationNumber.map { .text(String($0.prefix(64))) } ?? .null,
        ]
        // Decided on a version of the table: a repeat arriving at the same moment makes one of the
        // two writes refuse, and it then finds the row.
        for _ in 0..<5 {
            let version = try await storage.readVersion([table])
            if try await !storage.currentRows(RowQuery(table: table, ids: [id], includeDeleted: true)).isEmpty {
                return .alreadyRecorded(id: id)
            }
            do {
                try await storage.appendCentral([.insert(table, row)], nowText: nowText, unchangedSince: version)
                return .recorded(id: id)
            } catch let error as CentralError where error.code == "central_data_changed" {
                continue
            }
        }
        throw CentralError(503, "busy", "Demasiadas notificaciones de PagoEfectivo a la vez; reintente")
    }

    static let table = "pagoefectivo_events"

    /// The event's id: a UUID (version 8, RFC 9562) from the SHA-256 of (cip, event), the same every time.
    static func eventID(cip: String, event: PagoEfectivoEvent) -> String {
        var bytes = Array(SHA256.hash(data: Data("pagoefectivo_events\u{1}\(cip)\u{1}\(event.rawValue)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let text = hex(bytes)
        let parts = [text.prefix(8), text.dropFirst(8).prefix(4), text.dropFirst(12).prefix(4), text.dropFirst(16).prefix(4), text.dropFirst(20)]
        return parts.map(String.init).joined(separator: "-")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    /// The payment and sede of a CIP, from the read model: the CIP's own row, else the payment its
    /// transaction code names (a PagoEfectivo payment). Nil fields when neither is there yet.
    static func paymentOf(cip: String, transactionCode: String?, storage: any CentralStorage) async throws -> (paymentID: String?, sedeID: String?) {
        if let row = try await storage.currentRows(RowQuery(table: "pagoefectivo_cips", equals: ["cip": .text(cip)])).first {
            return (row.cols["payment_id"]?.text, row.cols["sede_id"]?.text ?? row.ownerSede)
        }
        if let code = transactionCode, !code.isEmpty, code.count <= 64,
           let row = try await storage.currentRows(RowQuery(table: "payments", ids: [code])).first,
           row.cols["method"]?.text == "pagoefectivo" {
            return (row.rowID, row.cols["sede_id"]?.text ?? row.ownerSede)
        }
        return (nil, nil)
    }

    /// Reads a notification's fields; unknown keys are skipped, numbers kept as written.
    static func parse(_ body: Data) throws -> Notification {
        func malformed(_ detail: String) -> CentralError {
            CentralError(400, "malformed_notification", "La notificación de PagoEfectivo no es válida: \(detail)")
        }
        var notification = Notification(eventType: "")
        var sawEvent = false
        do {
            try JSONReader.read(body) { reader in
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "eventType":
                        notification.eventType = try reader.readString()
                        sawEvent = true
                    case "operationNumber": notification.operationNumber = try reader.readTextOrNumber()
                    case "data":
                        if try reader.readNull() { continue }
                        try reader.beginObject()
                        while let inner = try reader.nextKey() {
                            switch inner {
                            case "cip": notification.cip = try reader.readTextOrNumber()
                            case "currency": notification.currency = try reader.readStringOrNull()
                            case "amount": notification.amount = try reader.readTextOrNumber()
                            case "paymentDate": notification.paymentDate = try reader.readStringOrNull()
                            case "transactionCode": notification.transactionCode = try reader.readTextOrNumber()
                            default: try reader.skipValue()
                            }
                        }
                    default: try reader.skipValue()
                    }
                }
            }
        } catch let failure as JSONReader.Failure {
            throw malformed(failure.description)
        }
        guard sawEvent, !notification.eventType.isEmpty, notification.eventType.count <= 64 else { throw malformed("falta eventType") }
        return notification
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0, utf8.count <= 256 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}

/// Where `vetcentral serve` takes the PagoEfectivo secret key from: a file only the service's
/// user may read (`--pagoefectivo-secret-file`), else `$VETCENTRAL_PAGOEFECTIVO_SECRET`.
public enum PagoEfectivoSecret {
    /// The secret, or nil when neither gives one. Throws for a file that cannot be read, is empty,
    /// or that other users may read.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        guard let file else {
            return environment["VETCENTRAL_PAGOEFECTIVO_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file), let data = FileManager.default.contents(atPath: file) else {
            throw CentralError(400, "unreadable_file", "No se puede leer la clave secreta de PagoEfectivo en \(file)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CentralError(400, "secret_file_mode", "Otros usuarios pueden leer la clave secreta de PagoEfectivo en \(file): déjela legible solo por el usuario del servicio (chmod 600)")
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw CentralError(400, "empty_secret", "El archivo \(file) no tiene la clave secreta de PagoEfectivo") }
        return secret
    }
}
