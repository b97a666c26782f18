/// Why a sede store could not be opened or written; `message` is Spanish, for the user, as is.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notADatabase(path: String)
    case notVetDesk(path: String)
    case newerSchema(path: String, found: Int, known: Int)
    case alreadyExists(path: String)
    case notInitialized(path: String)
    case cannotCreate(path: String, reason: String)
    case invalid(String)

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
        case .invalid(let m):
            m
        }
    }

    public var description: String { message }
}
