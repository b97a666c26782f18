import ArgumentParser
import Foundation
import VetCore
import VetStore

struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agenda", abstract: "Agenda de la sede: calendarios, horarios, excepciones y ambientes.",
                                                    subcommands: [AgendaICSCommand.self, AgendaScheduleCommand.self, AgendaExceptionCommand.self, AgendaRoomCommand.self])
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
            let store = try openSede(try database.resolvedPath())
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

/// `HH:MM-HH:MM` as a span of minutes.
func parseSpan(_ text: String, option: String) throws -> MinuteSpan {
    let parts = text.split(separator: "-")
    guard parts.count == 2, let a = AgendaTime.minute(parsing: String(parts[0])), let b = AgendaTime.minute(parsing: String(parts[1])),
          b > a else {
        throw UserFacingError("\(option): horario inválido «\(text)» (use 08:00-13:00)")
    }
    return MinuteSpan(a, b)
}

/// Sets a vet's weekly template at this sede, replacing the one it had.
struct AgendaScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "Fija el horario semanal de un veterinario en esta sede.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Usuario del veterinario.") var vet: String
    @Option(name: .customLong("block"), help: "Días (1=lunes … 7=domingo, p. ej. 1-5 o 6) y horas: \"1-5 08:00-13:00\". Repetible.")
    var blocks: [String] = []
    @Option(help: "Supervisor que hace el cambio.") var by: String

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let session = try store.trustedSession(username: by)
            let vetSession = try store.trustedSession(username: vet)
            var parsed: [(weekday: Int, span: MinuteSpan)] = []
            for block in blocks {
                let pieces = block.split(separator: " ")
                guard pieces.count == 2 else { throw UserFacingError("--block: use «días horas», p. ej. \"1-5 08:00-13:00\"") }
                let days = pieces[0].split(separator: "-").compactMap { Int($0) }
                guard (1...2).contains(days.count), days.allSatisfy({ (1...7).contains($0) }), days.first! <= days.last! else {
                    throw UserFacingError("--block: días inválidos «\(pieces[0])» (1=lunes … 7=domingo)")
                }
                let span = try parseSpan(String(pieces[1]), option: "--block")
                for d in days.first!...days.last! { parsed.append((d, span)) }
            }
            try store.setWeeklySchedule(vetID: vetSession.userID, blocks: parsed, by: session)
            print("Horario de \(vetSession.fullName) en \(session.sede.code): \(parsed.count) bloques")
        }
    }
}

/// Records a vacation, sick day, holiday (without --vet: the whole sede) or extra block.
struct AgendaExceptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exception", abstract: "Registra vacaciones, descanso médico, feriado o bloque extra.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Usuario del veterinario; sin él, toda la sede (feriado).") var vet: String?
    @Option(help: "Día (dd/mm/aaaa).") var day: String
    @Option(help: "vacaciones, descanso_medico, feriado o bloque_extra.") var kind: String
    @Option(help: "Horas (08:00-10:00); sin ellas, el día entero.") var hours: String?
    @Option(help: "Nota.") var note: String?
    @Option(help: "Supervisor que lo registra.") var by: String

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let session = try store.trustedSession(username: by)
            guard let k = ScheduleExceptionKind(rawValue: kind) else {
                throw UserFacingError("--kind: use vacaciones, descanso_medico, feriado o bloque_extra")
            }
            let vetID = try vet.map { try store.trustedSession(username: $0).userID }
            let span = try hours.map { try parseSpan($0, option: "--hours") }
            try store.addScheduleException(vetID: vetID, day: try parseDay(day, option: "--day"), kind: k, span: span, note: note, by: session)
            print("\(k.label) registrado el \(day)")
        }
    }
}

/// Adds a consultorio, quirófano or grooming table to this sede.
struct AgendaRoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "room", abstract: "Agrega un ambiente (consultorio, quirófano, mesa de grooming).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Nombre, p. ej. «Consultorio 1».") var name: String
    @Option(help: "consultorio, quirofano o grooming.") var kind: String
    @Option(help: "Supervisor que lo agrega.") var by: String

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let room = try store.addRoom(name: name, kind: kind, by: try store.trustedSession(username: by))
            print("Ambiente \(room.name) agregado")
        }
    }
}
