import Foundation
import GRDB

/// Copies the write-ahead log back into the database file off the writers' path. SQLite's own
/// automatic checkpoint runs inside the commit that crosses its threshold: every few dozen sales a
/// cashier's commit would wait for a thousand pages to be copied and synced. Instead, the store's
/// connections never checkpoint on commit (`wal_autocheckpoint = 0`), and this runs a PASSIVE
/// checkpoint on its own connection once a second when the log has grown past `threshold` bytes.
/// A PASSIVE checkpoint neither waits for nor blocks readers and writers (of this process or any
/// other terminal); SQLite still checkpoints when the last connection to the file closes.
final class WALCheckpointer: @unchecked Sendable {
    let path: String
    let threshold: Int64
    private let queue = DispatchQueue(label: "vetdesk.wal-checkpoint", qos: .utility)
    private var timer: DispatchSourceTimer?
    private var connection: DatabaseQueue?

    init(path: String, threshold: Int64 = 4 << 20, interval: DispatchTimeInterval = .seconds(1)) {
        self.path = path
        self.threshold = threshold
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(200))
        timer.setEventHandler { [weak self] in self?.checkpointIfLarge() }
        self.timer = timer
        timer.resume()
    }

    /// Size of the log now; nil when it does not exist (nothing written, or the store is gone).
    var walSize: Int64? {
        var info = stat()
        guard stat(path + "-wal", &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    private func checkpointIfLarge() {
        guard let size = walSize, size > threshold, FileManager.default.fileExists(atPath: path) else { return }
        do {
            if connection == nil {
                var config = Configuration()
                config.busyMode = .timeout(0.05)
                connection = try DatabaseQueue(path: path, configuration: config)
            }
            try connection?.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        } catch {
            // Busy or failing: the next tick tries again; the log only grows meanwhile.
        }
    }

    /// Stops the timer and closes the connection; waits for a checkpoint under way.
    func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
            try? connection?.close()
            connection = nil
        }
    }

    deinit { timer?.cancel() }
}
