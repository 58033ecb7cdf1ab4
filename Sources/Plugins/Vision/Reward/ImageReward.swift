import OrganicPluginAPI

/// Rewards image answers by agreement with the other miners' answers to the same request.
///
/// For each answer the validator gathers its features: hashes it computes itself from the
/// returned image (reported hashes are used only when a miner flagged the image NSFW and sent
/// none), the reported CLIP embedding, and the NSFW flag.
/// - NSFW: answers whose flag disagrees with the majority score 0; with a tie the round is
///   inconclusive. The majority are compared among themselves.
/// - A pair scores 1 when the hash model's P(same) >= 0.9 and 0 when P <= 0.1. In between the
///   model is unsure and the pair scores the CLIP cosine through
///   `ConsensusReward.cappedFallback` (at most 0.95), and only if the cosine is >= 0.9.
/// - Each answer's reward is its mean pair score (`ConsensusReward.rewards`).
package struct ImageReward: Sendable {
    let model: HashRewardModel
    let hashing: any PerceptualHashing
    /// Lowest CLIP cosine that earns a fallback reward.
    package static let fallbackMinimumCosine = 0.9

    init(model: HashRewardModel = .trained, hashing: any PerceptualHashing = ImagehashCompatibleHashing()) {
        self.model = model
        self.hashing = hashing
    }

    struct Features {
        var hashes: ImageHashSet?
        var embedding: [Float]?
        var nsfw: Bool
        var image: RGBImage?
    }

    func features(of response: ImageResponse) -> Features {
        var f = Features(hashes: nil, embedding: response.clipEmbedding, nsfw: response.flaggedNSFW, image: nil)
        if let b64 = response.imageB64, !b64.isEmpty {
            // Never trust reported hashes when the image is there.
            if let image = ImageInput.decodeTrusted(b64) {
                f.image = image
                f.hashes = hashing.hashes(of: image)
            }
        } else if response.flaggedNSFW, let reported = response.imageHashes, reported.isWellFormed {
            f.hashes = reported
        }
        return f
    }

    /// The similarity of two answers in [0, 1].
    func similarity(_ a: Features, _ b: Features) -> Double {
        guard let ha = a.hashes, let hb = b.hashes, let distances = HashDistanceFeatures(ha, hb) else { return 0 }
        let p = model.probabilitySame(distances)
        if p >= HashRewardModel.sameThreshold { return 1 }
        if p <= HashRewardModel.differentThreshold { return 0 }
        guard let ea = a.embedding, let eb = b.embedding else { return 0 }
        let cosine = EmbeddingSimilarity.cosine(ea, eb)
        return cosine >= Self.fallbackMinimumCosine ? ConsensusReward.cappedFallback(cosine) : 0
    }

    /// Two image answers agree (similarity 1) when their NSFW flags match and the hash model is
    /// confident they are the same image; the core uses it to referee disagreeing rounds.
    var agreement: AnswerAgreement<ImageResponse> {
        AnswerAgreement(threshold: 1) { a, b in
            guard a.flaggedNSFW == b.flaggedNSFW else { return 0 }
            return similarity(features(of: a), features(of: b))
        }
    }

    /// Scores a round; `agreed` receives the first image the miners agreed on (for the synthetic pool).
    func rewards(for answers: [MinerAnswer<ImageResponse>], agreed: ((RGBImage) -> Void)? = nil) -> RewardVerdict {
        guard answers.count >= 2 else { return .inconclusive("fewer than two answers to compare") }
        let features = answers.map { self.features(of: $0.response) }
        let flagged = features.filter(\.nsfw).count
        if flagged * 2 == answers.count, flagged > 0 {
            return .inconclusive("miners split evenly on the NSFW flag")
        }
        let majorityFlag = flagged * 2 > answers.count
        let group = features.indices.filter { features[$0].nsfw == majorityFlag }
        var scores = [MinerReward](repeating: MinerReward(score: 0, reason: "NSFW flag disagrees with the other miners"),
                                   count: answers.count)
        if group.count >= 2 {
            var totals = [Double](repeating: 0, count: group.count)
            for i in group.indices {
                for j in group.indices where j > i {
                    let s = min(max(similarity(features[group[i]], features[group[j]]), 0), 1)
                    totals[i] += s
                    totals[j] += s
                }
            }
            for (k, index) in group.enumerated() {
                let score = totals[k] / Double(group.count - 1)
                scores[index] = MinerReward(score: score, reason: score >= 0.99 ? "agrees" : "disagrees with other miners")
            }
            if let agreed, let best = group.first(where: { scores[$0].score >= 0.99 }), let image = features[best].image {
                agreed(image)
            }
        } else {
            // A single answer on the majority side has nobody to agree with: no reward either way.
            for index in group { scores[index] = MinerReward(score: 0, reason: "no other answer to compare") }
        }
        return .rewards(scores)
    }
}
