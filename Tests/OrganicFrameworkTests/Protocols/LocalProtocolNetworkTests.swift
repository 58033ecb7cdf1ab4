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
            #expect(results.contains { $0.outcome == .answered && $0.score == 1 }, "\(minerProtocol.rawValue): \(results.prefix(4))")
            #expect(!results.contains { $0.outcome.httpStatus != nil }, "no refusal: \(results.filter { $0.outcome.httpStatus != nil }.prefix(2))")
        }
    }
}

/// A miner that refuses shows why in `/admin/rounds`, whatever the protocol.
@Suite("Refusal reasons in rounds", .serialized)
struct RefusalReasonTests {
    @Test("miners verifying btauth/1, Epistula, the Axon wire or fiber refuse an unsigned node; each round names the status and the miner's reason",
          arguments: [MinerProtocol.btauth, .epistula, .axonSynapse, .fiber1, .fiber2])
    func unsignedIsRefusedWithAReason(_ minerProtocol: MinerProtocol) async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.1
        configuration.dispatch.retries = 0
        // The miners speak `minerProtocol`; the node is told to send plain unsigned JSON.
        var plain = NodeConfiguration.EndpointOverride()
        plain.minerProtocol = .unsigned
        configuration.dispatch.endpoints["text-embeddings"] = plain
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(2),
                                    configuration: configuration, minerProtocol: minerProtocol) { net in
            let rounds = try await net.waitForRounds(atLeast: 2)
            let refused = rounds.flatMap(\.results).filter { (400..<500).contains($0.outcome.httpStatus ?? 0) }
            #expect(!refused.isEmpty, "\(minerProtocol.rawValue): \(rounds.flatMap(\.results).prefix(3))")
            for result in refused.prefix(3) {
                #expect(result.reason?.contains("answered HTTP 4") == true && (result.reason?.count ?? 0) > "answered HTTP 401".count + 2,
                        "\(minerProtocol.rawValue): the miner's own words are kept: \(result.reason ?? "nil")")
                #expect(result.score == 0)
            }
        }
    }
}
