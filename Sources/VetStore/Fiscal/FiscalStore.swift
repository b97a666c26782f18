import Foundation
import GRDB
import VetCore
import VetFiscal

/// The company's SUNAT data and this sede's series, kept in the sede's local settings (never
/// synced). The certificate and the passwords are files in `fiscal/` beside the database, readable
/// by the owner only; they are never synced, printed or shown.
public struct FiscalConfiguration: Codable, Sendable, Equatable {
    public var ruc: String
    public var legalName: String
    public var tradeName: String
    public var ubigeo: String
    public var address: String
    public var district: String
    public var province: String
    public var department: String
    /// Código de establecimiento anexo of this sede («0000» for the domicilio fiscal).
    public var annexCode: String
    public var boletaSeries: String
    public var facturaSeries: String
    /// Notas de crédito of boletas (start with B) and of facturas (start with F).
    public var boletaNoteSeries: String
    public var facturaNoteSeries: String
    /// SUNAT's billService (production, beta or an OSE) and the usuario SOL.
    public var endpoint: String?
    public var solUser: String?

    public init(ruc: String, legalName: String, tradeName: String, ubigeo: String, address: String, district: String, province: String,
                department: String, annexCode: String, boletaSeries: String, facturaSeries: String, boletaNoteSeries: String,
                facturaNoteSeries: String, endpoint: String? = nil, solUser: String? = nil) {
        self.ruc = ruc; self.legalName = legalName; self.tradeName = tradeName; self.ubigeo = ubigeo; self.address = address
        self.district = district; self.province = province; self.department = department; self.annexCode = annexCode
        self.boletaSeries = boletaSeries; self.facturaSeries = facturaSeries; self.boletaNoteSeries = boletaNoteSeries
        self.facturaNoteSeries = facturaNoteSeries; self.endpoint = endpoint; self.solUser = solUser
    }

    public var issuer: FiscalIssuer {
        FiscalIssuer(ruc: ruc, legalName: legalName, tradeName: tradeName,
                     address: FiscalAddress(ubigeo: ubigeo, line: address, district: district, province: province,
                                            department: department, annexCode: annexCode))
    }

    /// Every problem, in Spanish, or nil.
    public func problem() -> String? {
        if let p = DocumentValidation.rucProblem(ruc) { return "RUC de la empresa: \(p)" }
        if legalName.trimmingCharacters(in: .whitespaces).isEmpty { return "Falta la razón social" }
        if address.trimmingCharacters(in: .whitespaces).isEmpty { return "Falta la dirección del establecimiento" }
        guard ubigeo.count == 6, ubigeo.allSatisfy({ $0.isASCII && $0.isNumber }) else { return "El ubigeo tiene 6 dígitos" }
        return FiscalNumbering.seriesSetProblem(annexCode: annexCode, boleta: boletaSeries, factura: facturaSeries,
                                                boletaNote: boletaNoteSeries, facturaNote: facturaNoteSeries)?.message
    }
}

/// This sede's SUNAT series and código de anexo as the central assigned them (`vetcentral fiscal
/// series set`, pulled into `fiscal_series`). When present they take precedence over the local
/// `FiscalConfiguration`'s. Read from a peer: `problem()` says whether it can be used.
public struct FiscalSeriesAssignment: Sendable, Equatable {
    public var annexCode: String
    public var boletaSeries: String
    public var facturaSeries: String
    public var boletaNoteSeries: String
    public var facturaNoteSeries: String
    /// When the central assigned them (ISO-8601, as written there).
    public var assignedAt: String

    /// Boleta, factura, nota de boleta and nota de factura, in that order.
    public var series: [String] { [boletaSeries, facturaSeries, boletaNoteSeries, facturaNoteSeries] }

    /// Why these series cannot be used, in Spanish, or nil.
    public func problem() -> String? {
        FiscalNumbering.seriesSetProblem(annexCode: annexCode, boleta: boletaSeries, factura: facturaSeries,
                                         boletaNote: boletaNoteSeries, facturaNote: facturaNoteSeries)?.message
    }
}

