import Foundation
import GRDB
import Testing
import VetTestSupport
@testable import VetCore
@testable import VetStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, item 12: what the machine does wrong (permissions, a full disk, a lock held by another
/// program) reaches a person as a Spanish message that says what to do, and leaves no half-made file.
@Suite struct StoreErrorTests {
    /// Runs vetdesk as a user that is not root (`nobody`), in the groups given: root reads and
    /// writes any file, so permissions only show with another user.
    func asNobody(_ arguments: [String], groups: String? = nil) throws -> ProcessResult {
        guard getuid() == 0 else { return try runProcess(Binaries.vetdesk, arguments) }
        let identity = ["--reuid=65534", "--regid=65534"] + (groups.map { ["--groups=\($0)"] } ?? ["--clear-groups"])
        return try runProcess("/usr/bin/setpriv", identity + [Binaries.vetdesk] + arguments)
    }

    @Test func permissionProblemsAreExplainedAsPermissionsNotAsDamage() throws {
        let dir = TempDir()
        chmod(dir.path, 0o755)
        let path = dir.file("sede.db")
        let made = try runProcess(Binaries.vetdesk, ["init", "--db", path, "--sede", "LIM01", "--name", "Miraflores", "--admin-password", "clave1"])
        #expect(made.status == 0, "\(made.stderr)")
        let before = fileFingerprint(path)

        // A user outside the sede's group cannot even read it.
        let outsider = try asNobody(["sync", "status", "--db", path])
        #expect(outsider.status == 1)
        #expect(outsider.stderr.contains("no tiene permiso para leer \(path)") && outsider.stderr.contains("grupo de la sede"), "\(outsider.stderr)")
        #expect(!outsider.stderr.contains("dañado"))

        // Readable, but read-only for this user.
        chmod(path, 0o644)
        let readOnly = try asNobody(["sync", "status", "--db", path])
        #expect(readOnly.status == 1 && readOnly.stderr.contains("no tiene permiso para escribir en \(path)"), "\(readOnly.stderr)")

        // The file may be written but the folder not (SQLite keeps its WAL and SHM there).
        chmod(path, 0o666)
        let folder = try asNobody(["sync", "status", "--db", path])
        #expect(folder.status == 1 && folder.stderr.contains("no tiene permiso para crear archivos en la carpeta \(dir.path)"), "\(folder.stderr)")
        #expect(fileFingerprint(path) == before)

        // As the README deploys it: one group for the sede's terminals, folder and files its own.
        if getuid() == 0 {
            chown(dir.path, 0, 65534)
            chmod(dir.path, 0o2770)
            for file in [path, path + "-turno"] where FileManager.default.fileExists(atPath: file) {
                chown(file, 0, 65534)
                chmod(file, 0o660)
            }
            let member = try asNobody(["sync", "status", "--db", path], groups: "65534")
            #expect(member.status == 0, "\(member.stderr)")
            #expect(member.stdout.contains("Enlace: sin configurar"))
        }
    }

    /// `init` on a disk that fills up says so, leaves no file behind, and works once there is room.
    @Test(.timeLimit(.minutes(3))) func initOnAFullDiskLeavesNothingAndWorksOnceThereIsRoom() throws {
        let dir = TempDir()
        // A disk of its own, in a mount namespace that ends with the script: no mount is left behind.
        let script = """
            set -u
            d="$1"; bin="$2"
            mount -t tmpfs -o size=16m tmpfs "$d" || exit 3
            dd if=/dev/zero of="$d/relleno" bs=16k 2>/dev/null
            truncate -s -48K "$d/relleno"
            "$bin" init --db "$d/sede.db" --sede LIM01 --name Miraflores --admin-password clave1 >/dev/null
            echo "status=$?"
            echo "files=$(ls -A "$d" | tr '\\n' ' ')"
            rm "$d/relleno"
            "$bin" init --db "$d/sede.db" --sede LIM01 --name Miraflores --admin-password clave1 >/dev/null
            echo "status=$?"
            echo "files=$(ls -A "$d" | tr '\\n' ' ')"
            """
        let run = try runProcess("/usr/bin/unshare", ["--user", "--map-root-user", "--mount", "/bin/sh", "-c", script, "sh", dir.path, Binaries.vetdesk])
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(run.status == 0 && lines.count == 4, "\(run.stdout)\n\(run.stderr)")
        guard lines.count == 4 else { return }
        #expect(lines[0] == "status=1")
        #expect(run.stderr.contains("vetdesk: No queda espacio en el disco donde está"), "\(run.stderr)")
        #expect(!run.stderr.contains("SQLite error") && !run.stderr.contains("database or disk is full"), "\(run.stderr)")
        #expect(lines[1].trimmingCharacters(in: .whitespaces) == "files=relleno", "a half-made file was left: \(lines[1])")
        #expect(lines[2] == "status=0", "\(run.stderr)")
        #expect(lines[3].split(separator: "=").dropFirst().first?.split(separator: " ").contains("sede.db") == true, "\(lines[3])")
        #expect(!FileManager.default.fileExists(atPath: dir.file("sede.db")), "the disk was the script's own")
    }

    /// A full disk at sign-in is a Spanish message, not «Error inesperado: SQLite error 13».
    @Test func aFullDiskAtSignInIsExplainedInSpanish() throws {
        let dir = TempDir()
        let store = try makeStore(dir, clock: ManualClock(Date()))
        let user = try store.addUser(username: "rosa", fullName: "Rosa Quispe", password: "clave-secreta", roles: [.recepcionista])
        let sede = try store.localSede()
        // The writer may not grow the file any more; fill what room is left with sign-in rows no
        // larger than the one the attempt writes.
        try store.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        var full = false
        for _ in 0..<100_000 where !full {
            do {
                try store.write(user: user.id) { db in
                    try db.execute(sql: "INSERT INTO login_events (id, sede_id, user_id, kind, at) VALUES (?, ?, ?, 'logout', ?)",
                                   arguments: [store.newID(), sede.id, user.id, store.nowText])
                }
            } catch StoreError.diskFull {
                full = true
            }
        }
        #expect(full)
        let auth = Authenticator(store: store)
        #expect(throws: StoreError.diskFull(path: dir.file("sede.db"))) { try auth.login(username: "rosa", password: "mala") }
        #expect(StoreError.diskFull(path: "x").message.hasPrefix("No queda espacio en el disco"))
    }

    /// A write lock that another program does not let go of ends, past the store's limit, in a
    /// Spanish message with nothing written; the next write goes through once it is released.
    @Test func aLockHeldByAnotherProgramEndsInASpanishMessage() throws {
        let dir = TempDir()
        let path = dir.file("sede.db")
        try makeStore(dir).close()
        let store = try SedeStore.open(path: path, busyLimit: 1)
        let shell = try DatabaseQueue(path: path)
        let insert = { (db: Database) in
            try db.execute(sql: """
                INSERT INTO owners (id, doc_type, doc_number, first_names, last_names, created_at, updated_at)
                VALUES (?, 'dni', '45678912', 'Ana', 'Paz', 'n', 'n')
                """, arguments: [store.newID()])
        }
        try shell.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            do {
                try store.write(user: nil, insert)
                Issue.record("wrote through another program's lock")
            } catch let error as StoreError {
                guard case .busy(let p, let seconds) = error else { Issue.record("\(error)"); return }
                #expect(p == path && seconds >= 1)
                #expect(error.message.contains("sigue ocupada por otro programa") && error.message.contains("Vuelva a intentar"))
            }
            try db.execute(sql: "ROLLBACK")
        }
        try store.write(user: nil, insert)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM owners") } == 1)
    }
}
