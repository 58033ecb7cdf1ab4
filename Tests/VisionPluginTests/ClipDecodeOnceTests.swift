import Foundation
import OrganicPluginAPI
import PropertyBased
import Testing
@testable import VisionPlugin

/// A clip-embeddings request's images are decoded once: validation keeps what it decoded and
/// perturbation jitters those pixels. Miners receive exactly the bytes they received before.
@Suite("Clip embeddings decode each image once")
struct ClipDecodeOnceTests {
    @Test("validated then perturbed gives the same bytes as perturbed alone, for PNG (RGB and grey) and JPEG inputs")
    func sameBytes() async throws {
        let plugin = try VisionPlugin()
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.int(in: 1...40), Gen.int(in: 1...40)) { seed, width, height in
            let picture = VisionTestImages.picture(width, height, seed: seed % 1000)
            let grey = PNGRaster(width: width, height: height, colorType: .grey, bitDepth: 8,
                                 rows: (0..<width * height).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed % 251)) })
            let greyPNG = VisionTestImages.b64((try? PNGEncoder.encode(grey, fast: false)) ?? [])
            let images = [VisionTestImages.png(picture), VisionTestImages.jpeg(picture), greyPNG]

            var validated = ClipEmbeddingsRequest(imageB64s: images)
            #expect(throws: Never.self) { try plugin.clipEmbeddings.validate(validated) }
            for (i, image) in images.enumerated() {
                #expect(validated.decoded.take(at: i, source: image) != nil, "validation kept image \(i)")
            }
            // Keep them again (take removed them) and perturb as the node does.
            validated = ClipEmbeddingsRequest(imageB64s: images)
            try? plugin.clipEmbeddings.validate(validated)
            var fromValidation = validated
            var context = PerturbationContext(random: OrganicRandom(seed: seed), seeds: .unassigned)
            plugin.clipEmbeddings.perturb(&fromValidation, context: &context)

            var decodedAgain = ClipEmbeddingsRequest(imageB64s: images)
            var again = PerturbationContext(random: OrganicRandom(seed: seed), seeds: .unassigned)
            plugin.clipEmbeddings.perturb(&decodedAgain, context: &again)

            #expect(fromValidation.imageB64s == decodedAgain.imageB64s)
            #expect(fromValidation.imageB64s != images)
            for i in images.indices { #expect(validated.decoded.take(at: i, source: images[i]) == nil, "used once and dropped") }
        }
    }

    @Test("a kept image is used only for the exact text it was decoded from")
    func keyedBySource() throws {
        let plugin = try VisionPlugin()
        let first = VisionTestImages.png(VisionTestImages.picture(20, 20, seed: 1))
        let second = VisionTestImages.png(VisionTestImages.picture(20, 20, seed: 2))
        let request = ClipEmbeddingsRequest(imageB64s: [first])
        try plugin.clipEmbeddings.validate(request)
        #expect(request.decoded.take(at: 0, source: second) == nil)
        #expect(request.decoded.take(at: 0, source: first) != nil)
    }
}
