import Foundation
import GRDB
import VetCore
#if canImport(Glibc)
import Glibc
#endif

/// Why a sede store could not be opened or written, or refused an operation: `code` is stable, for
/// programs and tests to tell cases apart (as the central's JSON errors); `message` is Spanish, for
/// the user, as is.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notADatabase(path: String)
    case notVetDesk(path: String)
    case newerSchema(path: String, found: Int, known: Int)
    case alreadyExists(path: String)
    case notInitialized(path: String)
    case cannotCreate(path: String, reason: String)
    /// A rule of the sede refused the operation; nothing was written.
    case refused(Code, String)
    /// The OS does not let this user do `what` («leer», «escribir en») with `path`.
    case noPermission(path: String, what: String)
    case diskFull(path: String)
    /// Another program held the database's write lock for `seconds`.
    case busy(path: String, seconds: Int)
    /// The disk failed a read or a write (SQLite result code `code`).
    case diskError(path: String, code: Int32)
    /// Any other database error that reached a person (SQLite result code `code`).
    case unexpected(path: String, code: Int32)

    public var message: String {
        switch self {
        case .missing(let p):
            "No existe la base de datos \(p). Créela con: vetdesk init --db \(p) --sede CODIGO --name NOMBRE"
        case .notADatabase(let p):
            "El archivo \(p) no es una base de datos SQLite o está dañado. No se modificó."
        case .notVetDesk(let p):
            "El archivo \(p) es una base SQLite pero no de VetDesk. No se modificó."
        case .newerSchema(let p, let found, let known):
            "La base de datos \(p) fue escrita por una versión más nueva de VetDesk (esquema \(found); esta versión conoce hasta el \(known)). Actualice vetdesk; la base no se modificó."
        case .alreadyExists(let p):
            "Ya existe \(p); no se sobrescribe."
        case .notInitialized(let p):
            "La base de datos \(p) no tiene sede configurada. Use: vetdesk init --db \(p) --sede CODIGO --name NOMBRE"
        case .cannotCreate(let p, let reason):
            "No se pudo crear \(p): \(reason)"
        case .refused(_, let m):
            m
        case .noPermission(let p, let what):
            "Su usuario no tiene permiso para \(what) \(p). Pida al administrador que agregue su usuario al grupo de la sede y que la carpeta y la base sean del grupo con permiso de escritura (README: «Instalación en una sede»). No se modificó nada."
        case .diskFull(let p):
            "No queda espacio en el disco donde está \(p): no se guardó nada. Libere espacio (respaldos o archivos viejos) y vuelva a intentar."
        case .busy(_, let seconds):
            "La base de la sede sigue ocupada por otro programa tras \(seconds) s de espera: no se guardó nada. Vuelva a intentar; si se repite, cierre el programa que la tiene abierta (por ejemplo, una consola sqlite3)."
        case .diskError(let p, let code):
            "El disco falló al leer o escribir \(p) (código SQLite \(code)): puede que no se haya guardado. Revise el disco y el espacio libre y vuelva a intentar; si se repite, restaure la base desde un respaldo."
        case .unexpected(let p, let code):
            "La base de datos \(p) respondió con un error inesperado (código SQLite \(code)): no se guardó nada. Vuelva a intentar; si se repite, avise a soporte con este código."
        }
    }

    public var description: String { message }

    /// A stable, snake_case name of what went wrong.
    public enum Code: String, Sendable, CaseIterable {
        // The file and the machine.
        case missingDatabase = "missing_database"
        case notADatabase = "not_a_database"
        case notVetDesk = "not_vetdesk"
        case newerSchema = "newer_schema"
        case alreadyExists = "already_exists"
        case notInitialized = "not_initialized"
        case cannotCreate = "cannot_create"
        case noFilePermission = "no_file_permission"
        case diskFull = "disk_full"
        case busy
        case diskError = "disk_error"
        case unexpected
        // Refusals by a rule of the sede.
        /// Input that breaks a rule (a missing reason, an impossible duration, a bad code).
        case invalid
        /// The row the operation names does not exist (any more) or is not of this sede.
        case notFound = "not_found"
        /// The session's roles do not grant the operation (`Permission`).
        case forbidden
        /// The data's current state does not allow it (already exists, already signed, wrong status).
        case conflict
        /// The vet, the room or every room of the kind is taken at that time.
        case appointmentOverlap = "appointment_overlap"
        /// The vet does not work at that time.
        case outsideSchedule = "outside_schedule"
        /// A signed or locked clinical record cannot be changed.
        case recordLocked = "record_locked"
        /// The lot has expired: it is never sold, dispensed or shipped, only written off.
        case expiredLot = "expired_lot"
        /// Another sale already took these pending charges.
        case chargesTaken = "charges_taken"
        /// The operation number (Yape, Plin, transfer) was already used for another payment.
        case duplicateOperation = "duplicate_operation"
        /// A cash payment needs an open cash drawer session.
        case noCashSession = "no_cash_session"
        /// A supervisor's clave is needed (a discount over the limit, a void, a return, a balance left owing).
        case needsSupervisor = "needs_supervisor"
        /// The drawer's last session is open since another day, or its close waits for a note or a sign-off.
        case drawerUnresolved = "drawer_unresolved"
        /// The session is already closed.
        case sessionClosed = "session_closed"
        /// The company's certificate cannot sign (missing, wrong password, expired): no document, no number.
        case fiscalCertificate = "fiscal_certificate"
        /// The sale cannot have its document (a factura without RUC or fiscal address, …).
        case fiscalDocument = "fiscal_document"
    }

    public var code: Code {
        switch self {
        case .missing: .missingDatabase
        case .notADatabase: .notADatabase
        case .notVetDesk: .notVetDesk
        case .newerSchema: .newerSchema
        case .alreadyExists: .alreadyExists
        case .notInitialized: .notInitialized
        case .cannotCreate: .cannotCreate
        case .refused(let code, _): code
        case .noPermission: .noFilePermission
        case .diskFull: .diskFull
        case .busy: .busy
        case .diskError: .diskError
        case .unexpected: .unexpected
        }
    }

    /// Input that breaks a rule.
    public static func invalid(_ message: String) -> StoreError { .refused(.invalid, message) }
    /// The row named does not exist, or not at this sede.
    public static func notFound(_ message: String) -> StoreError { .refused(.notFound, message) }
    /// The session lacks the permission.
    public static func forbidden(_ message: String) -> StoreError { .refused(.forbidden, message) }
    /// The data's state does not allow it.
    public static func conflict(_ message: String) -> StoreError { .refused(.conflict, message) }
}

