import Foundation
import Testing
import VetCore
import VetProtocol
import VetTestSupport
@testable import VetCentral

/// The catalog at the central on its SQLite storage: imports, prices and the export, checked on
/// the log and the read model (what every sede pulls).
struct CatalogStorageTests {
    static let today = CivilDate(year: 2026, month: 12, day: 1)!
    static let header = CatalogCSV.columns.joined(separator: ",")

    static func file(_ rows: [String]) -> [UInt8] { Array(([header] + rows).joined(separator: "\r\n").utf8) }

    static let amox = "AMOX500,Amoxicilina 500 mg,medicamento,Antibióticos,Caja x 100 tabletas,caja,BX,10,35.50,7750182000017,AMOXTAB,100,si,no,si,si"
    static let tablet = "AMOXTAB,Amoxicilina 500 mg tableta,medicamento,Antibióticos,Tableta,tableta,NIU,10,0.45,,,,si,no,si,"
    static let consult = "CONS,Consulta general,consulta,Consultas,,,ZZ,10,60.00,,,,no,no,no,si"

    static func int(_ value: SQLValue?) -> Int64? { if case .int(let n)? = value { n } else { nil } }

    func storage(_ dir: TempDir) throws -> SQLiteCentralStorage { try SQLiteCentralStorage(path: dir.file("central.db")) }

    func rows(_ storage: some CentralStorage, _ table: String) async throws -> [CurrentRow] {
        try await storage.currentRows(RowQuery(table: table, includeDeleted: true))
    }

    func changes(_ storage: some CentralStorage) async throws -> [CentralLogEntry] { try await storage.log(after: 0, limit: 10_000) }

    func importing(_ storage: some CentralStorage, _ rows: [String], partial: Bool = false, from: CivilDate = today) async throws -> CentralCatalog.ImportSummary {
        try await CentralCatalog.importCSV(storage, bytes: Self.file(rows), partial: partial, from: from, today: Self.today,
                                           nowText: "2026-12-01T15:00:00.000Z")
    }

    @Test func aRejectedLineMeansNothingIsWritten() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        let summary = try await importing(storage, [
            Self.amox, Self.tablet,
            "BAD1,Algo,medicamento,Varios,,,NIU,10,12.345,,,,no,no,no,si",
            "AMOXTAB,Duplicado,medicamento,Varios,,,NIU,10,1.00,,,,no,no,no,si",
            "BAD2,Algo,medicamento,Varios,,,CAJITA,10,1.00,,,,no,no,no,si",
            "BAD3,Algo,medicamento,Varios,,,NIU,99,1.00,,,,no,no,no,si",
        ])
        #expect(!summary.applied)
        #expect(summary.problems.map(\.line) == [4, 5, 6, 7])
        #expect(summary.rejectedLines == 4)
        #expect(summary.text == "No se aplicó nada: 4 líneas rechazadas; corríjalas o use --partial para aplicar las demás")
        #expect(try await changes(storage).isEmpty)
        for table in CentralCatalog.tables { #expect(try await rows(storage, table).isEmpty) }
        try await storage.close()
    }

    @Test func aGoodImportWritesItemsBarcodesAndPricesAsCentralData() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        let summary = try await importing(storage, [Self.amox, Self.tablet, Self.consult])
        #expect(summary.applied && summary.created == 3 && summary.pricesAdded == 3 && summary.barcodesAdded == 1 && summary.problems.isEmpty)
        #expect(summary.text == "Catálogo importado: 3 artículos nuevos, 0 actualizados, 0 sin cambios, 3 precios nuevos, 1 código de barras agregado, 0 quitados, 0 líneas rechazadas")

