import ArgumentParser
import Foundation
import VetCore
import VetProtocol
import VetStore
import VetSync
import VetTUI

struct StockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stock", abstract: "Farmacia de la sede: trazabilidad de lotes y libro de controlados.",
                                                    subcommands: [StockTraceCommand.self, StockRegisterCommand.self])
}

/// The catalog item named by a SKU or barcode, or a clear message.
func catalogItem(_ store: SedeStore, code: String) throws -> CatalogItem {
    guard let item = try store.catalogItem(code: code) else { throw UserFacingError("No hay ningún producto con el SKU o código «\(code)»") }
    return item
}

/// Every movement of a lot and the pets and owners it reached: from the central for the whole
/// network when this sede has one and the link is up; otherwise from this sede alone, and it says so.
struct StockTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Traza un lote: movimientos y pacientes a los que llegó.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "SKU o código de barras del producto.") var sku: String
    @Option(help: "Código del lote.") var lot: String
    @Flag(help: "Solo esta sede, sin preguntar a la central.") var local = false

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let item = try catalogItem(store, code: sku)
            let lotCode: String
            do { lotCode = try StockRules.lotCode(lot) } catch { throw UserFacingError("--lot: \(error)") }
            var note = "solo esta sede"
            if !local {
                do {
                    if let trace = try NetworkTrace.fetch(store: store, sku: item.sku, lot: lotCode) {
                        FileHandle.standardOutput.write(Data(Self.network(trace).utf8))
                        return
                    }
                    note = "solo esta sede (no hay central configurada)"
                } catch let error as SyncError {
                    note = "solo esta sede: la central no respondió (\(error.message))"
                }
            }
            let lines = try store.traceLot(itemID: item.id, lotCode: lotCode)
            var out = "Trazabilidad de \(item.name) (\(item.sku)), lote \(lotCode) · \(note)\n"
            if lines.isEmpty { out += "Sin movimientos de este lote en esta sede\n" }
            for line in lines {
                let m = line.movement
                let when = LimaTime.parseISO8601(m.at).map(LimaTime.dayAndClock) ?? m.at
                out += "\(when)\t\(line.sedeCode)\t\(m.kind.label)\t\(m.quantity)\t\(line.petName ?? "")\t\(line.ownerName ?? "")\t\(line.ownerPhone ?? "")\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    static func network(_ trace: LotTrace) -> String {
        var out = "Trazabilidad de \(trace.itemName) (\(trace.sku)), lote \(trace.lot) · toda la red (central)\n"
        if trace.movements.isEmpty { out += "Sin movimientos de este lote en la red\n" }
        for m in trace.movements {
            let when = LimaTime.parseISO8601(m.at).map(LimaTime.dayAndClock) ?? m.at
            out += "\(when)\t\(m.sedeCode)\t\(StockMovementKind.parse(m.kind).label)\t\(m.quantity)\t\(m.pet?.name ?? "")\t\(m.owner?.name ?? "")\t\(m.owner?.phone ?? "")\n"
        }
        return out
    }
}

/// One month of a controlled drug's register, as printed and signed.
struct StockRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Imprime el libro de control de un medicamento controlado para un mes.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "SKU o código de barras del medicamento controlado.") var sku: String
    @Option(help: "Mes, mm/aaaa; por defecto, el actual.") var month: String?
    @Option(help: "Archivo de salida; por defecto, la salida estándar.") var out: String?

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            let item = try catalogItem(store, code: sku)
            let first: CivilDate
            if let month {
                guard let parsed = ControlledRegisterText.month(month) else { throw UserFacingError("--month: use mm/aaaa, p. ej. 11/2026") }
                first = parsed
            } else {
                first = store.today
            }
            let register = try store.controlledRegister(itemID: item.id, sedeID: try store.localSede().id, month: first)
            let text = ControlledRegisterText.lines(register).joined(separator: "\n") + "\n"
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o640]) else {
                    throw UserFacingError("No se pudo escribir \(out)")
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