extension Session {
    /// Refuses with `StoreError.forbidden(message)` unless the session may do `permission`.
    public func require(_ permission: Permission, _ message: String) throws {
        guard may(permission) else { throw StoreError.forbidden(message) }
    }
}

extension StoreError {
    /// The Spanish error for a database error caused by the machine rather than by the data: no
    /// permission, a read-only file or folder, a full or failing disk, a lock held too long, a
    /// damaged file. `nil` for errors the caller handles itself (a broken rule, a constraint).
    public static func environmental(_ error: DatabaseError, path: String) -> StoreError? {
        let code = error.resultCode
        if code == .SQLITE_FULL || ((code == .SQLITE_IOERR || code == .SQLITE_CANTOPEN) && DiskSpace.isFull(path: path)) {
            return .diskFull(path: path)
        }
        switch code {
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return .noPermission(path: path, what: "escribir en")
        case .SQLITE_CANTOPEN:
            return .noPermission(path: path, what: "abrir")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .busy(path: path, seconds: 0)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .notADatabase(path: path)
        case .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_PROTOCOL, .SQLITE_NOLFS:
            return .diskError(path: path, code: error.extendedResultCode.rawValue)
        default:
            return nil
        }
    }

    /// The Spanish error for anything a store operation threw, for the last place before a person
    /// reads it (the command line, the TUI).
    public static func describing(_ error: any Error, path: String) -> StoreError? {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else { return nil }
        return environmental(error, path: path) ?? .unexpected(path: path, code: error.extendedResultCode.rawValue)
    }
}

extension StoreError {
    /// Why a new store file could not be made, from the system's `errno`.
    static func creating(path: String, folder: String, errno code: Int32) -> StoreError {
        switch code {
        case ENOSPC, EDQUOT: .diskFull(path: path)
        case EACCES, EPERM, EROFS: .noPermission(path: folder, what: "crear archivos en la carpeta")
        default: .cannotCreate(path: path, reason: String(cString: strerror(code)))
        }
    }

    /// The same error told about `path` where it was about `temp` (a store built aside).
    func replacingPath(_ temp: String, with path: String) -> StoreError {
        switch self {
        case .diskFull(let p) where p == temp: .diskFull(path: path)
        case .noPermission(let p, let what) where p == temp: .noPermission(path: path, what: what)
        case .busy(let p, let s) where p == temp: .busy(path: path, seconds: s)
        case .diskError(let p, let c) where p == temp: .diskError(path: path, code: c)
        case .unexpected(let p, let c) where p == temp: .unexpected(path: path, code: c)
        case .notADatabase(let p) where p == temp: .notADatabase(path: path)
        default: self
        }
    }
}

/// Free space where a file lives.
enum DiskSpace {
    /// Whether the filesystem holding `path` (or its folder) has no room left for a page.
    static func isFull(path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: (path as NSString).deletingLastPathComponent.isEmpty
                                                                                 ? "." : (path as NSString).deletingLastPathComponent),
              let free = (attributes[.systemFreeSize] as? NSNumber)?.int64Value else { return false }
        return free < 64 * 1024
    }
}
