import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files a sede writes next to its database (the database itself, its WAL and SHM, printed
/// prescriptions, the sync token): never readable by users outside the sede's OS group, whatever
/// the umask of the process that makes them.
///
/// A sede's terminals share one OS group (README, «Instalación en una sede»); shared files are
/// `rw-rw----`, folders `rwxrws---`, and the sync token `rw-------`, readable by the sync daemon's
/// user only. SQLite gives a new WAL and SHM exactly the mode of the database file, so the mode of
/// the database file decides theirs.
public enum SedeFiles {
    public static let sharedFileMode: mode_t = 0o660
    public static let secretFileMode: mode_t = 0o600
    public static let folderMode: mode_t = 0o2770

    /// Creates `path` empty with `mode`, failing if it exists.
    static func createExclusive(_ path: String, mode: mode_t = sharedFileMode) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError(errno: errno, path: path) }
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw SystemError(errno: errno, path: path) }
    }

    /// Writes `data` to `path` atomically (a temporary file in the same folder, then a rename),
    /// with exactly `mode` whatever the umask.
    public static func write(_ data: Data, to path: String, mode: mode_t = sharedFileMode) throws {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError(errno: errno, path: path) }
        var ok = fchmod(fd, mode) == 0
        var failure = errno
        if ok {
            ok = data.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    offset += n
                }
                return true
            }
            if !ok { failure = errno }
        }
        if ok && fsync(fd) != 0 { ok = false; failure = errno }
        close(fd)
        if ok && rename(temp, path) != 0 { ok = false; failure = errno }
        if !ok {
            unlink(temp)
            throw SystemError(errno: failure, path: path)
        }
    }

    /// Creates `path` (and missing parents) as sede folders: `rwxrws---` whatever the umask.
    public static func createFolder(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try createFolder(parent) }
        if mkdir(path, folderMode) != 0 && errno != EEXIST { throw SystemError(errno: errno, path: path) }
        _ = chmod(path, folderMode)
    }

    /// Takes away the bits for other users from `path` if this process owns it (files made by
    /// an older VetDesk, which followed the umask). Anything else is left as it is.
    static func tighten(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o007 != 0 else { return }
        _ = chmod(path, info.st_mode & 0o7770)
    }

    /// The permission bits of `path`, or `nil` if it does not exist.
    public static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }
}

/// A failed system call on a file, with its `errno`.
struct SystemError: Error {
    let errno: Int32
    let path: String
}
