import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The order in which a sede's processes take the database's write lock.
///
/// SQLite lets waiting writers poll for the lock; a process that has just committed asks again
/// at once and wins over those sleeping between polls, so with many terminals writing some wait
/// past any timeout. Here a writer first takes its turn at a lock file next to the database
/// (`flock`: the kernel wakes the waiters as the holder lets go), and only then asks SQLite for
/// the lock, polling at short even intervals. One process at a time polls; the others sleep in
/// the kernel until their turn, and a writer that just committed queues behind them.
final class WriteTurnstile: Sendable {
    static let suffix = "-turno"
    private let fd: Int32

    init(databasePath: String) {
        let path = databasePath + Self.suffix
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, SedeFiles.sharedFileMode)
        if fd >= 0 {
            fchmod(fd, SedeFiles.sharedFileMode)
        } else {
            fd = open(path, O_RDWR | O_CLOEXEC)
            if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
        }
        // Without the file (a folder the user cannot write to) writers still take turns through
        // SQLite alone.
        self.fd = fd
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Runs `body` holding the turn: `body` gets the SQLite write lock, and the next writer may
    /// start asking as soon as it returns.
    func withTurn<T>(_ body: () throws -> T) rethrows -> T {
        guard fd >= 0 else { return try body() }
        var locked = false
        while true {
            if flock(fd, LOCK_EX) == 0 { locked = true; break }
            if errno != EINTR { break }
        }
        defer { if locked { flock(fd, LOCK_UN) } }
        return try body()
    }
}