extension FiscalConfiguration {
    /// The same configuration with the central's anexo and series in place of the local ones.
    public func applying(_ assignment: FiscalSeriesAssignment) -> FiscalConfiguration {
        var config = self
        config.annexCode = assignment.annexCode
        config.boletaSeries = assignment.boletaSeries
        config.facturaSeries = assignment.facturaSeries
        config.boletaNoteSeries = assignment.boletaNoteSeries
        config.facturaNoteSeries = assignment.facturaNoteSeries
        return config
    }
}

/// What issuing needs, prepared before the transaction: the configuration and a signer whose
/// certificate was checked at the act's time.
package struct FiscalContext: Sendable {
    let config: FiscalConfiguration
    let signer: FiscalSigner
    let now: Date

    /// The same context for an act at another time (a demo's day, written in a batch).
    package func at(_ date: Date) -> FiscalContext { FiscalContext(config: config, signer: signer, now: date) }
}

/// Signers loaded once per certificate file (the key is read from the .pfx on the first sale).
private final class SignerCache: @unchecked Sendable {
    static let shared = SignerCache()
    private let lock = NSLock()
    private var entries: [String: (stamp: String, signer: FiscalSigner)] = [:]

    func signer(path: String, password: String) throws(CertificateProblem) -> FiscalSigner {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .notConfigured }
        let stamp = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec).\(st.st_size).\(password.hashValue)"
        if let hit = lock.withLock({ entries[path] }), hit.stamp == stamp { return hit.signer }
        let signer = try FiscalSigner(path: path, password: password)
        lock.withLock { entries[path] = (stamp, signer) }
        return signer
    }
}

extension SedeStore {
    /// `fiscal/` beside the database: the certificate and the passwords (mode 0700).
    public var fiscalFolder: String { (path as NSString).deletingLastPathComponent + "/fiscal" }
    var certificatePath: String { fiscalFolder + "/certificado.pfx" }
    var certificatePasswordPath: String { fiscalFolder + "/certificado.clave" }
    var solPasswordPath: String { fiscalFolder + "/sol.clave" }

    /// The configuration documents are issued with: the local one, with the anexo and series the
    /// central assigned to this sede in their place when it assigned usable ones.
    public func fiscalConfiguration() throws -> FiscalConfiguration? {
        try read { db in try Self.fiscalConfiguration(db) }
    }

    static func fiscalConfiguration(_ db: Database) throws -> FiscalConfiguration? {
        guard let local = try localFiscalConfiguration(db) else { return nil }
        guard let assignment = try fiscalSeriesAssignment(db), assignment.problem() == nil else { return local }
        return local.applying(assignment)
    }

    /// The configuration as `vetdesk fiscal setup` saved it in this sede's settings.
    static func localFiscalConfiguration(_ db: Database) throws -> FiscalConfiguration? {
        guard let json = try setting(.fiscalConfig, db) else { return nil }
        return try? JSONDecoder().decode(FiscalConfiguration.self, from: Data(json.utf8))
    }

    /// The newest anexo and series the central assigned to this sede, or nil when it assigned none.
    public func fiscalSeriesAssignment() throws -> FiscalSeriesAssignment? {
        try read { db in try Self.fiscalSeriesAssignment(db) }
    }

    static func fiscalSeriesAssignment(_ db: Database) throws -> FiscalSeriesAssignment? {
        guard let sedeID = try setting(.sedeID, db),
              let row = try Row.fetchOne(db, sql: "SELECT * FROM fiscal_series WHERE sede_id = ? ORDER BY id DESC LIMIT 1", arguments: [sedeID])
        else { return nil }
        // Pulled from a peer: a column that is not text reads as empty, and `problem()` refuses it.
        func text(_ column: String) -> String { String.fromDatabaseValue(row[column] as DatabaseValue) ?? "" }
        return FiscalSeriesAssignment(annexCode: text("annex_code"), boletaSeries: text("boleta_series"), facturaSeries: text("factura_series"),
                                      boletaNoteSeries: text("boleta_note_series"), facturaNoteSeries: text("factura_note_series"),
                                      assignedAt: text("assigned_at"))
    }

