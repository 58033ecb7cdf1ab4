import Foundation
import GRDB
import Logging
@testable import OrganicFramework
import PostgresNIO
import Testing

/// The database backends the store tests run against: SQLite always, PostgreSQL when
/// `ORGANIC_TEST_POSTGRES_URL` names a server (scripts/test.sh starts a throwaway one).
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL: String? = ProcessInfo.processInfo.environment["ORGANIC_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresMissing = "ORGANIC_TEST_POSTGRES_URL is not set: the PostgreSQL cases are skipped (scripts/test.sh starts a server)"
    /// Every backend available here.
    static var all: [StoreBackend] {
        if postgresURL == nil {
            print("note: \(postgresMissing)")
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }
}

/// One empty database of a backend: a fresh SQLite file, or a fresh PostgreSQL database on the
/// test server. Opened through ``NodeStores``, as a node opens it.
struct TestDatabase: Sendable {
    let backend: StoreBackend
    let configuration: NodeConfiguration.Database

    static func make(_ backend: StoreBackend) async throws -> TestDatabase {
        var configuration = NodeConfiguration.Database()
        configuration.path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-store-\(UUID().uuidString)/organic.sqlite").path
        if backend == .postgres {
            let base = try #require(StoreBackend.postgresURL, "\(StoreBackend.postgresMissing)")
            let name = "organic_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await Self.withClient(base) { client in
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            }
            configuration.url = Self.url(base, database: name)
            configuration.keyRecheckSeconds = 0.5
        }
        return TestDatabase(backend: backend, configuration: configuration)
    }

    /// `base` with its database replaced by `database`.
    static func url(_ base: String, database: String) -> String {
        var components = URLComponents(string: base) ?? URLComponents()
        components.path = "/" + database
        return components.string ?? base
    }

    /// Opens the stores, as a node does (migrating on first use).
    func open() async throws -> NodeStores {
        try await NodeStores.open(configuration, logger: Self.logger)
    }

    /// Runs SQL outside the stores (to corrupt a row, or to age a heartbeat).
    func execute(_ sql: String) async throws {
        switch backend {
        case .sqlite:
            let database = try SQLiteDatabase(path: configuration.path)
            defer { try? database.close() }
            try await database.pool.write { db in try db.execute(sql: sql) }
        case .postgres:
            try await Self.withClient(try #require(configuration.url)) { client in
                try await client.query(PostgresQuery(unsafeSQL: sql))
            }
        }
    }

    /// An integer the SQL returns (first column of the first row).
    func integer(_ sql: String) async throws -> Int64 {
        switch backend {
        case .sqlite:
            let database = try SQLiteDatabase(path: configuration.path)
            defer { try? database.close() }
            return try await database.pool.read { db in try Int64.fetchOne(db, sql: sql) ?? -1 }
        case .postgres:
            return try await Self.withClient(try #require(configuration.url)) { client in
                let rows = try await client.query(PostgresQuery(unsafeSQL: sql)).collect()
                return try rows.first?.decode(Int64.self) ?? -1
            }
        }
    }

    /// The first column of every row the SQL returns, as text.
    func strings(_ sql: String) async throws -> [String] {
        switch backend {
        case .sqlite:
            let database = try SQLiteDatabase(path: configuration.path)
            defer { try? database.close() }
            return try await database.pool.read { db in try String.fetchAll(db, sql: sql) }
        case .postgres:
            return try await Self.withClient(try #require(configuration.url)) { client in
                try await client.query(PostgresQuery(unsafeSQL: sql)).collect().map { try $0.decode(String.self) }
            }
        }
    }

    /// The balance column equals the sum of the ledger for every key, and no reservation is open.
    func ledgerIsConsistent() async throws -> Bool {
        let mismatched = try await integer("""
            SELECT COUNT(*) FROM api_keys k
            WHERE k.balance != (SELECT COALESCE(SUM(amount), 0) FROM credit_ledger l WHERE l.key_id = k.id)
            """)
        let open = try await integer("SELECT COUNT(*) FROM open_reservations")
        return mismatched == 0 && open == 0
    }

    static let logger: Logger = {
        var logger = Logger(label: "test-store")
        logger.logLevel = .error
        return logger
    }()

    @discardableResult
    static func withClient<T: Sendable>(_ url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try PostgresURL.configuration(url, maxConnections: 2), backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
