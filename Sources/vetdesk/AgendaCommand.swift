import ArgumentParser
import Foundation
import VetCore
import VetStore

struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agenda", abstract: "Agenda de la sede: calendarios.",
                                                    subcommands: [AgendaICSCommand.self, AgendaRaceCommand.self])
}

/// Reads `dd/mm/aaaa` or `aaaa-mm-dd`.
func parseDay(_ text: String, option: String) throws -> CivilDate {
    if let d = CivilDate(display: text) ?? CivilDate(iso: text) { return d }
    throw UserFacingError("\(option): fecha inválida «\(text)» (use dd/mm/aaaa)")
}

struct AgendaICSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ics", abstract: "Escribe las citas de un veterinario en formato iCalendar (RFC 5545).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Usuario del veterinario.") var vet: String
    @Option(help: "Desde (dd/mm/aaaa); por defecto, hace 30 días.") var from: String?
    @Option(help: "Hasta (dd/mm/aaaa, incluido); por defecto, dentro de 90 días.") var to: String?
    @Option(help: "Archivo de salida; por defecto, la salida estándar.") var out: String?

    func run() throws {
        try reportingErrors {
            let store = try SedeStore.open(path: try database.resolvedPath())
            let today = store.today
            let first = try from.map { try parseDay($0, option: "--from") } ?? today.adding(days: -30)
            let last = try to.map { try parseDay($0, option: "--to") } ?? today.adding(days: 90)
            guard first <= last else { throw UserFacingError("--from es posterior a --to") }
            let text = try store.calendar(vetUsername: vet, from: first, to: last)
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8)) else { throw UserFacingError("No se pudo escribir \(out)") }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}

/// One racer of the concurrent booking test: see `BookingRace`. Prints its report as JSON.
struct AgendaRaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "race", abstract: "Reserva en carrera con otras terminales (pruebas).",
                                                    shouldDisplay: false)

    @OptionGroup var database: DatabaseOptions
    @Option var user: String
    @Option var vet: String
    @Option var pet: String
    @Option var type: String = "consulta"
    @Option(help: "Inicio de la primera ronda, UTC ISO-8601.") var first: String
    @Option var minutes: Int = 15
    @Option var rounds: Int = 100
    @Option var writer: String
    @Option var barrier: String
    @Option var racers: Int = 2

    func run() throws {
        try reportingErrors {
            let store = try SedeStore.open(path: try database.resolvedPath())
            let session = try store.trustedSession(username: user)
            let vetSession = try store.trustedSession(username: vet)
            guard let start = AgendaTime.parse(first) else { throw UserFacingError("--first: instante inválido") }
            guard let typeID = try store.appointmentTypes().first(where: { $0.code == type })?.id else { throw UserFacingError("Tipo desconocido: \(type)") }
            let report = try BookingRace.run(store: store, session: session, petID: pet, typeID: typeID, vetID: vetSession.userID, first: start,
                                             minutes: minutes, rounds: rounds, writer: writer, barrier: barrier, racers: racers)
            print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        }
    }
}
