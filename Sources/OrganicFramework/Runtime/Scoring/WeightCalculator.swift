import Foundation

/// How scores are turned into weights.
package struct WeightPolicy: Sendable, Hashable, Codable {
    /// Scores are raised to this power before normalising (1 = unchanged).
    package var exponent: Double
    /// Largest normalised share of one uid, in (0, 1]; 1 = no limit.
    package var maxWeight: Double
    /// Smallest number of uids in the u16 vector; 0 = no minimum.
    package var minAllowedWeights: Int

    package init(exponent: Double = 1, maxWeight: Double = 1, minAllowedWeights: Int = 0) {
        self.exponent = exponent
        self.maxWeight = maxWeight
        self.minAllowedWeights = minAllowedWeights
    }
}

/// The weights as the chain takes them: parallel lists of uids (ascending) and u16 weights.
package struct WeightVector: Sendable, Hashable, Codable {
    package var uids: [UInt16]
    package var weights: [UInt16]

    package init(uids: [UInt16], weights: [UInt16]) {
        self.uids = uids
        self.weights = weights
    }

    package var isEmpty: Bool { uids.isEmpty }
}

/// Pure functions from scores to weights; every step is documented in Docs/Scoring.md.
package enum WeightCalculator {
    /// The u16 value of the largest weight.
    package static let u16Max = Double(UInt16.max)

    /// Scores → normalised weights (same order): non-finite or negative scores count 0, each
    /// score is raised to `exponent`, the results are divided by their sum, then the max-weight
    /// limit is applied. All zeros when no score is positive.
    package static func normalized(_ scores: [Double], policy: WeightPolicy) -> [Double] {
        let exponent = policy.exponent.isFinite && policy.exponent > 0 ? policy.exponent : 1
        var raised = scores.map { score -> Double in
            guard score.isFinite, score > 0 else { return 0 }
            let r = exponent == 1 ? score : pow(score, exponent)
            return r.isFinite ? r : 0
        }
        let total = raised.reduce(0, +)
        guard total > 0, total.isFinite else { return [Double](repeating: 0, count: scores.count) }
        for i in raised.indices { raised[i] /= total }
        return capped(raised, maxWeight: policy.maxWeight)
    }

    /// Limits every share to `maxWeight` and hands the excess to the uncapped shares in
    /// proportion to their size, repeating until none exceeds the limit. When the positive
    /// shares are too few to respect the limit (count × maxWeight < 1), they become equal.
    package static func capped(_ weights: [Double], maxWeight: Double) -> [Double] {
        guard maxWeight.isFinite, maxWeight > 0, maxWeight < 1 else { return weights }
        let positive = weights.indices.filter { weights[$0] > 0 }
        guard !positive.isEmpty else { return weights }
        var result = weights
        if Double(positive.count) * maxWeight <= 1 {
            for i in positive { result[i] = 1 / Double(positive.count) }
            return result
        }
        var isCapped = [Bool](repeating: false, count: weights.count)
        var cappedCount = 0
        while true {
            let remaining = 1 - Double(cappedCount) * maxWeight
            var freeTotal = 0.0
            for i in positive where !isCapped[i] { freeTotal += weights[i] }
            guard freeTotal > 0 else { break }
            var newlyCapped = false
            for i in positive where !isCapped[i] {
                let share = weights[i] * remaining / freeTotal
                if share > maxWeight {
                    isCapped[i] = true
                    cappedCount += 1
                    newlyCapped = true
                }
            }
            if !newlyCapped {
                for i in positive { result[i] = isCapped[i] ? maxWeight : weights[i] * remaining / freeTotal }
                break
            }
        }
        return result
    }

    /// Normalised weights → u16: each weight is divided by the largest and multiplied by 65535,
    /// rounded to the nearest integer with halves to even (as the Bittensor SDK does, so a vector
    /// is bit-identical to what the SDK would emit), and zeros are dropped. When fewer than
    /// `minAllowedWeights` uids remain, the lowest-numbered missing uids of `eligible` are added
    /// with weight 1. Output is sorted by uid.
    package static func u16(uids: [UInt16], weights: [Double], minAllowedWeights: Int = 0, eligible: [UInt16] = []) -> WeightVector {
        var pairs: [(uid: UInt16, weight: UInt16)] = []
        let largest = weights.lazy.filter { $0.isFinite }.max() ?? 0
        if largest > 0 {
            for (uid, weight) in zip(uids, weights) where weight.isFinite && weight > 0 {
                let scaled = (weight / largest * u16Max).rounded(.toNearestOrEven)
                let value = UInt16(min(max(scaled, 0), u16Max))
                if value > 0 { pairs.append((uid, value)) }
            }
        }
        if pairs.count < minAllowedWeights {
            var present = Set(pairs.map(\.uid))
            for uid in eligible.sorted() where pairs.count < minAllowedWeights && !present.contains(uid) {
                pairs.append((uid, 1))
                present.insert(uid)
            }
        }
        pairs.sort { $0.uid < $1.uid }
        return WeightVector(uids: pairs.map(\.uid), weights: pairs.map(\.weight))
    }

    /// Scores of the uids in the metagraph → the vector to set. `uids` and `scores` are
    /// parallel; uids outside the metagraph must not be passed (the caller filters them).
    package static func vector(uids: [UInt16], scores: [Double], policy: WeightPolicy) -> (normalized: [Double], vector: WeightVector) {
        let normalized = normalized(scores, policy: policy)
        let vector = u16(uids: uids, weights: normalized, minAllowedWeights: policy.minAllowedWeights, eligible: uids)
        return (normalized, vector)
    }
}
