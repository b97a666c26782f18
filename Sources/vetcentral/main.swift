import ArgumentParser
import Foundation
import VetCentral

@main
struct VetCentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vetcentral",
        abstract: "VetDesk central: recibe el diario de las sedes y les reparte los cambios.",
        subcommands: [ServeCommand.self, SedeCommand.self, UserCommand.self, CalendarCommand.self]
    )
}

/// Where central's data lives: an SQLite file or a PostgreSQL URL.
struct StorageOptions: ParsableArguments {
    @Option(help: "Base SQLite de la central.") var db: String?
    @Option(help: "URL de PostgreSQL (postgres://usuario@host:puerto/base) en lugar de SQLite.") var postgres: String?

    func open() async throws -> any CentralStorage {
        switch (db, postgres) {
        case (let path?, nil): return try SQLiteCentralStorage(path: path)
        case (nil, let url?): return try await PostgresCentralStorage.connect(url: url)
        default: throw ValidationError("Indique --db RUTA o --postgres URL (uno de los dos)")
        }
    }
}

/// Runs `body`, turning central errors into a Spanish message on stderr and exit code 1.
func reporting<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CentralError {
        FileHandle.standardError.write(Data(("vetcentral: " + error.message + "\n").utf8))
        throw ExitCode(1)
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Atiende a las sedes por HTTP.")
    @OptionGroup var storage: StorageOptions
    @Option(help: "Dirección en la que escuchar.") var host = "127.0.0.1"
    @Option(help: "Puerto (0: uno libre).") var port = 8640
    @Option(help: "Tamaño máximo de un lote, en MiB.") var maxBodyMib = 16
    @Option(help: "Escribe aquí el puerto en uso al arrancar.") var portFile: String?

    func run() async throws {
        let store = try await storage.open()
        try await CentralServer.run(storage: store, options: .init(host: host, port: port, maxBodyBytes: maxBodyMib << 20, portFile: portFile))
    }
}

struct SedeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sede", abstract: "Sedes y sus tokens.",
                                                    subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registra una sede e imprime su token en la última línea.")
        @Argument(help: "Código de la sede, p. ej. LIM01.") var code: String
        @Option(help: "Nombre de la sede.") var name: String
        @Option(help: "Tipo de sede: clinica, o almacen para el almacén central que repone a las clínicas.") var kind = "clinica"
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let added = try await CentralAdmin.addSede(store, code: code, name: name, kind: kind)
                try await store.close()
                print("Sede \(code) registrada (id \(added.id)). Guarde el token: no se vuelve a mostrar.")
                print(added.token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista las sedes.")
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                for sede in try await store.listSedes() {
                    print("\(sede.code)\t\(sede.name)\t\(sede.kind)\t\(sede.revoked ? "revocada" : "activa")\t\(sede.id)")
                }
                try await store.close()
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoca el token de una sede.")
        @Argument(help: "Código de la sede.") var code: String
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                try await store.revokeSede(code: code, nowText: CentralAdmin.nowText)
                try await store.close()
                print("Token de la sede \(code) revocado")
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Usuarios y roles (datos centrales).",
                                                    subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Crea un usuario con sus roles por sede.")
        @Argument(help: "Usuario.") var username: String
        @Option(help: "Nombre completo.") var fullName: String
        @Option(help: "Clave inicial.") var password: String
        @Option(help: "Rol en una sede, SEDE:rol (repetible).") var role: [String] = []
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let id = try await CentralAdmin.addUser(store, username: username, fullName: fullName, password: password, roles: role)
                try await store.close()
                print("Usuario \(username) creado (id \(id))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lista los usuarios y sus roles.")
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                for user in try await store.listUsers() { print("\(user.username)\t\(user.fullName)\t\(user.roles.joined(separator: ","))") }
                try await store.close()
            }
        }
    }
}

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calendar", abstract: "Suscripciones de solo lectura al calendario de un veterinario.",
                                                    subcommands: [Add.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crea un enlace para suscribirse desde Google Calendar u Outlook e imprime su ruta en la última línea.")
        @Option(help: "Código de la sede.") var sede: String
        @Option(help: "Usuario del veterinario.") var vet: String
        @Option(help: "Dirección pública de la central, para imprimir el enlace completo (https://…).") var urlBase: String?
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let path = try await CentralAdmin.addCalendarToken(store, sedeCode: sede, username: vet)
                try await store.close()
                print("Enlace de calendario de \(vet.lowercased()) en \(sede.uppercased()) (solo lectura). Guárdelo: no se vuelve a mostrar.")
                print((urlBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "") + path)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Anula los enlaces de calendario de un veterinario en una sede.")
        @Option(help: "Código de la sede.") var sede: String
        @Option(help: "Usuario del veterinario.") var vet: String
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let count = try await CentralAdmin.revokeCalendarTokens(store, sedeCode: sede, username: vet)
                try await store.close()
                print(count == 1 ? "1 enlace anulado" : "\(count) enlaces anulados")
            }
        }
    }
}
