import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Elects one leader among the instances sharing a PostgreSQL database: the instance whose
/// own session (one connection outside the pool, held for the instance's life) holds the
/// session-level advisory lock ``lockKey``.
///
/// A follower tries `pg_try_advisory_lock` every `interval`; the leader runs `SELECT 1` on its
/// session as often, and steps down as soon as that fails. The server frees the lock when the
/// leader's session ends (process killed, connection lost, graceful stop), so a follower takes
/// over within one `interval` of it. Should the leader lose its connection without the server
/// noticing (a network partition), two instances may lead until the server drops the stale
/// session (its TCP keepalive); weights set twice carry the same id and are recorded once.
struct LeaderElection: Service {
    let url: String
    let leadership: Leadership
    let interval: Duration
    let logger: Logger

    /// Arbitrary, fixed, distinct from ``PostgresStorage/migrationLock``.
    static let lockKey: Int64 = 0x4F52_4741_4E49_4302

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let configuration = try PostgresURL.connectionConfiguration(url)
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 0x1EAD, logger: logger)
                    await hold(connection)
                    try? await connection.close()
                } catch {
                    guard !Task.isCancelled else { break }
                    logger.warning("leader election cannot reach PostgreSQL; retrying", metadata: ["error": "\(error)"])
                }
                step(down: "the lock session ended")
                try? await Task.sleep(for: interval)
            }
        }
        // Closing the session (above) released the lock; another instance takes over.
        step(down: "shutting down")
    }

    /// Tries for the lock, then keeps checking the session, until it fails or the task is cancelled.
    private func hold(_ connection: PostgresConnection) async {
        while !Task.isCancelled {
            do {
                if leadership.isLeader {
                    try await connection.query("SELECT 1", logger: logger)
                } else {
                    let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger).collect()
                    if try rows.first?.decode(Bool.self) == true, leadership.become(.leader) {
                        logger.notice("this instance is now the leader (sets weights, sends synthetic queries, reads the metagraph)")
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("leader lock session failed", metadata: ["error": "\(error)"])
                return
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func step(down reason: String) {
        if leadership.become(.follower) {
            logger.notice("this instance is no longer the leader", metadata: ["reason": "\(reason)"])
        }
    }
}