        let items = try await rows(storage, "catalog_items")
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.rowID, $0) })
        let amox = try #require(items.first { $0.cols["sku"] == .text("AMOX500") })
        let tablet = try #require(items.first { $0.cols["sku"] == .text("AMOXTAB") })
        #expect(amox.dataClass == .central && amox.origin == nil)
        #expect(amox.cols["unit_item_id"] == .text(tablet.rowID) && amox.cols["pack_units"] == .int(100))
        #expect(amox.cols["unit_code"] == .text("BX") && amox.cols["igv_affectation"] == .text("10") && amox.cols["tracks_lots"] == .int(1))
        #expect(tablet.cols["active"] == .int(1) && tablet.cols["base_unit"] == .text("tableta"))
        #expect(UUIDv7Generator.isValid(amox.rowID))
        let barcodes = try await rows(storage, "catalog_barcodes")
        #expect(barcodes.map { $0.cols["code"] } == [.text("7750182000017")] && barcodes.first?.cols["item_id"] == .text(amox.rowID))
        let prices = try await rows(storage, "catalog_prices")
        #expect(Set(prices.map { byID[$0.cols["item_id"]?.text ?? ""]?.cols["sku"] ?? .null }) == [.text("AMOX500"), .text("AMOXTAB"), .text("CONS")])
        #expect(prices.allSatisfy { $0.cols["sede_id"] == .null && $0.cols["effective_from"] == .text("2026-12-01") })
        #expect(prices.first { $0.cols["item_id"] == .text(amox.rowID) }?.cols["price"] == .int(3550))
        // One central transaction: a sede applies the whole import or none of it.
        let log = try await changes(storage)
        #expect(log.count == 7 && Set(log.map(\.hlc)).count == 1 && log.allSatisfy { $0.origin == nil && $0.dataClass == "central" })
        try await storage.close()
    }

    @Test func reimportingChangesOnlyWhatChangedAndNeverOverwritesAPrice() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        _ = try await importing(storage, [Self.amox, Self.tablet, Self.consult])
        let before = try await changes(storage).count

        let same = try await importing(storage, [Self.amox, Self.tablet, Self.consult])
        #expect(!same.applied && same.unchanged == 3 && same.text.hasPrefix("Catálogo sin cambios"))
        #expect(try await changes(storage).count == before)

        // New name, new price from a later day, one barcode swapped for two others, empty price kept.
        let renamed = "AMOX500,Amoxicilina 500 mg (genérico),medicamento,Antibióticos,Caja x 100 tabletas,caja,BX,10,38.00,40170725|12345670,AMOXTAB,100,si,no,si,si"
        let keptPrice = "CONS,Consulta general,consulta,Consultas,,,ZZ,10,,,,,no,no,no,si"
        let later = Self.today.adding(days: 7)
        let summary = try await importing(storage, [renamed, Self.tablet, keptPrice], from: later)
        #expect(summary.applied && summary.updated == 1 && summary.unchanged == 2 && summary.pricesAdded == 1)
        #expect(summary.barcodesAdded == 2 && summary.barcodesRemoved == 1)
        let log = try await changes(storage).dropFirst(before)
        let amoxID = try #require(try await rows(storage, "catalog_items").first { $0.cols["sku"] == .text("AMOX500") }?.rowID)
        let update = try #require(log.first { $0.tbl == "catalog_items" })
        #expect(update.op == "U" && update.rowID == amoxID)
        let updated = try JSONReader.read(Data((update.colsJSON ?? "{}").utf8)) { try $0.readScalarObject() }
        #expect(Set(updated.keys) == ["name", "updated_at"])
        #expect(log.map(\.op) == ["D", "U", "I", "I", "I"], "the barcode leaves before the new ones arrive")
        #expect(!log.contains { $0.tbl == "catalog_prices" && $0.op != "I" })
        let prices = try await rows(storage, "catalog_prices").filter { $0.cols["item_id"] == .text(amoxID) }
        #expect(prices.compactMap { Self.int($0.cols["price"]) }.sorted() == [3550, 3800])
        #expect(Set(prices.map { $0.cols["effective_from"] }) == [.text("2026-12-01"), .text(later.iso)])
        let live = try await storage.currentRows(RowQuery(table: "catalog_barcodes")).map { $0.cols["code"]?.text ?? "" }
        #expect(Set(live) == ["40170725", "12345670"])
        try await storage.close()
    }

    @Test func partialAppliesTheGoodLinesAndReportsTheRest() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        let summary = try await importing(storage, [Self.consult, "MALO,X,medicamento,Varios,,,NIU,10,1.00,,,,no,no,no,si", Self.tablet], partial: true)
        #expect(summary.applied && summary.created == 2 && summary.rejectedLines == 1)
        #expect(summary.problems.map(\.description) == ["línea 3: el nombre tiene de 2 a 120 caracteres (tiene 1)"])
        #expect(summary.text == "Catálogo importado en parte: 2 artículos nuevos, 0 actualizados, 0 sin cambios, 2 precios nuevos, 0 códigos de barras agregados, 0 quitados, 1 línea rechazada")
        #expect(Set(try await rows(storage, "catalog_items").compactMap { $0.cols["sku"]?.text }) == ["CONS", "AMOXTAB"])
        try await storage.close()
    }

    @Test func aBarcodeOfAnotherItemIsRefused() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        _ = try await importing(storage, [Self.amox, Self.tablet])
        let thief = "OTRO,Otro producto,insumo,Insumos,,,NIU,10,5.00,7750182000017,,,no,no,no,si"
        let summary = try await importing(storage, [thief])
        #expect(summary.problems.map(\.description) == ["línea 2: el código de barras 7750182000017 ya es del artículo AMOX500"])
        #expect(try await rows(storage, "catalog_items").count == 2)
        try await storage.close()
    }

    @Test func thePriceDateIsTodayOrLater() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        await #expect(throws: CentralError.self) { try await importing(storage, [Self.consult], from: Self.today.adding(days: -1)) }
        #expect(try await changes(storage).isEmpty)
        try await storage.close()
    }

    @Test func exportReadsBackWithoutChanges() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        _ = try await importing(storage, [Self.amox, Self.tablet, Self.consult])
        _ = try await CentralCatalog.setPrice(storage, sku: "CONS", price: "65", sedeCode: nil, from: Self.today.adding(days: 3).display, today: Self.today)
        let export = try await CentralCatalog.exportCSV(storage, today: Self.today)
        #expect(export.items == 3)
        let lines = export.csv.split(separator: "\r\n").map(String.init)
        #expect(lines == [
            Self.header, Self.amox,
            "AMOXTAB,Amoxicilina 500 mg tableta,medicamento,Antibióticos,Tableta,tableta,NIU,10,0.45,,,,si,no,si,si",
            "CONS,Consulta general,consulta,Consultas,,unidad,ZZ,10,60.00,,,,no,no,no,si",
        ])
        let before = try await changes(storage).count
        let again = try await CentralCatalog.importCSV(storage, bytes: Array(export.csv.utf8), partial: false, from: Self.today, today: Self.today)
        #expect(!again.applied && again.unchanged == 3 && again.problems.isEmpty)
        #expect(try await changes(storage).count == before)
        // Three days later the export carries the price then in force.
        let later = try await CentralCatalog.lines(storage, today: Self.today.adding(days: 3))
        #expect(later.first { $0.sku == "CONS" }?.price == Money(centimos: 6500))
        try await storage.close()
    }

    @Test func onePriceForTheNetworkOrASede() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        try await storage.addSede(id: "S-LIM", code: "LIM01", name: "Miraflores", kind: "clinica", tokenHash: "h1", nowText: "2026-12-01T10:00:00.000Z")
        _ = try await importing(storage, [Self.consult])
        let tomorrow = Self.today.adding(days: 1)
        #expect(try await CentralCatalog.setPrice(storage, sku: "cons", price: "70.00", sedeCode: nil, from: tomorrow.display, today: Self.today) == .added)
        #expect(try await CentralCatalog.setPrice(storage, sku: "CONS", price: "55", sedeCode: "lim01", from: Self.today.display, today: Self.today) == .added)
        #expect(try await CentralCatalog.setPrice(storage, sku: "CONS", price: "55.00", sedeCode: "LIM01", from: Self.today.display, today: Self.today) == .alreadyRecorded)

        let entries = try await rows(storage, "catalog_prices").map { row in
            PriceEntry(sedeID: row.cols["sede_id"]?.text, price: Money(centimos: Self.int(row.cols["price"]) ?? -1),
                       effectiveFrom: CivilDate(iso: row.cols["effective_from"]?.text ?? "")!, createdAt: row.cols["created_at"]?.text ?? "")
        }
        #expect(entries.count == 3)
        #expect(PriceList.price(at: "S-OTRA", on: Self.today, from: entries)?.price == Money(centimos: 6000))
        #expect(PriceList.price(at: "S-OTRA", on: tomorrow, from: entries)?.price == Money(centimos: 7000))
        #expect(PriceList.price(at: "S-LIM", on: tomorrow, from: entries)?.price == Money(centimos: 5500))

        let refusals: [(String, String, String?, String, String)] = [
            ("NOHAY", "10", nil, Self.today.display, "unknown_sku"),
            ("CONS", "10", "CUZ01", Self.today.display, "unknown_sede"),
            ("CONS", "diez", nil, Self.today.display, "invalid_price"),
            ("CONS", "-10", nil, Self.today.display, "invalid_price"),
            ("CONS", "10.001", nil, Self.today.display, "invalid_price"),
            ("CONS", "10", nil, "2026-12-05", "invalid_date"),
            ("CONS", "10", nil, "31/02/2027", "invalid_date"),
            ("CONS", "10", nil, Self.today.adding(days: -1).display, "past_date"),
        ]
        for (sku, price, sede, from, code) in refusals {
            do {
                _ = try await CentralCatalog.setPrice(storage, sku: sku, price: price, sedeCode: sede, from: from, today: Self.today)
                Issue.record("se aceptó \(sku) \(price) \(sede ?? "-") \(from)")
            } catch let error as CentralError {
                #expect(error.code == code, "\(error.message)")
            }
        }
        #expect(try await rows(storage, "catalog_prices").count == 3)
        try await storage.close()
    }

    @Test func centralWritesAreCentralTablesAndLoseARaceCleanly() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        let version = try await storage.readVersion(CentralCatalog.tables)
        #expect(version.cseq == 0)
        _ = try await importing(storage, [Self.consult])
        // A decision taken on the older version is refused, whole.
        let late = CentralWrite.insert("catalog_items", ["id": .text("X1"), "sku": .text("CONS")])
        do {
            try await storage.appendCentral([late], nowText: "2026-12-01T15:00:00.000Z", unchangedSince: version)
            Issue.record("se aceptó una escritura sobre una versión vieja")
        } catch let error as CentralError {
            #expect(error.code == "central_data_changed")
        }
        do {
            try await storage.appendCentral([.update("owners", id: "O1", ["phone": .text("1")])], nowText: "2026-12-01T15:00:00.000Z", unchangedSince: nil)
            Issue.record("la central escribió una tabla compartida")
        } catch let error as CentralError {
            #expect(error.code == "not_central_data")
        }
        #expect(try await rows(storage, "catalog_items").count == 1)
        #expect(try await storage.readVersion(CentralCatalog.tables).cseq == Int64(try await changes(storage).count))
        try await storage.close()
    }

    @Test func aSedeMayBeTheWarehouse() async throws {
        let dir = TempDir()
        let storage = try storage(dir)
        _ = try await CentralAdmin.addSede(storage, code: "ALM01", name: "Almacén central", kind: "almacen")
        _ = try await CentralAdmin.addSede(storage, code: "LIM01", name: "Miraflores")
        #expect(try await storage.listSedes().map(\.kind) == ["almacen", "clinica"])
        #expect(try await rows(storage, "sedes").compactMap { $0.cols["kind"]?.text }.sorted() == ["almacen", "clinica"])
        await #expect(throws: CentralError.self) { try await CentralAdmin.addSede(storage, code: "ALM02", name: "Otro", kind: "bodega") }
        try await storage.close()
    }
}
