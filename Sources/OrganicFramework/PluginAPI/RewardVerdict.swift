/// A miner's reward for one answer.
public struct MinerReward: Sendable, Hashable {
    /// In [0, 1]. The core discards a round whose scores are not finite or out of range.
    public var score: Double
    /// Why, in a few words; stored with the score for operators and miners.
    public var reason: String?

    public init(score: Double, reason: String? = nil) {
        self.score = score
        self.reason = reason
    }
}

/// What a reward function concluded about a round.
public enum RewardVerdict: Sendable, Hashable {
    /// One reward per answer, in the order of ``ScoringRound/answers``.
    case rewards([MinerReward])
    /// The answers cannot be judged (for example, a single answer to a comparison-based
    /// reward). Valid answers get no score; failed miners still score 0.
    case inconclusive(String)
}
