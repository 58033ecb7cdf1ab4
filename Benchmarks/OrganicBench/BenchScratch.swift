import Foundation

/// Where benchmarks keep their databases and files: one directory per run of `organic-bench`, removed when
/// the process exits, so runs leave nothing in the temporary directory.
enum BenchScratch {
    static let root: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("organic-bench-\(UUID().uuidString)", isDirectory: true)
        atexit { try? FileManager.default.removeItem(at: BenchScratch.root) }
        return root
    }()

    /// A fresh directory under the run's directory (created).
    static func directory() throws -> URL {
        let directory = root.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A fresh SQLite database path under the run's directory (SQLiteDatabase creates its directory).
    static func databasePath() -> String {
        root.appendingPathComponent(UUID().uuidString, isDirectory: true).appendingPathComponent("organic.sqlite").path
    }
}
