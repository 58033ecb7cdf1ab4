import Foundation
import OrganicFramework
import OrganicTestKit
import Testing
import VisionPlugin

@Suite("Vision through the node", .serialized)
struct VisionEndToEndTests {
    @Test("text-to-image returns a PNG of the requested size; bad fields get 400")
    func textToImage() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        try await PluginHarness.run(plugins: [try VisionPlugin()], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            let request = TextToImageRequest(prompt: "a lighthouse at dusk", steps: 8, cfgScale: 2, width: 512, height: 576,
                                             model: "proteus-text-to-image")
            let reply = try await net.post("/v1/text-to-image", json: request)
            #expect(reply.status == 200)
            let answer = try reply.decode(ImageResponse.self)
            let png = try #require(Data(base64Encoded: answer.imageB64 ?? ""))
            let image = try ImageCodec.decode([UInt8](png))
            #expect(image.width == 512 && image.height == 576)

            var wrong = request
            wrong.width = 500
            let bad = try await net.post("/v1/text-to-image", json: wrong)
            #expect(bad.status == 400)
            #expect(bad.errorField == "width")

            let unknownModel = try await net.post("/v1/text-to-image", raw: Data(#"{"prompt": "x", "model": "nope"}"#.utf8))
            #expect(unknownModel.errorField == "model")

            // The scored organic round compared both honest miners' images and rewarded them.
            let rounds = try await net.waitForRounds(atLeast: 1)
            let scored = try #require(rounds.first)
            #expect(scored.isOrganic)
            #expect(scored.results.count == 2)
            #expect(scored.results.allSatisfy { ($0.score ?? 0) > 0.9 })
        }
    }
}
