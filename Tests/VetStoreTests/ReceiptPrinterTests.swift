import Foundation
import Testing
import VetCore
@testable import VetStore
import VetTestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReceiptPrinterTests {
    static let receipt = Receipt(
        business: .init(tradeName: "Veterinaria Patitas", legalName: "Patitas E.I.R.L.", ruc: "20512345678", sedeName: "Sede Surco"),
        title: "NOTA DE VENTA", saleNumber: "SUR01-000007", issuedAt: "02/06/2025 09:15", cashier: "Ana Núñez",
        lines: [.init(description: "Baño y corte (perro pequeño)", quantity: 1, unitPrice: Money(centimos: 4500), total: Money(centimos: 4500))],
        totals: .init(taxed: Money(centimos: 3814), igv: Money(centimos: 686), total: Money(centimos: 4500), amountDue: Money(centimos: 4500)),
        payments: [.init(method: "Yape", amount: Money(centimos: 4500))])

    // MARK: - Configuration

    @Test func parsesTheThreeKindsOfPrinterAndTheirColumns() throws {
        #expect(try PrinterConfiguration.parse("tcp:192.168.1.50:9100 42")
                == PrinterConfiguration(target: .tcp(host: "192.168.1.50", port: 9100), columns: .narrow))
        #expect(try PrinterConfiguration.parse("  tcp:caja-impresora  ") == PrinterConfiguration(target: .tcp(host: "caja-impresora", port: 9100), columns: .wide))
        #expect(try PrinterConfiguration.parse("device:/dev/usb/lp0 48") == PrinterConfiguration(target: .device(path: "/dev/usb/lp0"), columns: .wide))
        #expect(try PrinterConfiguration.parse("file:/var/spool/recibos de caja.bin")
                == PrinterConfiguration(target: .file(path: "/var/spool/recibos de caja.bin"), columns: .wide))
    }

    @Test(arguments: [
        ("tcp:192.168.1.50:9100 40", "La impresora admite 42 o 48 columnas, no 40."),
        ("lpt1", "Impresora no válida: «lpt1». Use file:/ruta, device:/dev/usb/lp0 o tcp:192.168.1.50:9100."),
        ("file:recibos.bin", "La ruta de la impresora debe ser absoluta (empezar con /): «file:recibos.bin»."),
        ("tcp:192.168.1.50:99999", "El puerto de la impresora debe ser un número de 1 a 65535: «tcp:192.168.1.50:99999»."),
        ("tcp::9100", "Indique la dirección IPv4 o el nombre de la impresora: «tcp::9100»."),
    ])
    func refusesAConfigurationItCannotUse(text: String, message: String) {
        #expect(throws: PrinterError(.invalidConfiguration, message)) { try PrinterConfiguration.parse(text) }
    }

    // MARK: - Files and devices

    @Test func aFileTargetIsCreatedOwnerOnlyAndAppendedTo() throws {
        let dir = TempDir()
        let path = dir.file("recibos.bin")
        let printer = ReceiptPrinter(configuration: try PrinterConfiguration.parse("file:\(path) 42"))
        try printer.print(Self.receipt)
        try printer.print(Self.receipt)

        let job = EscPos.encode(ReceiptLayout(columns: .narrow).lines(for: Self.receipt))
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == job + job)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func aFileInAMissingFolderIsASpanishError() {
        let dir = TempDir()
        let path = dir.file("no-existe/recibos.bin")
        let printer = ReceiptPrinter(configuration: PrinterConfiguration(target: .file(path: path)))
        #expect(throws: PrinterError(.writeFailed, "No se pudo escribir el comprobante en \(path): la carpeta no existe.")) {
            try printer.print(Self.receipt)
        }
    }

    @Test func aDeviceIsWrittenOnlyWhenItExists() throws {
        let dir = TempDir()
        let path = dir.file("lp0")
        let printer = ReceiptPrinter(configuration: PrinterConfiguration(target: .device(path: path)))
        #expect(throws: PrinterError(.deviceMissing, "No se encuentra la impresora \(path): revise que esté conectada y encendida.")) {
            try printer.send([0x1B, 0x40])
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        try printer.print(Self.receipt)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == EscPos.encode(printer.lines(for: Self.receipt)))
    }

    // MARK: - TCP

    @Test func aNetworkPrinterReceivesExactlyTheJob() throws {
        let printerSide = try OneConnectionListener()
        let printer = ReceiptPrinter(configuration: try PrinterConfiguration.parse("tcp:127.0.0.1:\(printerSide.port)"))
        try printer.print(Self.receipt)
        let received = try #require(printerSide.received(within: 10))
        #expect(received == EscPos.encode(ReceiptLayout(columns: .wide).lines(for: Self.receipt)))
        #expect(received.count > 200)
    }

    @Test func aPortNobodyListensOnIsASpanishErrorWithoutWaitingForTheTimeout() throws {
        let port = try OneConnectionListener.unusedPort()
        let printer = ReceiptPrinter(configuration: PrinterConfiguration(target: .tcp(host: "127.0.0.1", port: port)),
                                     timeout: .seconds(20))
        let started = ContinuousClock.now
        #expect(throws: PrinterError(.notResponding,
                                     "La impresora 127.0.0.1:\(port) no responde. Revise que esté encendida y conectada a la red.")) {
            try printer.print(Self.receipt)
        }
        // Refused at once: the 20 s timeout is for a printer that never answers.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func aPrinterThatStopsTakingBytesIsReportedAfterTheTimeout() throws {
        let printerSide = try OneConnectionListener(reads: false)
        let printer = ReceiptPrinter(configuration: PrinterConfiguration(target: .tcp(host: "127.0.0.1", port: printerSide.port)),
                                     timeout: .milliseconds(300))
        // Far more than the loopback socket buffers hold: the write must stall.
        let job = [UInt8](repeating: 0x41, count: 64 << 20)
        #expect(throws: PrinterError(.notResponding,
                                     "La impresora 127.0.0.1:\(printerSide.port) no responde. Revise que esté encendida y conectada a la red.")) {
            try printer.send(job)
        }
    }

    @Test func anUnknownHostIsASpanishError() {
        let printer = ReceiptPrinter(configuration: PrinterConfiguration(target: .tcp(host: "impresora.invalid", port: 9100)))
        #expect(throws: PrinterError(.hostNotFound,
                                     "No se encuentra la impresora «impresora.invalid» en la red: revise el nombre o use su dirección IP.")) {
            try printer.send([0x1B, 0x40])
        }
    }
}

/// A raw-port printer on 127.0.0.1: a thread accepts one connection and reads it to the end (or,
/// with `reads: false`, accepts it and never reads, as a printer out of paper does).
private final class OneConnectionListener: @unchecked Sendable {
    struct Failure: Error {}

    let port: UInt16
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init(reads: Bool = true) throws {
        listener = try Self.listen()
        port = Self.port(of: listener)
        let fd = listener
        Thread.detachNewThread { [finished, released, weak self] in
            let connection = accept(fd, nil, nil)
            defer { finished.signal() }
            guard connection >= 0 else { return }
            defer { close(connection) }
            guard reads else { released.wait(); return }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                guard let self else { return }
                self.lock.withLock { self.bytes += buffer[0..<n] }
            }
        }
    }

    deinit {
        released.signal()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// What the connection carried, once the sender closed it.
    func received(within seconds: Int) -> [UInt8]? {
        guard finished.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
        return lock.withLock { bytes }
    }

    /// A port on 127.0.0.1 nothing listens on (bound, then released).
    static func unusedPort() throws -> UInt16 {
        let fd = try listen()
        defer { close(fd) }
        return port(of: fd)
    }

    private static func listen() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 1) == 0 else { throw Failure() }
        return fd
    }

    private static func port(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
