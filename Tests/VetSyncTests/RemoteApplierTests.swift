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
}
