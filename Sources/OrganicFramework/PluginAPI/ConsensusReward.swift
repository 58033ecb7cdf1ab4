/// Rewards for subnets whose honest miners agree: each answer is scored by how closely it
/// matches the other answers to the same request.
///
/// With N miners per query, an honest miner paired with another honest miner scores high and
/// one paired with a dishonest miner scores low; averaged over many rounds honest miners rise
/// above dishonest ones, which are never paired favourably.
public enum ConsensusReward {
    /// The gap below 1 at which fallback-based rewards are capped unless the node sets
    /// `scoring.fallbackEpsilon`.
    public static let defaultFallbackEpsilon = 0.05

    /// Scores each answer by its mean `similarity` (in [0, 1]) to every other answer.
    /// A single answer cannot be compared, so the verdict is inconclusive.
    @inlinable
    public static func rewards<Response>(
        for answers: [MinerAnswer<Response>],
        similarity: (Response, Response) -> Double
    ) -> RewardVerdict {
        guard answers.count >= 2 else { return .inconclusive("fewer than two answers to compare") }
        var totals = [Double](repeating: 0, count: answers.count)
        for i in answers.indices {
            for j in answers.indices where j > i {
                let s = min(max(similarity(answers[i].response, answers[j].response), 0), 1)
                totals[i] += s
                totals[j] += s
            }
        }
        let others = Double(answers.count - 1)
        return .rewards(totals.map { MinerReward(score: $0 / others) })
    }

    /// Scores each answer by its mean similarity to every other answer, as the endpoint's
    /// ``AnswerAgreement`` measures it (the same comparison the core uses for tie-breaks).
    @inlinable
    public static func rewards<Response>(for answers: [MinerAnswer<Response>], agreement: AnswerAgreement<Response>) -> RewardVerdict {
        rewards(for: answers, similarity: agreement.score)
    }

    /// Caps a reward that rests on a fallback similarity (such as an embedding cosine) at
    /// `1 - epsilon`, so that a look-alike answer is never worth as much as the real work.
    /// Prefer ``ScoringRound/cappedFallback(_:)``, which uses the operator's epsilon.
    @inlinable
    public static func cappedFallback(_ similarity: Double, epsilon: Double = defaultFallbackEpsilon) -> Double {
        guard similarity.isFinite else { return 0 }
        let cap = epsilon.isFinite ? 1 - min(max(epsilon, 0), 1) : 1 - defaultFallbackEpsilon
        return min(max(similarity, 0), cap)
    }
}
