import Foundation
import GRDB
import Testing
import VetCore
import VetProtocol
import VetStore
@testable import VetSync
import VetTestSupport

/// The `network` data class across real processes: a `vetcentral` on either storage and two sede
/// stores. Sales, their lines and payments are written by their sede only and reach every sede;
/// the cash drawer (class `sede`) stays at its sede.
@Suite(.serialized)
struct NetworkClassTests {
    /// A cash sale of one line (S/ 118.00, IGV included) and its payment, written at `sede` in one
    /// transaction as the checkout will write it; returns (sale, line, payment) ids.
    @discardableResult
    static func sell(at sede: TestSede, number: Int, paymentSede: String? = nil) throws -> (sale: String, line: String, payment: String) {
        let store = sede.store
        let sale = store.newID(), line = store.newID(), payment = store.newID()
        let owner = paymentSede ?? sede.sedeID
        try store.write(user: nil) { db in
            let at = store.nowText
            try db.execute(sql: """
                INSERT INTO sales (id, sede_id, number, kind, gravada, exonerada, inafecta, igv, discount, total, user_id, at)
                VALUES (?, ?, ?, 'venta', 10000, 0, 0, 1800, 0, 11800, 'u-caja', ?)
                """, arguments: [sale, sede.sedeID, number, at])
            try db.execute(sql: """
                INSERT INTO sale_lines (id, sale_id, sede_id, line_no, item_id, description, unit_code, igv_affectation, quantity, unit_price, base, igv, total)
                VALUES (?, ?, ?, 1, 'item-consulta', 'Consulta general', 'ZZ', '10', 1, 11800, 10000, 1800, 11800)
                """, arguments: [line, sale, sede.sedeID])
            try db.execute(sql: """
                INSERT INTO payments (id, sede_id, sale_id, method, amount, tendered, change, user_id, at)
                VALUES (?, ?, ?, 'efectivo', 11800, 12000, 200, 'u-caja', ?)
                """, arguments: [payment, owner, sale, at])
        }
        return (sale, line, payment)
    }

    static func openDrawer(at sede: TestSede) throws -> String {
        let id = sede.store.newID()
        try sede.store.write(user: nil) { db in
            try db.execute(sql: """
                INSERT INTO cash_sessions (id, sede_id, drawer, opening_float, denominations, opened_by, opened_at)
                VALUES (?, ?, 'Caja 1', 20000, '{"10000":2}', 'u-caja', ?)
                """, arguments: [id, sede.sedeID, sede.store.nowText])
        }
        return id
    }

    @Test(arguments: backends)
    func salesReachEverySedeTheDrawerStaysAndNoSedeWritesAnothersPayments(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        try lim.sync()
        try are.sync()

        let sold = try Self.sell(at: lim, number: 1)
        let drawer = try Self.openDrawer(at: lim)
        let soldThere = try Self.sell(at: are, number: 1)
        #expect(try lim.sync().rejected == 0)
        #expect(try are.sync().rejected == 0)
        try lim.sync()

        // Lima's sale, line and payment are at Arequipa, as written; Lima's drawer is not.
        let limSale = "SELECT json_array(sede_id, number, total) FROM sales WHERE id = ?"
        #expect(try are.store.read { db in try String.fetchOne(db, sql: limSale, arguments: [sold.sale]) } == "[\"\(lim.sedeID)\",1,11800]")
        #expect(try are.count("SELECT count(*) FROM sale_lines WHERE id = ? AND sale_id = ? AND total = 11800", [sold.line, sold.sale]) == 1)
        #expect(try are.count("SELECT count(*) FROM payments WHERE id = ? AND sede_id = ? AND amount = 11800", [sold.payment, lim.sedeID]) == 1)
        #expect(try are.count("SELECT count(*) FROM cash_sessions") == 0)
        // And the other way round.
        #expect(try lim.count("SELECT count(*) FROM sales WHERE id = ? AND sede_id = ?", [soldThere.sale, are.sedeID]) == 1)
        #expect(try lim.count("SELECT count(*) FROM payments WHERE id = ? AND sede_id = ?", [soldThere.payment, are.sedeID]) == 1)
        for sede in [lim, are] { #expect(try sede.count("SELECT count(*) FROM sync_rejects") == 0) }
        // Central logged the drawer (for Lima alone) and keeps each sale's owner in its read model.
        #expect(try central.count("SELECT count(*) FROM changes WHERE row_id = '\(drawer)' AND data_class = 'sede'") == 1)
        #expect(try central.count("""
            SELECT count(*) FROM current_rows WHERE tbl = 'sales' AND data_class = 'network'
              AND ((row_id = '\(sold.sale)' AND owner_sede = '\(lim.sedeID)') OR (row_id = '\(soldThere.sale)' AND owner_sede = '\(are.sedeID)'))
            """) == 2)

        // Arequipa books a payment in Lima's name, as a sede with a tampered database would: its
        // own journal carries it, and central refuses it.
        let forged = try Self.sell(at: are, number: 2, paymentSede: lim.sedeID)
        let forgedPush = try are.sync()
        #expect(forgedPush.rejected == 1)
        #expect(try are.store.read { db in
            try String.fetchAll(db, sql: "SELECT row_id || ':' || code FROM sync_rejects")
        } == ["\(forged.payment):other_sede"])
        // Raw pushes with Arequipa's token: over Lima's sale, and Lima's payment taken over under Arequipa's name.
        let response = try PeerTrustTests.push(central, token: are.token, sede: are.sedeID, epoch: "forja", from: 1, to: 3, [
            PeerTrustTests.entry(1, "sales", sold.sale, "U", ["total": .int(1)], .network),
            PeerTrustTests.entry(2, "payments", sold.payment, "I", ["sede_id": .text(are.sedeID), "sale_id": .text(sold.sale),
                                 "method": .text("yape"), "amount": .int(1), "user_id": .text("u"), "at": .text("2026-12-01T10:00:00.000Z")], .network),
            PeerTrustTests.entry(3, "payments", are.store.newID(), "I", ["sale_id": .text(sold.sale), "method": .text("yape"), "amount": .int(-11800),
                                 "user_id": .text("u"), "at": .text("2026-12-01T10:00:00.000Z")], .network),
        ])
        #expect(response.status == 403)
        let ack = try JSONDecoder().decode(PushResponse.self, from: response.body)
        #expect(ack.rejects.map(\.code) == ["other_sede", "other_sede", "unknown_row"])
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin_epoch = 'forja' OR row_id = '\(forged.payment)'") == 0)

        // Arequipa's second sale goes through; the forged payment never reaches Lima.
        try lim.sync()
        #expect(try lim.count("SELECT count(*) FROM sales WHERE id = ?", [forged.sale]) == 1)
        #expect(try lim.count("SELECT count(*) FROM payments WHERE id = ?", [forged.payment]) == 0)
        #expect(try lim.store.read { db in try String.fetchAll(db, sql: "SELECT json_array(sede_id, amount) FROM payments WHERE sale_id = ?", arguments: [sold.sale]) }
                == ["[\"\(lim.sedeID)\",11800]"])
        #expect(try lim.store.read { db in try Int.fetchOne(db, sql: "SELECT total FROM sales WHERE id = ?", arguments: [sold.sale]) } == 11800)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects") == 0)
    }
}
