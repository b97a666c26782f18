import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// Issue 9, items 6–10: nothing lost after a sede's restore or a clock that ran ahead, one merge
/// rule for deletes and for writes inside one transaction, and conflicts only when truly concurrent.
@Suite(.serialized)
struct RestoreClockMergeTests {
    /// Item 6: a sede put back from an old copy pulls before writing anything.
    @Test(arguments: backends)
    func sedeRestoredFromAnOldCopyTakesBackItsOwnLaterWrites(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let kept = try lim.addOwner(doc: "11000001")
        try lim.sync()
        let copy = lim.dir.file("copia-LIM01.db")
        try lim.copy(to: copy)
        let later = try lim.addOwner(doc: "11000002", first: "Después")
        try lim.setOwner(kept, "phone", "955000111")
        try lim.sync()
        try are.sync()

        try lim.restore(from: copy)
        #expect(try lim.count("SELECT count(*) FROM owners") == 1)
        try lim.sync()
        #expect(try lim.count("SELECT count(*) FROM owners WHERE id = ?", [later]) == 1)
        #expect(try lim.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '955000111'", [kept]) == 1)
        #expect(try lim.sharedRows() == are.sharedRows())

        // What it writes next goes under a new epoch and reaches the others.
        let after = try lim.addOwner(doc: "11000003")
        try lim.setOwner(later, "first_names", "Corregido")
        try lim.sync()
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners WHERE id = ?", [after]) == 1)
        #expect(try are.count("SELECT count(*) FROM owners WHERE id = ? AND first_names = 'Corregido'", [later]) == 1)
        #expect(try lim.sharedRows() == are.sharedRows())
        #expect(try SyncStatus.read(lim.store).pending == 0)
        #expect(try central.count("SELECT count(DISTINCT origin_epoch) FROM changes WHERE origin = '\(lim.sedeID)'") == 2)
        #expect(try lim.count("SELECT count(*) FROM conflict_log") == 0)
    }

    /// Item 7: a sede one hour ahead keeps its writes pending (not refused for good), says so, and
    /// sends them once its clock is right, without dragging anyone's clock.
    @Test(arguments: backends)
    func writesMadeWhileTheClockRanAheadReachTheNetworkOnceItIsRight(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let dir = TempDir()
        let clock = ManualClock(Date().addingTimeInterval(3_600))
        let fast = try TestSede("CUS01", in: dir, clock: clock)
        try fast.link(central)
        let other = try TestSede.linked("LIM01", to: central, in: dir)
        let early = try other.addOwner(doc: "81000009", first: "Antes")
        try other.sync()
        try fast.sync()
        var owners: [String] = []
        for i in 0..<3 { owners.append(try fast.addOwner(doc: "8100000\(i)")) }
        try fast.setOwner(early, "phone", "944000000")

        try fast.sync()
        #expect(try fast.count("SELECT count(*) FROM sync_rejects") == 0)
        let status = try SyncStatus.read(fast.store)
        #expect(status.pending == 4)
        let ahead = try #require(status.clockAheadMs)
        #expect(ahead > 3_500_000 && ahead < 3_700_000)
        let printed = try runProcess(Binaries.vetdesk, ["sync", "status", "--db", fast.path])
        // About an hour: the measure includes the round trip, so a slow answer can make it 59 min.
        #expect(["59", "60", "61"].contains { printed.stdout.contains("Reloj: El reloj de este equipo está adelantado \($0) min respecto de la central") },
                "\(printed.stdout)")
        try other.sync()
        #expect(try other.count("SELECT count(*) FROM owners") == 1)

