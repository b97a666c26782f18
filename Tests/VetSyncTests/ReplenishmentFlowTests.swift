import Foundation
import GRDB
import Testing
@testable import VetCore
@testable import VetStore
@testable import VetSync
import VetTestSupport

/// Issue 12, item 4: replenishment across real processes: a `vetcentral`, a clinic sede and the
/// warehouse sede, each step written by the sede that does it, with the central stopped between
/// shipping and receiving.
@Suite struct ReplenishmentFlowTests {
    static let catalog = """
        sku,nombre,tipo,categoria,presentacion,unidad_base,unidad_sunat,afectacion_igv,precio,codigos_barra,desarme_sku,unidades_por_empaque,lotes,controlado,receta,activo
        MED-MELOX-2,Meloxicam 2 mg tableta,medicamento,Antiinflamatorios,Tableta,tableta,NIU,10,1.50,7751234500011,,,si,no,si,si
        INS-JER-5,Jeringa 5 ml,insumo,Insumos,Unidad,unidad,NIU,10,0.80,,,,no,no,no,si
        """

    func session(_ sede: TestSede, _ name: String, _ roles: [Role]) throws -> Session {
        Session(userID: "user-\(name)", username: name, fullName: name, roles: roles, sede: try sede.store.localSede())
    }

    func balancesMatchLedger(_ store: SedeStore) throws -> Bool {
        try store.read { db in
            let cached = try Row.fetchAll(db, sql: "SELECT sede_id, item_id, lot_code, expiry, quantity FROM stock_balances WHERE quantity <> 0 ORDER BY 1, 2, 3, 4")
            let summed = try Row.fetchAll(db, sql: """
                SELECT sede_id, item_id, lot_code, expiry, sum(quantity) FROM stock_movements GROUP BY 1, 2, 3, 4 HAVING sum(quantity) <> 0 ORDER BY 1, 2, 3, 4
                """)
            return cached.map { Array($0.databaseValues) } == summed.map { Array($0.databaseValues) }
        }
    }

