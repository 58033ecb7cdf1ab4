/// The dispatch settings the rounds need, taken from ``NodeConfiguration/Dispatch``.
public struct DispatchSettings: Sendable {
    public var minersPerQuery: Int
    public var retries: Int
    public var organicScoringProbability: Double
    public var seeds: SeedRange
    /// A request must start within this fraction of its endpoint's timeout.
    public var maxQueueWaitFraction: Double
    /// Handed to reward functions as ``ScoringRound/fallbackEpsilon`` (`scoring.fallbackEpsilon`).
    public var fallbackEpsilon: Double
    /// Fair-queue weight per key tier (`dispatch.queues.tierWeights`).
    public var tierWeights: [String: Double]
    /// Referees for disagreeing consensus rounds (`scoring.maxReferees`, `scoring.refereeAuditProbability`).
    public var tieBreaks: TieBreakSettings

    public init(minersPerQuery: Int = 2, retries: Int = 1, organicScoringProbability: Double = 0.25, seeds: SeedRange = .unassigned,
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
