import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// `organic db migrate | status | copy`, run as the built executable.
@Suite("organic db CLI", .serialized, .enabled(if: OrganicExecutable.path != nil, "the organic executable is not built (swift build --build-tests)"))
struct DatabaseCommandTests {
    func organic(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(try #require(OrganicExecutable.path), arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
    }

    func status(_ arguments: [String]) async throws -> DatabaseAdmin.Status {
        let run = try await organic(["db", "status", "--json"] + arguments)
        #expect(run.status == 0, "\(run.errorText)")
        return try JSONDecoder().decode(DatabaseAdmin.Status.self, from: run.output)
    }

    @Test("status shows a new SQLite file's pending migrations; migrate applies them all")
    func sqliteMigrate() async throws {
        let path = KeyStoreTests.temporaryPath()
        let before = try await status(["--path", path])
        #expect(before.backend == "sqlite" && before.version == nil && before.pending == NodeMigrations.migrator.migrations)
        #expect(try await organic(["db", "migrate", "--path", path]).status == 0)
        let after = try await status(["--path", path])
        #expect(after.pending.isEmpty && after.version == NodeMigrations.migrator.migrations.last && after.applied.count == before.pending.count)
    }

    @Test("PostgreSQL: status, migrate; copy from SQLite keeps every balance equal to its ledger and to the source, and refuses a non-empty target",
          .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
    func copyToPostgres() async throws {
        let target = try await TestDatabase.make(.postgres)
        let url = try #require(target.configuration.url)
        #expect(try await status(["--url", url]).pending == PostgresMigrations.all.map(\.name))

        // A single node's history: keys with grants, a charged request and one in flight (held in
        // memory), an open reservation an earlier version left, usage, scores, weights, a round.
        let source = try await TestDatabase.make(.sqlite)
        let stores = try await source.open()
        let now = Date()
        let keys = KeyManager(store: stores.keys, clock: ManualNodeClock(start: now))
        let a = try await keys.create(KeyCreation(name: "a", credits: 10)).record.id
        let b = try await keys.create(KeyCreation(name: "b", credits: 5, rateLimits: ["10/s"])).record.id
        guard case .reserved(let settled) = try await stores.keys.reserve(id: a, amount: Credits(millis: 2000), endpoint: "e", now: now),
              case .reserved = try await stores.keys.reserve(id: b, amount: Credits(millis: 1500), endpoint: "e", now: now) else {
            Issue.record("not reserved"); return
        }
        try await stores.keys.settle(settled, commit: true, charged: Credits(millis: 1200),
                                     usage: UsageEntry(keyID: a, endpoint: "e", status: 200, credits: Credits(millis: 1200), latencySeconds: 0.3,
                                                       time: now, units: Usage(["tokens": 9])))
        try await stores.periods.save([PeriodRow(hotkey: "alice", endpoint: "e", period: 7, uid: 1, sum: 1.5, rounds: 2)], periodSeconds: 600, oldestKept: 0)
        try await stores.weights.record(WeightSubmission(id: "w1", createdAt: now, netuid: 3, vector: WeightVector(uids: [1], weights: [65535])))
        try await stores.scores.record(StoreConformanceTests.round("e", at: 0, results: [StoreConformanceTests.result(1, "alice", .answered, 0.75),
                                                                                         StoreConformanceTests.result(2, "bob", .answered, 0.25)]))
        try await stores.close()
        try await source.execute("""
            INSERT INTO credit_ledger (key_id, kind, amount, endpoint, created_at) VALUES ('\(b)', 'reservation', -1000, 'e', 0);
            INSERT INTO open_reservations (reservation_id, key_id, amount) VALUES (last_insert_rowid(), '\(b)', 1000);
            UPDATE api_keys SET balance = balance - 1000 WHERE id = '\(b)';
            """)

        let run = try await organic(["db", "copy", "--from", "sqlite:\(source.configuration.path)", "--to", url, "--rounds", "--node-name", "n1", "--json"])
        #expect(run.status == 0, "\(run.errorText)")
        let report = try JSONDecoder().decode(DatabaseCopy.Report.self, from: run.output)
        #expect(report.keys == 2 && report.releasedReservations == 1)
        #expect(report.totalBalanceMillis == 13_800)
        #expect(report.tables["credit_ledger"].map(Int64.init) == (try await source.integer("SELECT COUNT(*) FROM credit_ledger")))
        #expect(report.tables["round_results"] == 2 && report.tables["usage_units"] == 1 && report.tables["api_keys"] == 2)
        #expect(try await source.integer("SELECT COUNT(*) FROM open_reservations") == 0, "the source's open reservation was released")

        #expect(try await target.integer("SELECT balance FROM api_keys WHERE id = '\(a)'") == 8_800)
        #expect(try await target.integer("SELECT balance FROM api_keys WHERE id = '\(b)'") == 5_000)
        #expect(try await target.ledgerIsConsistent())
        #expect(try await target.strings("SELECT kind FROM credit_ledger WHERE key_id = '\(a)' ORDER BY id") == ["grant", "charge"])
        #expect(try await target.strings("SELECT node FROM score_periods") == ["n1"])
        #expect(try await target.strings("SELECT hotkey FROM round_results ORDER BY position") == ["alice", "bob"])
        // The copied database serves as is: the node finds its keys and can write new ledger lines.
        let copied = try await target.open()
        #expect(try await copied.keys.balance(id: a) == Credits(millis: 8_800))
        _ = try await KeyManager(store: copied.keys).credit(id: a, amount: 1, note: "after copy")
        #expect(try await copied.keys.balance(id: a) == Credits(millis: 9_800))
        try await copied.close()
        #expect(try await status(["--url", url]).pending.isEmpty)

        let again = try await organic(["db", "copy", "--from", "sqlite:\(source.configuration.path)", "--to", url])
        #expect(again.status != 0)
        #expect(again.errorText.contains("already holds data"), "\(again.errorText)")
    }
}
