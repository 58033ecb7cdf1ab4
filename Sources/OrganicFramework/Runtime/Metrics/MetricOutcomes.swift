/// How a miner's attempt in a round ended (`organic_miner_attempts_total{outcome}`).
enum MinerAttemptOutcome: String, CaseIterable, Sendable {
    case answered
    case busy
    case failed
    /// The caller left while this miner streamed to it.
    case abandoned
}

/// What became of a scored round (`organic_rounds_total{outcome}`): scored, not scored for
/// want of a verdict, or discarded and why.
enum RoundOutcome: String, CaseIterable, Sendable {
    case scored
    case inconclusive
    /// The reward function returned the wrong number of rewards or a score outside [0, 1].
    case discardedRewardContract = "discarded_reward_contract"
    case discardedScoringTimeout = "discarded_scoring_timeout"
    /// Too many rounds were waiting for a reward function.
    case discardedScoringOverloaded = "discarded_scoring_overloaded"
    /// The tie-break between disagreeing answers timed out or was refused.
    case discardedTieBreak = "discarded_tie_break"
}

/// Whether a synthetic query found miners (`organic_synthetic_queries_total{outcome}`).
enum SyntheticOutcome: String, CaseIterable, Sendable {
    case dispatched
    case notAdmitted = "not_admitted"
}

/// Whether one attempt to set weights went through (`organic_weight_set_attempts_total{result}`).
enum WeightSettingResult: String, CaseIterable, Sendable {
    case success
    case failure
}

/// Why the scheduler turned a request away (`organic_queue_shed_total{reason}`).
enum ShedReason: String, CaseIterable, Sendable {
    case queueFull = "queue_full"
    case deadline
    case overloaded
}
