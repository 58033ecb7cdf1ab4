/// The dispatch settings the rounds need, taken from ``NodeConfiguration/Dispatch``.
public struct DispatchSettings: Sendable {
    public var minersPerQuery: Int
    public var retries: Int
    public var organicScoringProbability: Double
    public var seeds: SeedRange
    /// A request must start within this fraction of its endpoint's timeout.
    public var maxQueueWaitFraction: Double

    public init(minersPerQuery: Int = 2, retries: Int = 1, organicScoringProbability: Double = 0.25, seeds: SeedRange = .unassigned,
                maxQueueWaitFraction: Double = 0.5) {
        self.minersPerQuery = minersPerQuery
        self.retries = retries
        self.organicScoringProbability = organicScoringProbability
        self.seeds = seeds
        self.maxQueueWaitFraction = maxQueueWaitFraction
    }
}
