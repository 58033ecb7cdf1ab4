import Foundation
import OrganicPluginAPI
import PropertyBased
import Testing
@testable import VisionPlugin

@Suite("Vision perturbation")
struct VisionPerturbationTests {
    @Test("jitter changes 1-3 pixels by exactly ±1 on every channel and nothing else")
    func jitter() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 1...40), Gen.int(in: 1...40)) { seed, w, h in
            var base = VisionTestImages.picture(w, h, seed: seed % 1000)
            // Saturated corners check that a channel at 0 or 255 still moves by exactly one step.
            base.pixels[0] = 255
            base.pixels[1] = 0
            var jittered = base
            var random = OrganicRandom(seed: seed)
            let changes = PixelJitter.apply(&jittered, random: &random)
            #expect((1...3).contains(changes.count) || w * h < changes.count)
            var changedPixels = Set<Int>()
            for i in base.pixels.indices where base.pixels[i] != jittered.pixels[i] {
                #expect(abs(Int(base.pixels[i]) - Int(jittered.pixels[i])) == 1)
                changedPixels.insert(i / 3)
            }
            #expect(changedPixels == Set(changes.map { $0.y * w + $0.x }))
            for p in changedPixels {
                for c in 0..<3 { #expect(base.pixels[p * 3 + c] != jittered.pixels[p * 3 + c]) }
            }
        }
    }

    @Test("embedding requests carry losslessly re-encoded jittered images; the embedding changes")
    func embeddingRequest() throws {
        let plugin = try VisionPlugin()
        let picture = VisionTestImages.picture(64, 48)
        var request = ClipEmbeddingsRequest(imageB64s: [VisionTestImages.jpeg(picture), VisionTestImages.png(picture)])
        let original = request
        var context = PerturbationContext(random: OrganicRandom(seed: 5), seeds: .unassigned)
        plugin.clipEmbeddings.perturb(&request, context: &context)
        for i in 0..<2 {
            let before = try #require(ImageInput.decodeTrusted(original.imageB64s[i]))
            let bytes = try #require(Data(base64Encoded: request.imageB64s[i]))
            #expect(ImageCodec.sniffFormat(bytes) == .png)
            let after = try ImageCodec.decode([UInt8](bytes))
            let changed = Set(before.pixels.indices.filter { before.pixels[$0] != after.pixels[$0] }.map { $0 / 3 })
            #expect((1...3).contains(changed.count))
            #expect(PseudoClipEmbedding.embed(before) != PseudoClipEmbedding.embed(after))
            // A cached answer for the un-jittered image falls below the agreement threshold.
            #expect(EmbeddingSimilarity.cosine(PseudoClipEmbedding.embed(before), PseudoClipEmbedding.embed(after)) < EmbeddingReward.threshold)
        }
        #expect(throws: Never.self) { try plugin.clipEmbeddings.validate(request) }
    }

    @Test("seeds come from the validator's own block, whatever the caller sent")
    func seedPartition() async throws {
        let plugin = try VisionPlugin()
        await propertyCheck(input: Gen.int(in: 0...4095), Gen.uint64()) { uid, seed in
            let range = SeedRange(validatorUID: UInt16(uid))
            var request = TextToImageRequest(prompt: "a cat", steps: 8, cfgScale: 2, width: 512, height: 512,
                                             model: "proteus-text-to-image", seed: seed)
            var context = PerturbationContext(random: OrganicRandom(seed: seed), seeds: range)
            plugin.textToImage.perturb(&request, context: &context)
            let assigned = try #require(request.seed)
            #expect(range.contains(assigned))
            #expect(SeedRange.owner(of: assigned) == UInt64(uid))
            // Another validator's block never contains it.
            #expect(!SeedRange(validatorUID: UInt16((uid + 1) % 4096)).contains(assigned))
        }
        let image = VisionTestImages.png(VisionTestImages.picture())
        var context = PerturbationContext(random: OrganicRandom(seed: 1), seeds: SeedRange(validatorUID: 7))
        let generation = PerturbedGenerationRequests(plugin: plugin, image: image, context: &context)
        for s in [generation.imageToImage.seed, generation.inpaint.seed, generation.scribble.seed] {
            #expect(s.map { SeedRange.owner(of: $0) } == 7)
        }
    }
}
