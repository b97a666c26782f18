import Foundation
import VetTestSupport

/// A TCP proxy on 127.0.0.1 between a sede and central that injects the faults of a bad link:
/// a connection cut after central has answered a push but before the sede reads the answer (the
/// request reaches central, which commits, and the response is thrown away); a response cut
/// half-way; a request delivered twice at once; an old push delivered again later.
final class DropProxy: @unchecked Sendable {
    /// What to do to the next request of a kind.
    enum Fault: Sendable, CaseIterable {
        /// Central answers; the answer never reaches the sede.
        case dropResponse
        /// The sede gets the first half of the answer, then the connection closes.
        case cutResponse
        /// Central gets the request twice, concurrently; the sede sees one answer.
        case duplicateRequest
    }

    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var dropsLeft = 0
    private var nextFault: (fault: Fault, pushOnly: Bool)?
    private(set) var dropped = 0
    private(set) var injected = 0
    /// Every push request seen, whole, in order (to replay one later).
    private(set) var capturedPushes: [[UInt8]] = []
    private var closed = false

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard withUnsafePointer(to: &addr, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }) == 0,
              listen(fd, 64) == 0 else { close(fd); throw TestFailure("proxy: bind/listen") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { shutdownListener() }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Cut the next `n` push responses.
    func dropNextPushResponses(_ n: Int) { lock.withLock { dropsLeft = n } }

    /// Applies `fault` to the next request (only a push's if `pushOnly`); nil clears it.
    func inject(_ fault: Fault?, pushOnly: Bool = false) { lock.withLock { nextFault = fault.map { ($0, pushOnly) } } }

    /// Sends a push captured earlier to central again, as a stale retry would, and waits for its answer.
    func replay(_ index: Int) {
        guard let request = lock.withLock({ capturedPushes.indices.contains(index) ? capturedPushes[index] : nil }) else { return }
        Self.sendAside(request, port: upstreamPort)
    }

    /// One request on its own connection to central; the answer is read and thrown away.
    static func sendAside(_ request: [UInt8], port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: port)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return }
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { write(fd, $0.baseAddress! + sent, request.count - sent) }
            if n <= 0 { return }
            sent += n
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var head: [UInt8] = []
        // Read until the answer's headers and Content-Length bytes of body are in.
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            head += buffer[0..<n]
            if let (headerEnd, length) = HTTPFraming.messageLength(head), head.count >= headerEnd + length { return }
        }
    }

    func shutdownListener() {
        lock.withLock {
            guard !closed else { return }
            closed = true
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: upstreamPort)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if ok != 0 { close(client); close(upstream); continue }
            let connection = Connection(client: client, upstream: upstream)
            Thread.detachNewThread { [self] in relayRequests(connection) }
            Thread.detachNewThread { [self] in relayResponses(connection) }
        }
    }

    final class Connection: @unchecked Sendable {
        let client: Int32
        let upstream: Int32
        let lock = NSLock()
        var armed = false
        var cut = false
        var done = false
        /// The request being received, until it is whole.
        var request: [UInt8] = []
        var duplicate = false
        init(client: Int32, upstream: Int32) { self.client = client; self.upstream = upstream }
        func closeBoth() {
            lock.withLock {
                guard !done else { return }
                done = true
                shutdown(client, Int32(SHUT_RDWR)); shutdown(upstream, Int32(SHUT_RDWR))
                close(client); close(upstream)
            }
        }
    }

    private func relayRequests(_ c: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(c.client, &buffer, buffer.count)
            if n <= 0 { c.closeBoth(); return }
            if c.request.isEmpty {
                let isPush = buffer.starts(with: Array("POST /v1/sync/push".utf8))
                lock.withLock {
                    if isPush && dropsLeft > 0 {
                        dropsLeft -= 1
                        c.lock.withLock { c.armed = true }
                    } else if let next = nextFault, isPush || !next.pushOnly {
                        nextFault = nil
                        injected += 1
                        c.lock.withLock {
                            switch next.fault {
                            case .dropResponse: c.armed = true
                            case .cutResponse: c.cut = true
                            case .duplicateRequest: c.duplicate = true
                            }
                        }
                    }
                }
            }
            c.request += buffer[0..<n]
            if let (headerEnd, length) = HTTPFraming.messageLength(c.request), c.request.count >= headerEnd + length {
                let whole = c.request
                c.request = []
                if whole.starts(with: Array("POST /v1/sync/push".utf8)) { lock.withLock { capturedPushes.append(whole) } }
                if c.lock.withLock({ let d = c.duplicate; c.duplicate = false; return d }) {
                    let port = upstreamPort
                    Thread.detachNewThread { Self.sendAside(whole, port: port) }
                }
            }
            if !writeAll(c.upstream, buffer, n) { c.closeBoth(); return }
        }
    }

    private func relayResponses(_ c: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(c.upstream, &buffer, buffer.count)
            if n <= 0 { c.closeBoth(); return }
            if c.lock.withLock({ c.armed }) {
                lock.withLock { dropped += 1 }
                c.closeBoth()
                return
            }
            if c.lock.withLock({ c.cut }) {
                _ = writeAll(c.client, buffer, max(1, n / 2))
                c.closeBoth()
                return
            }
            if !writeAll(c.client, buffer, n) { c.closeBoth(); return }
        }
    }

    private func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + sent, count - sent) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }
}

/// Where an HTTP/1.1 message ends: the end of its headers and its Content-Length.
enum HTTPFraming {
    static func messageLength(_ bytes: [UInt8]) -> (headerEnd: Int, contentLength: Int)? {
        // Headers are short: look for their end in the first 16 KiB only.
        let limit = min(bytes.count, 16_384)
        guard limit >= 4, let end = (0...(limit - 4)).first(where: {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return (end + 4, length)
    }
}
