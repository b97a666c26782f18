import Foundation

/// Receipt lines as the bytes an ESC/POS receipt printer (Epson TM and compatibles) prints.
///
/// The printer is reset (`ESC @`) and then told its character code table explicitly (`ESC t 2`,
/// PC850 Multilingual), never left to whatever table its DIP switches or a previous job chose.
/// PC850 has every letter and sign Spanish needs (á é í ó ú ü ñ, their capitals, ¿ ¡ º ª °); it is
/// table 2 on Epson printers and on the clones front desks buy alike. PC858 (table 19) differs from
/// it only by `€` in place of `ı`, which soles never need, and clones number their tables past 17
/// differently, so 19 could select another table.
///
/// Each character prints in the cells the preview shows: a character PC850 lacks becomes `?` (two
/// for a wide one), a control character in the text becomes `?` too, so text can never send a
/// command to the printer. Nothing is dropped and nothing traps.
///
/// A QR code line prints as the printer's own QR code (`GS ( k`, model 2, error correction M,
/// modules of 6 dots), centred. Its content must be printable ASCII of at most `maxQRBytes` bytes
/// (`canPrintQR`): at that length the symbol is version 13 at most, 69 modules and its quiet zone
/// in 462 dots, which fits the 512-dot heads too. Content that cannot print prints the line's
/// text instead (the layout then says «[QR no imprimible]»), never bytes the printer would take
/// for a command.
public enum EscPos {
    /// The `n` of `ESC t n`: PC850 Multilingual.
    public static let codeTable: UInt8 = 2
    /// The longest QR content printed, in bytes.
    public static let maxQRBytes = 300
    /// The QR module size in dots (`GS ( k` function 167).
    public static let qrModuleSize: UInt8 = 6

    /// Whether `content` prints as a QR code: 1 to `maxQRBytes` characters, each printable ASCII.
    public static func canPrintQR(_ content: String) -> Bool {
        let utf8 = content.utf8
        return !utf8.isEmpty && utf8.count <= maxQRBytes && utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// The whole job: reset, code table, the lines (bold for `.bold`, bold and double height for
    /// `.large`, a QR code for a QR line), a feed and a partial cut.
    public static func encode(_ lines: [ReceiptLine]) -> [UInt8] {
        var bytes: [UInt8] = [esc, 0x40, esc, 0x74, codeTable]
        var emphasis = ReceiptLine.Emphasis.normal
        for line in lines {
            if let content = line.qrCode, canPrintQR(content) {
                bytes += qrCode(content)
                continue
            }
            if line.emphasis != emphasis {
                bytes += select(line.emphasis)
                emphasis = line.emphasis
            }
            bytes += text(line.text)
            bytes.append(0x0A)
        }
        if emphasis != .normal { bytes += select(.normal) }
        // ESC d 3: print and feed three lines; GS V 66 0: feed to the cutter and cut leaving a hinge.
        bytes += [esc, 0x64, 3, gs, 0x56, 66, 0]
        return bytes
    }

    /// `text` in PC850, one byte per cell the preview shows (see the type's notes).
    public static func text(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for ch in text.precomposedStringWithCanonicalMapping {
            let scalars = ch.unicodeScalars
            if scalars.count == 1, let scalar = scalars.first, let byte = pc850Byte(scalar) {
                bytes.append(byte)
            } else {
                bytes += [UInt8](repeating: question, count: max(1, TextCells.width(of: ch)))
            }
        }
        return bytes
    }

    /// `GS ( k` functions 165 (model 2), 167 (module size), 169 (error correction M), 180 (store
    /// the content) and 181 (print it), between `ESC a 1` (centre) and `ESC a 0` (left).
    private static func qrCode(_ content: String) -> [UInt8] {
        let data = Array(content.utf8)
        let stored = data.count + 3
        var bytes: [UInt8] = [esc, 0x61, 1]
        bytes += [gs, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x32, 0]
        bytes += [gs, 0x28, 0x6B, 3, 0, 0x31, 0x43, qrModuleSize]
        bytes += [gs, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x31]
        bytes += [gs, 0x28, 0x6B, UInt8(stored & 0xFF), UInt8(stored >> 8), 0x31, 0x50, 0x30] + data
        bytes += [gs, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30]
        bytes += [esc, 0x61, 0]
        return bytes
    }

    private static let esc: UInt8 = 0x1B
    private static let gs: UInt8 = 0x1D
    private static let question: UInt8 = 0x3F

    /// `ESC E n` (emphasis) and `GS ! n` (character size: 0x01 is double height, normal width).
    private static func select(_ emphasis: ReceiptLine.Emphasis) -> [UInt8] {
        switch emphasis {
        case .normal: [esc, 0x45, 0, gs, 0x21, 0x00]
        case .bold: [esc, 0x45, 1, gs, 0x21, 0x00]
        case .large: [esc, 0x45, 1, gs, 0x21, 0x01]
        }
    }

    private static func pc850Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return UInt8(v) }
        return pc850High[scalar]
    }

    /// Code page 850, bytes 0x80–0xFF (IBM CP00850; the same as Unicode's CP850.TXT mapping).
    private static let pc850High: [Unicode.Scalar: UInt8] = {
        let scalars: [UInt32] = [
            0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
            0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
            0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
            0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
            0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
            0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
            0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
            0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
            0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
            0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
            0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,
            0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
            0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,
            0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
            0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
            0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
        ]
        var table: [Unicode.Scalar: UInt8] = [:]
        for (offset, value) in scalars.enumerated() {
            if let scalar = Unicode.Scalar(value) { table[scalar] = UInt8(0x80 + offset) }
        }
        return table
    }()
}
