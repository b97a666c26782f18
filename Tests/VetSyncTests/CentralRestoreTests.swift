import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// A central put back from a backup (issue 9, item 5): nothing a sede ever pushed is assumed stored.
@Suite(.serialized)
struct CentralRestoreTests {
    /// The backup is taken before the sede's first push, so the restored central has no record of
    /// the sede's epoch at all. It asks for the epoch from its start (409 `seq_gap`, expected =
    /// `epoch_start`) and the sede sends its journal again. Fails on the old code: central took the
    /// next batch's `from_seq` as the epoch's start, and the first five entries were lost for good.
    @Test(arguments: backends)
    func centralRestoredFromBeforeASedesFirstPushGetsTheWholeEpochAgain(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let piu = try TestSede.linked("PIU01", to: central, in: lim.dir)
        central.stop()
        try central.backup()
        try central.start()
        for i in 1...5 { try lim.addOwner(doc: "3000000\(i)", first: "Antes de restaurar \(i)") }
        try piu.addOwner(doc: "31000001", first: "De Piura")
        try lim.sync()
        try piu.sync()
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin = '\(lim.sedeID)'") == 5)

        central.stop()
        try central.restoreBackup()
        try central.start()
        #expect(try central.count("SELECT count(*) FROM sede_epochs") == 0)
        try lim.addOwner(doc: "30000009", first: "Tras restaurar")
        try lim.sync()
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin = '\(lim.sedeID)'") == 6)
        #expect(try central.count("SELECT count(DISTINCT origin_seq) FROM changes WHERE origin = '\(lim.sedeID)'") == 6)
        #expect(try lim.syncState().pushed == 6)
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners WHERE first_names LIKE 'Antes de restaurar%' OR first_names = 'Tras restaurar'") == 6)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects") + are.count("SELECT count(*) FROM sync_rejects") == 0)

        // The journal is never pruned, so the whole epoch can always go again. Should entries be
        // gone from it (deleted by hand), the sede stops pushing with a clear message instead of
        // looping or skipping them, and keeps them pending.
        try piu.store.pool.write { db in try db.execute(sql: "DELETE FROM journal") }
        try piu.addOwner(doc: "31000002")
        let error = #expect(throws: SyncError.self) { try piu.sync() }
        guard case .central(409, "seq_gap", let message)? = error else {
            Issue.record("se esperaba seq_gap, llegó \(String(describing: error))")
            return
        }
        #expect(message.contains("ya no las tiene"))
        #expect(try SyncStatus.read(piu.store).link == "up")
        #expect(try piu.syncState().pushed == 1)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin = '\(piu.sedeID)'") == 0)
    }
}
