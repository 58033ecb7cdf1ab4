import Foundation

/// The tokens a request's settings allow at one step, with their weights.
///
/// The sampler draws from it and the verifier asks it whether a claimed token could have been
/// drawn, so both apply the same rules, in vLLM's order: end-of-text is masked before
/// `minTokens`; greedy takes the most likely token (lowest id on ties); otherwise probabilities
/// are raised to 1 / temperature, then cut to the top-p nucleus.
struct SamplingCandidates {
    private let probabilities: [Double]
    private let parameters: SamplingParameters
    private let masksEndOfText: Bool
    /// The most likely allowed token.
    private let best: Int
    /// Temperature-scaled weights (0 when masked), unnormalised; empty when greedy.
    private let weights: [Double]
    private let totalWeight: Double
    /// With top-p < 1: allowed ids by weight, heaviest first (ties by id), and the nucleus size.
    private let ranked: [Int]
    private let nucleusCount: Int

    init(probabilities: [Double], step: Int, parameters: SamplingParameters) {
        self.probabilities = probabilities
        self.parameters = parameters
        masksEndOfText = step < parameters.minTokens
        let end = Tokenizer.endOfText
        var best = -1
        for id in probabilities.indices where !(masksEndOfText && id == end) {
            if best < 0 || probabilities[id] > probabilities[best] { best = id }
        }
        self.best = best
        guard !parameters.isGreedy else {
            (weights, totalWeight, ranked, nucleusCount) = ([], 0, [], 0)
            return
        }
        let exponent = 1 / parameters.temperature
        let top = probabilities[best]
        var weights = exponent == 1 ? probabilities : probabilities.map { Foundation.pow($0 / top, exponent) }
        if masksEndOfText { weights[end] = 0 }
        var total = 0.0
        for w in weights { total += w }
        self.weights = weights
        totalWeight = total
        guard parameters.topP < 1 else {
            (ranked, nucleusCount) = ([], 0)
            return
        }
        let cut = parameters.topP * total
        // Tokens lighter than `floor` weigh at most `total - cut` together, so the nucleus lies among
        // the heavier ones: only those are sorted (the full sort is the fallback for rounding).
        let floor = (total - cut) / Double(weights.count)
        var ranked = Self.rank(weights, above: floor)
        var heavy = 0.0
        for id in ranked { heavy += weights[id] }
        if heavy < cut { ranked = Self.rank(weights, above: 0) }
        var mass = 0.0, count = 0
        while count < ranked.count && (count == 0 || mass < cut) {
            mass += weights[ranked[count]]
            count += 1
        }
        self.ranked = ranked
        nucleusCount = count
    }

    /// Ids with a weight of at least `floor` (and above 0), heaviest first, ties by id.
    private static func rank(_ weights: [Double], above floor: Double) -> [Int] {
        weights.indices.filter { weights[$0] > 0 && weights[$0] >= floor }
            .sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) }
    }

    /// The token for a uniform draw `u` in [0, 1) (ignored when greedy).
    func draw(_ u: Double) -> Int {
        if parameters.isGreedy { return best }
        if parameters.topP < 1 {
            let nucleus = ranked[..<nucleusCount]
            var mass = 0.0
            for id in nucleus { mass += weights[id] }
            return pick(u * mass, from: nucleus) ?? best
        }
        return pick(u * totalWeight, from: weights.indices) ?? best
    }

    private func pick(_ target: Double, from ids: some Collection<Int>) -> Int? {
        var sum = 0.0, last: Int?
        for id in ids where weights[id] > 0 {
            sum += weights[id]
            if sum > target { return id }
            last = id
        }
        return last
    }

    /// Whether `token` could have been drawn; tokens more likely than it by at most `tolerance`
    /// (in log space) count as ties, so small hardware differences do not reject an honest miner.
    func admits(_ token: Int, tolerance: Double) -> Bool {
        guard probabilities.indices.contains(token), !(masksEndOfText && token == Tokenizer.endOfText) else { return false }
        let margin = Foundation.exp(tolerance)
        if parameters.isGreedy { return probabilities[token] * margin >= probabilities[best] }
        guard parameters.topP < 1 else { return probabilities[token] > 0 }
        // In the nucleus unless the tokens clearly more likely already fill it.
        let bar = probabilities[token] * margin
        var above = 0.0
        for id in weights.indices where probabilities[id] > bar { above += weights[id] }
        return above < parameters.topP * totalWeight
    }
}
