import Foundation
import Testing
import VetCore
import VetPrint
import VetTestSupport

/// The A4 PDF read back the way a person and SUNAT's app read it: its text (pdftotext), the QR code
/// in the page image (pdftoppm, zbarimg).
@Suite struct FiscalPDFTests {
    @Test func aFacturaShowsItsDocumentTotalsLeyendaAndAQRCodeThatReadsBack() throws {
        let receipt = Samples.factura()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pdf = try write(receipt, in: directory)

        let text = try pdfText(pdf)
        for expected in ["FACTURA ELECTRÓNICA", "F001-00000045", "R.U.C. N° 20512345678", "Servicios Veterinarios Patitas E.I.R.L.",
                         "Agropecuaria Ñaña S.A.C.", "20100070970", "Jr. Las Begonias 456, Lince, Lima",
                         "Vacuna antirrábica", "S/ 118.00", "S/ 100.00", "S/ 18.00",
                         "SON: CIENTO DIECIOCHO CON 00/100 SOLES", "Forma de pago: Crédito",
                         "Cuota 001: S/ 118.00, vence el 14/04/2025", "Representación impresa de la Factura Electrónica",
                         "Hash: " + Samples.digest, "Página 1 de 1"] {
            #expect(text.contains(expected), "\(expected)")
        }

        let decoded = try qrCodes(onFirstPageOf: pdf, in: directory)
        #expect(decoded == [receipt.electronic?.qrText])
        let fields = try #require(decoded.first).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(fields == ["20512345678", "01", "F001", "45", "18.00", "118.00", "2025-03-14", "6", "20100070970", Samples.digest])
    }

    @Test func aNotaDeCreditoShowsTheDocumentItModifies() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pdf = try write(Samples.nota(), in: directory)
        let text = try pdfText(pdf)
        for expected in ["NOTA DE CRÉDITO ELECTRÓNICA", "FC01-00000003", "Documento que modifica: F001-00000045",
                         "Motivo: 07 Devolución por ítem", "Representación impresa de la Nota de Crédito Electrónica"] {
            #expect(text.contains(expected), "\(expected)")
        }
        #expect(try qrCodes(onFirstPageOf: pdf, in: directory) == [Samples.nota().electronic?.qrText])
    }

    @Test func aBoletaPrintsOnA4Too() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pdf = try write(Samples.boleta(), in: directory)
        let text = try pdfText(pdf)
        #expect(text.contains("BOLETA DE VENTA ELECTRÓNICA"))
        #expect(text.contains("45678912"))
        #expect(try qrCodes(onFirstPageOf: pdf, in: directory) == [Samples.boleta().electronic?.qrText])
    }

    @Test func twoHundredLinesTakeSeveralPagesWithEveryLineAndNothingOffThePage() throws {
        var receipt = Samples.factura()
        receipt.lines = (1...200).map { n in
            .init(description: "Ítem \(n): alimento balanceado para perros adultos de raza mediana, bolsa de 15 kg"
                    + (n % 7 == 0 ? " con una descripción larguísima que ocupa varias líneas de la columna de descripción" : ""),
                  quantity: Int64(n), unitPrice: Money(centimos: 100), total: Money(centimos: Int64(n) * 100), unit: "NIU")
        }
        receipt.footer = [String(repeating: "Texto al pie muy largo. ", count: 40)]
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pdf = try write(receipt, in: directory)

        let text = try pdfText(pdf)
        let pages = text.split(separator: "\u{0C}", omittingEmptySubsequences: true).count
        #expect(pages > 3)
        #expect(text.contains("Página 1 de \(pages)"))
        #expect(text.contains("Página \(pages) de \(pages)"))
        #expect(text.contains("FACTURA ELECTRÓNICA F001-00000045 (continuación)"))
        for n in [1, 99, 200] { #expect(text.contains("Ítem \(n): alimento balanceado"), "Ítem \(n)") }
        #expect((1...200).allSatisfy { text.contains("Ítem \($0):") })

        let words = try wordBoxes(pdf)
        #expect(words.count > 2000)
        for word in words where word.xMin < 0 || word.yMin < 0 || word.xMax > 595.3 || word.yMax > 841.9 {
            Issue.record("«\(word.text)» fuera de la página: \(word)")
        }
    }

    @Test func spanishTextAndSignsOutsideWinAnsiPrintAsTheyCan() throws {
        var receipt = Samples.factura()
        receipt.customer?.name = "Ñuñez Güemes «Zhāng» 張 🐶 €"
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try pdfText(try write(receipt, in: directory))
        #expect(text.contains("Ñuñez Güemes «Zh?ng» ? ? €"))
    }

    @Test func aReceiptThatIsNotElectronicIsRefused() {
        var receipt = Samples.factura()
        receipt.electronic = nil
        #expect(throws: FiscalPDFError.notElectronic) { try FiscalPDF.render(receipt) }
    }

    @Test func theQRMatrixIsSquareOfItsVersionAndTooLongContentIsAnError() throws {
        let matrix = try QRMatrix.encode(Samples.factura().electronic?.qrText ?? "")
        #expect(matrix.count >= 21 && (matrix.count - 17) % 4 == 0)
        #expect(matrix.allSatisfy { $0.count == matrix.count })
        // The finder pattern's corner modules are dark, its separator light.
        #expect(matrix[0][0] && matrix[6][6] && !matrix[7][7])
        do throws(FiscalPDFError) {
            _ = try QRMatrix.encode(String(repeating: "x", count: 5000))
            Issue.record("5000 bytes no caben en un código QR")
        } catch {
            #expect(error.code == "qr")
        }
        #expect(throws: FiscalPDFError.self) { try QRMatrix.encode("") }
    }

    // MARK: - Reading the PDF back

    private func write(_ receipt: Receipt, in directory: String) throws -> String {
        let path = directory + "/document.pdf"
        try FiscalPDF.render(receipt).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func pdfText(_ path: String) throws -> String {
        let result = try runProcess("/usr/bin/pdftotext", ["-layout", "-enc", "UTF-8", path, "-"])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    private func qrCodes(onFirstPageOf pdf: String, in directory: String) throws -> [String] {
        let result = try runProcess("/usr/bin/pdftoppm", ["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, directory + "/page"])
        try #require(result.status == 0, "\(result.stderr)")
        return try QRImages.decode(directory + "/page.png")
    }

    struct Word: CustomStringConvertible {
        let text: String
        let xMin: Double, yMin: Double, xMax: Double, yMax: Double
        var description: String { "x \(xMin)–\(xMax), y \(yMin)–\(yMax)" }
    }

    /// Every word pdftotext finds, with its box in points from the page's top left corner.
    private func wordBoxes(_ path: String) throws -> [Word] {
        let result = try runProcess("/usr/bin/pdftotext", ["-bbox", "-enc", "UTF-8", path, "-"])
        try #require(result.status == 0, "\(result.stderr)")
        func attribute(_ name: String, in tag: Substring) -> Double? {
            guard let start = tag.range(of: name + "=\"") else { return nil }
            return Double(tag[start.upperBound...].prefix { $0 != "\"" })
        }
        return result.stdout.components(separatedBy: "<word ").dropFirst().compactMap { chunk -> Word? in
            let tag = chunk.prefix { $0 != ">" }
            let text = chunk.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }
            guard let xMin = attribute("xMin", in: tag), let yMin = attribute("yMin", in: tag),
                  let xMax = attribute("xMax", in: tag), let yMax = attribute("yMax", in: tag) else { return nil }
            return Word(text: String(text), xMin: xMin, yMin: yMin, xMax: xMax, yMax: yMax)
        }
    }
}
