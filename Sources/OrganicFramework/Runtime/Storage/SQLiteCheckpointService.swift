import GRDB
import Logging
import ServiceLifecycle

/// Checkpoints the node's SQLite WAL every `interval`, on the writer between two of its
/// transactions, so the WAL restarts from its start and stays small under any load.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: several
/// times a second under paid load (a settlement writes about 7 pages when alone), each with its
/// `fsync`s. This service turns it off and runs one passive checkpoint per interval instead.
///
/// It runs on the writer's queue, not from a connection of its own: a checkpoint that copies
/// while the writer keeps appending never finds every frame copied when the writer starts its next
/// transaction, and only then does a write restart the WAL. Run that way (before), the WAL grew
/// without bound under steady load: 360 MB after four minutes of one-connection paid traffic,
/// every write going to fresh file blocks. Between two transactions nothing is appended while it
/// copies, so the checkpoint completes unless a reader still needs old frames (then the next one
/// does). Settlement batches queued meanwhile wait for it; requests do not (credit holds are
/// decided in memory; only a key's first hold since start, or a due refill, reads through the
/// writer). On shutdown the writer's automatic checkpoint comes back (the database's close
/// checkpoints what is left).
struct SQLiteCheckpointService: Service {
    let database: SQLiteDatabase
    let interval: Duration
    let clock: any NodeClock
    let logger: Logger

    func run() async throws {
        try await setWriterAutocheckpoint(pages: 0)
        await PeriodicWork.run(every: interval, clock: clock, start: .pausing) {
            do {
                try await checkpoint()
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
        // In a task of its own: after a cancellation, GRDB refuses a cancelled task's writes.
        await Task { try? await setWriterAutocheckpoint(pages: Self.sqliteDefaultAutocheckpoint) }.value
    }

    /// One passive checkpoint on the writer, in turn with its transactions.
    func checkpoint() async throws {
        _ = try await database.pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// SQLite's own `wal_autocheckpoint`, in pages.
    static let sqliteDefaultAutocheckpoint = 1000

    /// Sets `wal_autocheckpoint` on the pool's writer, the one connection that commits.
    private func setWriterAutocheckpoint(pages: Int) async throws {
        try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
    }
}
