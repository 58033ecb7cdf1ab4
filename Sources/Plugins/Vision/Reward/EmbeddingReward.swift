package import OrganicPluginAPI

/// Rewards clip-embeddings answers: two answers agree when the mean cosine similarity of their
/// embeddings (image by image, for the same jittered images) is at least ``threshold``.
package enum EmbeddingReward {
    /// Agreement threshold on the mean cosine, as the subnet used it.
    package static let threshold = 0.999

    /// Two answers agree (similarity 1) when their mean cosine reaches ``threshold``; otherwise 0.
    package static let agreement = AnswerAgreement<ClipEmbeddingsResponse>(threshold: 1) { a, b in
        meanCosine(a.clipEmbeddings, b.clipEmbeddings) >= threshold ? 1 : 0
    }

    package static func rewards(for answers: [MinerAnswer<ClipEmbeddingsResponse>]) -> RewardVerdict {
        ConsensusReward.rewards(for: answers, agreement: agreement)
    }

    package static func meanCosine(_ a: [[Float]], _ b: [[Float]]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var total = 0.0
        for i in a.indices { total += EmbeddingSimilarity.cosine(a[i], b[i]) }
        return total / Double(a.count)
    }
}
