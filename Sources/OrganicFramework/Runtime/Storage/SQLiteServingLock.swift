import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one node that serves a SQLite file. Paid requests hold credits in that node's memory
/// (``CreditHolds``), so a second node on the same file would spend credits the first one holds.
/// A node therefore takes an advisory lock (`flock`) on `<file>-node.lock` beside the database
/// before it opens it, and keeps it until it stops; the operating system drops the lock when the
/// process dies, however it dies.
package final class SQLiteServingLock: Sendable {
    /// Another node serves the file.
    struct Held: Error, CustomStringConvertible {
        var databasePath: String
        var lockPath: String
        var description: String {
            "another organic node is serving \(databasePath) (it holds \(lockPath)); one node per SQLite file: stop it, "
                + "or share a PostgreSQL database (database.url) between several nodes"
        }
    }

    let path: String
    /// The open lock file; nil once released.
    private let descriptor: Locked<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Locked(descriptor)
    }

    /// The lock file beside `databasePath`.
    static func lockPath(for databasePath: String) -> String {
        databasePath + "-node.lock"
    }

    /// Takes the lock of `databasePath`, or throws when another process (or another open of it
    /// here) holds it.
    static func acquire(databasePath: String) throws -> SQLiteServingLock {
        let path = lockPath(for: databasePath)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ConfigurationError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { throw Held(databasePath: databasePath, lockPath: path) }
            throw ConfigurationError("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        return SQLiteServingLock(path: path, descriptor: descriptor)
    }

    /// Whether a node serves `databasePath` now (a tool that would write the file checks first).
    package static func isHeld(databasePath: String) -> Bool {
        do {
            try acquire(databasePath: databasePath).release()
            return false
        } catch is Held {
            return true
        } catch {
            return false
        }
    }

    /// Gives the lock up (closing the file releases it); later calls do nothing.
    func release() {
        guard let open = descriptor.withLock({ value -> Int32? in
            defer { value = nil }
            return value
        }) else { return }
        close(open)
    }
}
