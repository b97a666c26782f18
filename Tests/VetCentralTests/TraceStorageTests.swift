import Foundation
import Testing
import VetCore
import VetProtocol
import VetTestSupport
@testable import VetCentral

/// The network-wide recall trace from the read model: two sedes push their movements of one lot.
struct TraceStorageTests {
    static let lim = "01900000-0000-7000-8000-0000000000b1"
    static let are = "01900000-0000-7000-8000-0000000000b2"

    /// A push of `entries` (tbl, row, op, cols JSON) from `sede`, seqs from 1, one transaction each.
    static func push(_ storage: SQLiteCentralStorage, sede: String, _ entries: [(String, String, String, String?)]) async throws {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var writer = PushBodyWriter(capacity: entries.count)
        for (i, e) in entries.enumerated() {
            let seq = Int64(i + 1)
            writer.append(seq: seq, txID: seq, hlc: (nowMs << 16) + seq, tbl: e.0, rowID: e.1, op: e.2, colsJSON: e.3, userID: nil, dataClass: nil, prevJSON: nil)
        }
        let body = writer.body(sede: sede, epoch: "E1", fromSeq: 1, toSeq: Int64(entries.count), epochStart: 1, schemaVersion: 11)
        guard case .stored(let response) = try await storage.push(sede: sede, request: try ReceivedPush.parse(body), nowMs: nowMs) else {
            throw CentralError(500, "test", "push no guardado")
        }
        #expect(response.rejects.isEmpty, "\(response.rejects)")
    }

    static func movement(_ id: String, sede: String, lot: String, qty: Int, kind: String, at: String, pet: String? = nil, owner: String? = nil) -> (String, String, String, String?) {
        let pet = pet.map { "\"\($0)\"" } ?? "null", owner = owner.map { "\"\($0)\"" } ?? "null"
        return ("stock_movements", id, "I", """
            {"id":"\(id)","sede_id":"\(sede)","act_id":"A-\(id)","item_id":"ITEM","lot_code":"\(lot)","expiry":"2027-06-30","quantity":\(qty),\
            "kind":"\(kind)","pet_id":\(pet),"owner_id":\(owner),"user_id":"U1","at":"\(at)"}
            """)
    }

