import Foundation
import GRDB
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The node's SQLite WAL is checkpointed on a timer, by the writer between its transactions, so it
/// restarts and stays small however steadily the node writes.
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

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A fresh database file with a `scratch` table to write to.
    static func scratchDatabase() async throws -> (path: String, database: SQLiteDatabase) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-checkpoint-\(UUID().uuidString)/organic.sqlite").path
        let database = try SQLiteDatabase(path: path)
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE scratch (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)") }
        return (path, database)
    }

    @Test("the writer stops checkpointing while the service runs, the service's checkpoints let the WAL restart, and shutdown gives the writer its checkpoint back")
    func backgroundCheckpoint() async throws {
        let (path, database) = try await Self.scratchDatabase()
        defer { try? database.close() }
        let service = SQLiteCheckpointService(database: database, interval: .milliseconds(20), clock: SystemNodeClock(), logger: Self.quiet)
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

    @Test("under writes that never pause, every checkpoint lets the WAL restart, and the -wal file stays a small part of what was written")
    func restartsUnderSteadyWrites() async throws {
        let (path, database) = try await Self.scratchDatabase()
        defer { try? database.close() }
        let clock = ManualNodeClock()
        let service = SQLiteCheckpointService(database: database, interval: .seconds(1), clock: clock, logger: Self.quiet)
        let running = Task { try await service.run() }
        #expect(await eventually { (try? await Self.autocheckpoint(database)) == 0 }, "the service never turned the writer's automatic checkpoint off")
        // Two writers keep the writer's queue full: a checkpoint that copied beside them (from a
        // connection of its own) would never let a write restart the WAL.
        let writes = Locked(0)
        let stop = Locked(false)
        let payload = Data(repeating: 7, count: 2048)
        let writers = (0..<2).map { _ in
            Task {
                while !stop.withLock({ $0 }) {
                    try await database.pool.write { db in try db.execute(sql: "INSERT INTO scratch (payload) VALUES (?)", arguments: [payload]) }
                    writes.withLock { $0 += 1 }
                }
            }
        }
        var rounds = 0
        // Every write appends at least one 4 KiB page: 4,000 writes without a restart make a
        // WAL of 16 MiB or more.
        while rounds < 20 || writes.withLock({ $0 }) < 4_000 {
            // The service is back asleep (its last checkpoint done), so this interval wakes it.
            try #require(await eventually { clock.sleeperCount == 1 }, "the service did not go back to sleep")
            let before = try Self.checkpointSequence(path)
            clock.advance(by: .seconds(1))
            let restarted = await eventually { ((try? Self.checkpointSequence(path)) ?? before) > before }
            try #require(restarted, "after checkpoint \(rounds + 1) no write restarted the WAL (\(writes.withLock { $0 }) writes so far)")
            rounds += 1
        }
        stop.withLock { $0 = true }
        for writer in writers { try await writer.value }
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        #expect(walBytes < 8 << 20, "the -wal file is \(walBytes >> 20) MiB after \(writes.withLock { $0 }) writes")
        running.cancel()
        try await running.value
    }
}
