import Foundation
@testable import OrganicFramework
@testable import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// Two real nodes (HTTP, keys, credits) sharing one PostgreSQL database.
@Suite("Two nodes on one PostgreSQL", .serialized, .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
struct TwoNodesTests {
    let request = TextEmbeddingRequest(input: ["shared"], dimensions: 64)

    static func configuration(_ database: TestDatabase) -> NodeConfiguration {
        var configuration = PluginHarness.testConfiguration()
        configuration.database.url = database.configuration.url
        configuration.database.keyRecheckSeconds = database.configuration.keyRecheckSeconds
        configuration.dispatch.organicScoringProbability = 0
        // Every request that holds credits may wait in the node at once: none is shed.
        configuration.dispatch.queues.maxDepth = 5000
        configuration.dispatch.queues.maxTotalQueued = 10_000
        configuration.dispatch.queues.maxWaitFraction = 0.9
        configuration.dispatch.endpoints["text-embeddings"] = {
            var o = NodeConfiguration.EndpointOverride()
            o.price = 1
            o.timeoutSeconds = 60  // thousands of requests at once on two cores: a miner's answer may be slow, never lost
            return o
        }()
        return configuration
    }

    func call(_ net: PluginHarness.Network, key: String) async throws -> Int {
        try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: try JSONEncoder().encode(request),
                                           headers: ["X-API-Key": key]).status
    }

    /// Sends the same paid request `count` times at once, each on its own connection, alternating
    /// between the nodes; the statuses (with the error's code: "402 insufficient_credits") and how
    /// often each came back.
    func burst(_ count: Int, over nodes: [PluginHarness.Network], key: String) async throws -> [String: Int] {
        let body = Array(try JSONEncoder().encode(request))
        let ports = try nodes.map { try #require(URLComponents(string: $0.publicURL)?.port) }
        return try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<count {
                group.addTask {
                    try await OneShotHTTP.post(port: ports[i % ports.count], path: "/v1/text-embeddings",
                                               headers: [("X-API-Key", key), ("Content-Type", "application/json")], body: body)
                }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        }
    }

    @Test("5,000 concurrent paid requests spread over two nodes against a 2,000-credit key serve and charge exactly 2,000; the ledger sums to the balance; a key revoked on one node is refused by the other")
    func sharedCredits() async throws {
        // Each request in flight holds two descriptors here (the client's end and the node's end).
        let descriptors = DescriptorLimit.raise(toAtLeast: 12_000)
        try #require(descriptors >= 12_000, "5,000 connections need 12,000 descriptors in the test process; the hard limit is \(descriptors) (raise it with ulimit -Hn)")
        let database = try await TestDatabase.make(.postgres)
        let plugin = try TextEmbeddingPlugin()
        let miners = [LocalNetwork.MinerSpec(capacity: 4096), LocalNetwork.MinerSpec(capacity: 4096)]
        try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: Self.configuration(database)) { a in
            try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: Self.configuration(database)) { b in
                let key = try await a.createKey(KeyCreation(name: "shared", credits: 2000))
                let statuses = try await burst(5000, over: [a, b], key: key.key)
                #expect(statuses["200"] == 2000, "\(statuses)")
                #expect((statuses["200"] ?? 0) + (statuses["402 insufficient_credits"] ?? 0) == 5000, "\(statuses)")
                // Settlement follows the response: wait until every reservation is settled.
                var open = Int64(-1)
                let settled = try await eventually {
                    open = try await database.integer("SELECT COUNT(*) FROM open_reservations")
                    return open == 0
                }
                #expect(settled, "\(open) reservations still open")
                let details = try #require(try await b.context.keys?.show(id: key.record.id, ledgerLimit: 10))
                #expect(details.balance == .zero)
                #expect(try await database.integer("SELECT COUNT(*) FROM credit_ledger WHERE kind = 'commit' AND key_id = '\(key.record.id)'") == 2000)

                // Revocation on A reaches B (which has the key cached) within the bound.
                let other = try await a.createKey(KeyCreation(name: "soon revoked", unlimited: true))
                #expect(try await call(b, key: other.key) == 200)
                _ = try await a.context.keys?.revoke(id: other.record.id)
                let refused = try await eventually(timeout: .seconds(3), every: .milliseconds(20)) { try await call(b, key: other.key) == 401 }
                #expect(refused, "instance B still accepts a key revoked on A after 3 s")
            }
        }
        #expect(try await database.ledgerIsConsistent())
    }
}
