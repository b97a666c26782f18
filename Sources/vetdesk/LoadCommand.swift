import ArgumentParser
import Foundation
import VetDemo
import VetStore

/// Writes owners as fast as it can for a while, as one more terminal of the sede would: an
/// operator's load generator (and the writer processes of the concurrency tests and of
/// `vetdesk bench`). Prints what it committed as JSON.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Genera carga de escritura en una sede, como una terminal más (pruebas de carga).",
        discussion: """
            Durante --seconds segundos escribe sin pausa: en cada transacción crea un propietario de prueba \
            (documento «pasaporte», nombres «Carga», apellido = --writer) y, una de cada tres veces, cambia el \
            teléfono de uno que creó antes. Todo queda en la base y en el diario, y se sincroniza como cualquier \
            otro cambio: úselo en una copia o en una sede de prueba (p. ej. la de `vetdesk demo`), nunca en la \
            base de una sede en uso.

            Varios procesos a la vez simulan varias terminales: cada uno se identifica con --writer (sus \
            escrituras llevan el usuario «load-WRITER»).

            Al terminar escribe en la salida estándar un JSON con lo confirmado: writer, transactions, \
            inserted, updated y waits_ms (milisegundos que cada transacción esperó el turno de escritura).

            Ejemplo: vetdesk load --db /tmp/prueba.db --seconds 30 --writer caja2
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Segundos de carga.") var seconds: Double = 10
    @Option(help: "Etiqueta de este escritor: va en el apellido de los propietarios y en el usuario del diario.") var writer: String = "w"

    func run() throws {
        try reportingErrors {
            guard seconds >= 0, seconds <= 86_400 else { throw UserFacingError("--seconds va de 0 a 86.400") }
            let store = try openSede(try database.resolvedPath())
            let report = try LoadGenerator.run(store: store, seconds: seconds, writer: writer)
            let data = try JSONEncoder().encode(report)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
