package import Foundation

/// The validated scoring and weight settings, taken from ``NodeConfiguration/Scoring`` and
/// ``NodeConfiguration/Weights``.
package struct ScoringSettings: Sendable, Hashable {
    package var periodSeconds: Double
    package var periodsKept: Int
    package var minimumPeriods: Int
    package var flushInterval: Duration
    /// Share of each endpoint in a miner's score; sums to 1.
    package var endpointWeights: [String: Double]
    package var fallbackEpsilon: Double
    package var weightPolicy: WeightPolicy
    /// Referees for disagreeing consensus rounds.
    package var tieBreaks: TieBreakSettings

    package init(periodSeconds: Double = 600, periodsKept: Int = 30, minimumPeriods: Int = 3, flushInterval: Duration = .seconds(60),
                endpointWeights: [String: Double], fallbackEpsilon: Double = 0.05, weightPolicy: WeightPolicy = WeightPolicy(),
                tieBreaks: TieBreakSettings = TieBreakSettings()) {
        self.tieBreaks = tieBreaks
        self.periodSeconds = periodSeconds
        self.periodsKept = periodsKept
        self.minimumPeriods = minimumPeriods
        self.flushInterval = flushInterval
        self.endpointWeights = endpointWeights
        self.fallbackEpsilon = fallbackEpsilon
        self.weightPolicy = weightPolicy
    }

    /// Checks the configuration against the endpoints the node serves.
    package init(configuration: NodeConfiguration, endpoints: [String]) throws(ConfigurationError) {
        let s = configuration.scoring
        guard s.periodSeconds.isFinite, s.periodSeconds > 0 else { throw ConfigurationError("scoring.periodSeconds must be positive") }
        guard (1...10_000).contains(s.periodsKept) else { throw ConfigurationError("scoring.periodsKept must be 1...10000") }
        guard (1...s.periodsKept).contains(s.minimumPeriods) else {
            throw ConfigurationError("scoring.minimumPeriods must be between 1 and scoring.periodsKept")
        }
        guard s.flushIntervalSeconds.isFinite, s.flushIntervalSeconds > 0 else {
            throw ConfigurationError("scoring.flushIntervalSeconds must be positive")
        }
        guard s.fallbackEpsilon.isFinite, (0...1).contains(s.fallbackEpsilon) else {
            throw ConfigurationError("scoring.fallbackEpsilon must be in [0, 1]")
        }
        var shares: [String: Double] = [:]
        if s.endpointWeights.isEmpty {
            for name in endpoints { shares[name] = 1 / Double(endpoints.count) }
        } else {
            for (name, share) in s.endpointWeights {
                guard endpoints.contains(name) else {
                    throw ConfigurationError("scoring.endpointWeights names unknown endpoint '\(name)'")
                }
                guard share.isFinite, share >= 0 else { throw ConfigurationError("scoring.endpointWeights.\(name) must be >= 0") }
                shares[name] = share
            }
            let total = shares.values.reduce(0, +)
            guard abs(total - 1) <= 1e-6 else {
                throw ConfigurationError("scoring.endpointWeights must sum to 1 (they sum to \(total))")
            }
        }
        guard (0...16).contains(s.maxReferees) else { throw ConfigurationError("scoring.maxReferees must be 0...16") }
        guard s.refereeAuditProbability.isFinite, (0...1).contains(s.refereeAuditProbability) else {
            throw ConfigurationError("scoring.refereeAuditProbability must be in [0, 1]")
        }
        let w = configuration.weights
        guard w.exponent.isFinite, w.exponent > 0 else { throw ConfigurationError("weights.exponent must be positive") }
        guard w.maxWeight.isFinite, w.maxWeight > 0, w.maxWeight <= 1 else { throw ConfigurationError("weights.maxWeight must be in (0, 1]") }
        guard (0...65535).contains(w.minAllowedWeights) else { throw ConfigurationError("weights.minAllowedWeights must be 0...65535") }
        self.init(periodSeconds: s.periodSeconds, periodsKept: s.periodsKept, minimumPeriods: s.minimumPeriods,
                  flushInterval: .seconds(double: s.flushIntervalSeconds), endpointWeights: shares, fallbackEpsilon: s.fallbackEpsilon,
                  weightPolicy: WeightPolicy(exponent: w.exponent, maxWeight: w.maxWeight, minAllowedWeights: w.minAllowedWeights),
                  tieBreaks: TieBreakSettings(maxReferees: s.maxReferees, auditProbability: s.refereeAuditProbability))
    }

    /// The period that holds `date`: `floor(unix time / periodSeconds)`.
    package func period(of date: Date) -> Int64 {
        ScoringPeriods.index(of: date, periodSeconds: periodSeconds)
    }
}

/// Period arithmetic shared by the score book, the store and the reports.
package enum ScoringPeriods {
    /// `floor(unix time / periodSeconds)`, so boundaries fall on multiples of the period length.
    package static func index(of date: Date, periodSeconds: Double) -> Int64 {
        let raw = (date.timeIntervalSince1970 / periodSeconds).rounded(.down)
        guard raw.isFinite else { return 0 }
        return Int64(max(min(raw, Double(Int64.max / 2)), Double(Int64.min / 2)))
    }

    /// When period `index` starts.
    package static func start(of index: Int64, periodSeconds: Double) -> Date {
        Date(timeIntervalSince1970: Double(index) * periodSeconds)
    }
}
