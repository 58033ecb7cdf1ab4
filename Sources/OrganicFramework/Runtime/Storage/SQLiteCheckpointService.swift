import GRDB
import Logging
import ServiceLifecycle

/// Checkpoints the node's SQLite WAL in the background, so that no request waits for one.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, on the one
/// writer connection: the credit reservation queued behind that commit then waits for the copy
/// and its `fsync` (measured: a paid request's p99 at one connection several milliseconds above
/// the open path's, with one 298 ms outlier). This service turns the writer's automatic
/// checkpoint off and runs a passive checkpoint every `interval` from a connection of its own:
/// a passive checkpoint never waits for the writer, and the writer keeps appending while it
/// copies. On shutdown the writer's automatic checkpoint comes back (the database's close
/// checkpoints what is left).
struct SQLiteCheckpointService: Service {
    let database: SQLiteDatabase
    let interval: Duration
    let clock: any NodeClock
    let logger: Logger

    func run() async throws {
        let checkpointer: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.label = "organic-checkpoint"
            checkpointer = try DatabaseQueue(path: database.path, configuration: configuration)
        } catch {
            // The writer keeps checkpointing itself, as without this service.
            logger.warning("could not open the checkpoint connection; SQLite checkpoints stay on the writer",
                           metadata: ["error": "\(error)"])
            return
        }
        defer { try? checkpointer.close() }
        try await setWriterAutocheckpoint(pages: 0)
        await PeriodicWork.run(every: interval, clock: clock, start: .pausing) {
            do {
                _ = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
        // In a task of its own: after a cancellation, GRDB refuses a cancelled task's writes.
        await Task { try? await setWriterAutocheckpoint(pages: Self.sqliteDefaultAutocheckpoint) }.value
    }

    /// SQLite's own `wal_autocheckpoint`, in pages.
    static let sqliteDefaultAutocheckpoint = 1000

    /// Sets `wal_autocheckpoint` on the pool's writer, the one connection that commits.
    private func setWriterAutocheckpoint(pages: Int) async throws {
        try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
    }
}
