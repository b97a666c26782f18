import ArgumentParser
import Foundation
import VetCore
import VetStore

struct CashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cash", abstract: "Caja de la terminal: apertura, movimientos, cierre a ciegas, notas, firma y reportes X/Z.",
        subcommands: [CashOpenCommand.self, CashMoveCommand.self, CashCloseCommand.self, CashNoteCommand.self, CashSignOffCommand.self,
                      CashReportCommand.self])
}

/// «100x2,10x5,0.50x4» (soles x cantidad) as céntimos → count; a clear message for anything else.
func parseDenominationCounts(_ text: String, option: String) throws -> [Int64: Int64] {
    var parsed: [Int64: Int64] = [:]
    for piece in text.split(separator: ",") {
        let parts = piece.split(separator: "x")
        guard parts.count == 2, let money = try? Money.parse(String(parts[0]).trimmingCharacters(in: .whitespaces)),
              let count = Int64(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw UserFacingError("\(option): «\(piece)» no es soles x cantidad (p. ej. 100x2)")
        }
        guard Denomination.all.contains(money.centimos) else {
            throw UserFacingError("\(option): no existe la denominación \(money.formatted) (billetes de 10 a 200, monedas de 0.10 a 5)")
        }
        guard count >= 0 else { throw UserFacingError("\(option): la cantidad de \(Denomination.label(money.centimos)) no puede ser negativa") }
        let (sum, overflow) = parsed[money.centimos, default: 0].addingReportingOverflow(count)
        guard !overflow else { throw UserFacingError("\(option): cantidad demasiado grande") }
        parsed[money.centimos] = sum
    }
    return parsed
}

func parseAmount(_ text: String, option: String) throws -> Money {
    do { return try Money.parse(text) } catch { throw UserFacingError("\(option): \(error.description)") }
}

/// The drawer named by `--drawer`, `$VETDESK_CAJA` or the default.
func drawerName(_ drawer: String?) -> String {
    drawer ?? ProcessInfo.processInfo.environment["VETDESK_CAJA"].flatMap { $0.isEmpty ? nil : $0 } ?? SedeStore.defaultDrawer
}

/// A supervisor's clave from `--supervisor` and `--clave-file` (the file holds the clave).
func supervisorClave(_ user: String?, _ file: String?) throws -> Clave? {
    guard let user else { return nil }
    guard let file else { throw UserFacingError("--supervisor necesita --clave-file con la clave del supervisor") }
    guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
        throw UserFacingError("No se pudo leer la clave de \(file)")
    }
    return Clave(username: user, password: text.trimmingCharacters(in: .newlines))
}

/// `vetdesk cash open --drawer "Caja 1" --float 100x2,10x5 --by USER`.
struct CashOpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Abre la caja con su fondo contado por denominación.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Nombre de la caja (o $VETDESK_CAJA).") var drawer: String?
    @Option(name: .customLong("float"), help: "Fondo por denominación: «100x2,10x5,0.50x4» (soles x cantidad).") var counts: String
    @Option(help: "Usuario que abre la caja.") var by: String
    @Option(help: "Id de la apertura (por defecto, uno nuevo).") var id: String?

    func run() throws {
        try reportingErrors {
            let parsed = try parseDenominationCounts(counts, option: "--float")
            let store = try openSede(try database.resolvedPath())
            let session = try store.trustedSession(username: by)
            let cash = try store.openCashSession(id: id ?? store.newID(), drawer: drawerName(drawer), counts: parsed, by: session)
            print("\(cash.drawer) abierta con \(Money(centimos: cash.openingFloat).formatted) (\(cash.id))")
        }
    }
}

/// `vetdesk cash move --kind egreso --amount 25.00 --concept compra_menor --reason "..." --document B001-12 --by USER`.
struct CashMoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "move", abstract: "Registra un ingreso, egreso, retiro a caja fuerte o depósito.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Nombre de la caja (o $VETDESK_CAJA).") var drawer: String?
    @Option(help: "ingreso, egreso, sangria (retiro a caja fuerte) o deposito.") var kind: String
    @Option(help: "Monto en soles (p. ej. 25.00).") var amount: String
    @Option(help: "Concepto de un egreso: proveedor, compra_menor, caja_chica u otro.") var concept: String?
    @Option(help: "Motivo.") var reason: String = ""
    @Option(help: "Número del comprobante.") var document: String?
    @Option(help: "Supervisor que autoriza un retiro.") var supervisor: String?
    @Option(help: "Archivo con la clave del supervisor.") var claveFile: String?
    @Option(help: "Usuario que registra.") var by: String
    @Option(help: "Id del movimiento (por defecto, uno nuevo).") var id: String?
    @Option(help: "Id del movimiento que se corrige con uno opuesto.") var corrects: String?

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let session = try store.trustedSession(username: by)
            let clave = try supervisorClave(supervisor, claveFile)
            if let corrects {
                let movement = try store.correctCashMovement(id: id ?? store.newID(), movementID: corrects, reason: reason, supervisor: clave, by: session)
                print("Corrección registrada: \(Money(centimos: movement.amount).formatted) (\(movement.id))")
                return
            }
            let kind = CashMovementKind(rawValue: kind)
            guard kind.isManual else { throw UserFacingError("--kind: use ingreso, egreso, sangria o deposito") }
            let concept = concept.map { CashConcept(rawValue: $0) }
            if case .unknown(let text)? = concept { throw UserFacingError("--concept: «\(text)» no es proveedor, compra_menor, caja_chica u otro") }
            let movement = try store.recordCashMovement(
                CashMovementDraft(id: id ?? store.newID(), drawer: drawerName(drawer), kind: kind, amount: try parseAmount(amount, option: "--amount"),
                                  concept: concept, reason: reason, document: document, supervisor: clave), by: session)
            print("\(kind.label) registrado: \(Money(centimos: movement.amount).formatted) (\(movement.id))")
        }
    }
}

