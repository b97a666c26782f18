import Foundation
import VetTestSupport
import GRDB
import Testing
import VetCore
import VetStore
@testable import VetSync
import VetProtocol

/// Setting a sede up, running the daemon, and restoring a sede from a backup.
@Suite(.serialized)
struct LifecycleTests {
    @Test(arguments: backends)
    func initWithCentralTakesCentralIdentityAndUsers(_ backend: Backend) throws {
        let central = try CentralProcess(backend)
        let dir = TempDir()
        try central.start()
        let token = try central.addSede("TRU01", name: "Trujillo Centro")
        try central.admin(["user", "add", "jorge", "--full-name", "Jorge Salas", "--password", "clave123", "--role", "TRU01:recepcionista"])
        let path = dir.file("tru.db")
        let wrong = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "LIM01", "--name", "X", "--central", central.url, "--token", token])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("El token es de la sede TRU01"))
        #expect(!FileManager.default.fileExists(atPath: path))
        let badToken = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "TRU01", "--name", "X", "--central", central.url, "--token", "vdk_malo"])
        #expect(badToken.status != 0)
        #expect(badToken.stderr.contains("401"))
        let ok = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "TRU01", "--name", "Trujillo Centro", "--central", central.url, "--token", token])
        #expect(ok.status == 0, "\(ok.stderr)")
        let store = try SedeStore.open(path: path)
        let listed = try runProcess(Binaries.vetcentral, ["sede", "list"] + central.storageArgs)
        #expect(listed.stdout.contains(try store.localSede().id))
        #expect(try store.usersWithRoles().map(\.user.username) == ["jorge"])
        #expect(try store.usersWithRoles().first?.roles == [.recepcionista])
    }

    // What is tested here happens at the sede (its cursor, its backlog, its daemon, its link), so one
    // central storage is enough; the central's storages are compared by the other tests on both.
    @Test(arguments: [Backend.sqlite])
    func syncRunDaemonSyncsOnATimerAndStopsOnSIGTERM(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let dir = lim.dir
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Binaries.vetdesk)
        daemon.arguments = ["sync", "run", "--db", lim.path, "--interval", "0.2"]
        FileManager.default.createFile(atPath: dir.file("daemon.log"), contents: nil)
        daemon.standardError = FileHandle(forWritingAtPath: dir.file("daemon.log"))
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let owner = try lim.addOwner(doc: "12345678")
        try waitUntil("el demonio envía el propietario") { try lim.syncState().pushed == 1 }
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners WHERE id = ?", [owner]) == 1)
        // The link drops: the daemon keeps running and retries; the entry waits.
        central.stop()
        try lim.addOwner(doc: "87654321")
        try waitUntil("el enlace figura caído") { try SyncStatus.read(lim.store).link == "down" }
        #expect(daemon.isRunning)
        try central.start()
        try waitUntil("el demonio reintenta y envía", timeout: 30) { try lim.syncState().pushed == 2 }
        daemon.terminate()
        try waitUntil("el demonio se detiene") { !daemon.isRunning }
        #expect(daemon.terminationStatus == 0)
        let log = try String(contentsOfFile: dir.file("daemon.log"), encoding: .utf8)
        #expect(log.contains("detenido"))
    }

    @Test func backoffIsJitteredExponentialAndCapped() {
        #expect(SyncDaemon.backoff(failures: 1, maxBackoff: 300, random: 1) == 2)
        #expect(SyncDaemon.backoff(failures: 5, maxBackoff: 300, random: 1) == 32)
        #expect(SyncDaemon.backoff(failures: 20, maxBackoff: 300, random: 1) == 300)
        #expect(SyncDaemon.backoff(failures: 20, maxBackoff: 300, random: 0.5) == 150)
        #expect(SyncDaemon.backoff(failures: 3, maxBackoff: 300, random: 0) == 0.2)
    }

    /// A sede restored from last night's backup reuses seqs central already has: central spots
    /// the different entries, the sede starts a new epoch, and nothing is lost either way.
    @Test(arguments: backends)
    func sedeRestoredFromBackupStartsANewEpoch(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let dir = lim.dir
        try lim.addOwner(doc: "10000001", first: "Antes")
        try lim.sync()
        let backup = dir.file("backup.db")
        try lim.store.pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [backup]) }
        try lim.addOwner(doc: "10000002", first: "Después del respaldo")
        try lim.sync()
        let oldEpoch = try lim.store.read { db in try String.fetchOne(db, sql: "SELECT epoch FROM sync_state") }
        try lim.store.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: lim.path + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: lim.path)

        let restored = try SedeStore.open(path: lim.path)
        try restored.write(user: nil) { db in
            let now = restored.nowText
            try Owner(id: restored.newID(), docType: .dni, docNumber: "10000003", firstNames: "Tras restaurar", lastNames: "Quispe",
                      createdAt: now, updatedAt: now).insert(db)
        }
        try SyncEngine(store: restored).syncOnce()
        let newEpoch = try restored.read { db in try String.fetchOne(db, sql: "SELECT epoch FROM sync_state") }
        #expect(newEpoch != oldEpoch)
        // The owner written after the backup came back from central; the new one went up.
        let names = try restored.read { db in try String.fetchAll(db, sql: "SELECT first_names FROM owners ORDER BY doc_number") }
        #expect(names == ["Antes", "Después del respaldo", "Tras restaurar"])
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners") == 3)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == 3)
    }

    /// Central restored from a backup has lost entries sedes think it holds and changes sedes
    /// already pulled: pushes resume from what central has (409 seq_gap), pulls notice the cursor
    /// points at nothing central knows (409 cursor_mismatch) and start over, and all converge.
    @Test(arguments: backends)
    func centralRestoredFromBackupGetsTheLostEntriesAgain(_ backend: Backend) throws {
        let central = try CentralProcess.running(backend)
        let lim = try TestSede.linked("LIM01", to: central)
        let are = try TestSede.linked("ARE01", to: central, in: lim.dir)
        let a = try lim.addOwner(doc: "20000001", first: "Antes del respaldo")
        try lim.sync()
        try are.sync()
        central.stop()
        try central.backup()
        try central.start()
        try lim.addOwner(doc: "20000002", first: "Perdido por la central")
        try lim.setOwner(a, "phone", "999111222")
        try lim.sync()
        try are.addOwner(doc: "20000004", first: "También perdido")
        try are.sync()
        #expect(try are.count("SELECT count(*) FROM owners") == 3)
        central.stop()
        try central.restoreBackup()
        try central.start()
        try lim.addOwner(doc: "20000003", first: "Tras restaurar la central")
        try lim.sync()
        try are.sync()
        try lim.sync()
        #expect(try lim.sharedRows() == are.sharedRows())
        #expect(try lim.count("SELECT count(*) FROM owners") == 4)
        #expect(try lim.count("SELECT count(*) FROM owners WHERE phone = '999111222'") == 1)
        let expected = Int(try lim.syncState().maxSeq + are.syncState().maxSeq)
        #expect(try central.count("SELECT count(*) FROM changes WHERE origin IS NOT NULL") == expected)
        #expect(try lim.count("SELECT count(*) FROM sync_rejects") + are.count("SELECT count(*) FROM sync_rejects") == 0)
    }
}
