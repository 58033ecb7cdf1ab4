import Foundation
@testable import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// A key's rate limits hold across two nodes sharing one PostgreSQL database.
@Suite("Global rate limits on one PostgreSQL", .serialized, .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
struct GlobalRateLimitTests {
    @Test("a key limited to 10/s is admitted at most 10 + 10 per second in total over two nodes (its rule leases one token at a time)")
    func tenPerSecondAcrossTwoNodes() async throws {
        let database = try await TestDatabase.make(.postgres)
        let plugin = try TextEmbeddingPlugin()
        let miners = [LocalNetwork.MinerSpec(capacity: 256)]
        let rule = try #require(RateLimitRule(parsing: "10/s"))
        #expect(SharedRateBuckets.batch(for: rule) == 1)
        let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["limited"], dimensions: 64))
        try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: TwoNodesTests.configuration(database)) { a in
            try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: TwoNodesTests.configuration(database)) { b in
                let key = try await a.createKey(KeyCreation(name: "limited", unlimited: true, rateLimits: ["10/s"]))
                let clock = ContinuousClock()
                let start = clock.now
                // Four callers per node, each calling again as soon as it is answered, for 3 s, and
                // on until it has been refused once (a loaded machine may call slowly), at most 15 s.
                let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                    for caller in 0..<8 {
                        let node = caller % 2 == 0 ? a : b
                        group.addTask {
                            var counts: [Int: Int] = [:]
                            while clock.now - start < .seconds(3) || (counts[429] == nil && clock.now - start < .seconds(15)) {
                                let status = try await node.anonymousClient.send("POST", node.publicURL + "/v1/text-embeddings", body: body,
                                                                                 headers: ["X-API-Key": key.key]).status
                                counts[status, default: 0] += 1
                            }
                            return counts
                        }
                    }
                    return try await group.reduce(into: [Int: Int]()) { $0.merge($1, uniquingKeysWith: +) }
                }
                let elapsed = clock.now - start
                let bound = 10 + Int(elapsed.seconds * 10)
                #expect((statuses[200] ?? 0) <= bound, "\(statuses) in \(elapsed)")
                #expect((statuses[200] ?? 0) >= 10, "\(statuses): the limit admits its burst")
                #expect((statuses[429] ?? 0) > 0, "\(statuses)")
                #expect(Set(statuses.keys).isSubset(of: [200, 429]), "\(statuses)")
            }
        }
    }
}
