import Foundation
import GRDB
import PostgresNIO
package import Logging

/// `organic db migrate` and `organic db status`: the schema of the configured database
/// (SQLite at `database.path`, or PostgreSQL at `database.url`).
package enum DatabaseAdmin {
    package struct Status: Codable, Sendable, Equatable {
        package var backend: String
        /// The file, or the URL without its password.
        package var location: String
        /// The latest applied migration; nil for an empty (or missing) database.
        package var version: String?
        package var applied: [String]
        package var pending: [String]
    }

    /// Every migration of `backend`, in order.
    static func migrations(_ backend: NodeStores.Backend) -> [String] {
        switch backend {
        case .sqlite: NodeMigrations.migrator.migrations
        case .postgres: PostgresMigrations.all.map(\.name)
        }
    }

    /// What is applied and what is pending, without changing anything.
    package static func status(_ database: NodeConfiguration.Database, logger: Logger) async throws -> Status {
        if let url = database.postgresURL {
            let storage = try await PostgresStorage.open(url: url, maxConnections: 2, logger: logger, migrating: false)
            defer { Task { await storage.close() } }
            let exists = try await storage.rows("SELECT to_regclass('organic_migrations') IS NOT NULL").first?.decode(Bool.self) ?? false
            let applied = exists ? try await storage.appliedMigrations() : []
            return status(.postgres, location: storage.displayURL, applied: applied)
        }
        guard FileManager.default.fileExists(atPath: database.path) else {
            return status(.sqlite, location: database.path, applied: [])
        }
        let queue = try DatabaseQueue(path: database.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        let applied = try await queue.read { db in try NodeMigrations.migrator.appliedMigrations(db) }
        return status(.sqlite, location: database.path, applied: applied)
    }

    static func status(_ backend: NodeStores.Backend, location: String, applied: [String]) -> Status {
        let done = Set(applied)
        return Status(backend: backend.rawValue, location: location, version: migrations(backend).last { done.contains($0) },
                      applied: applied, pending: migrations(backend).filter { !done.contains($0) })
    }

    /// Applies the pending migrations (as a starting node does) and returns the new status.
    package static func migrate(_ database: NodeConfiguration.Database, logger: Logger) async throws -> Status {
        let stores = try await NodeStores.open(database, logger: logger)
        try await stores.close()
        return try await status(database, logger: logger)
    }
}

extension DatabaseAdmin {
    /// Creates the empty database `name` on the server of `serverURL`; returns its URL (for
    /// tools and benchmarks that need a database of their own).
    package static func createDatabase(named name: String, onServerOf serverURL: String, logger: Logger) async throws -> String {
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), !name.isEmpty else {
            throw ConfigurationError("a database name is lower-case letters, digits and _")
        }
        let storage = try await PostgresStorage.open(url: serverURL, maxConnections: 2, logger: logger, migrating: false)
        defer { Task { await storage.close() } }
        _ = try await storage.rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        var components = URLComponents(string: serverURL) ?? URLComponents()
        components.path = "/" + name
        return components.string ?? serverURL
    }

    /// The key store of `database` (migrated), and how to close it: for tools that work on
    /// credits outside a node.
    package static func openKeyStore(_ database: NodeConfiguration.Database, logger: Logger) async throws
        -> (store: any KeyStore, close: @Sendable () async throws -> Void) {
        let stores = try await NodeStores.open(database, logger: logger)
        return (stores.keys, { try await stores.close() })
    }
}
