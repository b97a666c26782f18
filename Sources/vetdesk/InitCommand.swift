import ArgumentParser
import VetStore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Crea la base de datos de una sede nueva.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Código de la sede, p. ej. LIM01.") var sede: String
    @Option(help: "Nombre de la sede.") var name: String
    @Option(help: "Usuario administrador inicial.") var admin: String = "admin"
    @Option(help: "Clave del administrador inicial.") var adminPassword: String?
    @Option(help: "Minutos sin uso antes de bloquear las terminales de la sede.") var idleMinutes: Int = 5

    func run() throws {
        try reportingErrors {
            let path = try database.resolvedPath()
            if let problem = Sede.codeProblem(sede) { throw UserFacingError(problem) }
            guard (1...240).contains(idleMinutes) else { throw UserFacingError("--idle-minutes va de 1 a 240") }
            guard let password = adminPassword else {
                throw UserFacingError("Indique la clave del administrador con --admin-password")
            }
            let store = try SedeStore.create(path: path)
            let created = try store.initializeSede(code: sede, name: name)
            try store.addUser(username: admin, fullName: "Administrador", password: password, roles: [.administrador, .supervisor])
            try store.setIdleMinutes(idleMinutes)
            print("Sede \(created.code) \(created.name) creada en \(path)")
        }
    }
}
