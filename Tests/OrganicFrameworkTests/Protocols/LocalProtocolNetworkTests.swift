import Foundation
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// Both sides of every protocol run locally: a node and reference miners that speak the
/// protocol and check the node's signature, as a subnet author tests a plugin.
@Suite("A local network over each miner protocol", .serialized)
struct LocalProtocolNetworkTests {
    @Test("organic calls are answered and synthetic rounds score both honest miners", arguments: [
        MinerProtocol.btauth, .epistula, .axonSynapse, .fiber1, .fiber2,
    ])
    func servesAndScores(_ minerProtocol: MinerProtocol) async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.1
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(2),
                                    configuration: configuration, minerProtocol: minerProtocol) { net in
            for text in ["first", "second"] {
                let reply = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: [text], dimensions: 64))
                #expect(reply.status == 200, "\(minerProtocol.rawValue): \(reply.text)")
            }
            let rounds = try await net.waitForRounds(atLeast: 3)
            let results = rounds.flatMap(\.results)
            #expect(results.contains { $0.outcome == "answered" && $0.score == 1 }, "\(minerProtocol.rawValue): \(results.prefix(4))")
            #expect(!results.contains { $0.outcome.hasPrefix("http_") }, "no refusal: \(results.filter { $0.outcome.hasPrefix("http_") }.prefix(2))")
        }
    }
}
