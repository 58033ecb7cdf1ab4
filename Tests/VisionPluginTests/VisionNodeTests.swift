import Foundation
import OrganicFramework
import OrganicTestKit
import Testing
@testable import VisionPlugin

/// Every endpoint through a real node and two honest reference miners, over loopback HTTP.
@Suite("Vision endpoints through the node", .serialized)
struct VisionNodeTests {
    static let model = "proteus-text-to-image"

    func decodeImage(_ reply: TestHTTPClient.Reply) throws -> RGBImage {
        let answer = try reply.decode(ImageResponse.self)
        #expect(answer.clipEmbedding == nil && answer.isNSFW == nil, "reward-only fields are not sent to callers")
        let bytes = try #require(Data(base64Encoded: answer.imageB64 ?? ""))
        #expect(ImageCodec.sniffFormat(bytes) == .png)
        return try ImageCodec.decode([UInt8](bytes))
    }

    @Test("all six endpoints answer, are scored, and refuse bad input with 400")
    func allEndpoints() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        let input = VisionTestImages.picture(96, 64)
        let b64 = VisionTestImages.png(input)
        try await PluginHarness.run(plugins: [try VisionPlugin()], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            let t2i = try await net.post("/v1/text-to-image", json: TextToImageRequest(prompt: "a fox", steps: 8, cfgScale: 2, width: 512,
                                                                                       height: 576, model: Self.model, seed: 123))
            #expect(t2i.status == 200)
            #expect(try decodeImage(t2i).height == 576)

            let i2i = try await net.post("/v1/image-to-image", json: ImageToImageRequest(
                initImage: b64, imageStrength: 0.4, prompt: "a fox", steps: 8, cfgScale: 2, width: 512, height: 512, model: Self.model))
            #expect(i2i.status == 200)
            #expect(try decodeImage(i2i).width == 512)

            var mask = RGBImage(width: 96, height: 64)
            SyntheticMask.fillDisc(&mask, cx: 20, cy: 20, r: 10)
            let inpaint = try await net.post("/v1/inpaint", json: InpaintRequest(
                initImage: b64, mask: VisionTestImages.png(mask), prompt: "a fox", steps: 8, cfgScale: 2, width: 576, height: 512, model: Self.model))
            #expect(inpaint.status == 200)
            #expect(try decodeImage(inpaint).width == 576)

            let up = try await net.post("/v1/upscale", json: UpscaleRequest(image: b64, scale: 4))
            #expect(up.status == 200)
            let upscaled = try decodeImage(up)
            #expect(upscaled.width == 384 && upscaled.height == 256)

            let scribble = try await net.post("/v1/scribble", json: ScribbleRequest(
                initImage: VisionTestImages.png(ScribbleExtractor.outline(input)), prompt: "a fox", steps: 8, cfgScale: 2,
                width: 512, height: 512, model: Self.model))
            #expect(scribble.status == 200)
            _ = try decodeImage(scribble)

            let embeddings = try await net.post("/v1/clip-embeddings", json: ClipEmbeddingsRequest(imageB64s: [b64, b64]))
            #expect(embeddings.status == 200)
            let vectors = try embeddings.decode(ClipEmbeddingsResponse.self).clipEmbeddings
            #expect(vectors.count == 2 && vectors.allSatisfy { $0.count == 512 })
            // Each image got its own jitter, so even identical inputs embed differently.
            #expect(vectors[0] != vectors[1])

            for bad in VisionTestImages.badImages {
                let reply = try await net.post("/v1/upscale", json: UpscaleRequest(image: bad.b64))
                #expect(reply.status == 400, "\(bad.name)")
                #expect(reply.errorField == "image")
                if let code = bad.code { #expect(reply.errorCode == code, "\(bad.name)") }
            }
            let range = try await net.post("/v1/image-to-image", raw: Data(#"{"prompt":"x","model":"proteus-text-to-image","init_image":"\#(b64)","image_strength":3}"#.utf8))
            #expect(range.status == 400 && range.errorField == "image_strength")
            // Still healthy after the bad input.
            #expect(try await net.post("/v1/upscale", json: UpscaleRequest(image: b64)).status == 200)

            let rounds = try await net.waitForRounds(atLeast: 7)
            #expect(rounds.count >= 7)
            #expect(rounds.allSatisfy { round in round.results.allSatisfy { ($0.score ?? 0) > 0.9 } })
        }
    }

    @Test("an NSFW-flagged image is a 403 with a clear code; /v1/models lists every endpoint")
    func nsfwAndModels() async throws {
        try await PluginHarness.run(plugins: [try VisionPlugin()], miners: PluginHarness.honestMiners(2)) { net in
            let reply = try await net.post("/v1/text-to-image", json: TextToImageRequest(prompt: "something nsfw", steps: 8, cfgScale: 2,
                                                                                         width: 512, height: 512, model: Self.model))
            #expect(reply.status == 403)
            #expect(reply.errorCode == "nsfw_content")
            let models = try await net.get("/v1/models")
            #expect(models.status == 200)
            let text = String(decoding: models.body, as: UTF8.self)
            for name in ["text-to-image", "image-to-image", "inpaint", "upscale", "scribble", "clip-embeddings", "proteus-text-to-image",
                         "clip-vit-b-32"] {
                #expect(text.contains(name), "\(name)")
            }
        }
    }
}
