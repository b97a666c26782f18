import CCurl
import Foundation

/// An HTTP response: status and body bytes.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: Data
}

/// Why a request got no HTTP answer (or must not be sent); `message` is Spanish, for the user.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreachable(String)
    case insecureURL(String)
    case invalidURL(String)

    public var message: String {
        switch self {
        case .unreachable(let m): "No se pudo conectar con la central: \(m)"
        case .insecureURL(let u): "La central \(u) usa http sin cifrar; solo se permite http hacia esta misma máquina (127.0.0.1, localhost). Use https."
        case .invalidURL(let u): "La dirección de la central no es válida: \(u)"
        }
    }
    public var description: String { message }
}

/// Blocking HTTP over libcurl. https is verified against the system CAs (or `caCertPath` for a
/// private CA); plain http is allowed only to the loopback interface.
public final class CurlHTTPClient: @unchecked Sendable {
    public let baseURL: String
    public let caCertPath: String?
    public var connectTimeoutMs = 3_000
    public var timeoutMs = 30_000
    /// Largest response body accepted.
    public var maxResponseBytes = 64 << 20
    private let handle: UnsafeMutableRawPointer
    private let lock = NSLock()

    public init(baseURL: String, caCertPath: String? = nil) throws(TransportError) {
        try Self.checkScheme(baseURL)
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed
        self.caCertPath = caCertPath
        Self.globalInit
        guard let h = curl_easy_init() else { throw .unreachable("libcurl no pudo iniciar") }
        handle = h
    }

    deinit { curl_easy_cleanup(handle) }

    private static let globalInit: Void = { ccurl_global_init() }()

    /// https anywhere; http only to 127.0.0.0/8, ::1 or localhost.
    public static func checkScheme(_ url: String) throws(TransportError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { throw .invalidURL(url) }
        switch scheme {
        case "https": return
        case "http":
            let h = host.lowercased()
            if h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.") { return }
            throw .insecureURL(url)
        default: throw .invalidURL(url)
        }
    }

    public func get(_ path: String, headers: [String: String] = [:]) throws(TransportError) -> HTTPResponse {
        try perform(path: path, body: nil, headers: headers)
    }

    /// A POST of `body`, sent as JSON unless `headers` names another Content-Type.
    public func post(_ path: String, body: Data, headers: [String: String] = [:]) throws(TransportError) -> HTTPResponse {
        try perform(path: path, body: body, headers: headers)
    }

    private func perform(path: String, body: Data?, headers: [String: String]) throws(TransportError) -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        curl_easy_reset(handle)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        list = curl_slist_append(list, "Expect:")
        if body != nil, !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
            list = curl_slist_append(list, "Content-Type: application/json")
        }
        defer { curl_slist_free_all(list) }
        var buffer = ccurl_buffer(data: nil, length: 0, capacity: 0, limit: maxResponseBytes, overflowed: 0)
        defer { ccurl_buffer_free(&buffer) }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errorBuffer in
            _ = ccurl_set_nosignal(handle)
            _ = ccurl_set_url(handle, baseURL + path)
            _ = ccurl_set_timeouts(handle, connectTimeoutMs, timeoutMs)
            _ = ccurl_set_verify(handle, 1)
            if let caCertPath { _ = ccurl_set_cainfo(handle, caCertPath) }
            _ = ccurl_set_headers(handle, list)
            _ = ccurl_set_error_buffer(handle, errorBuffer.baseAddress)
            if let body {
                var bytes = [CChar](repeating: 0, count: body.count + 1)
                bytes.withUnsafeMutableBytes { raw in _ = body.copyBytes(to: raw) }
                _ = ccurl_set_post_body(handle, bytes, body.count)
            } else {
                _ = ccurl_set_get(handle)
            }
            return withUnsafeMutablePointer(to: &buffer) { pointer in
                _ = ccurl_set_response_buffer(handle, pointer)
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unreachable(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        let data = buffer.data.map { Data(bytes: $0, count: buffer.length) } ?? Data()
        return HTTPResponse(status: Int(ccurl_response_code(handle)), body: data)
    }
}
