import Foundation
import VetCore
#if canImport(Glibc)
import Glibc
#endif

/// Where a sede's receipt printer takes its bytes.
public enum PrinterTarget: Sendable, Equatable, CustomStringConvertible {
    /// A file the job is appended to (a spool for a raw print queue, or a record); made `rw-------`.
    case file(path: String)
    /// A printer device that must already exist (`/dev/usb/lp0`); never created.
    case device(path: String)
    /// A network printer's raw port (JetDirect, usually 9100), by IPv4 address or host name.
    case tcp(host: String, port: UInt16)

    /// `file:/ruta/recibos.bin`, `device:/dev/usb/lp0` or `tcp:192.168.1.50:9100` (the port is
    /// 9100 when not given).
    public static func parse(_ text: String) throws(PrinterError) -> PrinterTarget {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("file:") || text.hasPrefix("device:") {
            let isFile = text.hasPrefix("file:")
            let path = String(text.dropFirst(isFile ? 5 : 7))
            guard path.hasPrefix("/") else {
                throw PrinterError(.invalidConfiguration, "La ruta de la impresora debe ser absoluta (empezar con /): «\(text)».")
            }
            return isFile ? .file(path: path) : .device(path: path)
        }
        if text.hasPrefix("tcp:") {
            let address = text.dropFirst(4)
            var host = Substring(address)
            var port: UInt16 = 9100
            if let colon = address.lastIndex(of: ":") {
                host = address[..<colon]
                let portText = address[address.index(after: colon)...]
                guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt16(portText), number > 0 else {
                    throw PrinterError(.invalidConfiguration, "El puerto de la impresora debe ser un número de 1 a 65535: «\(text)».")
                }
                port = number
            }
            guard !host.isEmpty, !host.contains(":"), !host.contains(where: \.isWhitespace) else {
                throw PrinterError(.invalidConfiguration, "Indique la dirección IPv4 o el nombre de la impresora: «\(text)».")
            }
            return .tcp(host: String(host), port: port)
        }
        throw PrinterError(.invalidConfiguration,
                           "Impresora no válida: «\(text)». Use file:/ruta, device:/dev/usb/lp0 o tcp:192.168.1.50:9100.")
    }

    /// How a person names the printer in a message: its path, or `host:port`.
    public var description: String {
        switch self {
        case .file(let path), .device(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }
}

/// A receipt printer: where it is and how many characters a line of it holds.
public struct PrinterConfiguration: Sendable, Equatable {
    public var target: PrinterTarget
    public var columns: ReceiptColumns

    public init(target: PrinterTarget, columns: ReceiptColumns = .wide) { self.target = target; self.columns = columns }

    /// The target, then optionally the columns after a space: `tcp:192.168.1.50:9100 42`. Without
    /// them, 48 (the usual 80 mm printer). Only 42 and 48 are accepted.
    public static func parse(_ text: String) throws(PrinterError) -> PrinterConfiguration {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let space = text.lastIndex(where: \.isWhitespace) else { return PrinterConfiguration(target: try PrinterTarget.parse(text)) }
        let last = text[text.index(after: space)...]
        guard last.allSatisfy({ $0.isASCII && $0.isNumber }) else { return PrinterConfiguration(target: try PrinterTarget.parse(text)) }
        guard let columns = Int(last).flatMap(ReceiptColumns.init(rawValue:)) else {
            throw PrinterError(.invalidConfiguration, "La impresora admite 42 o 48 columnas, no \(last).")
        }
        return PrinterConfiguration(target: try PrinterTarget.parse(String(text[..<space])), columns: columns)
    }
}

/// Why a receipt did not print: `code` is stable, for programs and tests; `message` is Spanish,
/// for the person at the counter, as is. Nothing was charged or recorded by printing: a receipt
/// that failed can be printed again.
public struct PrinterError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidConfiguration = "invalid_printer_configuration"
        case hostNotFound = "printer_host_not_found"
        /// It did not accept the connection (refused, or no answer within the timeout), or stopped taking bytes.
        case notResponding = "printer_not_responding"
        /// The connection broke part-way through the receipt.
        case interrupted = "printer_interrupted"
        case deviceMissing = "printer_device_missing"
        case noPermission = "printer_no_permission"
        case writeFailed = "printer_write_failed"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }
}

/// Sends receipts to one printer. Blocking: call it off the screen's update loop. Each call opens
/// the printer, writes the whole job and closes it, waiting at most `timeout` for a connection
/// and at most `timeout` for each further chunk the printer accepts.
public struct ReceiptPrinter: Sendable {
    public let configuration: PrinterConfiguration
    public let timeout: Duration

    public init(configuration: PrinterConfiguration, timeout: Duration = .seconds(3)) {
        self.configuration = configuration
        self.timeout = timeout
    }

    /// The receipt laid out for this printer's columns, as it prints and as the preview shows it.
    public func lines(for receipt: Receipt) -> [ReceiptLine] {
        ReceiptLayout(columns: configuration.columns).lines(for: receipt)
    }