    @Test func theTraceListsEveryMovementOfTheLotAtEverySedeWithPetsAndOwners() async throws {
        let dir = TempDir()
        let storage = try SQLiteCentralStorage(path: dir.file("central.db"))
        try await storage.addSede(id: Self.lim, code: "LIM01", name: "Miraflores", kind: "clinica", tokenHash: "h1", nowText: "2026-12-01T10:00:00.000Z")
        try await storage.addSede(id: Self.are, code: "ARE01", name: "Arequipa", kind: "clinica", tokenHash: "h2", nowText: "2026-12-01T10:00:00.000Z")
        try await storage.appendCentral([.insert("catalog_items", ["id": .text("ITEM"), "sku": .text("VAC-RAB"), "name": .text("Vacuna antirrábica")])],
                                        nowText: "2026-12-01T10:00:00.000Z", unchangedSince: nil)
        try await Self.push(storage, sede: Self.lim, [
            ("owners", "O1", "I", #"{"id":"O1","first_names":"Rosa","last_names":"Quispe Mamani","phone":"987654321"}"#),
            ("pets", "P1", "I", #"{"id":"P1","owner_id":"O1","name":"Firulais","species":"perro"}"#),
            Self.movement("M1", sede: Self.lim, lot: "L-2026A", qty: 10, kind: "recepcion", at: "2026-12-01T14:00:00.000Z"),
            Self.movement("M2", sede: Self.lim, lot: "L-2026A", qty: -1, kind: "dispensacion", at: "2026-12-02T15:30:00.000Z", pet: "P1", owner: "O1"),
            Self.movement("M9", sede: Self.lim, lot: "OTRO", qty: 4, kind: "recepcion", at: "2026-12-01T14:00:00.000Z"),
        ])
        try await Self.push(storage, sede: Self.are, [
            ("owners", "O2", "I", #"{"id":"O2","first_names":"Luis","last_names":"Huamán","phone":null,"phone2":"054222333"}"#),
            ("owners", "O3", "I", #"{"id":"O3","first_names":"Luis A.","last_names":"Huamán","phone":"999","merged_into":"O2"}"#),
            ("pets", "P2", "I", #"{"id":"P2","owner_id":"O2","name":"Michi","species":"gato"}"#),
            ("pets", "P3", "I", #"{"id":"P3","owner_id":"O3","name":"Toby","species":"perro"}"#),
            Self.movement("M3", sede: Self.are, lot: "L-2026A", qty: 5, kind: "transferencia_entrada", at: "2026-12-01T20:00:00.000Z"),
            Self.movement("M4", sede: Self.are, lot: "L-2026A", qty: -1, kind: "dispensacion", at: "2026-12-03T13:00:00.000Z", pet: "P2"),
            Self.movement("M5", sede: Self.are, lot: "L-2026A", qty: -1, kind: "dispensacion", at: "2026-12-03T16:00:00.000Z", pet: "P3", owner: "O3"),
        ])

        let trace = try await CentralTrace.trace(storage, sku: " vac-rab ", lot: "l-2026a")
        #expect(trace.sku == "VAC-RAB" && trace.lot == "L-2026A" && trace.itemName == "Vacuna antirrábica")
        #expect(trace.movements.map(\.id) == ["M1", "M3", "M2", "M4", "M5"])
        #expect(trace.movements.map(\.sedeCode) == ["LIM01", "ARE01", "LIM01", "ARE01", "ARE01"])
        let reached = trace.movements.filter { $0.pet != nil }
        #expect(reached.map { $0.pet?.name } == ["Firulais", "Michi", "Toby"])
        #expect(reached.map { $0.owner?.name } == ["Rosa Quispe Mamani", "Luis Huamán", "Luis Huamán"], "a merged owner is shown as the one kept")
        #expect(reached.map { $0.owner?.phone } == ["987654321", "054222333", "054222333"])
        #expect(trace.balances == [LotTrace.Balance(sedeID: Self.are, sedeCode: "ARE01", quantity: 3),
                                   LotTrace.Balance(sedeID: Self.lim, sedeCode: "LIM01", quantity: 9)])

        let table = CentralTrace.table(trace)
        #expect(table.contains("Lote L-2026A de VAC-RAB — Vacuna antirrábica"))
        #expect(table.contains("02/12/2026 10:30  LIM01  Dispensación"), "times in Lima: \(table)")
        #expect(table.contains("Firulais") && table.contains("Rosa Quispe Mamani") && table.contains("987654321"))
        #expect(table.contains("Saldo por sede: ARE01 3 · LIM01 9"))
        #expect(table.contains("Llegó a 3 mascotas de 2 propietarios."))

        // Stable wire names.
        let json = String(decoding: try SyncCoding.encoder().encode(trace), as: UTF8.self)
        for key in ["\"item_id\"", "\"item_name\"", "\"sede_code\"", "\"sede_id\"", "\"phone\":\"987654321\""] {
            #expect(json.contains(key), "\(key) en \(json)")
        }
        #expect(try SyncCoding.decoder().decode(LotTrace.self, from: Data(json.utf8)) == trace)

        let empty = try await CentralTrace.trace(storage, sku: "VAC-RAB", lot: "NADA")
        #expect(empty.movements.isEmpty && CentralTrace.table(empty).contains("Sin movimientos"))
        for (sku, lot, code) in [("NOEXISTE", "L1", "unknown_sku"), ("VAC-RAB", "L 1", "invalid_lot"), ("VAC-RAB", String(repeating: "9", count: 21), "invalid_lot"), ("", "L1", "missing_sku")] {
            do {
                _ = try await CentralTrace.trace(storage, sku: sku, lot: lot)
                Issue.record("se aceptó \(sku) \(lot)")
            } catch let error as CentralError {
                #expect(error.code == code)
            }
        }
        try await storage.close()
    }
}
