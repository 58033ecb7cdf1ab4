import Foundation
import Logging
@testable import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import ServiceLifecycle
import TextEmbeddingPlugin
import Testing

/// One leader among the instances on one PostgreSQL database, with instances run as separate
/// `organic serve` processes so that the leader can die by `kill -9`.
@Suite("One leader on one PostgreSQL", .serialized,
       .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"),
       .enabled(if: OrganicExecutable.path != nil, "the organic executable is not built (swift build --build-tests)"))
struct LeaderTests {
    static let client = TestHTTPClient(defaultHeaders: ["X-Admin-Token": PluginHarness.adminToken])
    static let leaderRetrySeconds = 0.5
    static let weightsIntervalSeconds = 1.0

    static func yaml(database: TestDatabase, name: String, miners: [String], directory: URL) -> (Int, Int) -> String {
        { publicPort, adminPort in
            """
            server: {host: 127.0.0.1, port: \(publicPort)}
            admin: {host: 127.0.0.1, port: \(adminPort), token: \(PluginHarness.adminToken)}
            logging: {level: notice}
            plugins: {enabled: [text-embedding]}
            database:
              path: \(directory.appendingPathComponent("organic.sqlite").path)
              url: "\(database.configuration.url ?? "")"
              nodeName: \(name)
              keyRecheckSeconds: 0.5
              leaderRetrySeconds: \(leaderRetrySeconds)
            dispatch:
              organicScoringProbability: 1
              endpoints: {text-embeddings: {price: 1}}
            scoring: {periodSeconds: 1, minimumPeriods: 1, flushIntervalSeconds: 0.5}
            weights: {enabled: true, intervalSeconds: \(weightsIntervalSeconds), setter: record}
            synthetic: {enabled: false}
            miners:
            \(miners.enumerated().map { "  - {uid: \($0.offset + 1), hotkey: miner-\($0.offset + 1), url: \"\($0.element)\", capacity: 512}" }.joined(separator: "\n"))
            """
        }
    }

    static func status(_ node: NodeProcess) async -> InstanceStatus? {
        guard let reply = try? await client.send("GET", node.adminURL + "/admin/status"), reply.status == 200 else { return nil }
        return try? reply.decode(InstanceStatus.self)
    }

