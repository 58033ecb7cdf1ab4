import OrganicPluginAPI
import OrganicTestKit
import Testing
import VisionPlugin

@Suite("Vision plugin conformance")
struct VisionConformanceTests {
    @Test("passes the framework's conformance suite")
    func conformance() async throws {
        // Small pictures keep the suite fast in debug builds; every code path is the same. The
        // default models and sizes are exercised by the property test and the node tests.
        var configuration = VisionConfiguration()
        configuration.models = [ImageModel(name: "small-text-to-image", steps: 6...12, cfgScale: 1...4, sizes: 64...192)]
        configuration.syntheticImageSize = 64
        try await PluginConformance.check(try VisionPlugin(configuration: configuration), samples: 4)
    }

    @Test("text-to-image validation names the field and the allowed range")
    func validation() throws {
        let endpoint = try VisionPlugin().textToImage
        let ok = TextToImageRequest(prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512, model: "proteus-text-to-image")
        #expect(throws: Never.self) { try endpoint.validate(ok) }
        var bad = ok
        bad.steps = 40
        #expect(throws: RequestValidationError(code: "out_of_range", field: "steps", message: "steps must be between 6 and 12, got 40.")) {
            try endpoint.validate(bad)
        }
        bad = ok
        bad.cfgScale = .nan
        #expect(throws: RequestValidationError.self) { try endpoint.validate(bad) }
        bad = ok
        bad.prompt = ""
        #expect(throws: RequestValidationError.self) { try endpoint.validate(bad) }
    }

    @Test("honest images agree; an image for another seed does not")
    func reward() async throws {
        let plugin = try VisionPlugin()
        let request = TextToImageRequest(prompt: "a red fox", steps: 8, cfgScale: 2, width: 256 + 256, height: 512,
                                         model: "proteus-text-to-image", seed: 42)
        let a = try await TextToImageMiner(endpoint: plugin.textToImage, noiseSeed: 1).respond(to: request, context: .init())
        let b = try await TextToImageMiner(endpoint: plugin.textToImage, noiseSeed: 2).respond(to: request, context: .init())
        let wrong = try await TextToImageMiner(endpoint: plugin.textToImage, noiseSeed: 2).respond(to: request, context: .init(answerWrongly: true))
        func answer(_ r: ImageResponse, _ uid: UInt16) -> MinerAnswer<ImageResponse> {
            MinerAnswer(miner: MinerIdentity(uid: uid, hotkey: "h\(uid)"), response: r, latency: .seconds(1), responseBytes: 1)
        }
        let agree = plugin.textToImage.reward(ScoringRound(request: request, answers: [answer(a, 1), answer(b, 2)], isOrganic: false, timeout: .seconds(15)))
        guard case .rewards(let agreeing) = agree else { Issue.record("expected rewards"); return }
        #expect(agreeing.map(\.score) == [1, 1])
        let disagree = plugin.textToImage.reward(ScoringRound(request: request, answers: [answer(a, 1), answer(wrong, 2)], isOrganic: false, timeout: .seconds(15)))
        guard case .rewards(let scores) = disagree else { Issue.record("expected rewards"); return }
        #expect(scores.allSatisfy { $0.score < 0.5 })
    }
}
