extension NodeConfiguration {
    /// How round scores become per-miner scores (see Docs/Scoring.md).
    public struct Scoring: Codable, Sendable, Equatable {
        /// Length of one scoring period, in seconds. Periods are aligned to the Unix epoch, so
        /// every validator with the same setting shares the same boundaries. Changing it starts
        /// scores afresh.
        public var periodSeconds = 600.0
        /// Periods kept (K): a miner's score is the mean of its period means over the last K
        /// completed periods.
        public var periodsKept = 30
        /// While a miner has scores in fewer than this many kept periods, its score is scaled
        /// by `periods / minimumPeriods`.
        public var minimumPeriods = 3
        /// Seconds between writes of the current period's running sums to the database; a crash
        /// loses at most this much scoring.
        public var flushIntervalSeconds = 60.0
        /// Share of each endpoint in a miner's score, keyed by endpoint name; must sum to 1.
        /// Empty means every endpoint counts equally; endpoints left out count 0.
        public var endpointWeights: [String: Double] = [:]
        /// Rewards that rest on a fallback similarity are capped at `1 - fallbackEpsilon`
        /// (plugins use `ScoringRound.cappedFallback`).
        public var fallbackEpsilon = 0.05
        /// Reward functions running at once per endpoint (they may call a checking service);
        /// more rounds wait for a slot within their endpoint's scoring timeout.
        public var maxConcurrentRewards = 16
        /// Rounds per endpoint waiting for a reward slot; beyond it a round is discarded.
        public var maxWaitingRewards = 1024
        /// Threads dedicated to reward functions, apart from the threads that serve requests;
        /// at most this many cores go to scoring at once.
        public var rewardThreads = 1
        /// Miners asked as referees when the answers to a consensus round disagree (below the
        /// endpoint's agreement threshold); 0 turns tie-breaks off. Drawn from free capacity at
        /// synthetic priority after the caller has been answered.
        public var maxReferees = 2
        /// Chance that a consensus round whose answers agree is refereed anyway (catches
        /// colluding miners that happen to be paired).
        public var refereeAuditProbability = 0.05
        public init() {}
    }

    /// How scores become the weight vector, and how often it is set.
    public struct Weights: Codable, Sendable, Equatable {
        /// Whether the node computes and sets weights on a schedule.
        public var enabled = true
        /// Seconds between two weight settings (1200 ≈ 100 blocks of 12 s).
        public var intervalSeconds = 1200.0
        /// Scores are raised to this power before normalising; above 1 sharpens differences.
        public var exponent = 1.0
        /// Largest share one uid may get after normalising, in (0, 1]; 1 means no limit.
        public var maxWeight = 1.0
        /// Smallest number of uids the vector must hold; padded with weight 1 (of 65535) when
        /// fewer miners have a score. 0 means no minimum.
        public var minAllowedWeights = 0
        /// Where weights go: `record` (database and JSON file) or `log`; anything else fails at load.
        public var setter: WeightDestination = .record
        /// JSON file that `record` rewrites with the latest vector; empty means `weights.json`
        /// next to the database file.
        public var outputPath = ""
        /// Attempts per setting before giving up until the next interval.
        public var maxAttempts = 5
        /// First pause between attempts, in seconds; doubles after each failed attempt.
        public var retryBaseSeconds = 5.0
        public init() {}
    }
}

/// Where a node's weight vectors go when they are not set on the chain (`weights.setter`).
public enum WeightDestination: String, Codable, Sendable, CaseIterable {
    /// Stored in the database with their time, and the latest rewritten to a JSON file.
    case record
    /// Written to the log only.
    case log
}
