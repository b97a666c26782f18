import Testing
import VetCore

@Suite struct EscPosTests {
    @Test func spanishTextIsPrintedInCodePage850() {
        let bytes = EscPos.encode([ReceiptLine("Atención: 1 vacunación ñandú ¿sí?")])
        // ESC @ resets the printer, ESC t 2 selects PC850 before any text.
        #expect(Array(bytes.prefix(5)) == [0x1B, 0x40, 0x1B, 0x74, 0x02])
        let text: [UInt8] = Array("Atenci".utf8) + [0xA2] + Array("n: 1 vacunaci".utf8) + [0xA2] + Array("n ".utf8)
            + [0xA4] + Array("and".utf8) + [0xA3] + Array(" ".utf8) + [0xA8] + Array("s".utf8) + [0xA1] + Array("?".utf8)
        #expect(Array(bytes.dropFirst(5).prefix(text.count + 1)) == text + [0x0A])
    }

    @Test func everySpanishLetterHasItsPC850Byte() {
        let expected: [(String, UInt8)] = [
            ("á", 0xA0), ("é", 0x82), ("í", 0xA1), ("ó", 0xA2), ("ú", 0xA3), ("Á", 0xB5), ("É", 0x90), ("Í", 0xD6),
            ("Ó", 0xE0), ("Ú", 0xE9), ("ñ", 0xA4), ("Ñ", 0xA5), ("ü", 0x81), ("Ü", 0x9A), ("¿", 0xA8), ("¡", 0xAD),
            ("º", 0xA7), ("ª", 0xA6), ("°", 0xF8),
        ]
        for (letter, byte) in expected { #expect(EscPos.text(letter) == [byte], "\(letter)") }
        #expect(EscPos.text("S/ 1,234.50") == Array("S/ 1,234.50".utf8))
        // Decomposed (as some keyboards and pasted text send it): still one byte.
        #expect(EscPos.text("n\u{0303}A\u{0301}") == [0xA4, 0xB5])
    }

    @Test func whatPC850LacksBecomesAQuestionMarkPerCell() {
        #expect(EscPos.text("5 € “x” 漢 🐶") == Array("5 ? ?x? ?? ??".utf8))
        // Text can never send the printer a command.
        #expect(EscPos.text("a\u{1B}@b\u{1D}V") == Array("a?@b?V".utf8))
    }

    @Test func eachPrintedLineTakesTheCellsOfItsPreview() {
        var receipt = sampleReceipt()
        receipt.customer = .init(name: "Zhāng 張偉 🐶 Ñuñoa “Pérez” \u{0301}x")
        let lines = ReceiptLayout(columns: .narrow).lines(for: receipt)
        for line in lines { #expect(EscPos.text(line.text).count == TextCells.width(of: line.text), "\(line.text)") }
    }

    @Test func emphasisIsSwitchedOnlyWhenItChangesAndTheJobEndsWithACut() {
        let bytes = EscPos.encode([ReceiptLine("A", .large), ReceiptLine("B", .large), ReceiptLine("C"), ReceiptLine("D", .bold)])
        #expect(bytes == [
            0x1B, 0x40, 0x1B, 0x74, 0x02,
            0x1B, 0x45, 1, 0x1D, 0x21, 0x01, 0x41, 0x0A, 0x42, 0x0A,
            0x1B, 0x45, 0, 0x1D, 0x21, 0x00, 0x43, 0x0A,
            0x1B, 0x45, 1, 0x1D, 0x21, 0x00, 0x44, 0x0A,
            0x1B, 0x45, 0, 0x1D, 0x21, 0x00,
            0x1B, 0x64, 3, 0x1D, 0x56, 66, 0,
        ])
    }

    @Test func aQRLineIsTheNativeQRCodeOfItsContentCentred() {
        let content = "20512345678|03|B001|123|18.00|118.00|2025-03-14|1|45678912|pUM2xL0Xk6hnCmX2oK9lUQ3JbIE="
        let bytes = EscPos.encode([ReceiptLine("A"), .qrCode(content, columns: .narrow), ReceiptLine("B")])
        let stored = content.utf8.count + 3
        let qr: [UInt8] = [0x1B, 0x61, 1]
            + [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 6]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]
            + [0x1D, 0x28, 0x6B, UInt8(stored % 256), UInt8(stored / 256), 0x31, 0x50, 0x30] + Array(content.utf8)
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
            + [0x1B, 0x61, 0]
        #expect(bytes == [0x1B, 0x40, 0x1B, 0x74, 0x02, 0x41, 0x0A] + qr + [0x42, 0x0A, 0x1B, 0x64, 3, 0x1D, 0x56, 66, 0])
        #expect(stored == 90)
    }

    @Test func theLongestQRContentHasATwoByteLength() {
        let content = String(repeating: "7", count: EscPos.maxQRBytes)
        let bytes = EscPos.encode([.qrCode(content, columns: .wide)])
        let store: [UInt8] = [0x1D, 0x28, 0x6B, UInt8((300 + 3) % 256), UInt8((300 + 3) / 256), 0x31, 0x50, 0x30]
        #expect(bytes.indices.contains { bytes[$0...].starts(with: store + Array(content.utf8)) })
    }

    @Test func aQRCodeThatCannotPrintPrintsItsPlaceholderAndNoCommand() {
        for content in ["Ñandú|1", "a\u{1B}@", "", String(repeating: "1", count: EscPos.maxQRBytes + 1)] {
            let line = ReceiptLine.qrCode(content, columns: .narrow)
            let bytes = EscPos.encode([line])
            #expect(!EscPos.canPrintQR(content))
            #expect(!bytes.indices.contains { bytes[$0...].starts(with: [0x1D, 0x28, 0x6B]) })
            #expect(bytes == EscPos.encode([ReceiptLine(line.text)]))
        }
    }
}