    /// Sets the company's data and series and, when given, the certificate (checked with its
    /// password before anything is saved) and the clave SOL. Administrators only.
    public func configureFiscal(_ config: FiscalConfiguration, certificate: Data? = nil, certificatePassword: String? = nil,
                                solPassword: String? = nil, by session: Session) throws {
        try session.require(.configureFiscal, "Solo un administrador configura la facturación electrónica")
        if let problem = config.problem() { throw StoreError.invalid(problem) }
        if let certificate {
            let signer: FiscalSigner
            do throws(CertificateProblem) { signer = try FiscalSigner(pkcs12: certificate, password: certificatePassword ?? "") } catch {
                throw StoreError.invalid(error.message)
            }
            do throws(CertificateProblem) { try signer.check(at: clock.now) } catch { throw StoreError.invalid(error.message) }
        } else if !FileManager.default.fileExists(atPath: certificatePath) {
            throw StoreError.invalid(CertificateProblem.notConfigured.message)
        }
        try FileManager.default.createDirectory(atPath: fiscalFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(fiscalFolder, 0o700)
        if let certificate {
            try Self.writePrivate(certificate, to: certificatePath)
            try Self.writePrivate(Data((certificatePassword ?? "").utf8), to: certificatePasswordPath)
        }
        if let solPassword { try Self.writePrivate(Data(solPassword.utf8), to: solPasswordPath) }
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try write(user: session.userID) { db in try Self.setSetting(.fiscalConfig, json, db) }
    }

    /// Writes a secret owner-only (0600), through a temporary file renamed into place.
    static func writePrivate(_ data: Data, to path: String) throws {
        let temp = path + ".tmp"
        let fd = Glibc.open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw StoreError.invalid("No se pudo escribir \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let ok = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return fsync(fd) == 0
        }
        Glibc.close(fd)
        guard ok, rename(temp, path) == 0 else {
            unlink(temp)
            throw StoreError.invalid("No se pudo guardar \(path) (¿disco lleno?)")
        }
    }

    /// The clave SOL, read from its private file.
    public func solPassword() -> String? {
        FileManager.default.contents(atPath: solPasswordPath).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The configuration and a signer valid now, or nil when this sede does not issue documents.
    /// A certificate that is missing, has the wrong password or is expired stops the act here,
    /// before a number is taken.
    /// Series the central assigned take precedence over the local ones; unusable ones (a peer's
    /// value that breaks SUNAT's rules) stop the act too, rather than numbering in the old series.
    package func fiscalContext() throws -> FiscalContext? {
        let (local, assignment) = try read { db in (try Self.localFiscalConfiguration(db), try Self.fiscalSeriesAssignment(db)) }
        guard var config = local else { return nil }
        if let assignment {
            if let problem = assignment.problem() {
                throw StoreError.refused(.fiscalDocument, "Las series que la central asignó a esta sede no sirven (\(problem)): no se emitió el comprobante. Avise a la central.")
            }
            config = config.applying(assignment)
        }
        let password = FileManager.default.contents(atPath: certificatePasswordPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        do throws(CertificateProblem) {
            let signer = try SignerCache.shared.signer(path: certificatePath, password: password)
            let now = clock.now
            try signer.check(at: now)
            return FiscalContext(config: config, signer: signer, now: now)
        } catch {
            throw StoreError.refused(.fiscalCertificate, error.message)
        }
    }

    /// The certificate's data for the supervisor's screen, or why it cannot sign.
    public func certificateStatus() -> Result<CertificateInfo, CertificateProblem> {
        let password = FileManager.default.contents(atPath: certificatePasswordPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        do throws(CertificateProblem) {
            let signer = try SignerCache.shared.signer(path: certificatePath, password: password)
            return .success(signer.certificate)
        } catch { return .failure(error) }
    }
}
