/// The dispatch settings the rounds need, taken from ``NodeConfiguration/Dispatch``.
package struct DispatchSettings: Sendable {
    package var minersPerQuery: Int
    package var retries: Int
    package var organicScoringProbability: Double
    package var seeds: SeedRange
    /// A request must start within this fraction of its endpoint's timeout.
    package var maxQueueWaitFraction: Double
    /// Handed to reward functions as ``ScoringRound/fallbackEpsilon`` (`scoring.fallbackEpsilon`).
    package var fallbackEpsilon: Double
    /// Fair-queue weight per key tier (`dispatch.queues.tierWeights`).
    package var tierWeights: [String: Double]
    /// Referees for disagreeing consensus rounds (`scoring.maxReferees`, `scoring.refereeAuditProbability`).
    package var tieBreaks: TieBreakSettings

    package init(minersPerQuery: Int = 2, retries: Int = 1, organicScoringProbability: Double = 0.25, seeds: SeedRange = .unassigned,
                maxQueueWaitFraction: Double = 0.5, fallbackEpsilon: Double = ConsensusReward.defaultFallbackEpsilon,
                tierWeights: [String: Double] = ["standard": 1, "priority": 4], tieBreaks: TieBreakSettings = TieBreakSettings()) {
        self.tieBreaks = tieBreaks
        self.minersPerQuery = minersPerQuery
        self.retries = retries
        self.organicScoringProbability = organicScoringProbability
        self.seeds = seeds
        self.maxQueueWaitFraction = maxQueueWaitFraction
        self.fallbackEpsilon = fallbackEpsilon
        self.tierWeights = tierWeights
    }
}
