import ArgumentParser
import Foundation
import VetBench

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Mide el rendimiento con tamaños fijos.")

    @Flag(help: "Salida JSON.") var json = false
    @Option(help: "Solo el benchmark con este nombre (o prefijo).") var only: String?
    @Option(help: "Carpeta de trabajo para las bases de prueba.") var workdir: String = "data/bench"
    @Option(help: "Mascotas de la base grande.") var pets: Int = 1_000_000

    func run() throws {
        try reportingErrors {
            let context = BenchContext(workdir: workdir, largePets: pets, executable: CommandLine.executablePath,
                                       log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            let results = try BenchSuite.run(only: only, context: context)
            if json {
                print(BenchSuite.json(results))
            } else {
                print(BenchSuite.table(results))
            }
        }
    }
}

extension CommandLine {
    static var executablePath: String {
        let arg0 = arguments[0]
        if arg0.contains("/") { return URL(fileURLWithPath: arg0).standardizedFileURL.path }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arg0
    }
}