    @Test func theClinicAsksTheWarehouseShipsFEFOAndTheClinicReceivesOneShortAcrossAnOutage() throws {
        let central = try CentralProcess.running(.sqlite)
        let clinicToken = try central.addSede("LIM01", name: "Miraflores")
        let warehouseToken = try central.admin(["sede", "add", "ALM01", "--name", "Almacén central", "--kind", "almacen"])
        let csv = central.dir.file("catalogo.csv")
        try Self.catalog.write(toFile: csv, atomically: true, encoding: .utf8)
        try central.admin(["catalog", "import", csv])
        let clinic = try TestSede("LIM01")
        try clinic.link(central, token: clinicToken)
        let warehouse = try TestSede("ALM01")
        try warehouse.link(central, token: warehouseToken)
        try clinic.sync()
        try warehouse.sync()

        let clinicID = clinic.sedeID, warehouseID = warehouse.sedeID
        #expect(try warehouse.store.localSede().kind == "almacen")
        let melox = try #require(try clinic.store.catalogItem(code: "MED-MELOX-2"))
        #expect(try warehouse.store.catalogItem(code: "7751234500011")?.id == melox.id)
        let pharmacist = try session(clinic, "farmacia.lim", [.farmacia])
        let vet = try session(clinic, "vet.lim", [.veterinario])
        let keeper = try session(warehouse, "almacen", [.farmacia])
        let today = clinic.store.today

        // The warehouse holds two lots; the clinic a little, with its levels.
        try warehouse.store.receive(actID: warehouse.store.newID(), document: "F001-1001", supplier: "Droguería", lines: [
            StockLine(itemID: melox.id, lotCode: "LARGO", expiry: today.adding(days: 200), quantity: 300),
            StockLine(itemID: melox.id, lotCode: "CORTO", expiry: today.adding(days: 20), quantity: 25),
        ], by: keeper)
        try clinic.store.receive(actID: clinic.store.newID(), document: "G-77", supplier: "Almacén", lines: [
            StockLine(itemID: melox.id, lotCode: "LARGO", expiry: today.adding(days: 200), quantity: 30),
        ], by: pharmacist)
        try clinic.store.setLevel(itemID: melox.id, minimum: 20, ideal: 60, by: pharmacist)
        // A dispense under the minimum: 15 left, 60 wanted.
        _ = try clinic.store.useInProcedure(actID: clinic.store.newID(), itemID: melox.id, quantity: 15, by: vet)
        let request = try #require(try clinic.store.replenishmentRequests(from: clinicID, openOnly: true).first)
        #expect(request.lines.map(\.quantity) == [45])

        try clinic.sync()
        try warehouse.sync()
        let queue = try warehouse.store.replenishmentRequests(to: warehouseID, openOnly: true)
        #expect(queue.map(\.id) == [request.id])
        #expect(queue.first?.sedeCode == "LIM01")

        // The warehouse ships FEFO: the 20-day lot first, then the long one.
        let shipped = try warehouse.store.shipTransfer(transferID: warehouse.store.newID(), to: clinicID,
                                                       lines: [StockLine(itemID: melox.id, quantity: 45)], requestID: request.id, by: keeper)
        #expect(shipped.lines.map(\.lotCode) == ["CORTO", "LARGO"])
        #expect(shipped.lines.map(\.shipped) == [25, 20])
        #expect(try warehouse.store.onHand(itemID: melox.id, sedeID: warehouseID) == 280)
        #expect(try warehouse.store.replenishmentRequests(to: warehouseID, openOnly: true).isEmpty)
        try warehouse.sync()
        #expect(try warehouse.store.transfers(sedeID: warehouseID, pendingOnly: true).map(\.id) == [shipped.id])

        // The central goes down between shipping and receiving: the clinic cannot see the transfer yet.
        central.stop()
        #expect(throws: (any Error).self) { try clinic.sync() }
        #expect(try clinic.store.transfers(sedeID: clinicID).isEmpty)
        #expect(try clinic.store.onHand(itemID: melox.id, sedeID: clinicID) == 15)

        try central.start()
        try clinic.sync()
        let arriving = try #require(try clinic.store.transfer(id: shipped.id))
        #expect(arriving.inTransit)
        #expect(try clinic.store.stockSearch("MED-MELOX-2", sedeID: clinicID).first?.inTransit == 45)
        // The request is answered, and in transit counts as available: no new line is asked for.
        #expect(try clinic.store.replenishmentRequests(from: clinicID, openOnly: true).isEmpty)

        // One unit of the long lot is missing on arrival.
        let received = try clinic.store.receiveTransfer(transferID: shipped.id, received: [
            StockLine(itemID: melox.id, lotCode: "LARGO", expiry: today.adding(days: 200), quantity: 19),
        ], by: pharmacist)
        #expect(received.lines.map(\.difference) == [0, 1])
        #expect(try clinic.store.onHand(itemID: melox.id, sedeID: clinicID) == 59)
        #expect(try clinic.store.stockSearch("MED-MELOX-2", sedeID: clinicID).first?.inTransit == 0)
        let again = #expect(throws: StoreError.self) { try clinic.store.receiveTransfer(transferID: shipped.id, received: [], by: pharmacist) }
        #expect(again?.code == .conflict)

        try clinic.sync()
        try warehouse.sync()
        let seenByWarehouse = try #require(try warehouse.store.transfer(id: shipped.id))
        #expect(!seenByWarehouse.inTransit)
        #expect(seenByWarehouse.lines.map(\.difference) == [0, 1])

        // Syncing again moves nothing twice.
        let movementsBefore = try (clinic.count("SELECT count(*) FROM stock_movements"), warehouse.count("SELECT count(*) FROM stock_movements"))
        try clinic.sync(); try warehouse.sync(); try clinic.sync()
        #expect(try (clinic.count("SELECT count(*) FROM stock_movements"), warehouse.count("SELECT count(*) FROM stock_movements")) == movementsBefore)
        #expect(try clinic.store.onHand(itemID: melox.id, sedeID: clinicID) == 59)
        #expect(try warehouse.store.onHand(itemID: melox.id, sedeID: warehouseID) == 280)
        #expect(try balancesMatchLedger(clinic.store))
        #expect(try balancesMatchLedger(warehouse.store))
        #expect(try clinic.count("SELECT count(*) FROM sync_rejects") == 0)
        #expect(try warehouse.count("SELECT count(*) FROM sync_rejects") == 0)
    }
}
