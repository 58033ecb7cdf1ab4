import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

@Suite("Scoring end to end", .serialized)
struct ScoringEndToEndTests {
    static func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTPClient.Reply) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: reply.body)
    }

    @Test("with reference miners, a faulty miner's weight falls below the honest ones'")
    func faultyMinerWeighsLess() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.01
        configuration.synthetic.endpoints = ["text-embeddings"]
        configuration.dispatch.cooldownBaseSeconds = 0
        // Short periods so that several complete within the test.
        configuration.scoring.periodSeconds = 0.25
        configuration.scoring.minimumPeriods = 1
        configuration.weights.enabled = false
        let miners = [LocalNetwork.MinerSpec(hardwareNoiseSeed: 1), LocalNetwork.MinerSpec(hardwareNoiseSeed: 2),
                      LocalNetwork.MinerSpec(faults: .alwaysWrong, hardwareNoiseSeed: 3)]
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: miners, configuration: configuration) { net in
            _ = try await net.waitForRounds(atLeast: 60)
            var report: WeightReport?
            let weighed = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                report = try Self.decode(WeightReport.self, try await net.admin("/admin/weights"))
                return report.map { Set($0.uids).isSuperset(of: [1, 2]) } ?? false
            }
            try #require(weighed, "no weights for the honest miners 1 and 2 within 20 s: \(String(describing: report))")
            let weights = try #require(report)
            let u16 = Dictionary(uniqueKeysWithValues: zip(weights.uids, weights.weights))
            let faulty = Int(u16[3] ?? 0)
            #expect(faulty < Int(u16[1] ?? 0) / 2)
            #expect(faulty < Int(u16[2] ?? 0) / 2)
            #expect(weights.weights.max() == 65535)

            let scores = try Self.decode(ScoreReport.self, try await net.admin("/admin/scores"))
            let standings = try #require(scores.standings)
            let byUID = Dictionary(uniqueKeysWithValues: standings.miners.map { ($0.uid, $0) })
            #expect((byUID[3]?.score ?? 1) < (byUID[1]?.score ?? 0))
            #expect((byUID[1]?.endpoints.first?.periodsKept ?? 0) >= 1)
        }
    }
}
