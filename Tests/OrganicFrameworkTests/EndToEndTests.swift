import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing
import VisionPlugin

/// A node and reference miners on loopback, talking real HTTP.
@Suite("End to end", .serialized)
struct EndToEndTests {
    let embedding: TextEmbeddingPlugin

    init() throws {
        embedding = try TextEmbeddingPlugin()
    }

    @Test("a valid request returns the miner's answer")
    func validRequest() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(2)) { net in
            let reply = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["hello world", "bonjour"], dimensions: 128))
            #expect(reply.status == 200)
            let answer = try reply.decode(TextEmbeddingResponse.self)
            #expect(answer.embeddings.count == 2)
            #expect(answer.embeddings.allSatisfy { $0.count == 128 })
            let norm = answer.embeddings[0].reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm - 1) < 1e-3)
        }
    }

    @Test("the caller's seed is replaced by one from the validator's block")
    func seedIsReplaced() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.node.validatorUID = 7
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1), configuration: configuration) { net in
            let mine = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["same text"], dimensions: 64, seed: 1))
            let expectedIfHonoured = FeatureHashingEmbedder.embed("same text", dimensions: 64, seed: 1)
            let answer = try mine.decode(TextEmbeddingResponse.self)
            #expect(FeatureHashingEmbedder.cosine(answer.embeddings[0], expectedIfHonoured) < 0.99)
            // Whatever seed was used lies in validator 7's block: one of them reproduces the answer.
            let found = (700_000...799_999).contains { seed in
                FeatureHashingEmbedder.cosine(FeatureHashingEmbedder.embed("same text", dimensions: 64, seed: UInt64(seed)), answer.embeddings[0]) > 0.9999
            }
            #expect(found)
        }
    }

    @Test("malformed requests get 400 naming the field")
    func badRequests() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let missing = try await net.post("/v1/text-embeddings", raw: Data(#"{"dimensions": 64}"#.utf8))
            #expect(missing.status == 400)
            #expect(missing.errorCode == "missing_field")
            #expect(missing.errorField == "input")

            let wrongType = try await net.post("/v1/text-embeddings", raw: Data(#"{"input": "not a list"}"#.utf8))
            #expect(wrongType.status == 400)
            #expect(wrongType.errorCode == "invalid_type")
            #expect(wrongType.errorField == "input")

            let badValue = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["x"], dimensions: 7))
            #expect(badValue.status == 400)
            #expect(badValue.errorCode == "unsupported_value")
            #expect(badValue.errorField == "dimensions")

            let blank = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["ok", "  "], dimensions: 64))
            #expect(blank.errorField == "input[1]")

            let notJSON = try await net.post("/v1/text-embeddings", raw: Data("{nope".utf8))
            #expect(notJSON.status == 400)
            #expect(notJSON.errorCode == "invalid_json")

            let empty = try await net.post("/v1/text-embeddings", raw: Data())
            #expect(empty.status == 400)
        }
    }

    @Test("unknown routes get a JSON 404")
    func unknownEndpoint() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let reply = try await net.post("/v1/no-such-endpoint", json: ["a": 1])
            #expect(reply.status == 404)
            #expect(reply.errorCode == "not_found")
        }
    }

    @Test("an oversized body gets 413")
    func oversized() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let big = TextEmbeddingRequest(input: [String(repeating: "a", count: 300 << 10)], dimensions: 64)
            let reply = try await net.post("/v1/text-embeddings", json: big)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "body_too_large")
        }
    }

    @Test("health and model listing")
    func discovery() async throws {
        try await PluginHarness.run(plugins: [embedding, try VisionPlugin()], miners: PluginHarness.honestMiners(2)) { net in
            let health = try await net.get("/healthz")
            #expect(health.status == 200)
            #expect(health.text.contains("\"minersKnown\":2"))
            let models = try await net.get("/v1/models")
            #expect(models.status == 200)
            #expect(models.text.contains("/v1/text-embeddings"))
            #expect(models.text.contains("/v1/text-to-image"))
            #expect(models.text.contains("proteus-text-to-image"))
            // The OpenAPI description is generated from the plugins, with example bodies.
            let openAPI = try await net.get("/openapi.json")
            #expect(openAPI.status == 200)
            let document = try JSONSerialization.jsonObject(with: openAPI.body) as? [String: Any]
            let paths = document?["paths"] as? [String: Any]
            #expect(paths?.keys.contains("/v1/text-to-image") == true)
            #expect(paths?.keys.contains("/v1/text-embeddings") == true)
            #expect(openAPI.text.contains("\"cfg_scale\""))
        }
    }

    @Test("a miner that times out is retried on another miner")
    func timeoutRetried() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.cooldownBaseSeconds = 0
        configuration.dispatch.endpoints["text-embeddings"] = {
            var o = NodeConfiguration.EndpointOverride()
            o.timeoutSeconds = 0.5
            return o
        }()
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysSlow(2)), LocalNetwork.MinerSpec()]
        try await PluginHarness.run(plugins: [embedding], miners: miners, configuration: configuration) { net in
            // Least-recently-used selection sends one of the first two requests to the slow miner first.
            for _ in 0..<3 {
                let reply = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["retry me"], dimensions: 64))
                #expect(reply.status == 200)
            }
            let statuses = try await net.admin("/admin/miners").decode(MinersReport.self).miners
            let slow = try #require(statuses.first { $0.uid == 1 })
            let honest = try #require(statuses.first { $0.uid == 2 })
            #expect(slow.failures >= 1)
            #expect(honest.successes == 3)
        }
    }

    @Test("when every miner fails the caller gets a clear 5xx, never a hang")
    func allMinersFail() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.cooldownBaseSeconds = 30
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysError), LocalNetwork.MinerSpec(faults: .alwaysError)]
        try await PluginHarness.run(plugins: [embedding], miners: miners, configuration: configuration) { net in
            let reply = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["x"], dimensions: 64))
            #expect(reply.status == 502)
            #expect(reply.errorCode == "miner_failed")
            // Both miners now cool down for 30 s, beyond any queue wait: the next caller is told at once when to come back.
            let next = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["x"], dimensions: 64))
            #expect(next.status == 503)
            #expect(next.errorCode == "no_miners_available")
            #expect(Int(next.header("Retry-After") ?? "") ?? 0 >= 29)
        }
    }

    @Test("a faulty miner ends with a lower score than honest ones after a burst of synthetic queries")
    func faultyMinerScoresLower() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.01
        configuration.synthetic.endpoints = ["text-embeddings"]
        configuration.dispatch.cooldownBaseSeconds = 0
        let miners = [LocalNetwork.MinerSpec(hardwareNoiseSeed: 1), LocalNetwork.MinerSpec(hardwareNoiseSeed: 2),
                      LocalNetwork.MinerSpec(faults: .alwaysWrong, hardwareNoiseSeed: 3)]
        try await PluginHarness.run(plugins: [embedding], miners: miners, configuration: configuration) { net in
            let rounds = try await net.waitForRounds(atLeast: 60)
            #expect(rounds.count >= 60)
            let summaries = try await net.context.store.summaries(since: .distantPast)
            let score = { (uid: UInt16) in summaries.first { $0.uid == uid }?.meanScore ?? -1 }
            #expect(score(3) < score(1) - 0.2)
            #expect(score(3) < score(2) - 0.2)
            #expect(score(3) < 0.1)
            // Every round scored both of its answerers; a round pairing the faulty miner with an
            // honest one brought the third miner in as a referee.
            #expect(rounds.allSatisfy { $0.results.filter { $0.role != .referee }.count == 2 })
            #expect(rounds.contains { $0.tieBreak?.outcome == .decided && $0.tieBreak?.referees.count == 1 })
            // /admin/rounds shows the referees, the agreeing group and each miner's role.
            let listed = try await net.admin("/admin/rounds?limit=200").text
            #expect(listed.contains(#""agreeingGroup""#) && listed.contains(#""referees""#) && listed.contains(#""role":"referee""#))
        }
    }

    @Test("the node shuts down cleanly: the database is closed with its WAL checkpointed")
    func cleanShutdown() async throws {
        let configuration = PluginHarness.testConfiguration()
        let path = configuration.database.path
        var synthetic = configuration
        synthetic.synthetic.enabled = true
        synthetic.synthetic.intervalSeconds = 0.02
        let count = try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(2), configuration: synthetic) { net in
            try await net.waitForRounds(atLeast: 5).count
        }
        #expect(count >= 5)
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0)
        // The file reopens with every round intact.
        let reopened = SQLiteScoreStore(database: try SQLiteDatabase(path: path))
        let rounds = try await reopened.recentRounds(limit: 10_000)
        #expect(rounds.count >= count)
        try await reopened.close()
    }
}
