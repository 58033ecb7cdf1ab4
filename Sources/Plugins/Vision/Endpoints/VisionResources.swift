import Foundation
import OrganicPluginAPI
import PromptCorpus

/// What the vision endpoints share: settings, the prompt chain, the synthetic image pool and the reward.
struct VisionResources: Sendable {
    let configuration: VisionConfiguration
    let prompts: CaptionMarkovChain
    let pool: SyntheticImagePool
    let reward: ImageReward

    init(configuration: VisionConfiguration) throws {
        self.configuration = configuration
        prompts = try configuration.captionCorpusPath.map(CaptionMarkovChain.load(path:)) ?? CaptionMarkovChain.bundled()
        pool = SyntheticImagePool(side: configuration.syntheticImageSize)
        reward = ImageReward()
    }

    func descriptor(name: String, summary: String, timeout: Duration, images: Int, models: [String]? = nil,
                    price: Double? = nil, routesByModel: Bool = false) -> EndpointDescriptor {
        EndpointDescriptor(
            name: name, summary: summary, timeout: timeout, price: price ?? configuration.imagePrice, scoring: .syntheticAndOrganic,
            maxRequestBytes: configuration.maxRequestBytes(images: images), maxResponseBytes: 48 << 20,
            models: models ?? configuration.models.map(\.name), routesByModel: routesByModel)
    }

    /// Scores image answers; agreed synthetic outputs feed the image pool.
    func rewardImages<R>(_ round: ScoringRound<R, ImageResponse>) -> RewardVerdict {
        let pool = self.pool
        return reward.rewards(for: round.answers, agreed: round.isOrganic ? nil : { pool.add($0) })
    }

    /// How two image answers are compared for tie-breaks.
    var imageAgreement: AnswerAgreement<ImageResponse> { reward.agreement }

    /// NSFW answers become 403; the reward-only fields are removed; JPEG output if configured.
    func imageForCaller(_ response: ImageResponse) throws(CallerRefusal) -> ImageResponse {
        if response.flaggedNSFW || response.imageB64 == nil {
            throw CallerRefusal(status: 403, code: "nsfw_content",
                                message: "The generated image was flagged as NSFW and is withheld. No credits are charged for it.")
        }
        var image = response.imageB64 ?? ""
        if configuration.outputFormat == .jpeg, let decoded = ImageInput.decodeTrusted(image),
           let jpeg = try? ImageCodec.encodeJPEG(decoded, quality: 92) {
            image = Data(jpeg).base64EncodedString()
        }
        return ImageResponse(imageB64: image)
    }

    /// A synthetic input picture, PNG base64.
    func syntheticImage(using random: inout OrganicRandom) -> RGBImage {
        pool.pick(using: &random, prompts: prompts)
    }
}
