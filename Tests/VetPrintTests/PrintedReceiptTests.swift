import Foundation
import Testing
import VetCore
import VetTestSupport

/// The 80 mm ticket of an electronic boleta as a printer prints it, and its QR code read back from an image.
@Suite struct PrintedReceiptTests {
    @Test(arguments: ReceiptColumns.allCases)
    func theTicketPrintsItsLinesAndAQRCodeAPhoneReadsAsTheSUNATFields(columns: ReceiptColumns) throws {
        let receipt = Samples.boleta()
        let layout = ReceiptLayout(columns: columns).lines(for: receipt)
        let printout = try VirtualPrinter.print(EscPos.encode(layout))

        #expect(printout.lines == layout.filter { $0.qrCode == nil }.map(\.text))
        #expect(printout.lines.contains("SON: CIENTO DIECIOCHO CON 00/100 SOLES"))
        #expect(printout.lines.contains { $0.hasSuffix("B001-00000123") })
        #expect(printout.lines.contains("Hash: " + Samples.digest))
        #expect(printout.cut)
        #expect(printout.qrCodes.count == 1)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let png = directory + "/ticket-qr.png"
        try QRImages.render(try #require(printout.qrCodes.first), to: png)
        let decoded = try QRImages.decode(png)
        #expect(decoded == [receipt.electronic?.qrText])
        let fields = try #require(decoded.first).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(fields == ["20512345678", "03", "B001", "123", "18.00", "118.00", "2025-03-14", "1", "45678912", Samples.digest])
    }

    @Test func theVirtualPrinterRefusesWhatAPrinterWouldMisread() {
        // A GS ( k whose length runs past the end of the job.
        #expect(throws: VirtualPrinter.Failure.self) { try VirtualPrinter.print([0x1D, 0x28, 0x6B, 0x20, 0x00, 0x31, 0x50, 0x30]) }
        #expect(throws: VirtualPrinter.Failure.self) { try VirtualPrinter.print([0x41, 0x07, 0x0A]) }
    }
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vetdesk-print-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
