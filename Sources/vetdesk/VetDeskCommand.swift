import ArgumentParser
import Foundation
import VetStore

@main
struct VetDeskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vetdesk",
        abstract: "VetDesk: recepción, historia clínica, farmacia y caja de una sede veterinaria.",
        subcommands: [OpenCommand.self, InitCommand.self, DemoCommand.self, BenchCommand.self, LoadCommand.self, SyncCommand.self,
                      AgendaCommand.self, StockCommand.self, SaleCommand.self, CashCommand.self, FiscalCommand.self],
        defaultSubcommand: OpenCommand.self
    )

    /// Whatever the user's umask, nothing vetdesk creates is readable outside the sede's group
    /// (README: «Instalación en una sede»). A first word that is not an option and names no
    /// command is a typo, not a request to open the screen: it is refused with the list of
    /// commands (exit 64, a usage error).
    static func main() {
        umask(0o007)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-"), first != "help",
           let problem = unknownCommandMessage(first) {
            FileHandle.standardError.write(Data(("vetdesk: " + problem + "\n").utf8))
            Self.exit(withError: ExitCode(64))
        }
        main(nil)
    }

    static func unknownCommandMessage(_ word: String) -> String? {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        guard !names.contains(word) else { return nil }
        return "no existe el comando «\(word)». Comandos: \(names.joined(separator: ", ")). Ayuda: vetdesk --help"
    }
}

/// Options every command that works on a sede store shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Base de datos de la sede (o $VETDESK_DB).")
    var db: String?

    func resolvedPath() throws -> String {
        if let db, !db.isEmpty { return db }
        if let env = ProcessInfo.processInfo.environment["VETDESK_DB"], !env.isEmpty { return env }
        throw UserFacingError("Indique la base de datos con --db RUTA o la variable VETDESK_DB")
    }
}

/// An error whose message is shown to the user as is, in Spanish, with exit code 1.
struct UserFacingError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Runs `body`, turning store and user errors into a Spanish message on stderr and exit code 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError {
        FileHandle.standardError.write(Data(("vetdesk: " + error.message + "\n").utf8))
        throw ExitCode(1)
    } catch let error as UserFacingError {
        FileHandle.standardError.write(Data(("vetdesk: " + error.message + "\n").utf8))
        throw ExitCode(1)
    } catch {
        // Store operations already name the file; this is the last net for database errors.
        guard let mapped = StoreError.describing(error, path: "la base de datos") else { throw error }
        FileHandle.standardError.write(Data(("vetdesk: " + mapped.message + "\n").utf8))
        throw ExitCode(1)
    }
}

/// Opens the sede store, saying so on stderr first when it has to be upgraded (a minute on a
/// large sede, before the screen appears).
func openSede(_ path: String) throws -> SedeStore {
    try SedeStore.open(path: path, notice: { FileHandle.standardError.write(Data(("vetdesk: " + $0 + "\n").utf8)) })
}
