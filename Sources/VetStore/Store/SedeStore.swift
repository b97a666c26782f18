import Foundation
import GRDB
import VetCore
#if canImport(Glibc)
import Glibc
#endif

/// A sede's local store: one SQLite file in WAL mode shared by every terminal of the sede.
///
/// Guarantees: the file is never modified unless it is a VetDesk database this binary understands;
/// every write runs in one `BEGIN IMMEDIATE` transaction stamped with a new transaction id, a tick
/// of the sede's hybrid logical clock and the acting user, which the journal triggers record.
public final class SedeStore: Sendable {
    public let path: String
    public let pool: DatabasePool
    public let clock: any WallClock
    public let ids: UUIDv7Generator

    /// The highest schema number this binary knows.
    public static var knownSchemaVersion: Int { SedeMigrations.latest }

    /// How long a write waits for the database while another program (not a VetDesk terminal
    /// taking its turn) holds it, before it gives up with `StoreError.busy`.
    public let busyLimit: TimeInterval
    private let turnstile: WriteTurnstile
    private let checkpointer: WALCheckpointer

    /// Opens an existing sede store, applying any migrations it lacks. When it has some to apply,
    /// `notice` gets a Spanish line to show first: on a large sede an upgrade can take a minute.
    public static func open(path: String, clock: any WallClock = SystemClock(), ids: UUIDv7Generator = UUIDv7Generator(),
                            busyLimit: TimeInterval = 120, notice: ((String) -> Void)? = nil) throws -> SedeStore {
        let version = try checkExisting(path: path)
        if version < SedeMigrations.latest, let notice {
            notice("Actualizando la base de la sede (versión \(version) → \(SedeMigrations.latest)); en una sede grande puede tardar un minuto. No cierre el programa.")
        }
        for file in [path, path + "-wal", path + "-shm"] { SedeFiles.tighten(file) }
        return try mappingErrors(path) {
            let store = try SedeStore(path: path, clock: clock, ids: ids, busyLimit: busyLimit)
            if version < SyncTokenFile.migrationNumber {
                // The pages that held the sync token are rewritten in the file itself now, not at
                // some later checkpoint.
                try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            }
            return store
        }
    }

    /// Creates a new, empty sede store; refuses to touch an existing file.
    public static func create(path: String, clock: any WallClock = SystemClock(), ids: UUIDv7Generator = UUIDv7Generator()) throws -> SedeStore {
        try build(path: path, clock: clock, ids: ids) { _ in }
    }

