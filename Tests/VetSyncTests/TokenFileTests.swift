import Foundation
import GRDB
import Testing
import VetCore
import VetStore
import VetTestSupport
@testable import VetSync
import VetProtocol

/// Issue 9, item 3: the sede's token is in a file only the sync daemon's user reads, never in the
/// database every terminal opens.
@Suite struct TokenFileTests {
    @Test func aLinkedSedeKeepsItsTokenOutsideTheDatabaseAndSyncsWithIt() throws {
        let central = try CentralProcess.running(.sqlite)
        let dir = TempDir()
        let path = dir.file("lim.db")
        let token = try central.addSede("LIM01", name: "Miraflores")
        let made = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "LIM01", "--name", "Miraflores", "--admin-password", "clave1",
                                                     "--central", central.url, "--token", token])
        #expect(made.status == 0, "\(made.stderr)")
        let tokenFile = path + ".sync-token"
        #expect(SedeFiles.mode(tokenFile) == 0o600)
        #expect(try String(contentsOfFile: tokenFile, encoding: .utf8) == token + "\n")
        let store = try SedeStore.open(path: path)
        #expect(try store.read { db in try db.columns(in: "sync_config").map(\.name) }.contains("token") == false)
        try store.write(user: nil) { db in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at)
                VALUES (?, 'dni', '45678912', 'Ana', 'Paz', 'n', 'n')
                """, arguments: [store.newID()])
        }
        try store.close()
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: Data(token.utf8)) == nil, "\(file) holds the token")
        }
        // `vetdesk sync` reads it from the file.
        let synced = try runProcess(Binaries.vetdesk, ["sync", "once", "--db", path])
        #expect(synced.status == 0 && synced.stdout.contains("Sincronizado:"), "\(synced.stdout)\(synced.stderr)")
        // Without it, a Spanish message says how to link the sede again.
        try FileManager.default.removeItem(atPath: tokenFile)
        let missing = try runProcess(Binaries.vetdesk, ["sync", "once", "--db", path])
        #expect(missing.status == 1 && missing.stderr.contains("Falta el token de sincronización"), "\(missing.stderr)")
    }
}
