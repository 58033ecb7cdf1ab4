import Foundation
@testable import OrganicFramework
import Testing

/// `database.url` parsing, and the choice of backend.
@Suite("Database URL and backend choice")
struct PostgresURLTests {
    @Test("TCP and Unix-socket URLs, sslmode, and what is refused")
    func parsing() throws {
        let tcp = try PostgresURL.configuration("postgres://organic:s%40cret@db.internal:6432/organic?sslmode=disable", maxConnections: 7)
        #expect(tcp.host == "db.internal" && tcp.port == 6432)
        #expect(tcp.username == "organic" && tcp.password == "s@cret" && tcp.database == "organic")
        #expect(tcp.options.maximumConnections == 7)
        let socket = try PostgresURL.configuration("postgresql://organic@localhost/organic?host=/var/run/postgresql", maxConnections: 20)
        #expect(socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(socket.password == nil)
        for bad in ["mysql://u@h/db", "postgres://h/db", "postgres://u@h", "postgres://u@h/db?sslmode=sometimes", "not a url"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try PostgresURL.configuration(bad, maxConnections: 20) }
        }
        #expect(throws: ConfigurationError.self) { try PostgresURL.configuration("postgres://u@h/db", maxConnections: 1) }
        #expect(PostgresURL.redacted("postgres://organic:secret@db:5432/organic") == "postgres://organic:***@db:5432/organic")
    }

    @Test("without database.url the node uses SQLite and opens no PostgreSQL connection")
    func sqliteByDefault() async throws {
        var configuration = NodeConfiguration.Database()
        configuration.path = FileManager.default.temporaryDirectory.appendingPathComponent("organic-default-\(UUID().uuidString)/organic.sqlite").path
        let stores = try await NodeStores.open(configuration, logger: TestDatabase.logger)
        #expect(stores.backend == .sqlite)
        #expect(stores.keys is SQLiteKeyStore)
        // Only the background WAL checkpoint: nothing to keep in step with other instances.
        let services = stores.services(recheck: .seconds(1), onKeyChange: { _ in }, leadership: Leadership(stores.initialRole), clock: SystemNodeClock(),
                                       logger: TestDatabase.logger)
        #expect(services.count == 1 && services.first is SQLiteCheckpointService)
        #expect(stores.initialRole == .leader)
        try await stores.close()
    }

    @Test("an unreachable server fails the start with a clear message, after the startup deadline")
    func unreachable() async throws {
        let start = ContinuousClock.now
        await #expect(throws: ConfigurationError.self) {
            _ = try await PostgresStorage.open(url: "postgres://organic@127.0.0.1:1/organic?sslmode=disable", maxConnections: 2,
                                               logger: TestDatabase.logger, startupDeadline: .milliseconds(500))
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("database.url is a setting, from the file or ORGANIC_DATABASE_URL")
    func configured() throws {
        let loaded = try ConfigurationLoader(environment: ["ORGANIC_DATABASE_URL": "postgres://organic@db/organic",
                                                           "ORGANIC_DATABASE_KEY_RECHECK_SECONDS": "2",
                                                           "ORGANIC_TEST_POSTGRES_URL": "ignored"]).load(path: nil)
        #expect(loaded.database.url == "postgres://organic@db/organic")
        #expect(loaded.database.keyRecheckSeconds == 2)
        #expect(try ConfigurationLoader(environment: [:]).load(path: nil).database.url == nil)
    }
}
