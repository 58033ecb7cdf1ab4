import Foundation
package import Logging
import ServiceLifecycle

/// The stores a node uses, on the backend its configuration chooses: the SQLite file at
/// `database.path` (the default, one node), or the PostgreSQL database at `database.url`
/// (shared by several nodes). A SQLite node never opens a PostgreSQL connection.
package struct NodeStores: Sendable {
    enum Backend: String, Sendable {
        case sqlite, postgres
    }

    package let keys: any KeyStore
    let scores: any ScoreStore
    let periods: any PeriodStore
    let weights: any WeightHistoryStore
    let retention: any RetentionStore
    /// Where files kept beside the database go (`weights.json`): the directory of `database.path`.
    let directory: URL
    let postgres: PostgresStorage?
    /// The SQLite file, when that is the backend.
    let sqlite: SQLiteDatabase?
    var backend: Backend { sqlite == nil ? .postgres : .sqlite }
    /// `database.url` and `database.leaderRetrySeconds`, for the leader election's own session.
    private var leaderSession: (url: String, retry: Duration)?
    private let closeStores: @Sendable () async throws -> Void

    /// Opens (and migrates) the configured backend. `nodeName` tells this instance's score
    /// periods apart from other instances' on a shared database (`database.nodeName`, or
    /// `<host name>:<public port>`).
    package static func open(_ database: NodeConfiguration.Database, nodeName: String? = nil, logger: Logger) async throws -> NodeStores {
        let directory = URL(fileURLWithPath: database.path).deletingLastPathComponent()
        guard let url = database.postgresURL else {
            let sqlite = try SQLiteDatabase(path: database.path)
            return NodeStores(keys: SQLiteKeyStore(database: sqlite), scores: SQLiteScoreStore(database: sqlite),
                              periods: SQLitePeriodStore(database: sqlite), weights: SQLiteWeightHistory(database: sqlite),
                              retention: SQLiteRetention(database: sqlite), directory: directory, postgres: nil, sqlite: sqlite,
                              closeStores: { try sqlite.close() })
        }
        guard database.leaderRetrySeconds.isFinite, database.leaderRetrySeconds >= 0.1, database.leaderRetrySeconds <= 3600 else {
            throw ConfigurationError("database.leaderRetrySeconds must be in [0.1, 3600]")
        }
        guard database.keyRecheckSeconds.isFinite, database.keyRecheckSeconds >= 0.1, database.keyRecheckSeconds <= 3600 else {
            throw ConfigurationError("database.keyRecheckSeconds must be in [0.1, 3600]")
        }
        let storage = try await PostgresStorage.open(url: url, maxConnections: database.maxConnections, logger: logger)
        let keys = PostgresKeyStore(storage: storage)
        logger.info("using the shared PostgreSQL database", metadata: ["url": "\(storage.displayURL)", "instance": "\(keys.instanceID)"])
        let node = database.nodeName.flatMap { $0.isEmpty ? nil : $0 } ?? nodeName ?? ProcessInfo.processInfo.hostName
        var stores = NodeStores(keys: keys, scores: PostgresScoreStore(storage: storage),
                                periods: PostgresPeriodStore(storage: storage, node: node),
                                weights: PostgresWeightHistory(storage: storage), retention: PostgresRetention(storage: storage), directory: directory, postgres: storage,
                                sqlite: nil, closeStores: { try await keys.close() })
        stores.leaderSession = (url, .seconds(double: database.leaderRetrySeconds))
        return stores
    }

    /// What keeps the database in shape while the node runs. SQLite: the background WAL
    /// checkpoint. PostgreSQL, what keeps several instances in step: key change notifications
    /// with their periodic re-check, the instance heartbeat and the leader election (which sets
    /// `leadership`).
    func services(recheck: Duration, onKeyChange: @escaping @Sendable (String) -> Void, leadership: Leadership, clock: any NodeClock,
                  logger: Logger) -> [any Service] {
        if let sqlite { return [SQLiteCheckpointService(database: sqlite, interval: .seconds(1), clock: clock, logger: logger)] }
        guard let postgres, let keys = keys as? PostgresKeyStore, let leaderSession else { return [] }
        return [KeyChangeFeed(storage: postgres, recheck: recheck, onChange: onKeyChange),
                InstanceHeartbeat(store: keys, interval: .seconds(10), logger: logger),
                LeaderElection(url: leaderSession.url, leadership: leadership, interval: leaderSession.retry, logger: logger)]
    }

    /// Where leadership starts: SQLite nodes always lead; PostgreSQL nodes follow until elected.
    var initialRole: Leadership.Role { backend == .sqlite ? .leader : .follower }

    /// Closes the database (SQLite: checkpoint and close; PostgreSQL: leave and stop the pool).
    package func close() async throws {
        try await closeStores()
    }
}
