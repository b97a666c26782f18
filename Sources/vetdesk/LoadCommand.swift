import ArgumentParser
import Foundation
import VetStore

/// Writes owners as fast as it can for a while, as one more terminal of the sede would: used by the
/// concurrency tests and to load a sede. Prints what it committed as JSON.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Genera escrituras concurrentes (pruebas de carga).",
                                                    shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Segundos de carga.") var seconds: Double = 10
    @Option(help: "Etiqueta de este escritor (se usa en los documentos creados).") var writer: String = "w"

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let report = try LoadGenerator.run(store: store, seconds: seconds, writer: writer)
            let data = try JSONEncoder().encode(report)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
