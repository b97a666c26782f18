import Foundation
import GRDB
import Testing
import VetTestSupport
@testable import VetCore
@testable import VetStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, item 3: what a sede keeps on disk is for the sede's OS group only.
@Suite struct SecretsAtRestTests {
    /// The database, its WAL and SHM and a printed prescription are `rw-rw----` even when the
    /// process's umask would make them readable by everyone; a file left world-readable by an
    /// older version is closed to others when the store opens.
    @Test func sedeFilesAreForTheSedeGroupOnlyWhateverTheUmask() throws {
        let previous = umask(0o022)
        defer { _ = umask(previous) }
        let f = try PatientFixture()
        defer { f.cleanup() }
        let db = f.dir + "/sede.db"
        let max = try f.pet("Max", owner: try f.owner())
        for file in [db, db + "-wal", db + "-shm"] {
            #expect(SedeFiles.mode(file) == 0o660, "\(file): \(String(SedeFiles.mode(file) ?? 0, radix: 8))")
        }
        guard case .saved(let rx) = try f.store.issuePrescription(items: [
            PrescriptionItemInput(drug: "Amoxicilina 250 mg", dose: "1 tableta", frequency: "cada 12 h", duration: "7 días"),
        ], petID: max.id, by: f.vet) else { Issue.record("rx not saved"); return }
        let printed = f.dir + "/recetas/receta-\(rx.id).txt"
        try f.store.exportPrescription(id: rx.id, to: printed)
        #expect(SedeFiles.mode(printed) == 0o660)
        #expect((SedeFiles.mode(f.dir + "/recetas") ?? 0o777) & 0o007 == 0)
        #expect(try String(contentsOfFile: printed, encoding: .utf8).contains("Núñez"))

        try f.store.close()
        chmod(db, 0o644)
        try SedeStore.open(path: db).close()
        #expect(SedeFiles.mode(db) == 0o640, "others lose their bits; the rest is left as it was")
    }

    /// A token stored inside the database by an older version moves to its own `rw-------` file
    /// when the store is upgraded, and no copy of it stays in the database file.
    @Test func theSyncTokenMovesOutOfTheDatabaseIntoAFileOnlyItsOwnerReads() throws {
        let dir = TempDir()
        let path = dir.file("sede.db")
        let token = "tok-SECRETO-" + UUID().uuidString
        let pool = try DatabasePool(path: path)
        try SedeMigrations.migrator.migrate(pool, upTo: "0006_search_prefixes")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO sedes (id, code, name, created_at) VALUES ('s1', 'CUS01', 'Cusco', '2026-01-01T00:00:00.000Z')")
            try db.execute(sql: "INSERT INTO sync_config (id, central_url, token) VALUES (1, 'https://central.example.pe', ?)", arguments: [token])
        }
        try pool.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).range(of: Data(token.utf8)) != nil, "the old layout keeps it inside")

        let store = try SedeStore.open(path: path)
        let tokenFile = SyncTokenFile.path(forDatabase: path)
        #expect(tokenFile == path + ".sync-token")
        #expect(SedeFiles.mode(tokenFile) == 0o600)
        #expect(try SyncTokenFile.load(databasePath: path) == token)
        let (columns, url) = try store.read { db in
            (try db.columns(in: "sync_config").map(\.name), try String.fetchOne(db, sql: "SELECT central_url FROM sync_config"))
        }
        #expect(!columns.contains("token") && url == "https://central.example.pe")
        try store.close()
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: Data(token.utf8)) == nil, "\(file) still holds the token")
        }
    }
}
