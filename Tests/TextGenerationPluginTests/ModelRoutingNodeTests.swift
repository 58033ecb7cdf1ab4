import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextGenerationPlugin
import Testing

/// A node offering two models, with a miner that serves only one of them.
@Suite("Model routing through a node", .serialized)
struct ModelRoutingNodeTests {
    struct Miners: Decodable {
        struct Miner: Decodable {
            var uid: UInt16
            var successes: Int
        }
        var miners: [Miner]
    }

    static func successes(_ net: PluginHarness.Network) async throws -> [UInt16: Int] {
        let miners = try await net.admin("/admin/miners").decode(Miners.self).miners
        return Dictionary(uniqueKeysWithValues: miners.map { ($0.uid, $0.successes) })
    }

    @Test("a miner listed for chat-completions/m1 gets only m1 requests; one listed for chat-completions gets both models")
    func routesByModel() async throws {
        let plugin = try TextGenerationPlugin(configuration: .init(models: ["m1", "m2"], defaultMaxTokens: 4))
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.retries = 0
        let miners = [
            LocalNetwork.MinerSpec(hardwareNoiseSeed: 1, endpoints: ["chat-completions/m1"]),  // uid 1
            LocalNetwork.MinerSpec(hardwareNoiseSeed: 2, endpoints: ["chat-completions"]),     // uid 2
        ]
        try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: configuration) { net in
            func ask(_ model: String, _ i: Int) async throws {
                let request = ChatCompletionRequest(model: model, messages: [.init(role: "user", content: "Say \(i).")], maxTokens: 3)
                let reply = try await net.post("/v1/chat/completions", json: request)
                #expect(reply.status == 200, "\(model): \(reply.text)")
                #expect(try reply.decode(ChatCompletion.self).model == model)
            }
            // m2 has a single miner: every request goes to uid 2.
            for i in 0..<8 { try await ask("m2", i) }
            var counts = try await Self.successes(net)
            #expect(counts[1] == 0, "the m1-only miner got an m2 request")
            #expect(counts[2] == 8)

            // m1 is served by both; with random ranking each gets some of 24 sequential requests.
            for i in 0..<24 { try await ask("m1", i) }
            counts = try await Self.successes(net)
            #expect((counts[1] ?? 0) + (counts[2] ?? 0) == 32)
            #expect((counts[1] ?? 0) >= 1, "the m1 miner serves m1")
            #expect((counts[2] ?? 0) >= 9, "the all-models miner serves m1 too")

            // A model nobody offers is refused before any miner is asked.
            let unknown = try await net.post("/v1/chat/completions",
                                              json: ChatCompletionRequest(model: "m3", messages: [.init(role: "user", content: "Hi")]))
            #expect(unknown.status == 400)
        }
    }

    @Test("with only an m1 miner, m2 requests find no miner while m1 requests are served")
    func noMinerForModel() async throws {
        let plugin = try TextGenerationPlugin(configuration: .init(models: ["m1", "m2"], defaultMaxTokens: 4))
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        let miners = [LocalNetwork.MinerSpec(hardwareNoiseSeed: 1, endpoints: ["chat-completions/m1"])]
        try await PluginHarness.run(plugins: [plugin], miners: miners, configuration: configuration) { net in
            let m2 = try await net.post("/v1/chat/completions",
                                        json: ChatCompletionRequest(model: "m2", messages: [.init(role: "user", content: "Hi")], maxTokens: 2))
            #expect(m2.status == 503, "\(m2.text)")
            let m1 = try await net.post("/v1/chat/completions",
                                        json: ChatCompletionRequest(model: "m1", messages: [.init(role: "user", content: "Hi")], maxTokens: 2))
            #expect(m1.status == 200, "\(m1.text)")
            #expect(try await Self.successes(net)[1] == 1)
        }
    }
}
