import ArgumentParser
import VetCore
import VetStore
import VetSync

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Crea la base de datos de una sede nueva.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Código de la sede, p. ej. LIM01.") var sede: String
    @Option(help: "Nombre de la sede.") var name: String
    @Option(help: "Usuario administrador inicial.") var admin: String = "admin"
    @Option(help: "Clave del administrador inicial.") var adminPassword: String?
    @Option(help: "Minutos sin uso antes de bloquear las terminales de la sede.") var idleMinutes: Int = 5
    @OptionGroup var central: CentralOptions

    func run() throws {
        try reportingSyncErrors {
            let path = try database.resolvedPath()
            if let problem = Sede.codeProblem(sede) { throw UserFacingError(problem) }
            guard (1...240).contains(idleMinutes) else { throw UserFacingError("--idle-minutes va de 1 a 240") }
            // With a central, its users and roles arrive by pull; a local administrator is optional.
            guard adminPassword != nil || central.isGiven else {
                throw UserFacingError("Indique la clave del administrador con --admin-password")
            }
            let config = central.isGiven ? try central.config() : nil
            if let config {
                let hello = try SyncEngine.hello(config: config)
                guard hello.code == sede else { throw UserFacingError("El token es de la sede \(hello.code), no de \(sede)") }
            }
            // Built aside and moved into place complete: a full disk or a kill leaves nothing at `path`.
            let store = try SedeStore.build(path: path) { store in
                _ = try store.initializeSede(code: sede, name: name)
                if let password = adminPassword {
                    try store.addUser(username: admin, fullName: "Administrador", password: password, roles: [.administrador, .supervisor])
                }
                try store.setIdleMinutes(idleMinutes)
            }
            let created = try store.localSede()
            print("Sede \(created.code) \(created.name) creada en \(path)")
            if let config {
                try SyncEngine.configure(store: store, config: config)
                let summary = try SyncEngine(store: store).syncOnce()
                print("Enlazada con \(config.centralURL): \(summary.pulled) cambios recibidos")
            }
        }
    }
}
