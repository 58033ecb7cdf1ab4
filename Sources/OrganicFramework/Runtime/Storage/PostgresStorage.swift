import Foundation
import Logging
import PostgresNIO

/// A shared PostgreSQL database (`database.url`): one pooled client for every store of a node,
/// migrated at open. Several nodes may open the same database at once; migrations run under a
/// transaction-scoped advisory lock, so exactly one of them applies each.
final class PostgresStorage: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// The URL without its password.
    let displayURL: String
    private let runner: Task<Void, Never>
    private let closed = Locked(false)

    /// Arbitrary, fixed: the advisory lock every instance takes to migrate.
    static let migrationLock: Int64 = 0x4F52_4741_4E49_4301

    private init(configuration: PostgresClient.Configuration, displayURL: String, logger: Logger) {
        // The pool's own chatter (including a lease that races `run()` starting) stays below errors.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.logger = logger
        self.displayURL = displayURL
        runner = Task { await client.run() }
    }

    /// Connects, migrates to the latest schema (unless `migrating` is false) and returns the open storage. Fails after
    /// `startupDeadline` when the server cannot be reached (the pool alone would keep retrying).
    static func open(url: String, maxConnections: Int, logger: Logger, startupDeadline: Duration = .seconds(15),
                     migrating: Bool = true) async throws -> PostgresStorage {
        let configuration = try PostgresURL.configuration(url, maxConnections: maxConnections)
        let storage = PostgresStorage(configuration: configuration, displayURL: PostgresURL.redacted(url), logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    if migrating { try await storage.migrate() } else { _ = try await storage.rows("SELECT 1") }
                }
                group.addTask {
                    try await Task.sleep(for: startupDeadline)
                    throw ConfigurationError("""
                        cannot reach PostgreSQL at \(storage.displayURL) within \(startupDeadline) (is it running, and do the host, port, \
                        user, password and database in database.url exist?)
                        """)
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            await storage.close()
            throw error
        }
        return storage
    }

    /// Applies every migration not yet applied, in order, each in the one transaction that
    /// holds the migration lock (a second instance starting at the same time waits, then finds
    /// nothing left to do).
    func migrate() async throws {
        let applied: [String] = try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS organic_migrations (name text PRIMARY KEY, applied_at double precision NOT NULL)
                """, logger: self.logger)
            var done = Set<String>()
            for try await name in try await connection.query("SELECT name FROM organic_migrations", logger: self.logger).decode(String.self) {
                done.insert(name)
            }
            var applied: [String] = []
            for migration in PostgresMigrations.all where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("""
                    INSERT INTO organic_migrations (name, applied_at) VALUES (\(migration.name), extract(epoch from clock_timestamp()))
                    """, logger: self.logger)
                applied.append(migration.name)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.notice("migrated the PostgreSQL database", metadata: ["url": "\(displayURL)", "migrations": "\(applied.joined(separator: ", "))"])
        }
    }

    /// Names of the applied migrations, in the order they were applied.
    func appliedMigrations() async throws -> [String] {
        var names: [String] = []
        for try await name in try await client.query("SELECT name FROM organic_migrations ORDER BY applied_at, name").decode(String.self) {
            names.append(name)
        }
        return names
    }

    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws);
    /// the body's own error is rethrown as is.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// Every row of `query`, collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    /// Stops the pool; idempotent.
    func close() async {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        runner.cancel()
        await runner.value
    }
}

extension PostgresConnection {
    /// Every row of `query`, collected.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}
