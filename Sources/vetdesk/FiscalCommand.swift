import ArgumentParser
import Foundation
import VetCore
import VetStore
import VetSync

struct FiscalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fiscal", abstract: "Facturación electrónica SUNAT: configuración, comprobantes y exportación para el contador.",
        subcommands: [FiscalSetupCommand.self, FiscalListCommand.self, FiscalSendCommand.self, FiscalExportCommand.self])
}

/// Reads a secret from a file (a clave is never typed on the command line, where `ps` shows it).
func readSecret(_ path: String?, option: String) throws -> String? {
    guard let path else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else { throw UserFacingError("\(option): no se pudo leer \(path)") }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
}

/// The series and anexo documents are issued with, and where they come from.
func seriesLine(_ store: SedeStore) throws -> String {
    guard let config = try store.fiscalConfiguration() else { return "Facturación electrónica sin configurar" }
    let series = "Series \([config.boletaSeries, config.facturaSeries, config.boletaNoteSeries, config.facturaNoteSeries].joined(separator: ", ")), anexo \(config.annexCode)"
    guard let assigned = try store.fiscalSeriesAssignment() else { return series + ": configuradas en esta sede" }
    if let problem = assigned.problem() { return series + ": la central asignó series que no sirven (\(problem)); no se emiten comprobantes hasta que las corrija" }
    let day = LimaTime.parseISO8601(assigned.assignedAt).map(LimaTime.day) ?? assigned.assignedAt
    return series + ": asignadas por la central el \(day)"
}

/// `vetdesk fiscal setup --ruc … --certificado empresa.pfx --clave-certificado-file clave.txt --by admin`.
struct FiscalSetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "setup", abstract: "Configura la empresa, las series de la sede y el certificado digital.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "RUC de la empresa.") var ruc: String
    @Option(name: .customLong("razon-social"), help: "Razón social.") var legalName: String
    @Option(name: .customLong("nombre-comercial"), help: "Nombre comercial.") var tradeName: String = ""
    @Option(help: "Ubigeo del establecimiento (6 dígitos).") var ubigeo: String
    @Option(name: .customLong("direccion"), help: "Dirección del establecimiento.") var address: String
    @Option(name: .customLong("distrito")) var district: String
    @Option(name: .customLong("provincia")) var province: String
    @Option(name: .customLong("departamento")) var department: String
    @Option(name: .customLong("anexo"), help: "Código de establecimiento anexo (0000 el domicilio fiscal; por omisión, el asignado por la central o 0000).")
    var annex: String?
    @Option(help: "Series: boleta,factura,nota de boleta,nota de factura (p. ej. B001,F001,BC01,FC01); se omite si la central ya las asignó a la sede.")
    var series: String?
    @Option(name: .customLong("certificado"), help: "Certificado digital .pfx de la empresa.") var certificate: String?
    @Option(name: .customLong("clave-certificado-file"), help: "Archivo con la contraseña del .pfx.") var certificatePasswordFile: String?
    @Option(help: "Dirección del servicio billService de SUNAT (producción, beta u OSE).") var endpoint: String?
    @Option(name: .customLong("usuario-sol"), help: "Usuario SOL secundario.") var solUser: String?
    @Option(name: .customLong("clave-sol-file"), help: "Archivo con la clave SOL.") var solPasswordFile: String?
    @Option(help: "Administrador que configura.") var by: String

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            // The central's assignment, when usable, is what documents are issued with: the local
            // series are only needed by a sede without one (a sede with no central, the demo).
            let found = try store.fiscalSeriesAssignment()
            let assigned = found.flatMap { $0.problem() == nil ? $0 : nil }
            let parts: [String]
            if series == nil, let problem = found?.problem() {
                throw UserFacingError("Las series que la central asignó a esta sede no sirven (\(problem)): corríjalas en la central (vetcentral fiscal series set) y sincronice")
            }
            if let series {
                parts = series.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces).uppercased() }
                guard parts.count == 4 else { throw UserFacingError("--series: indique cuatro series separadas por comas (B001,F001,BC01,FC01)") }
            } else if let assigned {
                parts = assigned.series
            } else {
                throw UserFacingError("--series: indique las series de la sede (B001,F001,BC01,FC01), o asígnelas en la central (vetcentral fiscal series set) y sincronice")
            }
            let config = FiscalConfiguration(ruc: ruc, legalName: legalName, tradeName: tradeName, ubigeo: ubigeo, address: address,
                                             district: district.uppercased(), province: province.uppercased(), department: department.uppercased(),
                                             annexCode: annex ?? assigned?.annexCode ?? "0000", boletaSeries: parts[0], facturaSeries: parts[1],
                                             boletaNoteSeries: parts[2], facturaNoteSeries: parts[3], endpoint: endpoint, solUser: solUser)
            var pfx: Data?
            if let certificate {
                guard let data = FileManager.default.contents(atPath: certificate) else { throw UserFacingError("--certificado: no se pudo leer \(certificate)") }
                pfx = data
            }
            let session = try store.trustedSession(username: by)
            try store.configureFiscal(config, certificate: pfx,
                                      certificatePassword: try readSecret(certificatePasswordFile, option: "--clave-certificado-file"),
                                      solPassword: try readSecret(solPasswordFile, option: "--clave-sol-file"), by: session)
            if case .success(let info) = store.certificateStatus() {
                print("Facturación electrónica configurada: \(config.legalName) (RUC \(config.ruc)).")
                print(try seriesLine(store))
                print("Certificado: \(info.subject), vence el \(LimaTime.day(info.notAfter)).")
            }
        }
    }
}

