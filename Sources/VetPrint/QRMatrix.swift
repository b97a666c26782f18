import CQREncode
import Foundation

/// A QR code as its matrix of modules, from libqrencode: the smallest version that holds the text,
/// error correction M, the text's bytes (UTF-8) in 8-bit mode. `true` is a dark module; rows go
/// top to bottom, without the quiet zone (four light modules on each side, the drawer leaves them).
public enum QRMatrix {
    public static func encode(_ text: String) throws(FiscalPDFError) -> [[Bool]] {
        guard !text.isEmpty else { throw .qrCode("El código QR no tiene contenido") }
        guard !text.utf8.contains(0) else { throw .qrCode("El contenido del código QR tiene un carácter nulo") }
        guard let symbol = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw errno == ERANGE ? .qrCode("El contenido del código QR es demasiado largo (\(text.utf8.count) bytes)")
                : .qrCode("No se pudo generar el código QR (error \(errno))")
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        guard let data = symbol.pointee.data, width > 0 else { throw .qrCode("No se pudo generar el código QR") }
        return (0..<width).map { y in (0..<width).map { x in data[y * width + x] & 1 == 1 } }
    }
}