    /// Creates a new sede store filled by `body`, and refuses to touch an existing file. The store
    /// is built aside, in a hidden file of the same folder, and moved to `path` only once `body`
    /// has finished: a build that fails or is killed half-way never leaves a file at `path`, and
    /// what a killed build left aside is removed by the next one.
    public static func build(path: String, clock: any WallClock = SystemClock(), ids: UUIDv7Generator = UUIDv7Generator(),
                             _ body: (SedeStore) throws -> Void) throws -> SedeStore {
        if FileManager.default.fileExists(atPath: path) { throw StoreError.alreadyExists(path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        do {
            try SedeFiles.createFolder(folder)
        } catch {
            throw StoreError.cannotCreate(path: path, reason: "no se pudo crear la carpeta \(folder)")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw StoreError.noPermission(path: folder, what: "crear archivos en la carpeta")
        }
        removeAbandonedBuilds(of: path)
        let temp = folder + "/." + (path as NSString).lastPathComponent + buildMarker + String(getpid())
        removeBuildFiles(temp)
        do {
            do {
                try SedeFiles.createExclusive(temp)
            } catch let error as SystemError {
                throw StoreError.creating(path: path, folder: folder, errno: error.errno)
            }
            try mappingErrors(path) {
                let store = try SedeStore(path: temp, clock: clock, ids: ids, busyLimit: 120)
                try body(store)
                try store.finishBuild()
            }
            if link(temp, path) != 0 {
                let failure = errno
                if failure == EEXIST { throw StoreError.alreadyExists(path: path) }
                guard failure == EPERM || failure == ENOTSUP || failure == EXDEV, !FileManager.default.fileExists(atPath: path),
                      rename(temp, path) == 0 else {
                    throw StoreError.creating(path: path, folder: folder, errno: failure)
                }
            }
            removeBuildFiles(temp)
            syncFolder(folder)
        } catch let error as StoreError {
            removeBuildFiles(temp)
            throw error.replacingPath(temp, with: path)
        } catch {
            removeBuildFiles(temp)
            throw error
        }
        return try mappingErrors(path) { try SedeStore(path: path, clock: clock, ids: ids, busyLimit: 120) }
    }

    static let buildMarker = ".creando-"

    /// Checkpoints everything into the database file and closes it, so the file alone is the store.
    private func finishBuild() throws {
        checkpointer.stop()
        let incomplete = try pool.writeWithoutTransaction { db -> Bool in
            guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") else { return true }
            return (row[0] as Int) != 0
        }
        if incomplete { throw StoreError.busy(path: path, seconds: 0) }
        try pool.close()
    }

    private static func removeBuildFiles(_ temp: String) {
        for suffix in ["", "-wal", "-shm", "-journal", WriteTurnstile.suffix] { unlink(temp + suffix) }
    }

    /// Removes what builds of `path` killed half-way left in its folder (their process is gone).
    private static func removeAbandonedBuilds(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let prefix = "." + (path as NSString).lastPathComponent + buildMarker
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix(while: \.isNumber)
            guard let pid = Int32(digits), kill(pid, 0) != 0, errno == ESRCH else { continue }
            removeBuildFiles(folder + "/" + prefix + String(digits))
        }
    }

    private static func syncFolder(_ folder: String) {
        let fd = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); Glibc.close(fd) }
    }

    /// Runs `body`, turning database errors caused by the machine into the user's message.
    static func mappingErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError.environmental(error, path: path) ?? error
        }
    }

    private init(path: String, clock: any WallClock, ids: UUIDv7Generator, busyLimit: TimeInterval) throws {
        self.path = path
        self.clock = clock
        self.ids = ids
        self.busyLimit = busyLimit
        turnstile = WriteTurnstile(databasePath: path)
        var config = Configuration()
        // Short, even sleeps while another connection holds the lock: a long-waiting writer is
        // not pushed behind newcomers. Past about ten seconds `write` takes over, with its own
        // backoff up to `busyLimit`.
        config.busyMode = .callback { tries in
            guard tries < 5_000 else { return false }
            usleep(tries < 500 ? 1_000 : 2_000)
            return true
        }
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Statement journals stay in memory. SQLite keeps each trigger-firing statement's
            // journal in memory up to 64 KiB, but once one statement on a connection goes past
            // that (a migration, a pulled page) it writes every later one to a temporary file:
            // about eight pwrite calls per journaled row.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Commits never checkpoint: `WALCheckpointer` does it off the writers' path.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        pool = try DatabasePool(path: path, configuration: config)
        checkpointer = WALCheckpointer(path: path)
        try SedeMigrations.migrator(databasePath: path).migrate(pool)
    }

    /// Reads an existing file without writing to it and refuses what this binary must not open;
    /// returns its schema version.
    @discardableResult
    static func checkExisting(path: String) throws -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw StoreError.missing(path: path) }
        if isDirectory.boolValue { throw StoreError.notADatabase(path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        if access(path, R_OK) != 0 { throw StoreError.noPermission(path: path, what: "leer") }
        if access(path, W_OK) != 0 { throw StoreError.noPermission(path: path, what: "escribir en") }
        if access(folder, W_OK | X_OK) != 0 { throw StoreError.noPermission(path: folder, what: "crear archivos en la carpeta") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.noPermission(path: path, what: "leer") }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else { throw StoreError.notADatabase(path: path) }

        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let (version, isVetDesk) = try queue.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                 try db.tableExists("sync_state") && db.tableExists("journal"))
            }
            try queue.close()
            guard isVetDesk else { throw StoreError.notVetDesk(path: path) }
            if version > SedeMigrations.latest {
                throw StoreError.newerSchema(path: path, found: version, known: SedeMigrations.latest)
            }
            return version
        } catch let error as DatabaseError {
            switch StoreError.environmental(error, path: path) {
            case .some(let mapped) where mapped != .busy(path: path, seconds: 0): throw mapped
            default: throw StoreError.notADatabase(path: path)
            }
        }
    }

    // MARK: Writing

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction attributed to `userID`: a new transaction id
    /// and clock tick are stamped first, and every journaled change inside carries them.
    ///
    /// Terminals take turns for the write lock (see `WriteTurnstile`), so a write waits for the
    /// ones before it and never fails because others keep writing; only a lock held by another
    /// program for `busyLimit` makes it give up, with `StoreError.busy` and nothing written.
    @discardableResult
    public func write<T>(user userID: String?, _ body: (Database) throws -> T) throws -> T {
        try immediateTransaction { db in
            try db.execute(
                sql: "UPDATE sync_state SET tx_id = tx_id + 1, hlc = MAX(hlc + 1, ?), user_id = ?, app_tx = 1 WHERE id = 1",
                arguments: [clock.nowMs << 16, userID])
            let result = try body(db)
            try db.execute(sql: "UPDATE sync_state SET app_tx = 0 WHERE id = 1")
            return result
        }
    }

    /// Runs `body` as changes received from central: nothing it writes is journaled.
    @discardableResult
    public func applyingRemote<T>(_ body: (Database) throws -> T) throws -> T {
        try immediateTransaction { db in
            try db.execute(sql: "INSERT INTO sync_ctx (flag) VALUES (1)")
            let result = try body(db)
            try db.execute(sql: "DELETE FROM sync_ctx")
            return result
        }
    }

    /// `body` in one `BEGIN IMMEDIATE` transaction, taken in turn with the other processes.
    private func immediateTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors(path) {
            try pool.writeWithoutTransaction { db in
                try turnstile.withTurn { try beginImmediate(db) }
                do {
                    let result = try body(db)
                    try db.execute(sql: "COMMIT")
                    return result
                } catch {
                    if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
                    throw error
                }
            }
        }
    }

    /// `BEGIN IMMEDIATE`, retried with a growing, jittered pause while the lock stays taken,
    /// up to `busyLimit` seconds.
    private func beginImmediate(_ db: Database) throws {
        let started = Date()
        var pause = 0.005
        while true {
            do {
                try db.execute(sql: "BEGIN IMMEDIATE")
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                let waited = Date().timeIntervalSince(started)
                if waited >= busyLimit { throw StoreError.busy(path: path, seconds: Int(waited.rounded())) }
                Thread.sleep(forTimeInterval: min(pause * Double.random(in: 0.5...1), max(0, busyLimit - waited)))
                pause = min(pause * 2, 0.25)
            }
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mappingErrors(path) { try pool.read(body) }
    }

    /// A new primary key.
    public func newID() -> String { ids.make(unixMs: UInt64(max(0, clock.nowMs))) }

    /// The current time as stored: UTC ISO-8601.
    public var nowText: String { LimaTime.iso8601(clock.now) }

    public func close() throws {
        checkpointer.stop()
        try pool.close()
    }
}