    /// Lays the receipt out, encodes it for ESC/POS and sends it.
    public func print(_ receipt: Receipt) throws(PrinterError) {
        try send(EscPos.encode(lines(for: receipt)))
    }

    /// Sends `bytes` as they are.
    public func send(_ bytes: [UInt8]) throws(PrinterError) {
        switch configuration.target {
        case .file(let path): try appendToFile(path, bytes)
        case .device(let path): try writeToDevice(path, bytes)
        case .tcp(let host, let port): try sendOverTCP(host: host, port: port, bytes)
        }
    }

    private var timeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = timeout.components
        return Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    // MARK: - Files and devices

    private func appendToFile(_ path: String, _ bytes: [UInt8]) throws(PrinterError) {
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, SedeFiles.secretFileMode)
        if fd >= 0 {
            // Exactly rw------- whatever the umask: the receipt names the customer.
            if fchmod(fd, SedeFiles.secretFileMode) != 0 {
                let failure = errno
                close(fd)
                throw fileError(path, failure)
            }
        } else if errno == EEXIST {
            fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        }
        guard fd >= 0 else { throw fileError(path, errno) }
        defer { close(fd) }
        try writeAll(fd, bytes, stalled: fileError(path, EAGAIN), failed: { self.fileError(path, $0) })
    }

    private func writeToDevice(_ path: String, _ bytes: [UInt8]) throws(PrinterError) {
        let fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENODEV, ENXIO:
                throw PrinterError(.deviceMissing, "No se encuentra la impresora \(path): revise que esté conectada y encendida.")
            case EACCES, EPERM:
                throw PrinterError(.noPermission,
                                   "Su usuario no tiene permiso para usar la impresora \(path). Pida al administrador que lo agregue al grupo de la impresora (lp).")
            default:
                throw PrinterError(.writeFailed, "No se pudo abrir la impresora \(path) (error del sistema \(errno)).")
            }
        }
        defer { close(fd) }
        try writeAll(fd, bytes,
                     stalled: PrinterError(.notResponding, "La impresora \(path) no responde: revise que tenga papel y esté encendida, y vuelva a imprimir."),
                     failed: { PrinterError(.interrupted, "La impresora \(path) falló mientras imprimía (error del sistema \($0)): vuelva a imprimir el comprobante.") })
    }

    private func fileError(_ path: String, _ code: Int32) -> PrinterError {
        let reason = switch code {
        case EACCES, EPERM: "sin permiso"
        case ENOENT: "la carpeta no existe"
        case ENOSPC: "no queda espacio en el disco"
        case EROFS: "el disco es de solo lectura"
        case EISDIR: "es una carpeta"
        default: "error del sistema \(code)"
        }
        return PrinterError(.writeFailed, "No se pudo escribir el comprobante en \(path): \(reason).")
    }

    // MARK: - TCP

    private func sendOverTCP(host: String, port: UInt16, _ bytes: [UInt8]) throws(PrinterError) {
        let name = "\(host):\(port)"
        let notResponding = PrinterError(.notResponding, "La impresora \(name) no responde. Revise que esté encendida y conectada a la red.")
        var address = try resolve(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw PrinterError(.writeFailed, "No se pudo abrir una conexión de red (error del sistema \(errno)).") }
        defer { close(fd) }

        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS, wait(fd, for: Int16(POLLOUT)) else { throw notResponding }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 else { throw notResponding }
        }
        try writeAll(fd, bytes, stalled: notResponding, failed: { _ in
            PrinterError(.interrupted, "Se cortó la conexión con la impresora \(name) mientras imprimía: vuelva a imprimir el comprobante.")
        })
        shutdown(fd, Int32(SHUT_WR))
    }

    private func resolve(host: String, port: UInt16) throws(PrinterError) -> sockaddr_in {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found, let address = first.pointee.ai_addr else {
            throw PrinterError(.hostNotFound, "No se encuentra la impresora «\(host)» en la red: revise el nombre o use su dirección IP.")
        }
        defer { freeaddrinfo(found) }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
    }

    // MARK: - Writing

    /// Whether `fd` became ready for `events` within the timeout.
    private func wait(_ fd: Int32, for events: Int16) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// Writes all of `bytes`; `stalled` when the other end takes nothing for the timeout, `failed`
    /// with the errno of any other failure. Never raises SIGPIPE.
    private func writeAll(_ fd: Int32, _ bytes: [UInt8], stalled: PrinterError,
                          failed: (Int32) -> PrinterError) throws(PrinterError) {
        var isSocket = false
        var info = stat()
        if fstat(fd, &info) == 0 { isSocket = (info.st_mode & S_IFMT) == S_IFSOCK }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                isSocket ? Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                         : Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written >= 0 { offset += written; continue }
            switch errno {
            case EINTR: continue
            case EAGAIN: guard wait(fd, for: Int16(POLLOUT)) else { throw stalled }
            default: throw failed(errno)
            }
        }
    }
}
