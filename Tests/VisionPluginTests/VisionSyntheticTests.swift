import OrganicPluginAPI
import PromptCorpus
import PropertyBased
import Testing
@testable import VisionPlugin

@Suite("Vision synthetic data")
struct VisionSyntheticTests {
    @Test("every endpoint's synthetic requests pass validation, before and after perturbation")
    func alwaysValid() async throws {
        let plugin = try VisionPlugin()
        func check<E: Endpoint>(_ endpoint: E, seed: UInt64) where E.MinerRequest == E.Request {
            var context = SyntheticContext(random: OrganicRandom(seed: seed))
            guard var request = endpoint.makeSyntheticRequest(context: &context) else {
                Issue.record("\(endpoint.descriptor.name) has no synthetic generator")
                return
            }
            #expect(throws: Never.self, "\(endpoint.descriptor.name) seed \(seed)") { try endpoint.validate(request) }
            var perturbation = PerturbationContext(random: OrganicRandom(seed: seed), seeds: SeedRange(validatorUID: 3))
            endpoint.perturb(&request, context: &perturbation)
            #expect(throws: Never.self, "\(endpoint.descriptor.name) perturbed, seed \(seed)") { try endpoint.validate(request) }
        }
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            check(plugin.textToImage, seed: seed)
            check(plugin.imageToImage, seed: seed)
            check(plugin.inpaint, seed: seed)
            check(plugin.upscale, seed: seed)
            check(plugin.scribble, seed: seed)
            check(plugin.clipEmbeddings, seed: seed)
        }
    }

    @Test("synthetic requests are reproducible from the random source")
    func deterministic() throws {
        let plugin = try VisionPlugin()
        var a = SyntheticContext(random: OrganicRandom(seed: 9)), b = SyntheticContext(random: OrganicRandom(seed: 9))
        #expect(plugin.inpaint.makeSyntheticRequest(context: &a) == plugin.inpaint.makeSyntheticRequest(context: &b))
        #expect(plugin.textToImage.makeSyntheticRequest(context: &a) == plugin.textToImage.makeSyntheticRequest(context: &b))
    }

    @Test("the Markov chain walks the corpus: prompts within limits, with a four-letter suffix")
    func markov() async throws {
        let chain = try CaptionMarkovChain.bundled()
        #expect(chain.captionCount >= 5000)
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 4...20), Gen.int(in: 10...200)) { seed, words, length in
            var random = OrganicRandom(seed: seed)
            let prompt = chain.prompt(using: &random, maxWords: words, maxLength: length)
            #expect(!prompt.isEmpty && prompt.count <= length)
            #expect(prompt.split(separator: " ").count <= words + 1)
            var again = OrganicRandom(seed: seed)
            #expect(chain.prompt(using: &again, maxWords: words, maxLength: length) == prompt)
        }
        // Every consecutive word pair of a walk exists in the corpus (order 2 never invents pairs).
        let tiny = CaptionMarkovChain(corpus: "a red fox runs\na red cat sleeps\n")
        var random = OrganicRandom(seed: 1)
        for _ in 0..<20 {
            let s = tiny.sentence(using: &random, maxWords: 10).joined(separator: " ")
            #expect(["a red fox runs", "a red cat sleeps"].contains(s))
        }
    }

    @Test("masks have white shapes on black; scribbles are thresholded outlines")
    func masksAndScribbles() async {
        await propertyCheck(input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let mask = SyntheticMask.make(width: 128, height: 96, random: &random)
            #expect(mask.isWellFormed)
            #expect(mask.pixels.allSatisfy { $0 == 0 || $0 == 255 })
            #expect(mask.pixels.contains(255))
        }
        let scribble = ScribbleExtractor.outline(VisionTestImages.picture(128, 128))
        #expect(scribble.pixels.allSatisfy { $0 == 0 || $0 == 255 })
        let lit = scribble.pixels.filter { $0 == 255 }.count / 3
        #expect(lit > 0 && lit < 128 * 128 / 2)
    }

    @Test("agreed synthetic outputs enter the image pool")
    func pool() throws {
        let pool = SyntheticImagePool(capacity: 2, side: 32)
        #expect(pool.count == 0)
        for seed in 1...3 { pool.add(VisionTestImages.picture(64, 64, seed: UInt64(seed))) }
        #expect(pool.count == 2)
        var random = OrganicRandom(seed: 4)
        let picked = pool.pick(using: &random, prompts: try CaptionMarkovChain.bundled())
        #expect(picked.width == 32 && picked.height == 32)
    }
}
