import ArgumentParser
import Foundation
import VetStore
import VetTUI

struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Abre la interfaz de la sede (por defecto).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Tema de colores: default, alto-contraste, mono, o la ruta de un archivo .theme.") var theme: String = "default"
    @Option(help: "Minutos sin uso antes de bloquear la terminal (por defecto, el de la sede).") var idleMinutes: Int?

    func run() throws {
        let code = try reportingErrors { () -> Int32 in
            let path = try database.resolvedPath()
            let store = try openSede(path)
            _ = try store.localSede()
            let loadedTheme = try Theme.load(theme)
            if let idleMinutes, !(1...240).contains(idleMinutes) { throw UserFacingError("--idle-minutes va de 1 a 240") }
            return try App.run(store: store, theme: loadedTheme, idleMinutes: idleMinutes ?? store.idleMinutes())
        }
        if code != 0 { throw ExitCode(code) }
    }
}
