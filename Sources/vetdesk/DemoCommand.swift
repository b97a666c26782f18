import ArgumentParser
import Foundation
import VetDemo
import VetStore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Crea una sede de demostración con datos realistas.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Cantidad de mascotas.") var pets: Int = 2_000
    @Option(help: "Semilla: la misma semilla da los mismos datos.") var seed: UInt64 = 42
    @Flag(help: "Muestra el avance, una línea por cada décimo de las mascotas.") var progress = false

    func run() throws {
        try reportingErrors {
            let path = try database.resolvedPath()
            guard pets >= 0, pets <= 5_000_000 else { throw UserFacingError("--pets va de 0 a 5.000.000") }
            // Built aside and moved into place complete: a demo killed half-way leaves nothing at
            // `path`, and the next run starts over.
            var made: DemoGenerator.Summary?
            // Whole lines (a log or a pipe reads them as they come), one per tenth of the pets.
            var shownTenths = 0
            _ = try SedeStore.build(path: path) { store in
                made = try DemoGenerator.run(store: store, options: .init(pets: pets, seed: seed)) { done in
                    guard progress, pets > 0 else { return }
                    let tenths = done * 10 / pets
                    guard tenths > shownTenths || done == pets else { return }
                    shownTenths = tenths
                    var line = "\(done) de \(pets) mascotas (\(tenths * 10) %)\n"
                    if done == pets { line += "Historias clínicas, vacunas, agenda de dos semanas y farmacia…\n" }
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
            guard let summary = made else { return }
            print("Demo creada en \(path): \(summary.owners) propietarios, \(summary.pets) mascotas en \(String(format: "%.1f", summary.seconds)) s")
            print("Usuarios: recepcion, veterinario, farmacia, supervisor, admin (clave \(DemoGenerator.demoPassword))")
        }
    }
}
