import OrganicPluginAPI
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

@Suite("Text embedding example plugin")
struct TextEmbeddingPluginTests {
    @Test("passes the framework's conformance suite")
    func conformance() async throws {
        try await PluginConformance.check(try TextEmbeddingPlugin(), samples: 50)
    }

    @Test("the embedder is deterministic and the seed changes the vector")
    func embedder() {
        let a = FeatureHashingEmbedder.embed("a quiet market", dimensions: 64, seed: 1)
        #expect(a == FeatureHashingEmbedder.embed("a quiet market", dimensions: 64, seed: 1))
        #expect(FeatureHashingEmbedder.cosine(a, FeatureHashingEmbedder.embed("a quiet market", dimensions: 64, seed: 2)) < 0.9)
        #expect(abs(FeatureHashingEmbedder.cosine(a, a) - 1) < 1e-9)
    }

    @Test("honest answers earn full reward; a wrong answer earns none")
    func reward() async throws {
        let plugin = try TextEmbeddingPlugin()
        let request = TextEmbeddingRequest(input: ["hello"], dimensions: 64, seed: 123)
        let honest = TextEmbeddingMiner(endpoint: plugin.embeddings, noiseSeed: 1)
        let other = TextEmbeddingMiner(endpoint: plugin.embeddings, noiseSeed: 2)
        let a = try await honest.respond(to: request, context: .init())
        let b = try await other.respond(to: request, context: .init())
        let wrong = try await other.respond(to: request, context: .init(answerWrongly: true))
        func answer(_ r: TextEmbeddingResponse, _ uid: UInt16) -> MinerAnswer<TextEmbeddingResponse> {
            MinerAnswer(miner: MinerIdentity(uid: uid, hotkey: "h\(uid)"), response: r, latency: .milliseconds(5), responseBytes: 100)
        }
        #expect(plugin.embeddings.reward(ScoringRound(request: request, answers: [answer(a, 1), answer(b, 2)], isOrganic: false, timeout: .seconds(5)))
                == .rewards([MinerReward(score: 1), MinerReward(score: 1)]))
        #expect(plugin.embeddings.reward(ScoringRound(request: request, answers: [answer(a, 1), answer(wrong, 2)], isOrganic: false, timeout: .seconds(5)))
                == .rewards([MinerReward(score: 0), MinerReward(score: 0)]))
    }

    @Test("runs end to end in the plugin harness")
    func harness() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(2)) { net in
            let reply = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["hi"], dimensions: 256))
            #expect(reply.status == 200)
            #expect(try reply.decode(TextEmbeddingResponse.self).embeddings[0].count == 256)
        }
    }
}
