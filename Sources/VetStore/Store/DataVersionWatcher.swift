import GRDB

/// Notices commits made by other connections to the same database file (other terminals, the
/// sync daemon, the sqlite3 shell) through `PRAGMA data_version` on a connection of its own.
public final class DataVersionWatcher {
    private let queue: DatabaseQueue
    private var last: Int

    public init(path: String) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        queue = try DatabaseQueue(path: path, configuration: config)
        last = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    /// Whether anything was committed since the last call.
    public func changed() -> Bool {
        guard let now = try? queue.read({ db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }) else { return false }
        defer { last = now }
        return now != last
    }
}
