import Foundation
import GRDB
import VetCore

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

    /// Opens an existing sede store, applying any migrations it lacks. When it has some to apply,
    /// `notice` gets a Spanish line to show first: on a large sede an upgrade can take a minute.
    public static func open(path: String, clock: any WallClock = SystemClock(), ids: UUIDv7Generator = UUIDv7Generator(),
                            notice: ((String) -> Void)? = nil) throws -> SedeStore {
        let version = try checkExisting(path: path)
        if version < SedeMigrations.latest, let notice {
            notice("Actualizando la base de la sede (versión \(version) → \(SedeMigrations.latest)); en una sede grande puede tardar un minuto. No cierre el programa.")
        }
        return try SedeStore(path: path, clock: clock, ids: ids)
    }

    /// Creates a new, empty sede store; refuses to touch an existing file.
    public static func create(path: String, clock: any WallClock = SystemClock(), ids: UUIDv7Generator = UUIDv7Generator()) throws -> SedeStore {
        if FileManager.default.fileExists(atPath: path) { throw StoreError.alreadyExists(path: path) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotCreate(path: path, reason: "no se pudo crear la carpeta \(directory)")
            }
        }
        do {
            return try SedeStore(path: path, clock: clock, ids: ids)
        } catch let error as DatabaseError {
            throw StoreError.cannotCreate(path: path, reason: error.message ?? "\(error)")
        }
    }

    private init(path: String, clock: any WallClock, ids: UUIDv7Generator) throws {
        self.path = path
        self.clock = clock
        self.ids = ids
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Statement journals stay in memory. SQLite keeps each trigger-firing statement's
            // journal in memory up to 64 KiB, but once one statement on a connection goes past
            // that (a migration, a pulled page) it writes every later one to a temporary file:
            // about eight pwrite calls per journaled row.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try SedeMigrations.migrator.migrate(pool)
    }

    /// Reads an existing file without writing to it and refuses what this binary must not open;
    /// returns its schema version.
    @discardableResult
    static func checkExisting(path: String) throws -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw StoreError.missing(path: path) }
        if isDirectory.boolValue { throw StoreError.notADatabase(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.notADatabase(path: path) }
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
            _ = error
            throw StoreError.notADatabase(path: path)
        }
    }

    // MARK: Writing

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction attributed to `userID`: a new transaction id
    /// and clock tick are stamped first, and every journaled change inside carries them.
    @discardableResult
    public func write<T>(user userID: String?, _ body: (Database) throws -> T) throws -> T {
        let nowTick = clock.nowMs << 16
        return try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                try db.execute(
                    sql: "UPDATE sync_state SET tx_id = tx_id + 1, hlc = MAX(hlc + 1, ?), user_id = ?, app_tx = 1 WHERE id = 1",
                    arguments: [nowTick, userID])
                result = try body(db)
                try db.execute(sql: "UPDATE sync_state SET app_tx = 0 WHERE id = 1")
                return .commit
            }
            return result!
        }
    }

    /// Runs `body` as changes received from central: nothing it writes is journaled.
    @discardableResult
    public func applyingRemote<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                try db.execute(sql: "INSERT INTO sync_ctx (flag) VALUES (1)")
                result = try body(db)
                try db.execute(sql: "DELETE FROM sync_ctx")
                return .commit
            }
            return result!
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// A new primary key.
    public func newID() -> String { ids.make(unixMs: UInt64(max(0, clock.nowMs))) }

    /// The current time as stored: UTC ISO-8601.
    public var nowText: String { LimaTime.iso8601(clock.now) }

    public func close() throws { try pool.close() }
}
