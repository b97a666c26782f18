import ArgumentParser
import Foundation
import VetCentral
import VetCore

@main
struct VetCentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vetcentral",
        abstract: "VetDesk central: recibe el diario de las sedes y les reparte los cambios.",
        subcommands: [ServeCommand.self, SedeCommand.self, UserCommand.self, CalendarCommand.self, CatalogCommand.self, FiscalCommand.self, TraceCommand.self]
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
    @Option(help: ArgumentHelp("Archivo con la clave secreta de PagoEfectivo, que firma sus notificaciones (legible solo por el usuario del servicio).",
                               discussion: "También puede darse en la variable VETCENTRAL_PAGOEFECTIVO_SECRET. Sin ella, las notificaciones de PagoEfectivo se rechazan y no se registra nada."))
    var pagoefectivoSecretFile: String?

    func run() async throws {
        let secret = try await reporting { try PagoEfectivoSecret.load(file: pagoefectivoSecretFile) }
        let store = try await storage.open()
        try await CentralServer.run(storage: store, options: .init(host: host, port: port, maxBodyBytes: maxBodyMib << 20, portFile: portFile,
                                                                   pagoEfectivoSecret: secret))
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

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "Catálogo de productos y servicios, y sus precios (datos centrales).",
                                                    subcommands: [Import.self, Export.self, Price.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Importa artículos, códigos de barras y precios desde un CSV (UTF-8, con encabezados).",
            discussion: """
                Columnas: \(CatalogCSV.columns.joined(separator: ", ")).

                Un SKU que ya existe se actualiza (sus códigos de barras pasan a ser los del archivo); uno nuevo se crea. Un precio distinto del vigente en la red el día --from es un precio nuevo desde ese día; los precios anteriores se conservan.

                Cada línea rechazada se informa como «línea N: motivo». Si hay alguna, no se aplica nada, salvo con --partial, que aplica las líneas válidas. Termina con 0 solo si se aceptaron todas las líneas; con 1 si se rechazó alguna (con o sin --partial) o si no se pudo importar.
                """)
        @Argument(help: "Archivo CSV.") var file: String
        @Flag(help: "Aplica las líneas válidas aunque haya líneas rechazadas.") var partial = false
        @Option(help: "Día desde el que rigen los precios nuevos, dd/mm/aaaa (por omisión, hoy en Lima).") var from: String?
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CentralError(404, "unreadable_file", "No se puede leer el archivo \(file)")
                }
                let today = CivilDate(limaDayOf: Date())
                let from = try self.from.map(CentralCatalog.day) ?? today
                let store = try await storage.open()
                let summary = try await CentralCatalog.importCSV(store, bytes: [UInt8](data), partial: partial, from: from, today: today)
                try await store.close()
                for problem in summary.problems { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
                print(summary.text)
                if summary.rejectedLines > 0 { throw ExitCode(1) }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Escribe el catálogo completo en CSV, con el precio de la red vigente hoy (se puede volver a importar).")
        @Option(help: "Archivo de salida (por omisión, la salida estándar).") var out: String?
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let export = try await CentralCatalog.exportCSV(store, today: CivilDate(limaDayOf: Date()))
                try await store.close()
                guard let out else {
                    FileHandle.standardOutput.write(Data(export.csv.utf8))
                    return
                }
                do { try Data(export.csv.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                    throw CentralError(500, "unwritable_file", "No se pudo escribir \(out): \(error.localizedDescription)")
                }
                print("Catálogo exportado: \(export.items) artículos en \(out)")
            }
        }
    }

    struct Price: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "price", abstract: "Registra un precio (con IGV) de un artículo desde una fecha, para la red o para una sede.",
            discussion: "El precio anterior se conserva: rige hasta el día anterior a --from.")
        @Option(help: "SKU del artículo.") var sku: String
        @Option(parsing: .unconditional, help: "Precio en soles con IGV, p. ej. 35.50.") var price: String
        @Option(help: "Código de la sede, para un precio solo de esa sede (por omisión, el de la red).") var sede: String?
        @Option(help: "Día desde el que rige, dd/mm/aaaa (hoy o después).") var from: String
        @OptionGroup var storage: StorageOptions
        func run() async throws {
            try await reporting {
                let store = try await storage.open()
                let outcome = try await CentralCatalog.setPrice(store, sku: sku, price: price, sedeCode: sede, from: from,
                                                                today: CivilDate(limaDayOf: Date()))
                try await store.close()
                let what = "\(sku.uppercased()) \(sede.map { "en la sede \($0.uppercased())" } ?? "en la red") desde el \(from)"
                switch outcome {
                case .added: print("Precio de \(what) registrado")
                case .alreadyRecorded: print("Ese precio de \(what) ya estaba registrado: no se agregó nada")
                }
            }
        }
    }
}

