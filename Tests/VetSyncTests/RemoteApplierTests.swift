import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// Applying pulled pages straight into a sede store (no central): runs of new rows go in together,
/// and one bad change in a run is still rejected alone.
struct RemoteApplierTests {
    static func ownerInsert(cseq: Int64, id: String, doc: String, last: SQLValue = .text("Quispe Huamán")) -> PulledChange {
        PulledChange(cseq: cseq, origin: "sede-lejana", originEpoch: "e1", txID: cseq, hlc: (1_700_000_000_000 + cseq) << 16,
                     tbl: "owners", rowID: id, op: "I",
                     cols: ["id": .text(id), "doc_type": .text("dni"), "doc_number": .text(doc), "first_names": .text("Rosa"),
                            "last_names": last, "created_at": .text("2026-01-01T00:00:00.000Z"), "updated_at": .text("2026-01-01T00:00:00.000Z")],
                     dataClass: .shared)
    }

    @Test func aBadRowInARunOfNewRowsIsRejectedAloneAndTheRestAreSearchable() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("s.db"))
        try store.initializeSede(code: "CUS01", name: "Cusco")
        var changes = (1...6).map { i in Self.ownerInsert(cseq: Int64(i), id: "owner-\(i)", doc: String(format: "4000000%d", i)) }
        // last_names is NOT NULL: this one fails inside the run.
        changes[3] = Self.ownerInsert(cseq: 4, id: "owner-4", doc: "40000004", last: .null)
        // The same row twice in one page: the second is merged, not a duplicate.
        changes.append(Self.ownerInsert(cseq: 7, id: "owner-2", doc: "40000002"))
        let page = PullResponse(after: 0, nextAfter: 7, hasMore: false, changes: changes, serverTimeMs: 0, nextCheck: changes.last!.hlc)

        #expect(try RemoteApplier(store: store).apply(page) == 6)

        let ids = try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM owners ORDER BY id") }
        #expect(ids == ["owner-1", "owner-2", "owner-3", "owner-5", "owner-6"])
        let rejects = try store.read { db in try Row.fetchAll(db, sql: "SELECT row_id, code FROM sync_rejects") }
        #expect(rejects.map { $0["row_id"] as String } == ["owner-4"])
        #expect(rejects.map { $0["code"] as String } == ["apply_failed"])
        let found = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM patient_search WHERE patient_search MATCH 'quispe'") ?? 0
        }
        #expect(found == 5)
        let versions = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM col_versions WHERE col = ''") ?? 0 }
        #expect(versions == 5)
        // Nothing pulled is journaled again, and the cursor moved with the page.
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM journal WHERE tbl = 'owners'") ?? 0 } == 0)
        #expect(try store.read { db in try Int64.fetchOne(db, sql: "SELECT pull_cursor FROM sync_state") } == 7)
    }

    /// A `network` row (DESIGN.md §3: a sale, its lines, its payments) is applied at every sede,
    /// neither its owner nor its addressee, as long as it comes from the sede that owns it: the
    /// row names its origin, and a row already here names it too. A sede's own network rows take
    /// no change from anyone else, and `sede` rows still reach only their owner and addressee.
    @Test func networkRowsAreAdmittedAtEverySedeFromTheirOwnerOnly() throws {
        let dir = TempDir()
        let store = try SedeStore.create(path: dir.file("s.db"))
        let local = try store.initializeSede(code: "CUS01", name: "Cusco").id
        let at = SQLValue.text("2026-12-01T15:00:00.000Z")
        func sale(_ id: String, sede: String, number: Int64, total: Int64 = 11800) -> [String: SQLValue] {
            ["id": .text(id), "sede_id": .text(sede), "number": .int(number), "kind": .text("venta"), "gravada": .int(total * 100 / 118),
             "exonerada": .int(0), "inafecta": .int(0), "igv": .int(total - total * 100 / 118), "discount": .int(0), "total": .int(total),
             "user_id": .text("u1"), "at": at]
        }
        func payment(_ id: String, sede: String, sale: String) -> [String: SQLValue] {
            ["id": .text(id), "sede_id": .text(sede), "sale_id": .text(sale), "method": .text("yape"), "amount": .int(11800),
             "user_id": .text("u1"), "at": at]
        }
        // This sede's own sale, journaled here.
        try store.write(user: nil) { db in
            let cols = sale("v-propia", sede: local, number: 1)
            try db.execute(sql: "INSERT INTO sales (\(cols.keys.sorted().joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: cols.count)))",
                           arguments: StatementArguments(cols.keys.sorted().map { cols[$0]!.databaseValue }))
        }
        var cseq: Int64 = 0
        func change(_ tbl: String, _ rowID: String, _ op: String, _ cols: [String: SQLValue]?, _ cls: DataClass, origin: String?) -> PulledChange {
            cseq += 1
            return PulledChange(cseq: cseq, origin: origin, originEpoch: origin.map { _ in "e1" }, txID: cseq, hlc: (1_700_000_000_000 + cseq) << 16,
                                tbl: tbl, rowID: rowID, op: op, cols: cols, dataClass: cls)
        }
        let session: [String: SQLValue] = ["id": .text("c-lim"), "sede_id": .text("lim"), "drawer": .text("Caja 1"), "opening_float": .int(20000),
                                           "denominations": .text("{}"), "opened_by": .text("u1"), "opened_at": at]
        let changes = [
            // Rightful: Lima's sale and payment, and a sale Arequipa made, all seen here.
            change("sales", "v-lim", "I", sale("v-lim", sede: "lim", number: 1), .network, origin: "lim"),
            change("Payments", "p-lim", "I", payment("p-lim", sede: "lim", sale: "v-lim"), .network, origin: "lim"),
            change("sales", "v-are", "I", sale("v-are", sede: "are", number: 1), .network, origin: "are"),
            // Lima's own cash drawer stays at Lima.
            change("cash_sessions", "c-lim", "I", session, .sede, origin: "lim"),
            // Arequipa writing in Lima's name, or over Lima's sale.
            change("payments", "p-falsa", "I", payment("p-falsa", sede: "lim", sale: "v-lim"), .network, origin: "are"),
            change("sales", "v-lim", "U", ["total": .int(1)], .network, origin: "are"),
            change("sales", "v-lim", "U", ["total": .int(2), "sede_id": .text("are")], .network, origin: "are"),
            // Lima over this sede's own sale, with or without its name on it.
            change("sales", "v-propia", "U", ["total": .int(3)], .network, origin: "lim"),
            change("sales", "v-propia", "U", ["total": .int(4), "sede_id": .text("lim")], .network, origin: "lim"),
            change("sales", "v-propia", "I", sale("v-propia", sede: "lim", number: 9, total: 5), .network, origin: "lim"),
            // A network row without an owner, from central, or under another class.
            change("payments", "p-sin-sede", "I", payment("p-sin-sede", sede: "lim", sale: "v-lim").filter { $0.key != "sede_id" }, .network, origin: "lim"),
            change("payments", "p-central", "I", payment("p-central", sede: "lim", sale: "v-lim"), .network, origin: nil),
            change("sales", "v-clase", "I", sale("v-clase", sede: "lim", number: 2), .sede, origin: "lim"),
        ]
        let page = PullResponse(after: 0, nextAfter: cseq, hasMore: false, changes: changes, serverTimeMs: 0, nextCheck: nil)
        #expect(try RemoteApplier(store: store).apply(page) == 3)

        let rejects = try store.read { db in try String.fetchAll(db, sql: "SELECT row_id || ':' || code FROM sync_rejects ORDER BY seq DESC") }
        #expect(rejects == ["c-lim:other_sede", "p-falsa:other_sede", "v-lim:other_sede", "v-lim:other_sede",
                            "v-propia:other_sede", "v-propia:other_sede", "v-propia:other_sede",
                            "p-sin-sede:other_sede", "p-central:other_sede", "v-clase:class_mismatch"])
        let sales = try store.read { db in try String.fetchAll(db, sql: "SELECT id || ':' || sede_id || ':' || total FROM sales ORDER BY id") }
        #expect(sales == ["v-are:are:11800", "v-lim:lim:11800", "v-propia:\(local):11800"])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM payments") } == ["p-lim"])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cash_sessions") } == 0)
        // Pulled rows are not journaled again: only this sede's own sale is.
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT row_id FROM journal WHERE tbl IN ('sales', 'payments')") } == ["v-propia"])
    }
}
