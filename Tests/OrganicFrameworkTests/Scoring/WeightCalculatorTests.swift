import OrganicFramework
import PropertyBased
import Testing

@Suite("Weight calculation")
struct WeightCalculatorTests {
    @Test("normalising divides by the sum; the exponent sharpens (hand-computed)")
    func normalise() {
        #expect(WeightCalculator.normalized([0.2, 0.3, 0.5], policy: WeightPolicy()) == [0.2 / 1.0, 0.3 / 1.0, 0.5 / 1.0])
        // Squared: 0.25, 0.25, 1.0 → sum 1.5 → 1/6, 1/6, 2/3.
        let squared = WeightCalculator.normalized([0.5, 0.5, 1.0], policy: WeightPolicy(exponent: 2))
        #expect(abs(squared[0] - 1.0 / 6) < 1e-12 && abs(squared[1] - 1.0 / 6) < 1e-12 && abs(squared[2] - 2.0 / 3) < 1e-12)
        // NaN, infinity and negative scores count 0.
        #expect(WeightCalculator.normalized([.nan, -1, .infinity, 1], policy: WeightPolicy()) == [0, 0, 0, 1])
    }

    @Test("u16: the largest weight becomes 65535, others scale and round half to even (as the SDK), zeros drop")
    func u16Rounding() {
        // 0.5/0.8·65535 = 40959.375 → 40959; 0.3/0.8·65535 = 24575.625 → 24576.
        let v = WeightCalculator.u16(uids: [4, 2, 9, 7], weights: [0.5, 0.3, 0.8, 0])
        #expect(v.uids == [2, 4, 9])
        #expect(v.weights == [24576, 40959, 65535])
        // A tie: half of the max scales to exactly 32767.5 → the even neighbour, 32768.
        let tie = WeightCalculator.u16(uids: [0, 1], weights: [1, 0.5])
        #expect(tie.weights == [65535, 32768])
        // Below one half it rounds to 0 and is dropped.
        let tiny = WeightCalculator.u16(uids: [0, 1], weights: [1, 1.0 / 200_000])
        #expect(tiny.uids == [0])
        // Equal weights all become 65535.
        #expect(WeightCalculator.u16(uids: [3, 1, 2], weights: [0.2, 0.2, 0.2]).weights == [65535, 65535, 65535])
    }

    @Test("all-zero scores produce an empty vector")
    func allZero() {
        let (normalized, vector) = WeightCalculator.vector(uids: [0, 1, 2], scores: [0, 0, 0], policy: WeightPolicy())
        #expect(normalized == [0, 0, 0])
        #expect(vector.isEmpty)
    }

    @Test("the max-weight limit caps a share and redistributes the excess proportionally (hand-computed)")
    func maxWeight() {
        // [0.7, 0.2, 0.1] capped at 0.5: excess 0.2 shared 2:1 → [0.5, 0.2 + 0.4/3, 0.1 + 0.2/3].
        let w = WeightCalculator.capped([0.7, 0.2, 0.1], maxWeight: 0.5)
        #expect(abs(w[0] - 0.5) < 1e-12)
        #expect(abs(w[1] - (0.5 * 2 / 3)) < 1e-12)
        #expect(abs(w[2] - (0.5 / 3)) < 1e-12)
        // Redistribution can push a second share over the limit: [0.6, 0.3, 0.1] at 0.35 → [0.35, 0.35, 0.3].
        let twice = WeightCalculator.capped([0.6, 0.3, 0.1], maxWeight: 0.35)
        #expect(abs(twice[0] - 0.35) < 1e-12 && abs(twice[1] - 0.35) < 1e-12 && abs(twice[2] - 0.3) < 1e-12)
        // Too few positive shares to respect the limit: they become equal.
        #expect(WeightCalculator.capped([0.9, 0.1, 0], maxWeight: 0.4) == [0.5, 0.5, 0])
    }

    @Test("min-allowed-weights pads with the lowest missing uids at weight 1")
    func minAllowed() {
        let v = WeightCalculator.u16(uids: [5, 1, 3, 8], weights: [0.6, 0, 0.4, 0], minAllowedWeights: 3, eligible: [5, 1, 3, 8])
        // 0.4/0.6·65535 = 43690 exactly.
        #expect(v.uids == [1, 3, 5])
        #expect(v.weights == [1, 43690, 65535])
    }

    @Test("property: normalised weights sum to 1 and respect the limit; u16 max is 65535 when any score > 0")
    func sumsToOne() async {
        await propertyCheck(input: Gen.double(in: 0...1).array(of: 1...64), Gen.double(in: 0.05...1), Gen.double(in: 0.5...3)) { scores, cap, exponent in
            let policy = WeightPolicy(exponent: exponent, maxWeight: cap)
            let uids = scores.indices.map { UInt16($0) }
            let (normalized, vector) = WeightCalculator.vector(uids: uids, scores: scores, policy: policy)
            if scores.contains(where: { $0 > 0 }) {
                #expect(abs(normalized.reduce(0, +) - 1) < 1e-9)
                #expect(vector.weights.max() == 65535)
                let positive = normalized.filter { $0 > 0 }.count
                if Double(positive) * cap > 1 { #expect(normalized.allSatisfy { $0 <= cap + 1e-9 }) }
            } else {
                #expect(vector.isEmpty)
            }
            #expect(vector.uids == vector.uids.sorted())
            #expect(Set(vector.uids).isSubset(of: Set(uids)))
        }
    }

    @Test("property: permuting miners permutes their weights")
    func permutation() async {
        await propertyCheck(input: Gen.double(in: 0...1).array(of: 2...40), Gen.uint64()) { scores, seed in
            var random = OrganicRandom(seed: seed)
            let uids = scores.indices.map { UInt16($0) }
            var order = Array(scores.indices)
            order.shuffle(using: &random)
            let policy = WeightPolicy(exponent: 2, maxWeight: 0.3)
            let straight = WeightCalculator.vector(uids: uids, scores: scores, policy: policy)
            let shuffled = WeightCalculator.vector(uids: order.map { uids[$0] }, scores: order.map { scores[$0] }, policy: policy)
            #expect(straight.vector == shuffled.vector)
            for (position, index) in order.enumerated() {
                #expect(abs(shuffled.normalized[position] - straight.normalized[index]) < 1e-12)
            }
        }
    }
}
