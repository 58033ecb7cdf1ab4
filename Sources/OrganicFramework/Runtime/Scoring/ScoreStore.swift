public import Foundation

/// Where scored rounds are kept. SQLite is the built-in backend; others (PostgreSQL) plug in
/// behind this protocol.
public protocol ScoreStore: Sendable {
    /// Stores a round and its per-miner results atomically.
    func record(_ round: RoundRecord) async throws
    /// Per-miner, per-endpoint means of rounds created at or after `since`.
    func summaries(since: Date) async throws -> [MinerScoreSummary]
    /// The most recent rounds, newest first.
    func recentRounds(limit: Int) async throws -> [RoundRecord]
    /// Flushes and closes; called once at shutdown.
    func close() async throws
}