/// `vetdesk fiscal list --from 01/12/2026 --to 01/12/2026`.
struct FiscalListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Lista los comprobantes emitidos entre dos fechas.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Desde (dd/mm/aaaa).") var from: String
    @Option(help: "Hasta (dd/mm/aaaa).") var to: String

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            print(try seriesLine(store))
            for doc in try store.fiscalDocuments(from: try parseDay(from, option: "--from"), to: try parseDay(to, option: "--to")) {
                let state = try store.fiscalState(documentID: doc.id)
                print("\(doc.printedID)  \(doc.issueDate)  \(Money(centimos: doc.total).formatted)  \(doc.customerName)  \(state.label)")
            }
        }
    }
}

/// `vetdesk fiscal export --from dd/mm/aaaa --to dd/mm/aaaa --out DIR`: every XML and CDR, as an
/// accountant must keep them.
struct FiscalExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Escribe el XML firmado y la CDR de cada comprobante, para el contador.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Desde (dd/mm/aaaa).") var from: String
    @Option(help: "Hasta (dd/mm/aaaa).") var to: String
    @Option(help: "Carpeta de destino (se crea).") var out: String

    func run() throws {
        try reportingErrors {
            let first = try parseDay(from, option: "--from"), last = try parseDay(to, option: "--to")
            guard first <= last else { throw UserFacingError("--from es posterior a --to") }
            let store = try openSede(try database.resolvedPath())
            let result = try store.exportFiscal(from: first, to: last, into: out)
            print("\(result.documents) comprobantes, \(result.summaries) resúmenes y \(result.cdrs) CDR escritos en \(out)")
        }
    }
}

/// `vetdesk fiscal send [--hoy]`: one pass of the SUNAT queue (what `vetdesk sync run` does each cycle).
struct FiscalSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Envía a SUNAT las facturas y los resúmenes pendientes y lee sus respuestas.")

    @OptionGroup var database: DatabaseOptions
    @Flag(name: .customLong("hoy"), help: "Incluye ya las boletas de hoy en un resumen diario.") var today = false

    func run() throws {
        try reportingErrors {
            let store = try openSede(try database.resolvedPath())
            guard let sender = try FiscalSender.configured(store: store) else {
                throw UserFacingError("Falta configurar el servicio de SUNAT: vetdesk fiscal setup --endpoint … --usuario-sol … --clave-sol-file …")
            }
            let report = try sender.runOnce(flushToday: today)
            print("Aceptados: \(report.accepted + report.observed) (con observaciones: \(report.observed)) · Rechazados: \(report.rejected) · Por corregir: \(report.toFix) · Resúmenes enviados: \(report.summariesSent) · Fallas de envío: \(report.failures)")
            for message in report.messages { print(message) }
        }
    }
}
