import CZlib
import Foundation

/// Why a ZIP could not be read; `message` is Spanish, for the user.
public struct SunatZipError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The ZIP files SUNAT exchanges: one document per ZIP going in, the CDR (deflated, sometimes next to
/// an empty folder) coming back. Every length read from a ZIP is checked against the bytes present
/// and against a size cap, so a hostile ZIP is an error, never a trap.
public enum SunatZip {
    public enum Method: UInt16, Sendable {
        case stored = 0
        case deflated = 8
    }

    /// A ZIP with one entry named `entryName` holding `data` (`unzip -t` accepts it).
    public static func make(entryName: String, data: Data, method: Method = .deflated) -> Data {
        let name = Data(entryName.utf8)
        let crc = crc32Of(data)
        var method = method
        var body = data
        if method == .deflated {
            if let deflated = deflateRaw(data) { body = deflated } else { method = .stored }
        }
        let (time, date) = dosTimestamp(Date())
        // From «version needed» to the name's length, the local and the central header agree.
        var shared = Data()
        shared.append(le16: 20)                // version needed: 2.0 (deflate)
        shared.append(le16: 0x0800)            // the name is UTF-8
        shared.append(le16: method.rawValue)
        shared.append(le16: time)
        shared.append(le16: date)
        shared.append(le32: crc)
        shared.append(le32: UInt32(body.count))
        shared.append(le32: UInt32(data.count))
        shared.append(le16: UInt16(name.count))

        var local = Data()
        local.append(le32: 0x0403_4b50)
        local.append(shared)
        local.append(le16: 0)                  // extra
        local.append(name)
        local.append(body)

        var central = Data()
        central.append(le32: 0x0201_4b50)
        central.append(le16: 0x031E)           // made by: Unix, 3.0
        central.append(shared)
        central.append(le16: 0)                // extra
        central.append(le16: 0)                // comment
        central.append(le16: 0)                // disk
        central.append(le16: 0)                // internal attributes
        central.append(le32: 0o100644 << 16)   // external attributes: a regular file, rw-r--r--
        central.append(le32: 0)                // local header offset
        central.append(name)

        var end = Data()
        end.append(le32: 0x0605_4b50)
        end.append(le16: 0)
        end.append(le16: 0)
        end.append(le16: 1)
        end.append(le16: 1)
        end.append(le32: UInt32(central.count))
        end.append(le32: UInt32(local.count))
        end.append(le16: 0)
        return local + central + end
    }

    /// The files in `zip` (folders are left out), stored or deflated, each checked against its CRC.
    /// Throws when the ZIP is damaged, lies about its sizes, or would unpack to more than `maxBytes`.
    public static func entries(_ zip: Data, maxBytes: Int) throws(SunatZipError) -> [(name: String, data: Data)] {
        let bytes = [UInt8](zip)
        let reader = Reader(bytes: bytes)
        guard let endOffset = findEndOfCentralDirectory(bytes) else {
            throw SunatZipError("El archivo ZIP está dañado: no tiene directorio central.")
        }
        guard let count = reader.u16(endOffset + 10), let centralSize = reader.u32(endOffset + 12),
              let centralOffset = reader.u32(endOffset + 16) else {
            throw SunatZipError("El archivo ZIP está dañado: su directorio central está cortado.")
        }
        if count == 0xFFFF || centralOffset == 0xFFFF_FFFF {
            throw SunatZipError("El archivo ZIP usa el formato ZIP64, que no se acepta.")
        }
        guard Int(centralOffset) + Int(centralSize) <= endOffset else {
            throw SunatZipError("El archivo ZIP está dañado: el directorio central sale del archivo.")
        }
        var files: [(name: String, data: Data)] = []
        var total = 0
        var cursor = Int(centralOffset)
        for _ in 0..<Int(count) {
            guard reader.u32(cursor) == 0x0201_4b50,
                  let flags = reader.u16(cursor + 8), let method = reader.u16(cursor + 10),
                  let crc = reader.u32(cursor + 16), let compressedSize = reader.u32(cursor + 20),
                  let size = reader.u32(cursor + 24), let nameLength = reader.u16(cursor + 28),
                  let extraLength = reader.u16(cursor + 30), let commentLength = reader.u16(cursor + 32),
                  let localOffset = reader.u32(cursor + 42),
                  let nameBytes = reader.slice(cursor + 46, Int(nameLength)) else {
                throw SunatZipError("El archivo ZIP está dañado: una entrada del directorio central está cortada.")
            }
            cursor += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
            let name = String(decoding: nameBytes, as: UTF8.self)
            if name.hasSuffix("/") { continue }
            if flags & 1 != 0 { throw SunatZipError("El archivo \(name) del ZIP está cifrado.") }
            if size == 0xFFFF_FFFF || compressedSize == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw SunatZipError("El archivo ZIP usa el formato ZIP64, que no se acepta.")
            }
            guard Int(size) <= maxBytes - total else {
                throw SunatZipError("El archivo ZIP descomprimido pasa de \(maxBytes) bytes; no se abre.")
            }
            let local = Int(localOffset)
            guard reader.u32(local) == 0x0403_4b50, let localNameLength = reader.u16(local + 26),
                  let localExtraLength = reader.u16(local + 28) else {
                throw SunatZipError("El archivo ZIP está dañado: falta la cabecera local de \(name).")
            }
            let start = local + 30 + Int(localNameLength) + Int(localExtraLength)
            guard let stored = reader.slice(start, Int(compressedSize)) else {
                throw SunatZipError("El archivo ZIP está cortado: el contenido de \(name) sale del archivo.")
            }
            let data: Data
            switch method {
            case Method.stored.rawValue:
                guard compressedSize == size else {
                    throw SunatZipError("El archivo ZIP está dañado: los tamaños de \(name) no coinciden.")
                }
                data = Data(stored)
            case Method.deflated.rawValue:
                data = try inflateRaw(stored, expectedSize: Int(size), name: name)
            default:
                throw SunatZipError("El archivo \(name) del ZIP usa un método de compresión no admitido (\(method)).")
            }
            guard crc32Of(data) == crc else {
                throw SunatZipError("El archivo ZIP está dañado: el CRC de \(name) no coincide.")
            }
            total += data.count
            files.append((name: name, data: data))
        }
        return files
    }

    // MARK: - zlib

    static func crc32Of(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            var crc: uLong = crc32(0, nil, 0)
            var base = raw.bindMemory(to: Bytef.self).baseAddress
            var left = raw.count
            while left > 0, let pointer = base {
                let chunk = min(left, Int(UInt32.max >> 1))
                crc = crc32(crc, pointer, uInt(chunk))
                base = pointer + chunk
                left -= chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Points `stream` at the whole of `input` and `output` and runs one zlib `step` over them.
    private static func oneShot(_ stream: inout z_stream, _ input: inout [UInt8], _ output: inout [UInt8],
                                _ step: (inout z_stream) -> Int32) -> Int32 {
        input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return step(&stream)
            }
        }
    }

    /// Raw deflate of `data`, nil when zlib cannot (out of memory).
    private static func deflateRaw(_ data: Data) -> Data? {
        var stream = z_stream()
        guard czlib_deflate_init_raw(&stream) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        let status = oneShot(&stream, &input, &output) { deflate(&$0, Z_FINISH) }
        guard status == Z_STREAM_END else { return nil }
        return Data(output.prefix(Int(stream.total_out)))
    }

    /// Inflates into exactly `expectedSize` bytes: more output, less output or a broken stream is an error.
    private static func inflateRaw(_ compressed: ArraySlice<UInt8>, expectedSize: Int, name: String) throws(SunatZipError) -> Data {
        var stream = z_stream()
        guard czlib_inflate_init_raw(&stream) == Z_OK else {
            throw SunatZipError("No se pudo iniciar la descompresión de \(name).")
        }
        defer { inflateEnd(&stream) }
        var input = Array(compressed)
        // One spare byte reveals an entry that unpacks to more than it declares.
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        let status = oneShot(&stream, &input, &output) { inflate(&$0, Z_FINISH) }
        guard status == Z_STREAM_END, Int(stream.total_out) == expectedSize else {
            throw SunatZipError("El archivo ZIP está dañado: \(name) no se descomprime al tamaño que declara.")
        }
        return Data(output.prefix(expectedSize))
    }

    // MARK: - layout

    private static func findEndOfCentralDirectory(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var offset = bytes.count - 22
        while offset >= lowest {
            if bytes[offset] == 0x50, bytes[offset + 1] == 0x4b, bytes[offset + 2] == 0x05, bytes[offset + 3] == 0x06 {
                return offset
            }
            offset -= 1
        }
        return nil
    }

    private static func dosTimestamp(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Lima") ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = max(0, min(127, (c.year ?? 1980) - 1980))
        let time = ((c.hour ?? 0) << 11) | ((c.minute ?? 0) << 5) | ((c.second ?? 0) / 2)
        let day = (year << 9) | ((c.month ?? 1) << 5) | (c.day ?? 1)
        return (UInt16(truncatingIfNeeded: time), UInt16(truncatingIfNeeded: day))
    }

    /// Little-endian reads that answer nil past the end instead of trapping.
    private struct Reader {
        let bytes: [UInt8]

        func slice(_ offset: Int, _ length: Int) -> ArraySlice<UInt8>? {
            guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else { return nil }
            return bytes[offset..<(offset + length)]
        }

        func u16(_ offset: Int) -> UInt16? {
            guard let s = slice(offset, 2) else { return nil }
            return UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8
        }

        func u32(_ offset: Int) -> UInt32? {
            guard let s = slice(offset, 4) else { return nil }
            return s.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
    }
}

private extension Data {
    mutating func append(le16 value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func append(le32 value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
