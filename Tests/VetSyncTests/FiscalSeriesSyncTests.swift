import Foundation
import GRDB
import Testing
import VetCore
import VetFiscal
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// Each sede's SUNAT series and código de anexo, assigned at the central (`vetcentral fiscal
/// series`), reach the sede by the pull and number its next documents. SQLite central only: the
/// storage is the one the catalog's tests run on both backends.
@Suite(.serialized)
struct FiscalSeriesSyncTests {
    static let ruc = "20601234565"

    /// `vetcentral fiscal series ARGS` on the central's storage, whatever its exit.
    static func series(_ central: CentralProcess, _ args: [String]) throws -> ProcessResult {
        try runProcess(Binaries.vetcentral, ["fiscal", "series"] + args + central.storageArgs)
    }

    static func set(_ code: String, _ anexo: String, _ series: [String]) -> [String] {
        ["set", "--sede", code, "--anexo", anexo, "--boleta", series[0], "--factura", series[1], "--nota-boleta", series[2], "--nota-factura", series[3]]
    }

    @Test func theCentralRefusesBadSeriesASeriesOfAnotherSedeAndAnUnknownSede() throws {
        let central = try CentralProcess(.sqlite)
        _ = try central.addSede("LIM01")
        _ = try central.addSede("CUZ01")

        let empty = try Self.series(central, ["list"])
        #expect(empty.status == 0 && empty.stdout == "Ninguna sede tiene series asignadas\n", "\(empty.stderr)")
        let lima = try Self.series(central, Self.set("lim01", "0001", ["b001", "F001", "BC01", "FC01"]))
        #expect(lima.status == 0 && lima.stdout.contains("Series asignadas a la sede LIM01: anexo 0001, series B001, F001, BC01, FC01"), "\(lima.stderr)")

        for (args, message) in [
            (Self.set("CUZ01", "0002", ["F002", "F003", "BC02", "FC02"]), "La serie de una boleta empieza con B (p. ej. B001)"),
            (Self.set("CUZ01", "0002", ["B02", "F002", "BC02", "FC02"]), "La serie «B02» debe tener 4 caracteres"),
            (Self.set("CUZ01", "0002", ["B002", "F002", "FC02", "FC03"]), "empieza con B (p. ej. B001)"),
            (Self.set("CUZ01", "0002", ["B002", "F002", "B002", "FC02"]), "Las cuatro series de una sede deben ser distintas"),
            (Self.set("CUZ01", "2", ["B002", "F002", "BC02", "FC02"]), "El código de establecimiento anexo «2» tiene 4 dígitos"),
            (Self.set("CUZ01", "0002", ["B002", "F001", "BC02", "FC02"]), "La serie F001 ya está asignada a la sede LIM01: cada serie es de una sola sede"),
            (Self.set("TRU01", "0003", ["B003", "F003", "BC03", "FC03"]), "No existe la sede TRU01"),
        ] {
            let refused = try Self.series(central, args)
            #expect(refused.status == 1 && refused.stderr.contains("vetcentral: " ) && refused.stderr.contains(message), "\(args): \(refused.stderr)")
        }
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_series'") == 1)

        // The same assignment again writes nothing; a reassignment is a new row and frees the old series.
        let again = try Self.series(central, Self.set("LIM01", "0001", ["B001", "F001", "BC01", "FC01"]))
        #expect(again.status == 0 && again.stdout.contains("Ya estaban asignadas"), "\(again.stderr)")
        let moved = try Self.series(central, Self.set("LIM01", "0001", ["B011", "F011", "BC11", "FC11"]))
        #expect(moved.status == 0, "\(moved.stderr)")
        let cusco = try Self.series(central, Self.set("CUZ01", "0002", ["B001", "F001", "BC01", "FC01"]))
        #expect(cusco.status == 0, "\(cusco.stderr)")
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_series' AND op = 'I'") == 3)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_series' AND op <> 'I'") == 0)

        let listed = try Self.series(central, ["list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(6).joined(separator: " ") }
        #expect(lines == ["CUZ01 0002 B001 F001 BC01 FC01", "LIM01 0001 B011 F011 BC11 FC11"])
    }

    @Test func seriesAssignedAtTheCentralReachTheSedeAndNumberItsNextBoleta() throws {
        let central = try CentralProcess.running(.sqlite)
        let lim = try TestSede.linked("LIM01", to: central)
        try lim.sync()
        let store = lim.store
        let cashier = try lim.user("caja.lim", .recepcionista)
        let admin = try lim.user("admin.lim", .administrador)
        let item = try lim.consultation()
        let pfx = try FiscalQueueTests.certificate(Date())
        try pfx.write(to: URL(fileURLWithPath: lim.dir.file("empresa.pfx")))
        try "pfx\n".write(toFile: lim.dir.file("clave.txt"), atomically: true, encoding: .utf8)
        let setup = ["fiscal", "setup", "--db", lim.path, "--ruc", Self.ruc, "--razon-social", "Veterinarias Huellitas S.A.C.",
                     "--ubigeo", "150122", "--direccion", "Av. José Larco 1150", "--distrito", "Miraflores", "--provincia", "Lima",
                     "--departamento", "Lima", "--certificado", lim.dir.file("empresa.pfx"), "--clave-certificado-file", lim.dir.file("clave.txt"),
                     "--by", "admin.lim"]

        // Without a central assignment, the sede's setup must name its series.
        let unnamed = try runProcess(Binaries.vetdesk, setup)
        #expect(unnamed.status == 1 && unnamed.stderr.contains("--series: indique las series de la sede"), "\(unnamed.stderr)")
        #expect(try store.fiscalConfiguration() == nil)

        // A sede set up before the central assigned anything issues in its local series.
        try store.configureFiscal(FiscalQueueTests.config(annexCode: "0000"), certificate: pfx, certificatePassword: "pfx", by: admin)
        var day = FiscalQueueTests.Day(sede: lim, cashier: cashier, item: item)
        #expect(try day.sell().documentID == "B001-1")

        // The central assigns; until the pull, nothing changes at the sede.
        let assigned = try Self.series(central, Self.set("LIM01", "0002", ["B002", "F002", "BC02", "FC02"]))
        #expect(assigned.status == 0, "\(assigned.stderr)")
        #expect(try day.sell().documentID == "B001-2")
        let pulled = try lim.sync()
        #expect(pulled.rejected == 0)
        #expect(try lim.count("SELECT count(*) FROM fiscal_series WHERE sede_id = ?", [lim.sedeID]) == 1)
        let assignment = try #require(try store.fiscalSeriesAssignment())
        #expect(assignment.series == ["B002", "F002", "BC02", "FC02"] && assignment.annexCode == "0002")

        // The next boleta and factura are numbered in the assigned series, at the assigned establishment.
        let boleta = try day.sell()
        #expect(boleta.documentID == "B002-1")
        #expect(boleta.xml.contains(">0002</cbc:AddressTypeCode>"))
        #expect(FiscalSigner.verify(Data(boleta.xml.utf8)) == nil)
        #expect(try day.sell(factura: true).documentID == "F002-1")

        // The setup is accepted without series now, and the listing says where they came from.
        let named = try runProcess(Binaries.vetdesk, setup.filter { $0 != "--certificado" && $0 != lim.dir.file("empresa.pfx") })
        #expect(named.status == 0, "\(named.stderr)")
        let from = "Series B002, F002, BC02, FC02, anexo 0002: asignadas por la central el \(LimaTime.day(Date()))"
        #expect(named.stdout.contains(from), "\(named.stdout)")
        let today = LimaTime.day(Date())
        let listed = try runProcess(Binaries.vetdesk, ["fiscal", "list", "--db", lim.path, "--from", today, "--to", today])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").first.map(String.init) == from, "\(listed.stdout)")
        #expect(try day.sell().documentID == "B002-2")

        // The sede never writes an assignment: not in its database, not by a push.
        #expect(throws: (any Error).self) {
            try store.write(user: nil) { db in
                try db.execute(sql: "UPDATE fiscal_series SET boleta_series = 'B001'")
            }
        }
        let forged = PeerTrustTests.entry(1, "fiscal_series", store.newID(), "I",
                                          ["sede_id": .text(lim.sedeID), "annex_code": .text("0001"), "boleta_series": .text("B009"),
                                           "factura_series": .text("F009"), "boleta_note_series": .text("BC09"), "factura_note_series": .text("FC09"),
                                           "assigned_at": .text(store.nowText)], .central)
        let response = try PeerTrustTests.push(central, token: lim.token, sede: lim.sedeID, epoch: "forjado", from: 1, to: 1, [forged])
        let ack = try JSONDecoder().decode(PushResponse.self, from: response.body)
        #expect(ack.rejects.map(\.code) == ["central_data"])
        #expect(try central.count("SELECT count(*) FROM current_rows WHERE tbl = 'fiscal_series'") == 1)

        // The documents reach the central as ever.
        #expect(try lim.sync().rejected == 0)
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl = 'fiscal_documents'") == 5)
    }
}
