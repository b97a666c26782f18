import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// The catalog and the recall trace across real processes (issue 12, items 1 and 7): `vetcentral
/// catalog` writes at the central, sedes pull, and the central traces a lot through every sede.
@Suite(.serialized)
struct CatalogSyncTests {
    static let header = CatalogCSV.columns.joined(separator: ",")
    static var today: CivilDate { CivilDate(limaDayOf: Date()) }

    static func write(_ rows: [String], in dir: TempDir, name: String) throws -> String {
        let path = dir.file(name)
        try (([header] + rows).joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `vetcentral ARGS` on the central's storage, whatever its exit.
    static func run(_ central: CentralProcess, _ args: [String]) throws -> ProcessResult {
        try runProcess(Binaries.vetcentral, args + central.storageArgs)
    }

    /// The prices of one item as the sede holds them.
    static func prices(_ sede: TestSede, sku: String) throws -> [PriceEntry] {
        try sede.store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.sede_id, p.price, p.effective_from, p.created_at FROM catalog_prices p JOIN catalog_items i ON i.id = p.item_id WHERE i.sku = ?
                """, arguments: [sku]).map { row in
                PriceEntry(sedeID: row["sede_id"], price: Money(centimos: row["price"]), effectiveFrom: CivilDate(iso: row["effective_from"])!,
                           createdAt: row["created_at"])
            }
        }
    }

    @Test(arguments: backends)
    func aCatalogImportedAtTheCentralReachesTheSedeAndTomorrowsPriceWaits(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let dir = lim.dir

        // Rejected lines: each reported with its line and reason, and nothing applied.
        let bad = try Self.write([
            "AMOX500,Amoxicilina 500 mg,medicamento,Antibióticos,Caja x 100 tabletas,caja,BX,10,35.50,,,,si,no,si,si",
            "CONS,Consulta general,consulta,Consultas,,,ZZ,10,S/ 6O.00,,,,no,no,no,si",
            "AMOX500,Amoxicilina otra vez,medicamento,Antibióticos,,,NIU,10,30.00,,,,no,no,no,si",
            "AMOXTAB,Amoxicilina 500 mg tableta,medicamento,Antibióticos,Tableta,tableta,UNIDAD,10,0.45,,,,si,no,si,si",
            "PIPETA,Pipeta antipulgas,antiparasitario,Antiparasitarios,,,NIU,18,25.00,,,,si,no,no,si",
        ], in: dir, name: "malo.csv")
        let rejected = try Self.run(central, ["catalog", "import", bad])
        #expect(rejected.status == 1)
        let reported = rejected.stderr.split(separator: "\n").map(String.init)
        #expect(reported.count == 4, "\(rejected.stderr)")
        #expect(reported[0].hasPrefix("línea 3: precio inválido «S/ 6O.00»"))
        #expect(reported[1] == "línea 4: el SKU AMOX500 está repetido (ya está en la línea 2)")
        #expect(reported[2].hasPrefix("línea 5: unidad SUNAT desconocida «UNIDAD»"))
        #expect(reported[3].hasPrefix("línea 6: afectación del IGV desconocida «18»"))
        #expect(rejected.stdout.contains("No se aplicó nada") && rejected.stdout.contains("4 líneas rechazadas"))
        #expect(try central.count("SELECT count(*) FROM changes WHERE tbl LIKE 'catalog_%'") == 0)
        #expect(try central.count("SELECT count(*) FROM current_rows WHERE tbl LIKE 'catalog_%'") == 0)

        // A good file.
        let good = try Self.write([
            "AMOX500,Amoxicilina 500 mg,medicamento,Antibióticos,Caja x 100 tabletas,caja,BX,10,35.50,7750182000017,AMOXTAB,100,si,no,si,si",
            "AMOXTAB,Amoxicilina 500 mg tableta,medicamento,Antibióticos,Tableta,tableta,NIU,10,0.45,,,,si,no,si,si",
            "\"CONS\",\"Consulta general, adultos\",consulta,Consultas,,,ZZ,10,60.00,,,,no,no,no,si",
            "KETA,Ketamina 50 mg/ml,medicamento,Anestésicos,Frasco x 10 ml,ml,MLT,30,120.00,40170725|12345670,,,si,si,si,si",
        ], in: dir, name: "catalogo.csv")
        let imported = try Self.run(central, ["catalog", "import", good])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Catálogo importado: 4 artículos nuevos") && imported.stderr.isEmpty)

        try lim.sync()
        let items = try lim.store.read { db in
            try Row.fetchAll(db, sql: "SELECT sku, name, kind, unit_code, igv_affectation, controlled, unit_item_id, pack_units FROM catalog_items ORDER BY sku")
        }
        #expect(items.map { $0["sku"] as String } == ["AMOX500", "AMOXTAB", "CONS", "KETA"])
        #expect(items[2]["name"] as String == "Consulta general, adultos")
        #expect(items[3]["controlled"] as Int == 1 && items[3]["igv_affectation"] as String == "30" && items[3]["unit_code"] as String == "MLT")
        let tabletID = try lim.store.read { db in try String.fetchOne(db, sql: "SELECT id FROM catalog_items WHERE sku = 'AMOXTAB'") }
        #expect(items[0]["unit_item_id"] as String? == tabletID && items[0]["pack_units"] as Int == 100)
        let barcodes = try lim.store.read { db in
            try String.fetchAll(db, sql: "SELECT i.sku || ':' || b.code FROM catalog_barcodes b JOIN catalog_items i ON i.id = b.item_id ORDER BY b.code")
        }
        #expect(barcodes == ["KETA:12345670", "KETA:40170725", "AMOX500:7750182000017"])
        #expect(try Self.prices(lim, sku: "AMOX500").map(\.price) == [Money(centimos: 3550)])
        #expect(try lim.count("SELECT count(*) FROM catalog_prices") == 4)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects") == 0)

        // Tomorrow's price reaches the sede today and is not used until tomorrow.
        let tomorrow = Self.today.adding(days: 1)
        let price = try Self.run(central, ["catalog", "price", "--sku", "amox500", "--price", "39.90", "--from", tomorrow.display])
        #expect(price.status == 0, "\(price.stderr)")
        for (args, message) in [
            (["--sku", "NOEXISTE", "--price", "1", "--from", tomorrow.display], "No existe el artículo NOEXISTE en el catálogo"),
            (["--sku", "AMOX500", "--price", "1", "--sede", "CUZ01", "--from", tomorrow.display], "No existe la sede CUZ01"),
            (["--sku", "AMOX500", "--price", "39,9O", "--from", tomorrow.display], "Precio inválido «39,9O»"),
            (["--sku", "AMOX500", "--price", "-1", "--from", tomorrow.display], "El precio no puede ser negativo"),
            (["--sku", "AMOX500", "--price", "1", "--from", "mañana"], "Fecha inválida «mañana»: use dd/mm/aaaa"),
        ] {
            let refused = try Self.run(central, ["catalog", "price"] + args)
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(args): \(refused.stderr)")
        }
        try lim.sync()
        let entries = try Self.prices(lim, sku: "AMOX500")
        #expect(entries.count == 2)
        #expect(PriceList.price(at: lim.sedeID, on: Self.today, from: entries)?.price == Money(centimos: 3550))
        #expect(PriceList.price(at: lim.sedeID, on: tomorrow, from: entries)?.price == Money(centimos: 3990))
        // The catalog stays read-only at the sede.
        #expect(throws: (any Error).self) {
            try lim.store.write(user: nil) { db in try db.execute(sql: "UPDATE catalog_prices SET price = 1") }
        }

        // The export reads back without a change.
        let exported = try Self.run(central, ["catalog", "export", "--out", dir.file("export.csv")])
        #expect(exported.status == 0 && exported.stdout.contains("4 artículos"), "\(exported.stderr)")
        let again = try Self.run(central, ["catalog", "import", dir.file("export.csv")])
        #expect(again.status == 0 && again.stdout.contains("Catálogo sin cambios"), "\(again.stdout) \(again.stderr)")
    }

    @Test(arguments: backends)
    func theCentralTracesALotThroughTwoSedesToItsPetsAndOwners(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let almacen = try central.admin(["sede", "add", "ALM01", "--name", "Almacén central", "--kind", "almacen"])
        #expect(almacen.hasPrefix("vdk_"))
        let vaccine = try Self.write([
            "VAC-RAB,Vacuna antirrábica,vacuna,Vacunas caninas,Frasco x 1 dosis,dosis,NIU,10,45.00,,,,si,no,si,si",
        ], in: lim.dir, name: "vacunas.csv")
        try central.admin(["catalog", "import", vaccine])
        try lim.sync()
        try are.sync()
        #expect(try lim.count("SELECT count(*) FROM sedes WHERE code = 'ALM01' AND kind = 'almacen'") == 1)
        let item = try #require(try lim.store.read { db in try String.fetchOne(db, sql: "SELECT id FROM catalog_items WHERE sku = 'VAC-RAB'") })

        /// An owner, a pet, the lot received and one dose given to the pet, written at `sede`.
        func dispense(_ sede: TestSede, owner: String, doc: String, phone: String, pet: String) throws {
            let ownerID = try sede.addOwner(doc: doc, first: owner, phone: phone)
            let petID = sede.store.newID()
            try sede.store.write(user: nil) { db in
                let now = sede.store.nowText
                try db.execute(sql: "INSERT INTO pets (id, owner_id, name, species, created_at, updated_at) VALUES (?, ?, ?, 'perro', ?, ?)",
                               arguments: [petID, ownerID, pet, now, now])
                let movement = """
                    INSERT INTO stock_movements (id, sede_id, act_id, item_id, lot_code, expiry, quantity, kind, pet_id, owner_id, user_id, at)
                    VALUES (?, ?, ?, ?, 'RB2611', '2027-05-31', ?, ?, ?, ?, 'U1', ?)
                    """
                try db.execute(sql: movement, arguments: [sede.store.newID(), sede.sedeID, sede.store.newID(), item, 20, "recepcion", nil, nil, now])
                try db.execute(sql: movement, arguments: [sede.store.newID(), sede.sedeID, sede.store.newID(), item, -1, "dispensacion", petID, ownerID, now])
            }
        }
        try dispense(lim, owner: "Rosa", doc: "41234567", phone: "987654321", pet: "Firulais")
        try dispense(are, owner: "Luis", doc: "42345678", phone: "954111222", pet: "Bobby")
        try lim.sync()
        try are.sync()

        // The endpoint, with any sede's token.
        let client = try central.client()
        let response = try client.get("/v1/trace?sku=vac-rab&lot=rb2611", headers: ["Authorization": "Bearer \(lim.token)"])
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        let trace = try SyncCoding.decoder().decode(LotTrace.self, from: response.body)
        #expect(trace.movements.count == 4)
        #expect(Set(trace.movements.map(\.sedeCode)) == ["LIM01", "ARE01"])
        let reached = trace.movements.filter { $0.pet != nil }
        #expect(Set(reached.compactMap { $0.pet?.name }) == ["Firulais", "Bobby"])
        #expect(Set(reached.compactMap { $0.owner?.name }) == ["Rosa Quispe", "Luis Quispe"])
        #expect(Set(reached.compactMap { $0.owner?.phone }) == ["987654321", "954111222"])
        #expect(trace.balances.map(\.quantity) == [19, 19])
        let raw = String(decoding: response.body, as: UTF8.self)
        #expect(raw.contains("\"sede_code\":\"ARE01\"") && raw.contains("\"item_name\":\"Vacuna antirrábica\""))
        #expect(try client.get("/v1/trace?sku=VAC-RAB&lot=RB2611").status == 401)
        #expect(try client.get("/v1/trace?sku=VAC-RAB", headers: ["Authorization": "Bearer \(are.token)"]).status == 400)
        #expect(try client.get("/v1/trace?sku=NADA&lot=RB2611", headers: ["Authorization": "Bearer \(are.token)"]).status == 404)

        // The command.
        let printed = try Self.run(central, ["trace", "--sku", "VAC-RAB", "--lot", "RB2611"])
        #expect(printed.status == 0, "\(printed.stderr)")
        for text in ["Lote RB2611 de VAC-RAB — Vacuna antirrábica", "Firulais", "Bobby", "Rosa Quispe", "Luis Quispe", "987654321", "954111222",
                     "Llegó a 2 mascotas de 2 propietarios."] {
            #expect(printed.stdout.contains(text), "\(text) en \(printed.stdout)")
        }
        let json = try Self.run(central, ["trace", "--sku", "VAC-RAB", "--lot", "RB2611", "--json"])
        #expect(try SyncCoding.decoder().decode(LotTrace.self, from: Data(json.stdout.utf8)) == trace)
        let unknown = try Self.run(central, ["trace", "--sku", "NADA", "--lot", "RB2611"])
        #expect(unknown.status == 1 && unknown.stderr.contains("No existe el artículo NADA en el catálogo"))
    }
}
