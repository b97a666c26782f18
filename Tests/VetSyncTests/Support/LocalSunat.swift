import Foundation
import VetCore
@testable import VetSync
import VetTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `tools/local-sunat/local_sunat.py` (SUNAT's billService on 127.0.0.1) as a real process.
final class LocalSunat: @unchecked Sendable {
    /// The RUC of the signed samples F001-1.xml and RA-20200328-1.xml, with SUNAT's beta usuario SOL.
    static let ruc = "12345678912"
    static let username = ruc + "MODDATOS"
    static let password = "moddatos"

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../..").standardized
    static var script: String { repoRoot.appendingPathComponent("tools/local-sunat/local_sunat.py").path }
    /// SUNAT's material shared by the project's worktrees: `<repo>/../shared/sunat`.
    static var shared: URL { repoRoot.appendingPathComponent("../shared/sunat").standardized }

    static func sample(_ name: String) throws -> Data {
        let path = shared.appendingPathComponent("samples/\(name)").path
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("falta la muestra de SUNAT \(path)") }
        return data
    }

    let dir = TempDir("local-sunat")
    private let process: SpawnedProcess
    let port: Int
    /// A path like SUNAT's beta: the client must not care which.
    var endpoint: String { "http://127.0.0.1:\(port)/ol-ti-itcpfegem-beta/billService" }

    /// A local SUNAT serving; `padron` lines are `RUC ESTADO [CONDICION]`.
    /// `today` is SUNAT's reception day (the plazo de envío is checked against it): by default one
    /// close to the shared samples' IssueDate (2019-12-24), so they are within their plazo.
    init(padron: [String] = [], summaryDelay: Int = 1, users: [String] = [LocalSunat.username + ":" + LocalSunat.password],
         today: String = "2019-12-25") throws {
        var arguments = [Self.script, "--port", "0", "--today", today] + users.flatMap { ["--user", $0] } + [
                         "--state", dir.file("state"), "--summary-delay", String(summaryDelay)]
        if !padron.isEmpty {
            let file = dir.file("padron.txt")
            try Data((padron.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["--padron", file]
        }
        let spawned = try SpawnedProcess("/usr/bin/python3", arguments)
        process = spawned
        var found = 0
        try waitUntil("local-sunat escuchando", timeout: 20) {
            if kill(spawned.pid, 0) != 0 { throw TestFailure("local-sunat terminó: \(spawned.stderrSoFar)") }
            let line = spawned.stdoutSoFar.split(separator: "\n").first { $0.hasPrefix("listening ") }
            guard let line, let number = Int(line.dropFirst("listening ".count)) else { return false }
            found = number
            return true
        }
        port = found
    }

    deinit { process.stop(SIGTERM) }

    var log: String { process.stderrSoFar }

    func client(password: String = LocalSunat.password) -> BillServiceClient {
        BillServiceClient(endpoint: endpoint, username: Self.username, password: password)
    }

    /// `GET /__stats`: requests, by_file, accepted.
    func stats() throws -> [String: Any] {
        let response = try CurlHTTPClient(baseURL: "http://127.0.0.1:\(port)").get("/__stats")
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw TestFailure("/__stats: \(response.status)")
        }
        return object
    }

    /// The next `requests` SOAP requests get HTTP 503, as when SUNAT is down.
    func makeUnavailable(_ requests: Int) throws { try control("{\"unavailable\": \(requests)}") }

    /// The day SUNAT receives on (its clock, for the plazo de envío), as an injected clock sets it.
    func receive(on day: CivilDate) throws { try control("{\"today\": \"\(day.iso)\"}") }

    private func control(_ json: String) throws {
        let response = try CurlHTTPClient(baseURL: "http://127.0.0.1:\(port)").post("/__control", body: Data(json.utf8))
        guard response.status == 200 else { throw TestFailure("/__control: \(response.status)") }
    }

}
