import Foundation

/// What an ESC/POS receipt printer would print from a job, read the way the printer reads it:
/// commands (`ESC`, `GS`) are skipped by their lengths, text is code page 850, `LF` ends a line,
/// and the content stored by `GS ( k` function 180 (QR code, model 2) is the QR code printed at
/// function 181. An unknown command or a cut-short one is a `VirtualPrinter.Failure`: a real
/// printer would print garbage there.
public struct VirtualPrinter {
    public struct Printout: Equatable {
        /// The printed text lines, in order.
        public var lines: [String]
        /// The content of each QR code printed, in order.
        public var qrCodes: [String]
        /// Whether the job ends by cutting the paper (`GS V`).
        public var cut: Bool
    }

    public struct Failure: Error, CustomStringConvertible {
        public let offset: Int
        public let message: String
        public var description: String { "byte \(offset): \(message)" }
    }

    public static func print(_ bytes: [UInt8]) throws -> Printout {
        var out = Printout(lines: [], qrCodes: [], cut: false)
        var line: [UInt8] = []
        var storedQR: [UInt8]?
        var i = 0
        func need(_ count: Int) throws {
            guard i + count <= bytes.count else { throw Failure(offset: i, message: "orden incompleta") }
        }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case 0x0A:
                out.lines.append(pc850(line))
                line = []
                i += 1
            case 0x1B:
                try need(2)
                switch bytes[i + 1] {
                case 0x40: i += 2                                   // ESC @ reset
                case 0x74, 0x45, 0x61, 0x64, 0x21, 0x2D: try need(3); i += 3  // ESC t/E/a/d/!/- n
                default: throw Failure(offset: i, message: String(format: "ESC 0x%02X desconocida", bytes[i + 1]))
                }
            case 0x1D:
                try need(2)
                switch bytes[i + 1] {
                case 0x21: try need(3); i += 3                      // GS ! n
                case 0x56:                                          // GS V m [n]
                    try need(3)
                    i += bytes[i + 2] >= 65 ? 4 : 3
                    out.cut = true
                case 0x28:                                          // GS ( k pL pH cn fn …
                    try need(5)
                    guard bytes[i + 2] == 0x6B else { throw Failure(offset: i, message: "GS ( distinta de k") }
                    let length = Int(bytes[i + 3]) | Int(bytes[i + 4]) << 8
                    try need(5 + length)
                    let parameters = Array(bytes[(i + 5)..<(i + 5 + length)])
                    guard parameters.count >= 2, parameters[0] == 0x31 else {
                        throw Failure(offset: i, message: "GS ( k que no es de código QR")
                    }
                    switch parameters[1] {
                    case 0x50:                                      // fn 180: store (cn fn m d…)
                        guard parameters.count >= 3, parameters[2] == 0x30 else { throw Failure(offset: i, message: "fn 180 sin m = 48") }
                        storedQR = Array(parameters.dropFirst(3))
                    case 0x51:                                      // fn 181: print what was stored
                        guard let data = storedQR else { throw Failure(offset: i, message: "fn 181 sin contenido") }
                        out.qrCodes.append(String(decoding: data, as: UTF8.self))
                    case 0x41, 0x43, 0x45: break                    // model, module size, error correction
                    default: throw Failure(offset: i, message: String(format: "GS ( k fn 0x%02X desconocida", parameters[1]))
                    }
                    i += 5 + length
                default: throw Failure(offset: i, message: String(format: "GS 0x%02X desconocida", bytes[i + 1]))
                }
            default:
                guard byte >= 0x20 else { throw Failure(offset: i, message: String(format: "carácter de control 0x%02X", byte)) }
                line.append(byte)
                i += 1
            }
        }
        if !line.isEmpty { out.lines.append(pc850(line)) }
        return out
    }

    /// Bytes of code page 850 as text.
    public static func pc850(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            if byte < 0x80 { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            else if let scalar = Unicode.Scalar(pc850High[Int(byte) - 0x80]) { text.unicodeScalars.append(scalar) }
        }
        return text
    }

    /// Code page 850, bytes 0x80–0xFF (Unicode's CP850.TXT).
    private static let pc850High: [UInt32] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0, 0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
        0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE, 0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
        0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, 0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
        0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8, 0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
    ]
}

/// QR codes read back from images as a phone would: `qrencode` draws a content as a PNG and
/// `zbarimg` decodes a PNG (Debian: qrencode, zbar-tools).
public enum QRImages {
    /// Draws `content` as a QR code PNG at `path` (modules of 6 pixels).
    public static func render(_ content: String, to path: String) throws {
        let result = try runProcess("/usr/bin/qrencode", ["-o", path, "-s", "6", content])
        guard result.status == 0 else { throw SpawnError(message: "qrencode falló: \(result.stderr)") }
    }

    /// The contents of the QR codes zbarimg finds in the image at `path`, one per line of its output.
    public static func decode(_ path: String) throws -> [String] {
        let result = try runProcess("/usr/bin/zbarimg", ["-q", "--raw", path])
        guard result.status == 0 else { throw SpawnError(message: "zbarimg no encontró un código (\(result.status)): \(result.stderr)") }
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