/// `vetdesk cash close --count 100x2,... [--first-count ...] [--card 120.00 ...] [--note ...] --by USER`:
/// the blind close. Prints the Z report, and writes it to `--report` or to `cierres/`.
struct CashCloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Cierra la caja con el conteo a ciegas y los totales declarados.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Nombre de la caja (o $VETDESK_CAJA).") var drawer: String?
    @Option(help: "Sesión que se cierra (por defecto, la abierta de la caja).") var session: String?
    @Option(help: "Efectivo contado por denominación: «100x2,10x5,0.50x4».") var count: String
    @Option(help: "El primer conteo, si se recontó.") var firstCount: String?
    @Option(help: "Total del cierre de lote del POS (tarjetas).") var card: String?
    @Option(help: "Total de Yape.") var yape: String?
    @Option(help: "Total de Plin.") var plin: String?
    @Option(help: "Total de transferencias.") var transfer: String?
    @Option(help: "Total de PagoEfectivo.") var pagoefectivo: String?
    @Option(help: "Nota del cierre.") var note: String?
    @Option(help: "Usuario que cierra.") var by: String
    @Option(help: "Id del cierre (por defecto, uno nuevo).") var id: String?
    @Option(help: "Archivo donde escribir el reporte Z.") var report: String?

    func run() throws {
        try reportingErrors {
            let counts = try parseDenominationCounts(count, option: "--count")
            let first = try firstCount.map { try parseDenominationCounts($0, option: "--first-count") }
            var declared: [PaymentMethod: Money] = [:]
            for (method, text, option) in [(PaymentMethod.tarjeta, card, "--card"), (.yape, yape, "--yape"), (.plin, plin, "--plin"),
                                           (.transferencia, transfer, "--transfer"), (.pagoefectivo, pagoefectivo, "--pagoefectivo")] {
                if let text { declared[method] = try parseAmount(text, option: option) }
            }
            let store = try openSede(try database.resolvedPath())
            let user = try store.trustedSession(username: by)
            let name = drawerName(drawer)
            // A close sent again with its id finds its session even though the drawer is no longer open.
            let resent = try id.flatMap { id in try store.read { db in try CashClose.fetchOne(db, key: id)?.sessionId } }
            guard let sessionID = try session ?? resent ?? store.currentCashSession(drawer: name, sedeID: user.sede.id)?.id else {
                throw UserFacingError("\(name) no está abierta")
            }
            let z = try store.closeCashSession(CashCloseDraft(id: id ?? store.newID(), sessionID: sessionID, counts: counts, firstCounts: first,
                                                              declared: declared, note: note), by: user)
            let text = CashReportLayout(columns: .wide).text(for: z)
            if let report {
                try SedeFiles.write(Data(text.utf8), to: report)
            } else {
                _ = try SedeStore.writeCashReport(z, folder: store.cashReportsFolder)
            }
            print(text, terminator: "")
        }
    }
}

/// `vetdesk cash note --session ID --note "..." --by USER`.
struct CashNoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Agrega una nota al cierre de una sesión.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Sesión de caja.") var session: String
    @Option(help: "Nota.") var note: String
    @Option(help: "Usuario.") var by: String
    @Option(help: "Id de la nota (por defecto, uno nuevo).") var id: String?

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let user = try store.trustedSession(username: by)
            guard let close = try store.cashClose(sessionID: session)?.close else { throw UserFacingError("Esa sesión de caja no está cerrada") }
            try store.addCloseNote(id: id ?? store.newID(), closeID: close.id, note: note, by: user)
            print("Nota registrada")
        }
    }
}

/// `vetdesk cash signoff --session ID --note "..." --by SUPERVISOR --clave-file F`.
struct CashSignOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "signoff", abstract: "Un supervisor firma el cierre de una sesión.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Sesión de caja.") var session: String
    @Option(help: "Nota del supervisor.") var note: String
    @Option(help: "Supervisor que firma.") var by: String
    @Option(help: "Archivo con la clave del supervisor.") var claveFile: String
    @Option(help: "Id de la firma (por defecto, uno nuevo).") var id: String?

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let user = try store.trustedSession(username: by)
            guard let close = try store.cashClose(sessionID: session)?.close else { throw UserFacingError("Esa sesión de caja no está cerrada") }
            guard let clave = try supervisorClave(by, claveFile) else { throw UserFacingError("Falta la clave") }
            try store.signOffClose(id: id ?? store.newID(), closeID: close.id, note: note, clave: clave, by: user)
            print("Cierre firmado")
        }
    }
}

/// `vetdesk cash report SESSION --by USER [--out FILE]`: the X report of an open session (a
/// supervisor's) or the Z report of a closed one.
struct CashReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Reporte X (caja abierta, supervisor) o Z (cierre).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Sesión de caja.") var session: String
    @Option(help: "Usuario que pide el reporte.") var by: String
    @Option(help: "Archivo donde escribirlo.") var out: String?
    @Option(help: "Columnas de la impresora: 42 o 48.") var columns: Int = 48

    func run() throws {
        try reportingErrors {
            guard let width = ReceiptColumns(rawValue: columns) else { throw UserFacingError("--columns: 42 o 48") }
            let store = try openSede(try database.resolvedPath())
            let user = try store.trustedSession(username: by)
            let text = CashReportLayout(columns: width).text(for: try store.cashReport(sessionID: session, by: user))
            if let out { try SedeFiles.write(Data(text.utf8), to: out) }
            print(text, terminator: "")
        }
    }
}
