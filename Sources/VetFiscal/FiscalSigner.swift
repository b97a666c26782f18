import CXMLSec
import Foundation
import VetCore

/// What the company's certificate says about itself.
public struct CertificateInfo: Sendable, Equatable {
    public var notBefore: Date
    public var notAfter: Date
    public var subject: String
    public var serial: String
}

/// Why the certificate cannot sign; `message` is Spanish, for the cashier and the supervisor.
public enum CertificateProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case notConfigured
    case unreadable(String)
    case wrongPassword
    case expired(Date)
    case notYetValid(Date)
    case insecureFile(String)

    public var message: String {
        switch self {
        case .notConfigured: "No hay certificado digital configurado para emitir comprobantes (vetdesk fiscal certificate)"
        case .unreadable(let why): "No se pudo leer el certificado digital: \(why)"
        case .wrongPassword: "La contraseña del certificado digital no es correcta"
        case .expired(let date): "El certificado digital venció el \(LimaTime.day(date)): renuévelo antes de emitir comprobantes"
        case .notYetValid(let date): "El certificado digital es válido recién desde el \(LimaTime.day(date))"
        case .insecureFile(let path): "El certificado \(path) puede ser leído por otros usuarios: debe ser solo del dueño (chmod 600)"
        }
    }
    public var description: String { message }
}

/// A signing failure (a document that is not well-formed, an internal libxmlsec1 error).
public struct SigningError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A signed document and its digest (the «Hash» printed with the QR).
public struct SignedDocument: Sendable, Equatable {
    public var xml: Data
    public var digestValue: String
}

/// Signs SUNAT documents with the company's PKCS#12 certificate through libxmlsec1: an enveloped
/// XMLDSig, RSA-SHA256, the certificate embedded. The key is loaded once.
public final class FiscalSigner: @unchecked Sendable {
    private let key: OpaquePointer
    private let lock = NSLock()
    public let certificate: CertificateInfo

    public init(pkcs12 data: Data, password: String) throws(CertificateProblem) {
        var code: Int32 = 0
        var err = [CChar](repeating: 0, count: 512)
        let loaded: OpaquePointer? = data.withUnsafeBytes { raw in
            cxs_key_load_pkcs12(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, password, &code, &err, err.count)
        }
        guard let loaded else {
            if code == -2 { throw .wrongPassword }
            throw .unreadable(Self.text(err))
        }
        key = loaded
        var info = cxs_cert_info()
        _ = cxs_key_info(loaded, &info)
        certificate = CertificateInfo(
            notBefore: Date(timeIntervalSince1970: TimeInterval(info.not_before)),
            notAfter: Date(timeIntervalSince1970: TimeInterval(info.not_after)),
            subject: withUnsafeBytes(of: info.subject) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) },
            serial: withUnsafeBytes(of: info.serial) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) })
    }

    /// Loads the .pfx at `path`, which must not be readable by group or others.
    public convenience init(path: String, password: String) throws(CertificateProblem) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .unreadable("no existe \(path)") }
        if st.st_mode & 0o077 != 0 { throw .insecureFile(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable("no se puede abrir \(path)") }
        try self.init(pkcs12: data, password: password)
    }

    deinit { cxs_key_free(key) }

    /// The certificate must be valid at `now`.
    public func check(at now: Date) throws(CertificateProblem) {
        if now > certificate.notAfter { throw .expired(certificate.notAfter) }
        if now < certificate.notBefore { throw .notYetValid(certificate.notBefore) }
    }

    /// Signs a document written by `UBLWriter` (it carries the signature template).
    public func sign(_ xml: String) throws(SigningError) -> SignedDocument {
        var out: UnsafeMutablePointer<UInt8>?
        var outLen = 0
        var err = [CChar](repeating: 0, count: 512)
        let bytes = Array(xml.utf8)
        let rc = lock.withLock { cxs_sign(key, bytes, bytes.count, &out, &outLen, &err, err.count) }
        guard rc == 0, let out else { throw SigningError(Self.text(err)) }
        defer { cxs_free(out) }
        let signed = Data(bytes: out, count: outLen)
        guard let digest = Self.digestValue(in: signed) else { throw SigningError("El documento firmado no tiene DigestValue") }
        return SignedDocument(xml: signed, digestValue: digest)
    }

    /// nil when the document's signature holds with the certificate it embeds; else why not.
    public static func verify(_ xml: Data) -> String? {
        var err = [CChar](repeating: 0, count: 512)
        let rc = xml.withUnsafeBytes { raw in cxs_verify(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &err, err.count) }
        return rc == 0 ? nil : text(err)
    }

    /// The DigestValue of a signed document.
    public static func digestValue(in xml: Data) -> String? {
        let open = Array("<ds:DigestValue>".utf8), close = Array("</ds:DigestValue>".utf8)
        guard let start = xml.firstRange(of: open), let end = xml[start.upperBound...].firstRange(of: close) else { return nil }
        let value = String(decoding: xml[start.upperBound..<end.lowerBound], as: UTF8.self)
            .filter { !$0.isWhitespace }
        return value.isEmpty ? nil : value
    }

    /// A self-signed certificate for demos and tests, never valid before SUNAT: its name says so.
    public static func makeTestCertificate(commonName: String, organization: String, password: String,
                                           validFrom: Date, until: Date) throws(CertificateProblem) -> Data {
        var out: UnsafeMutablePointer<UInt8>?
        var outLen = 0
        var err = [CChar](repeating: 0, count: 512)
        let rc = cxs_make_test_pkcs12(commonName, organization, password, Int64(validFrom.timeIntervalSince1970),
                                      Int64(until.timeIntervalSince1970), &out, &outLen, &err, err.count)
        guard rc == 0, let out else { throw .unreadable(text(err)) }
        defer { cxs_free(out) }
        return Data(bytes: out, count: outLen)
    }

    private static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
