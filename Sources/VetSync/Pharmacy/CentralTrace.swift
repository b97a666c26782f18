import Foundation
import VetProtocol
import VetStore

/// The network-wide trace of a lot, asked of the central with this sede's token
/// (`GET /v1/trace?sku=…&lot=…`).
public enum NetworkTrace {
    /// The central's trace, or nil when this sede has no central configured. Throws `SyncError`
    /// when the central cannot be reached or refuses.
    public static func fetch(store: SedeStore, sku: String, lot: String) throws -> LotTrace? {
        guard let config = try SyncConfig.load(store) else { return nil }
        let client: CurlHTTPClient
        do { client = try CurlHTTPClient(baseURL: config.centralURL, caCertPath: config.caCertPath) } catch { throw SyncError.transport(error) }
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "sku", value: sku), URLQueryItem(name: "lot", value: lot)]
        // `+` is a space in a query string: it must travel escaped.
        let encoded = (query.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let response: HTTPResponse
        do { response = try client.get("/v1/trace?" + encoded, headers: ["Authorization": "Bearer \(config.token)"]) } catch { throw SyncError.transport(error) }
        try SyncEngine.checkOK(response)
        return try SyncEngine.decode(LotTrace.self, response.body)
    }
}
