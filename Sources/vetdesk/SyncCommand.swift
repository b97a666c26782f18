import ArgumentParser
import Foundation
import VetStore
import VetSync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sincroniza la sede con la central.",
        subcommands: [Configure.self, Once.self, Run.self, Status.self])

    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Guarda la dirección de la central y el token de la sede.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var central: CentralOptions
        func run() throws {
            try reportingSyncErrors {
                let store = try openSede(try database.resolvedPath())
                let hello = try SyncEngine.configure(store: store, config: try central.config())
                print("Sede \(hello.code) \(hello.name) enlazada con \(central.central ?? "")")
            }
        }
    }

    struct Once: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Envía lo pendiente y trae lo nuevo hasta que no quede nada.")
        @OptionGroup var database: DatabaseOptions
        func run() throws {
            try reportingSyncErrors {
                let store = try openSede(try database.resolvedPath())
                let engine = try SyncEngine(store: store)
                // The CIPs payments wait for first, so those PagoEfectivo gives go out in this sync.
                func warn(_ text: String) { FileHandle.standardError.write(Data(("vetdesk sync: PagoEfectivo: " + text + "\n").utf8)) }
                do {
                    let round = try CIPRequester(store: store).requestPending()
                    if round.generated > 0 { print(round.generated == 1 ? "PagoEfectivo: 1 CIP generado" : "PagoEfectivo: \(round.generated) CIP generados") }
                    round.failures.forEach { warn($0.message) }
                } catch let error as PagoEfectivoError {
                    warn(error.message)
                }
                let summary = try engine.syncOnce()
                print("Sincronizado: \(summary.pushed) enviados, \(summary.rejected) rechazados, \(summary.pulled) recibidos")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sincroniza continuamente (demonio); se detiene con SIGTERM.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Segundos entre sincronizaciones con el enlace arriba.") var interval: Double = 5
        @Option(help: "Espera máxima entre reintentos con el enlace caído, en segundos.") var maxBackoff: Double = 300
        func run() throws {
            try reportingSyncErrors {
                let store = try openSede(try database.resolvedPath())
                let engine = try SyncEngine(store: store)
                let daemon = SyncDaemon(engine: engine, interval: interval, maxBackoff: maxBackoff, cips: CIPRequester(store: store),
                                        fiscal: try FiscalSender.configured(store: store),
                                        log: { FileHandle.standardError.write(Data(("vetdesk sync: " + $0 + "\n").utf8)) })
                daemon.runUntilTerminated()
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Estado del enlace: pendientes, última sincronización, rechazos.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Salida JSON.") var json = false
        func run() throws {
            try reportingSyncErrors {
                let store = try openSede(try database.resolvedPath())
                let status = try SyncStatus.read(store)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(status), as: UTF8.self))
                } else {
                    let link = ["up": "arriba", "down": "caído", "not_configured": "sin configurar"][status.link] ?? "sin intentos aún"
                    print("Enlace: \(link)")
                    print("Por enviar: \(status.pending)")
                    print("Última sincronización: \(status.lastOK ?? "nunca")")
                    print("Rechazos: \(status.rejects) · Conflictos: \(status.conflicts)")
                    if let error = status.linkError { print("Último error: \(error)") }
                    if let warning = status.clockWarning { print("Reloj: \(warning)") }
                }
            }
        }
    }
}

/// `--central URL --token TOKEN [--cacert FILE]`.
struct CentralOptions: ParsableArguments {
    @Option(help: "URL de la central (https; http solo hacia 127.0.0.1).") var central: String?
    @Option(help: "Token de la sede (vetcentral sede add lo imprime).") var token: String?
    @Option(help: "Certificado de una CA privada para verificar la central.") var cacert: String?

    var isGiven: Bool { central != nil || token != nil }

    func config() throws -> SyncConfig {
        guard let central, let token, !central.isEmpty, !token.isEmpty else {
            throw UserFacingError("Indique --central URL y --token TOKEN")
        }
        do { try CurlHTTPClient.checkScheme(central) } catch { throw UserFacingError(error.message) }
        return SyncConfig(centralURL: central, token: token, caCertPath: cacert)
    }
}

/// Like `reportingErrors`, and sync errors become a Spanish message with exit code 1 too.
func reportingSyncErrors(_ body: () throws -> Void) throws {
    try reportingErrors {
        do { try body() } catch let error as SyncError { throw UserFacingError(error.message) }
    }
}