struct FiscalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fiscal", abstract: "Facturación electrónica SUNAT (datos centrales).",
                                                    subcommands: [SeriesCommand.self])

    struct SeriesCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "series", abstract: "Series SUNAT y código de anexo de cada sede; llegan a la sede en la sincronización.",
            subcommands: [Assign.self, List.self])

        struct Assign: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set", abstract: "Asigna a una sede su código de anexo y sus series de boleta, factura y notas de crédito.",
                discussion: "Cada serie es de una sola sede. Una nueva asignación reemplaza a la anterior de la sede, que se conserva como historial; la sede emite en las series nuevas desde su siguiente sincronización.")
            @Option(help: "Código de la sede, p. ej. LIM01.") var sede: String
            @Option(help: "Código de establecimiento anexo (4 dígitos; 0000 el domicilio fiscal).") var anexo: String
            @Option(help: "Serie de boletas, p. ej. B001.") var boleta: String
            @Option(help: "Serie de facturas, p. ej. F001.") var factura: String
            @Option(name: .customLong("nota-boleta"), help: "Serie de notas de crédito de boletas, p. ej. BC01.") var boletaNote: String
            @Option(name: .customLong("nota-factura"), help: "Serie de notas de crédito de facturas, p. ej. FC01.") var facturaNote: String
            @OptionGroup var storage: StorageOptions
            func run() async throws {
                try await reporting {
                    let store = try await storage.open()
                    let outcome = try await CentralFiscalSeries.assign(store, sedeCode: sede, annexCode: anexo, boleta: boleta, factura: factura,
                                                                       boletaNote: boletaNote, facturaNote: facturaNote)
                    try await store.close()
                    let what = "la sede \(sede.uppercased()): anexo \(anexo), series \([boleta, factura, boletaNote, facturaNote].map { $0.uppercased() }.joined(separator: ", "))"
                    switch outcome {
                    case .assigned: print("Series asignadas a \(what)")
                    case .alreadyAssigned: print("Ya estaban asignadas a \(what): no se cambió nada")
                    }
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Lista las series vigentes de cada sede: sede, anexo, boleta, factura, nota de boleta, nota de factura, desde.")
            @OptionGroup var storage: StorageOptions
            func run() async throws {
                try await reporting {
                    let store = try await storage.open()
                    let current = try await CentralFiscalSeries.list(store)
                    try await store.close()
                    if current.isEmpty { print("Ninguna sede tiene series asignadas") }
                    for entry in current {
                        let a = entry.assignment
                        print(([entry.sedeCode, a.annexCode] + a.series + [a.assignedAt]).joined(separator: "\t"))
                    }
                }
            }
        }
    }
}

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "Traza un lote en toda la red: sus movimientos en cada sede y las mascotas y propietarios a los que llegó.")
    @Option(help: "SKU del artículo.") var sku: String
    @Option(help: "Código del lote.") var lot: String
    @Flag(help: "Escribe la traza en JSON (el mismo cuerpo que GET /v1/trace).") var json = false
    @OptionGroup var storage: StorageOptions
    func run() async throws {
        try await reporting {
            let store = try await storage.open()
            let trace = try await CentralTrace.trace(store, sku: sku, lot: lot)
            try await store.close()
            if json {
                FileHandle.standardOutput.write(try CentralTrace.json(trace) + Data("\n".utf8))
            } else {
                print(CentralTrace.table(trace), terminator: "")
            }
        }
    }
}
