import Foundation
import OrganicPluginAPI
import Testing
@testable import VisionPlugin

@Suite("Vision reward")
struct VisionRewardTests {
    let plugin: VisionPlugin
    init() throws { plugin = try VisionPlugin() }

    func answers(_ responses: [ImageResponse]) -> [MinerAnswer<ImageResponse>] {
        responses.enumerated().map { i, r in
            MinerAnswer(miner: MinerIdentity(uid: UInt16(i), hotkey: "h\(i)"), response: r, latency: .seconds(1), responseBytes: 1)
        }
    }

    func scores(_ verdict: RewardVerdict) -> [Double]? {
        if case .rewards(let r) = verdict { return r.map(\.score) }
        return nil
    }

    func request(seed: UInt64, prompt: String = "a lighthouse on a cliff at dusk") -> TextToImageRequest {
        TextToImageRequest(prompt: prompt, steps: 8, cfgScale: 2, width: 512, height: 512, model: "proteus-text-to-image", seed: seed)
    }

    func render(_ request: TextToImageRequest, noise: UInt64?, wrongly: Bool = false) async throws -> ImageResponse {
        try await TextToImageMiner(endpoint: plugin.textToImage, noiseSeed: noise).respond(to: request, context: .init(answerWrongly: wrongly))
    }

    @Test("identical and noise-only images score high; another seed or prompt scores low", arguments: [11, 12345, 99_999] as [UInt64])
    func sameVersusDifferent(seed: UInt64) async throws {
        let r = request(seed: seed)
        let exact = try await render(r, noise: nil)
        let a = try await render(r, noise: 1), b = try await render(r, noise: 2)
        let round = { (x: ImageResponse, y: ImageResponse) in
            self.plugin.textToImage.reward(ScoringRound(request: r, answers: self.answers([x, y]), isOrganic: true, timeout: .seconds(15)))
        }
        #expect(scores(round(exact, exact)) == [1, 1])
        #expect(scores(round(a, b)) == [1, 1])
        let otherSeed = try await render(request(seed: seed + 1), noise: 2)
        #expect(scores(round(a, otherSeed))?.allSatisfy { $0 < 0.5 } == true)
        let otherPrompt = try await render(request(seed: seed, prompt: "a bowl of ramen, studio photograph"), noise: 2)
        #expect(scores(round(a, otherPrompt))?.allSatisfy { $0 < 0.5 } == true)
    }

    @Test("a JPEG re-encoded copy still counts as the same computation")
    func reencoded() async throws {
        let r = request(seed: 77)
        let a = try await render(r, noise: 1)
        let image = try #require(ImageInput.decodeTrusted(a.imageB64 ?? ""))
        let jpeg = try ImageCodec.decode(ImageCodec.encodeJPEG(image, quality: 90))
        let b = ImageResponse(imageB64: VisionTestImages.png(jpeg), clipEmbedding: PseudoClipEmbedding.embed(jpeg))
        let verdict = plugin.textToImage.reward(ScoringRound(request: r, answers: answers([a, b]), isOrganic: false, timeout: .seconds(15)))
        #expect(scores(verdict)?.allSatisfy { $0 > 0.9 } == true)
    }

