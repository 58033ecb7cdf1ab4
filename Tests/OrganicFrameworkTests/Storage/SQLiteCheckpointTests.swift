import Foundation
import GRDB
import Logging
@testable import OrganicFramework
import Testing

/// The node's SQLite WAL is checkpointed in the background, never by the writer a request waits on.
@Suite("SQLite background checkpoint")
struct SQLiteCheckpointTests {
    /// The WAL header's checkpoint sequence number (big-endian at offset 12): it grows each time
    /// a writer restarts the WAL after a complete checkpoint.
    static func checkpointSequence(_ path: String) throws -> UInt32 {
        let header = try #require(FileManager.default.contents(atPath: path + "-wal")?.prefix(16))
        try #require(header.count == 16, "the WAL has no header yet")
        return header.suffix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func autocheckpoint(_ database: SQLiteDatabase) async throws -> Int {
        try await database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    @Test("the writer stops checkpointing while the service runs, the service's checkpoints let the WAL restart, and shutdown gives the writer its checkpoint back")
    func backgroundCheckpoint() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-checkpoint-\(UUID().uuidString)/organic.sqlite").path
        let database = try SQLiteDatabase(path: path)
        defer { try? database.close() }
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE scratch (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)") }
        let service = SQLiteCheckpointService(database: database, interval: .milliseconds(20), clock: SystemNodeClock(),
                                              logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await service.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while try await Self.autocheckpoint(database) != 0 {
            try #require(clock.now < deadline, "the service never turned the writer's automatic checkpoint off")
            try await Task.sleep(for: .milliseconds(5))
        }
        // Fewer pages than the automatic checkpoint's 1,000 between checks: only the service can
        // have completed the checkpoint that lets a write restart the WAL.
        let before = try Self.checkpointSequence(path)
        let payload = Data(repeating: 7, count: 2048)
        var restarted = false
        while !restarted {
            try #require(clock.now < deadline, "no checkpoint let the WAL restart within 20 s")
            try await database.pool.write { db in try db.execute(sql: "INSERT INTO scratch (payload) VALUES (?)", arguments: [payload]) }
            restarted = try Self.checkpointSequence(path) > before
            try await Task.sleep(for: .milliseconds(2))
        }
        running.cancel()
        try await running.value
        #expect(try await Self.autocheckpoint(database) == SQLiteCheckpointService.sqliteDefaultAutocheckpoint)
        #expect(SQLiteCheckpointService.sqliteDefaultAutocheckpoint == 1000)
        let rows = try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scratch") }
        #expect((rows ?? 0) > 0)
    }
}