        // The clock is put right: the waiting writes go, stamped again.
        clock.set(Date())
        try fast.sync()
        #expect(try SyncStatus.read(fast.store).pending == 0)
        #expect(try SyncStatus.read(fast.store).clockAheadMs == nil)
        try other.sync()
        #expect(try other.count("SELECT count(*) FROM owners") == 4)
        #expect(try other.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '944000000'", [early]) == 1)
        let limit = Int64(Date().timeIntervalSince1970 * 1000) + HLC.maxDriftMs
        for sede in [fast, other] {
            let hlc = try sede.store.read { db in try Int64.fetchOne(db, sql: "SELECT hlc FROM sync_state") ?? 0 }
            #expect(HLC(raw: hlc).ms < limit, "\(sede.code) arrastrado al futuro")
        }
        // Stamped again, not an hour ahead: an edit made now elsewhere wins over them everywhere.
        try other.setOwner(owners[0], "phone", "933000000")
        try other.sync()
        try fast.sync()
        #expect(try fast.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '933000000'", [owners[0]]) == 1)
        #expect(try fast.sharedRows() == other.sharedRows())
    }

    /// Item 8: one rule everywhere, delete wins, whatever the order the racing changes reach each sede.
    @Test(arguments: backends)
    func aDeleteRacingANewerUpdateWinsAtEverySede(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let dir = TempDir()
        let lim = try TestSede.linked("LIM01", to: central, in: dir)
        // ARE01's clock runs 5 s ahead (within the tolerance): its edits are the newer ones.
        let are = try TestSede("ARE01", in: dir, clock: ManualClock(Date().addingTimeInterval(5)))
        try are.link(central)
        let cus = try TestSede.linked("CUS01", to: central, in: dir)
        let first = try lim.addOwner(doc: "82000001", phone: "900000001")
        let second = try lim.addOwner(doc: "82000002", phone: "900000002")
        for sede in [lim, are, cus] { try sede.sync() }

        // Deleted at LIM01, edited later at ARE01 before it heard: central gets the delete first.
        try lim.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM owners WHERE id = ?", arguments: [first]) }
        try are.setOwner(first, "phone", "911000001")
        try lim.sync()
        try are.sync()
        // And the other way round: the edit reaches central first.
        try lim.store.write(user: nil) { db in try db.execute(sql: "DELETE FROM owners WHERE id = ?", arguments: [second]) }
        try are.setOwner(second, "phone", "911000002")
        try are.sync()
        try lim.sync()
        for sede in [lim, are, cus] { try sede.sync() }

        for sede in [lim, are, cus] {
            #expect(try sede.count("SELECT count(*) FROM owners WHERE id IN (?, ?)", [first, second]) == 0, "\(sede.code) conserva la fila")
            #expect(try sede.count("SELECT count(*) FROM sync_rejects") == 0)
        }
        #expect(try are.count("SELECT count(*) FROM conflict_log WHERE col = '*' AND kept_value = 'borrado'") == 2)
        #expect(try lim.count("SELECT count(*) FROM conflict_log WHERE col = 'phone' AND lost_value IN ('\"911000001\"', '\"911000002\"')") == 2)
    }

    /// Item 9: two writes to one cell in one transaction, and an insert then an update.
    @Test(arguments: backends)
    func theLaterWriteOfOneTransactionWinsAtEverySede(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let inserted = lim.store.newID()
        try lim.store.write(user: nil) { db in
            let now = lim.store.nowText
            try Owner(id: inserted, docType: .dni, docNumber: "83000001", firstNames: "Rosa", lastNames: "Vega", phone: "900000000",
                      createdAt: now, updatedAt: now).insert(db)
            try db.execute(sql: "UPDATE owners SET phone = '901000000' WHERE id = ?", arguments: [inserted])
        }
        let edited = try lim.addOwner(doc: "83000002", phone: "800000000")
        try lim.sync()
        try are.sync()
        try lim.store.write(user: nil) { db in
            try db.execute(sql: "UPDATE owners SET phone = '801000000' WHERE id = ?", arguments: [edited])
            try db.execute(sql: "UPDATE owners SET phone = '802000000', first_names = 'Ana' WHERE id = ?", arguments: [edited])
            try db.execute(sql: "UPDATE owners SET first_names = 'Ana María' WHERE id = ?", arguments: [edited])
        }
        try lim.sync()
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '901000000'", [inserted]) == 1)
        #expect(try are.count("SELECT count(*) FROM owners WHERE id = ? AND phone = '802000000' AND first_names = 'Ana María'", [edited]) == 1)
        #expect(try are.sharedRows() == lim.sharedRows())
        #expect(try are.count("SELECT count(*) FROM conflict_log") == 0)
    }

    /// Item 10: edits made over a version the writer had seen are not conflicts; edits made
    /// without having seen each other are, at the sedes where they meet.
    @Test(arguments: backends)
    func onlyConcurrentEditsAreLoggedAsConflicts(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let owner = try lim.addOwner(doc: "84000001", phone: "900000000")
        try lim.sync()
        try are.sync()
        for i in 0..<6 {
            let (writer, reader) = i % 2 == 0 ? (are, lim) : (lim, are)
            try writer.setOwner(owner, i % 3 == 0 ? "phone" : "first_names", "Edición \(i)")
            try writer.sync()
            try reader.sync()
        }
        #expect(try lim.count("SELECT count(*) FROM conflict_log") == 0)
        #expect(try are.count("SELECT count(*) FROM conflict_log") == 0)

        // Both edit the e-mail before hearing of the other's edit.
        try lim.setOwner(owner, "email", "lima@vetdesk.pe")
        try are.setOwner(owner, "email", "arequipa@vetdesk.pe")
        try lim.sync()
        try are.sync()
        try lim.sync()
        #expect(try lim.sharedRows() == are.sharedRows())
        let final = try lim.store.read { db in try String.fetchOne(db, sql: "SELECT email FROM owners WHERE id = ?", arguments: [owner]) }
        let loser = final == "lima@vetdesk.pe" ? "arequipa@vetdesk.pe" : "lima@vetdesk.pe"
        for sede in [lim, are] {
            #expect(try sede.count("SELECT count(*) FROM conflict_log") == 1, "\(sede.code)")
            #expect(try sede.count("SELECT count(*) FROM conflict_log WHERE col = 'email' AND lost_value = ?", [SQLValue.text(loser).jsonText]) == 1)
        }
    }
}
