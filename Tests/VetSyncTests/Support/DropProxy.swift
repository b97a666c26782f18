import Foundation
import VetTestSupport

/// A TCP proxy on 127.0.0.1 between a sede and central that can cut a connection after central
/// has answered a push but before the sede reads the answer: the request reaches central (which
/// commits), and the response bytes are thrown away with the connection.
final class DropProxy: @unchecked Sendable {
    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var dropsLeft = 0
    private(set) var dropped = 0
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
        var done = false
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
            if buffer.starts(with: Array("POST /v1/sync/push".utf8)) {
                lock.withLock {
                    if dropsLeft > 0 { dropsLeft -= 1; c.lock.withLock { c.armed = true } }
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
