import Foundation

/// A strict, allocation-light JSON reader over UTF-8 bytes, for the sync hot paths (push bodies of
/// thousands of entries at central, pull pages at the sede).
///
/// Guarantees: it accepts only what RFC 8259 accepts (no trailing commas, no comments, no leading
/// zeros, no raw control characters or invalid UTF-8 in strings, no unpaired `\u` surrogates),
/// so any text it vouches for (`scalarObjectText`) can be spliced verbatim into other JSON.
/// Every failure is a `JSONReader.Failure` with the byte offset where reading stopped.
public struct JSONReader {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "JSON inválido en el byte \(offset): \(message)" }
        public init(message: String, offset: Int) { self.message = message; self.offset = offset }
    }

    /// Nesting allowed inside values that are skipped (unknown keys).
    static let maxDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0
    /// True right after an object or array opens: its first member takes no comma.
    var atStart = false

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Runs `body` over the bytes of `data`, then checks that nothing but whitespace follows.
    public static func read<T>(_ data: Data, _ body: (inout JSONReader) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.assumingMemoryBound(to: UInt8.self))
            let value = try body(&reader)
            try reader.end()
            return value
        }
    }

    /// Fails unless only whitespace is left.
    public mutating func end() throws {
        skipSpace()
        if offset < bytes.count { throw fail("sobra texto después del valor") }
    }

    // MARK: Structure

    /// Consumes `{`.
    public mutating func beginObject() throws {
        try expect(UInt8(ascii: "{"), "se esperaba un objeto")
        atStart = true
    }

    /// Consumes `[`.
    public mutating func beginArray() throws {
        try expect(UInt8(ascii: "["), "se esperaba una lista")
        atStart = true
    }

    /// The next key of the object being read (and its `:`), or nil at its closing `}`.
    public mutating func nextKey() throws -> String? {
        guard try nextMember(close: UInt8(ascii: "}")) else { return nil }
        let key = try readString()
        try expect(UInt8(ascii: ":"), "se esperaba «:» después de la clave")
        return key
    }

    /// True if the array being read has another element, false at its closing `]`.
    public mutating func nextElement() throws -> Bool {
        try nextMember(close: UInt8(ascii: "]"))
    }

    /// Steps to the next member of the object or array being read: past the comma unless it is the
    /// first. False (and the closing bracket consumed) when there is none.
    mutating func nextMember(close: UInt8) throws -> Bool {
        let first = atStart
        atStart = false
        skipSpace()
        guard offset < bytes.count else { throw fail("el texto termina antes de cerrar") }
        if bytes[offset] == close { offset += 1; return false }
        if !first {
            // After a comma a member must follow: a closing bracket there fails where the member is read.
            guard bytes[offset] == UInt8(ascii: ",") else { throw fail("se esperaba «,»") }
            offset += 1
            skipSpace()
        }
        return true
    }

    // MARK: Values

    /// True (and consumed) if the next value is `null`.
    public mutating func readNull() throws -> Bool {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    public mutating func readString() throws -> String {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("se esperaba un texto") }
        let start = offset + 1
        let escaped = try scanString()
        let body = UnsafeBufferPointer(rebasing: bytes[start..<offset - 1])
        return escaped ? try unescape(body, at: start) : String(decoding: body, as: UTF8.self)
    }

    public mutating func readStringOrNull() throws -> String? {
        try readNull() ? nil : try readString()
    }

    /// An integer that fits in 64 bits, written without fraction or exponent.
    public mutating func readInt64() throws -> Int64 {
        skipSpace()
        let start = offset
        guard try scanNumber() == .integer, let value = integerValue(start..<offset) else {
            offset = start
            throw fail("se esperaba un entero")
        }
        return value
    }

    public mutating func readInt64OrNull() throws -> Int64? {
        try readNull() ? nil : try readInt64()
    }

    /// A number exactly as written (`10.50`, `-3`, `1e2`), checked against JSON's grammar: for
    /// amounts that must never pass through a `Double`.
    public mutating func readNumberText() throws -> String {
        skipSpace()
        let start = offset
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "-") || isDigit(bytes[offset]) else { throw fail("se esperaba un número") }
        _ = try scanNumber()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// A string, or a number exactly as written (for a field a peer writes either way); nil for null.
    public mutating func readTextOrNumber() throws -> String? {
        skipSpace()
        guard offset < bytes.count else { throw fail("falta un valor") }
        switch bytes[offset] {
        case UInt8(ascii: "\""): return try readString()
        case UInt8(ascii: "n"): try literal("null"); return nil
        default: return try readNumberText()
        }
    }

    public mutating func readBool() throws -> Bool {
        skipSpace()
        guard offset < bytes.count else { throw fail("se esperaba true o false") }
        switch bytes[offset] {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw fail("se esperaba true o false")
        }
    }

    /// A scalar as a column value: an integer is `.int` (`.double` beyond 64 bits), a number with a
    /// fraction or exponent `.double`, a string `.text`, true/false `.int(1)`/`.int(0)`, null `.null`.
    /// Objects and arrays fail.
    public mutating func readScalar() throws -> SQLValue {
        skipSpace()
        guard offset < bytes.count else { throw fail("falta un valor") }
        switch bytes[offset] {
        case UInt8(ascii: "\""): return .text(try readString())
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "t"): try literal("true"); return .int(1)
        case UInt8(ascii: "f"): try literal("false"); return .int(0)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            if try scanNumber() == .integer, let value = integerValue(start..<offset) { return .int(value) }
            return .double(try doubleValue(start..<offset))
        default: throw fail("se esperaba un valor simple (texto, número, true, false o null)")
        }
    }

    /// An object whose values are all scalars, decoded as by `readScalar`; a repeated key keeps its last value.
    public mutating func readScalarObject() throws -> [String: SQLValue] {
        try beginObject()
        var out: [String: SQLValue] = [:]
        while let key = try nextKey() {
            out[key] = try readScalar()
        }
        return out
    }

    /// Checks that the next value is an object whose values are all scalars and returns its exact
    /// text, together with the values (decoded as by `readScalar`) of the keys in `capture`, in
    /// that order (nil for a key that is absent; the last one for a repeated key).
    public mutating func scalarObjectText(capture: [String]) throws -> (text: String, captured: [SQLValue?]) {
        skipSpace()
        let start = offset
        try beginObject()
        var captured = [SQLValue?](repeating: nil, count: capture.count)
        while try nextMember(close: UInt8(ascii: "}")) {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("se esperaba una clave") }
            let keyStart = offset + 1
            let escaped = try scanString()
            let keyBytes = UnsafeBufferPointer(rebasing: bytes[keyStart..<offset - 1])
            try expect(UInt8(ascii: ":"), "se esperaba «:» después de la clave")
            let index = escaped
                ? capture.firstIndex(of: try unescape(keyBytes, at: keyStart))
                : capture.firstIndex { $0.utf8.count == keyBytes.count && $0.utf8.elementsEqual(keyBytes) }
            if let index {
                captured[index] = try readScalar()
            } else {
                try skipScalar()
            }
        }
        return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self), captured)
    }

    /// Checks and skips any value, nested or not.
    public mutating func skipValue() throws { try skipValue(depth: 0) }

    mutating func skipValue(depth: Int) throws {
        skipSpace()
        guard offset < bytes.count else { throw fail("falta un valor") }
        switch bytes[offset] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("anidamiento excesivo") }
            let isObject = bytes[offset] == UInt8(ascii: "{")
            offset += 1
            atStart = true
            while try nextMember(close: isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                if isObject {
                    guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw fail("se esperaba una clave") }
                    _ = try scanString()
                    try expect(UInt8(ascii: ":"), "se esperaba «:» después de la clave")
                }
                try skipValue(depth: depth + 1)
            }
        default:
            try skipScalar()
        }
    }

    /// Checks and skips a string, number, true, false or null.
    mutating func skipScalar() throws {
        skipSpace()
        guard offset < bytes.count else { throw fail("falta un valor") }
        switch bytes[offset] {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            if try scanNumber() == .integer, integerValue(start..<offset) != nil { return }
            _ = try doubleValue(start..<offset)
        default: throw fail("se esperaba un valor simple (texto, número, true, false o null)")
        }
    }

    // MARK: Scanning

    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ message: String) throws {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { throw fail(message) }
        offset += 1
    }

    mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[offset..<offset + count]) else {
            throw fail("se esperaba \(word)")
        }
        offset += count
    }

    /// From an opening quote to just past the closing one, checking escapes, control characters
    /// and UTF-8. Returns whether the string has escapes.
    mutating func scanString() throws -> Bool {
        offset += 1
        var escaped = false
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                try scanEscape()
            case 0..<0x20:
                throw fail("carácter de control sin escapar en un texto")
            case 0x80...:
                try scanUTF8(lead: byte)
            default:
                offset += 1
            }
        }
        throw fail("texto sin cerrar")
    }

    /// Checks one escape at `offset` (the backslash) and moves past it.
    mutating func scanEscape() throws {
        guard offset + 1 < bytes.count else { throw fail("escape incompleto") }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: offset + 2)
            offset += 6
            switch unit {
            case 0xD800...0xDBFF:
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u"),
                      (0xDC00...0xDFFF).contains(try hex4(at: offset + 2)) else {
                    throw fail("sustituto \\u sin pareja")
                }
                offset += 6
            case 0xDC00...0xDFFF:
                throw fail("sustituto \\u sin pareja")
            default:
                break
            }
        default:
            throw fail("escape desconocido")
        }
    }

    func hex4(at position: Int) throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw Failure(message: "escape \\u incompleto", offset: position) }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(message: "escape \\u con dígitos no hexadecimales", offset: position)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Checks one multi-byte UTF-8 sequence (no overlong forms, no surrogates, at most U+10FFFF).
    mutating func scanUTF8(lead: UInt8) throws {
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("UTF-8 inválido")
        }
        guard offset + length <= bytes.count, (low...high).contains(bytes[offset + 1]) else { throw fail("UTF-8 inválido") }
        for i in 2..<length where !(0x80...0xBF).contains(bytes[offset + i]) { throw fail("UTF-8 inválido") }
        offset += length
    }

    /// The text of a string body already checked by `scanString`, escapes resolved.
    func unescape(_ body: UnsafeBufferPointer<UInt8>, at start: Int) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = 0
        while i < body.count {
            let byte = body[i]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); i += 1; continue }
            let kind = body[i + 1]
            i += 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: start + i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = try hex4(at: start + i + 2)
                    i += 6
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                }
                guard let decoded = Unicode.Scalar(scalar) else { throw Failure(message: "escape \\u inválido", offset: start + i) }
                UTF8.encode(decoded) { out.append($0) }
            default: out.append(kind)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum NumberKind { case integer, real }

    /// Moves past a number in JSON's grammar and says whether it had a fraction or exponent.
    mutating func scanNumber() throws -> NumberKind {
        var kind = NumberKind.integer
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("número inválido") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count && isDigit(bytes[offset]) { throw fail("número con cero a la izquierda") }
        } else {
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            kind = .real
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("número inválido: faltan decimales") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            kind = .real
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("número inválido: falta el exponente") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        return kind
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The value of an integer already scanned, or nil if it does not fit in 64 bits.
    func integerValue(_ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value: Int64 = 0
        while i < range.upperBound {
            let digit = Int64(bytes[i] - UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// The value of a number already scanned; numbers too large for a Double fail.
    func doubleValue(_ range: Range<Int>) throws -> Double {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw Failure(message: "número fuera de rango", offset: range.lowerBound)
        }
        return value
    }

    func fail(_ message: String) -> Failure {
        Failure(message: offset < bytes.count ? message : message + " (el texto termina antes)", offset: offset)
    }
}
