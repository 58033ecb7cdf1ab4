/// Pure functions from period means to per-miner scores; see Docs/Scoring.md.
package enum ScoreCalculator {
    /// A miner's score on one endpoint from its frozen period means.
    ///
    /// Only the periods in `[current - K, current - 1]` count; periods in which the miner was
    /// never scored are left out (they neither help nor hurt). The score is the mean of the
    /// remaining period means, multiplied by `min(1, n / minimumPeriods)` where `n` is how many
    /// periods remain, so a newcomer ramps up instead of jumping to the top after one period.
    package static func endpointScore(_ periods: [PeriodMean], currentPeriod: Int64, periodsKept: Int, minimumPeriods: Int)
        -> (score: Double, meanOfPeriods: Double, periodsCounted: Int)
    {
        let oldest = currentPeriod - Int64(periodsKept)
        var total = 0.0
        var n = 0
        for p in periods where p.period >= oldest && p.period < currentPeriod && p.rounds > 0 && p.mean.isFinite {
            total += p.mean
            n += 1
        }
        let (score, mean) = endpointScore(total: total, counted: n, minimumPeriods: minimumPeriods)
        return (score, mean, n)
    }

    /// The score of `n` counted period means summing to `total` (summed oldest first): their
    /// mean times the newcomer penalty, in [0, 1]; 0 when none counted.
    @inline(__always)
    static func endpointScore(total: Double, counted n: Int, minimumPeriods: Int) -> (score: Double, meanOfPeriods: Double) {
        guard n > 0 else { return (0, 0) }
        let mean = total / Double(n)
        let penalty = minimumPeriods > 0 ? min(1, Double(n) / Double(minimumPeriods)) : 1
        return (min(max(mean * penalty, 0), 1), mean)
    }

    /// Per-hotkey scores: `Σ endpointWeight × endpointScore` over the endpoints with a weight,
    /// summed in endpoint name order (so that the result does not depend on hashing).
    /// Endpoints a miner was never scored on contribute 0.
    package static func minerScores(_ snapshot: ScoreBook.Snapshot, endpointWeights: [String: Double], minimumPeriods: Int)
        -> [String: Double]
    {
        var scores: [String: Double] = [:]
        scores.reserveCapacity(snapshot.history.count)
        for (key, periods) in snapshot.history.sorted(by: { $0.key.endpoint < $1.key.endpoint }) {
            guard let share = endpointWeights[key.endpoint], share > 0 else { continue }
            let score = endpointScore(periods, currentPeriod: snapshot.period, periodsKept: snapshot.periodsKept,
                                      minimumPeriods: minimumPeriods).score
            scores[key.hotkey, default: 0] += share * score
        }
        return scores
    }

    /// The scores of the metagraph's neurons (by their current hotkey) in uid order, ready for
    /// ``WeightCalculator/vector(uids:scores:policy:)``. Hotkeys outside the metagraph are left out.
    package static func metagraphScores(_ scores: [String: Double], metagraph: Metagraph) -> (uids: [UInt16], scores: [Double]) {
        let neurons = metagraph.neurons.sorted { $0.uid < $1.uid }
        var seen = Set<UInt16>()
        var uids: [UInt16] = []
        var values: [Double] = []
        uids.reserveCapacity(neurons.count)
        values.reserveCapacity(neurons.count)
        for neuron in neurons where seen.insert(neuron.uid).inserted {
            uids.append(neuron.uid)
            values.append(scores[neuron.hotkey] ?? 0)
        }
        return (uids, values)
    }
}
