import Foundation
import VetStore
@testable import VetSync
import VetTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `scripts/pagoefectivo-sandbox` (PagoEfectivo's API v1 on 127.0.0.1) as a real process.
final class PagoEfectivoSandbox: @unchecked Sendable {
    static let accessKey = "AK-vetdesk-prueba"
    static let secretKey = "SK-secreto-de-prueba-0123456789"
    static let serviceID = "1518"
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/pagoefectivo-sandbox").standardized.path
    }

    let dir = TempDir()
    private var process: SpawnedProcess?
    private(set) var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    /// A sandbox already serving.
    static func running() throws -> PagoEfectivoSandbox {
        let sandbox = PagoEfectivoSandbox()
        try sandbox.start()
        return sandbox
    }

    deinit { stop() }

    /// Starts (again, on the same port once it had one).
    func start() throws {
        let portFile = dir.file("port-\(UUID().uuidString.prefix(6))")
        let spawned = try SpawnedProcess("/usr/bin/python3", [Self.script, "--port", String(port), "--port-file", portFile,
                                                              "--access-key", Self.accessKey, "--secret-key", Self.secretKey,
                                                              "--service-id", Self.serviceID])
        process = spawned
        try waitUntil("pagoefectivo-sandbox escuchando", timeout: 20) {
            if kill(spawned.pid, 0) != 0 { throw TestFailure("pagoefectivo-sandbox terminó: \((try? spawned.wait(timeout: 1))?.stderr ?? "")") }
            guard let text = try? String(contentsOfFile: portFile, encoding: .utf8), let n = Int(text) else { return false }
            port = n
            return true
        }
    }

    /// SIGTERM: the API is down until `start`.
    func stop() {
        process?.stop(SIGTERM)
        process = nil
    }

    /// The sede's PagoEfectivo configuration file pointing at this sandbox, readable by its owner only.
    func configure(_ sede: TestSede, extra: [String] = []) throws {
        let text = (["# PagoEfectivo (sandbox de pruebas)", "url = \(url)", "access_key = \(Self.accessKey)", "secret_key = \(Self.secretKey)",
                     "service_id = \(Self.serviceID)", "admin_email = caja@vetdesk.pe"] + extra).joined(separator: "\n") + "\n"
        try SedeFiles.write(Data(text.utf8), to: PagoEfectivoConfig.path(forDatabase: sede.path, environment: [:]), mode: SedeFiles.secretFileMode)
    }

    /// Every CIP the sandbox generated: cip, transactionCode, amount (as the request wrote it), request (raw body).
    func cips() throws -> [[String: Any]] {
        let response = try CurlHTTPClient(baseURL: url).get("/admin/cips")
        return (try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]]) ?? []
    }

    /// Has the sandbox post PagoEfectivo's notification of `event` for `cip` to the central; the
    /// central's answer. `signature`: valid, wrong or missing.
    func notify(cip: String, event: String, central: CentralProcess, signature: String = "valid") throws -> (status: Int, body: String) {
        let request = "{\"cip\":\"\(cip)\",\"event\":\"\(event)\",\"url\":\"\(central.url)/v1/pagoefectivo/notifications\",\"signature\":\"\(signature)\"}"
        let response = try CurlHTTPClient(baseURL: url).post("/admin/notify", body: Data(request.utf8))
        guard response.status == 200, let answer = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let status = answer["status"] as? Int else {
            throw TestFailure("sandbox /admin/notify: \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return (status, answer["body"] as? String ?? "")
    }
}