    /// Successful weight settings this node counted (its `/metrics`).
    static func weightSuccesses(_ node: NodeProcess) async -> Double {
        guard let reply = try? await client.send("GET", node.adminURL + "/metrics") else { return 0 }
        return reply.text.split(separator: "\n")
            .filter { $0.hasPrefix(MetricName.weightSettings) && $0.contains(#"result="success""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    @Test("kill -9 of the leader under load: the other instance leads and sets the next weights within one interval; no credit lost, none charged twice")
    func killLeader() async throws {
        let executable = try #require(OrganicExecutable.path)
        let database = try await TestDatabase.make(.postgres)
        let plugin = try TextEmbeddingPlugin()
        let logger = Logger(label: "leader-test", factory: { _ in SwiftLogNoOpLogHandler() })
        let ports = ListenerReadiness()
        let miners: [any Service] = (0..<2).map { index in
            ReferenceMinerServer.application(handlers: plugin.referenceMiners(options: .init(hardwareNoiseSeed: UInt64(index + 1))),
                                             options: .init(capacity: 512), logger: logger,
                                             onRunning: { await ports.bound("miner-\(index)", port: $0) })
        }
        let minerGroup = ServiceGroup(configuration: .init(services: miners, logger: logger))
        let running = Task { try await minerGroup.run() }
        defer { running.cancel() }
        let bound = await ports.wait(for: ["miner-0", "miner-1"])
        let minerURLs = ["miner-0", "miner-1"].map { "http://127.0.0.1:\(bound[$0] ?? 0)" }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("organic-leader-\(UUID().uuidString)")

        // B starts first and becomes the leader; A follows.
        let b = try NodeProcess(executable: executable, yaml: Self.yaml(database: database, name: "b", miners: minerURLs,
                                                                        directory: root.appendingPathComponent("b")),
                                directory: root.appendingPathComponent("b"))
        defer { b.kill() }
        #expect(await eventually(timeout: .seconds(60), every: .milliseconds(100)) { await Self.status(b)?.leader == true }, "\(b.output)")
        let a = try NodeProcess(executable: executable, yaml: Self.yaml(database: database, name: "a", miners: minerURLs,
                                                                        directory: root.appendingPathComponent("a")),
                                directory: root.appendingPathComponent("a"))
        defer { a.kill() }
        #expect(await eventually(timeout: .seconds(60), every: .milliseconds(100)) { await Self.status(a)?.role == .follower }, "\(a.output)")
        let created = try await Self.client.send("POST", a.adminURL + "/admin/keys", body: try JSONEncoder().encode(KeyCreation(name: "load", credits: 300)),
                                                 headers: ["Content-Type": "application/json"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let key = try #require(try? decoder.decode(CreatedKey.self, from: created.body), "\(created.text)")
        let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["leader"], dimensions: 64))
        @Sendable func call(_ node: NodeProcess) async -> Int {
            (try? await TestHTTPClient().send("POST", node.publicURL + "/v1/text-embeddings", body: body, headers: ["X-API-Key": key.key]).status) ?? 0
        }
        // Scores on both instances; the leader alone sets weights from them.
        var warmUp = 0
        for node in [a, b, a, b] where await call(node) == 200 { warmUp += 1 }
        #expect(warmUp == 4)
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) { await Self.weightSuccesses(b) > 0 }, "the leader sets weights")
        #expect(await Self.weightSuccesses(a) == 0, "a follower never sets weights")
        #expect(await Self.status(b)?.leader == true)

        let done = Locked(0)
        let load = Task {
            try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for i in 0..<600 {
                    let node = i % 2 == 0 ? a : b
                    group.addTask {
                        defer { done.withLock { $0 += 1 } }
                        return (i % 2 == 0 ? "a" : "b", await call(node))
                    }
                }
                return try await group.reduce(into: [String: [Int: Int]]()) { $0[$1.0, default: [:]][$1.1, default: 0] += 1 }
            }
        }
        _ = await eventually(timeout: .seconds(60), every: .milliseconds(1)) { done.withLock { $0 } >= 100 }
        b.kill()
        let statuses = try await load.value
        // A leads within one retry interval of B's session ending, and sets weights at once.
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(50)) { await Self.status(a)?.leader == true }, "\(a.output)")
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(50)) { await Self.weightSuccesses(a) > 0 }, "\(a.output)")

        // Stop A gracefully (it settles what it served), then release what B held when it died.
        a.terminate()
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(50)) { !a.isRunning })
        try await database.execute("UPDATE organic_instances SET heartbeat_at = heartbeat_at - 100000")
        let stores = try await database.open()
        let keys = try #require(stores.keys as? PostgresKeyStore)
        _ = try await keys.releaseDeadInstancesReservations(now: Date())
        try await stores.close()

        let served = (statuses["a"]?[200] ?? 0) + (statuses["b"]?[200] ?? 0)
        let commits = try await database.integer("SELECT COUNT(*) FROM credit_ledger WHERE kind = 'commit'")
        let balance = try await database.integer("SELECT balance FROM api_keys WHERE id = '\(key.record.id)'")
        #expect(served > 0 && served + warmUp <= 300, "\(statuses)")
        // Every request A answered is charged (A stopped gracefully). B's settlements still queued
        // when it died are lost with it: those requests are not charged (their reservations are
        // released); a request B charged just before dying may not have reached its client.
        let servedByA = statuses["a"]?[200] ?? 0
        #expect(commits >= Int64(servedByA + warmUp) && commits <= Int64(served + warmUp + (statuses["b"]?[0] ?? 0)), "\(statuses), \(commits) commits")
        #expect(300_000 - balance == commits * 1000, "every credit is either in the balance or charged for one served request")
        #expect(try await database.integer("""
            SELECT COUNT(*) - COUNT(DISTINCT reservation_id) FROM credit_ledger WHERE kind IN ('commit', 'release')
            """) == 0, "a reservation is settled at most once")
        #expect(try await database.ledgerIsConsistent())
    }
}
