import ArgumentParser
import Foundation
import VetCore
import VetStore

/// Tools the tests run as separate processes, so that what they exercise crosses real process
/// boundaries (several terminals of one sede). Built by `swift build` next to `vetdesk`, never
/// installed: nothing here is part of what a sede runs.
@main
struct VetToolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vettools",
        abstract: "Herramientas de las pruebas de VetDesk (no se instalan en las sedes).",
        subcommands: [RaceCommand.self]
    )
}

/// One racer of the concurrent booking test: see `BookingRace`. Prints its report as JSON.
struct RaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "race", abstract: "Reserva en carrera con otras terminales.")

    @Option(help: "Base de datos de la sede.") var db: String
    @Option(help: "Usuario que reserva.") var user: String
    @Option(help: "Usuario del veterinario.") var vet: String
    @Option(help: "Id de la mascota.") var pet: String
    @Option(help: "Código del tipo de cita.") var type: String = "consulta"
    @Option(help: "Inicio de la primera ronda, UTC ISO-8601.") var first: String
    @Option(help: "Minutos de cada cita (y entre rondas).") var minutes: Int = 15
    @Option(help: "Rondas.") var rounds: Int = 100
    @Option(help: "Etiqueta de este corredor (va en el motivo de sus citas).") var writer: String
    @Option(help: "Carpeta donde los corredores se esperan antes de cada ronda.") var barrier: String
    @Option(help: "Corredores que se esperan en cada ronda.") var racers: Int = 2

    func run() throws {
        let store = try SedeStore.open(path: db)
        let session = try store.trustedSession(username: user)
        let vetSession = try store.trustedSession(username: vet)
        guard let start = AgendaTime.parse(first) else { throw ValidationError("--first: instante inválido") }
        guard let typeID = try store.appointmentTypes().first(where: { $0.code == type })?.id else { throw ValidationError("Tipo desconocido: \(type)") }
        let report = try BookingRace.run(store: store, session: session, petID: pet, typeID: typeID, vetID: vetSession.userID, first: start,
                                         minutes: minutes, rounds: rounds, writer: writer, barrier: barrier, racers: racers)
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }
}