    @Test("reported hashes are ignored when the image is present")
    func reportedHashesIgnored() async throws {
        let r = request(seed: 5)
        let a = try await render(r, noise: 1)
        var liar = try await render(request(seed: 6), noise: 2)
        liar.imageHashes = ImageHashSet.of(try #require(ImageInput.decodeTrusted(a.imageB64 ?? "")))
        let verdict = plugin.textToImage.reward(ScoringRound(request: r, answers: answers([a, liar]), isOrganic: true, timeout: .seconds(15)))
        #expect(scores(verdict)?.allSatisfy { $0 < 0.5 } == true)
    }

    @Test("NSFW: flagged answers are scored on their hashes; the odd flag out scores 0; the caller gets 403")
    func nsfw() async throws {
        let r = request(seed: 8, prompt: "nsfw lighthouse")
        let a = try await render(r, noise: 1), b = try await render(r, noise: 2)
        #expect(a.flaggedNSFW && a.imageB64 == nil && a.imageHashes != nil)
        #expect(throws: Never.self) { try plugin.textToImage.validate(response: a, for: r) }
        var wrong = try await render(r, noise: 3, wrongly: true)
        #expect(scores(plugin.textToImage.reward(ScoringRound(request: r, answers: answers([a, b]), isOrganic: true, timeout: .seconds(15)))) == [1, 1])
        #expect(scores(plugin.textToImage.reward(ScoringRound(request: r, answers: answers([a, b, wrong]), isOrganic: true,
                                                             timeout: .seconds(15))))?.last.map { $0 < 0.5 } == true)
        // A miner that does not flag the image while the others do scores 0.
        let clean = try await render(request(seed: 8, prompt: "lighthouse"), noise: 3)
        wrong = clean
        let verdict = plugin.textToImage.reward(ScoringRound(request: r, answers: answers([a, b, wrong]), isOrganic: true, timeout: .seconds(15)))
        #expect(scores(verdict) == [1, 1, 0])
        #expect(throws: CallerRefusal(status: 403, code: "nsfw_content",
                                      message: "The generated image was flagged as NSFW and is withheld. No credits are charged for it.")) {
            try plugin.textToImage.responseForCaller(a, to: r, caller: r)
        }
        // A flagged answer without hashes is not a valid answer.
        var bare = a
        bare.imageHashes = nil
        #expect(throws: ResponseValidationError.self) { try plugin.textToImage.validate(response: bare, for: r) }
    }

    @Test("an unsure hash model falls back to the CLIP cosine, capped below 1")
    func fallback() {
        let unsure = HashRewardModel(weights: [0, 0, 0, 0], bias: 0)  // always P = 0.5
        let reward = ImageReward(model: unsure)
        let image = VisionTestImages.picture(64, 64)
        let e = PseudoClipEmbedding.embed(image)
        let f = ImageReward.Features(hashes: ImageHashSet.of(image), embedding: e, nsfw: false, image: nil)
        #expect(reward.similarity(f, f) == ConsensusReward.cappedFallback(1))
        #expect(reward.similarity(f, f) < 1)
        var far = f
        far.embedding = PseudoClipEmbedding.embed(VisionTestImages.picture(64, 64, seed: 99, prompt: "blue whale"))
        #expect(reward.similarity(f, far) == 0)
    }

    @Test("embeddings agree above the cosine threshold; a wrong answer does not")
    func embeddings() async throws {
        let request = ClipEmbeddingsRequest(imageB64s: [VisionTestImages.png(VisionTestImages.picture(64, 48))])
        let miner = ClipEmbeddingsMiner(endpoint: plugin.clipEmbeddings)
        let a = try await miner.respond(to: request, context: .init())
        let b = try await miner.respond(to: request, context: .init())
        let wrong = try await miner.respond(to: request, context: .init(answerWrongly: true))
        func verdict(_ x: ClipEmbeddingsResponse, _ y: ClipEmbeddingsResponse) -> [Double]? {
            let list = [x, y].enumerated().map { MinerAnswer(miner: MinerIdentity(uid: UInt16($0), hotkey: "h"), response: $1,
                                                               latency: .seconds(1), responseBytes: 1) }
            return scores(plugin.clipEmbeddings.reward(ScoringRound(request: request, answers: list, isOrganic: true, timeout: .seconds(6))))
        }
        #expect(a.clipEmbeddings[0].count == 512)
        #expect(verdict(a, b) == [1, 1])
        #expect(verdict(a, wrong) == [0, 0])
    }

    @Test("the shipped model separates a freshly generated held-out set")
    func shippedModel() throws {
        var random = OrganicRandom(seed: 2026)
        let samples = try RewardDataset.generate(count: 24, random: &random, sizes: [256, 320])
        let evaluation = RewardModelTrainer.evaluate(.trained, on: samples)
        #expect(evaluation.precision >= 0.95)
        #expect(evaluation.recall >= 0.95)
        // Training on the same kind of data reproduces a separating model.
        let fitted = RewardModelTrainer.fit(samples, iterations: 500)
        #expect(RewardModelTrainer.evaluate(fitted, on: samples).accuracy >= 0.9)
        let parsed = RewardDataset.parseCSV(([RewardDataset.csvHeader] + samples.map(RewardDataset.csvLine)).joined(separator: "\n"))
        #expect(parsed == samples)
    }
}
