import OrganicPluginAPI
import PropertyBased
import Testing

@Suite("Consensus rewards")
struct ConsensusRewardTests {
    func answers(_ values: [Double]) -> [MinerAnswer<Double>] {
        values.enumerated().map { MinerAnswer(miner: MinerIdentity(uid: UInt16($0.offset), hotkey: "h\($0.offset)"), response: $0.element,
                                              latency: .milliseconds(10), responseBytes: 8) }
    }

    /// Similarity 1 when equal, 0 otherwise.
    func exact(_ a: Double, _ b: Double) -> Double { a == b ? 1 : 0 }

    @Test("two agreeing miners both score 1; a dissenter paired with one scores 0")
    func pairs() {
        #expect(ConsensusReward.rewards(for: answers([5, 5]), similarity: exact) == .rewards([MinerReward(score: 1), MinerReward(score: 1)]))
        #expect(ConsensusReward.rewards(for: answers([5, 6]), similarity: exact) == .rewards([MinerReward(score: 0), MinerReward(score: 0)]))
    }

    @Test("with three miners the odd one out scores lowest (hand-computed means)")
    func threeMiners() {
        // Pairs: (0,1)=1, (0,2)=0, (1,2)=0 → means 0.5, 0.5, 0.
        let verdict = ConsensusReward.rewards(for: answers([1, 1, 9]), similarity: exact)
        #expect(verdict == .rewards([MinerReward(score: 0.5), MinerReward(score: 0.5), MinerReward(score: 0)]))
    }

    @Test("a single answer cannot be compared")
    func single() {
        guard case .inconclusive = ConsensusReward.rewards(for: answers([1]), similarity: exact) else {
            Issue.record("expected inconclusive")
            return
        }
    }

    @Test("similarities outside [0, 1] are clamped, so rewards always stay in range")
    func clampedProperty() async {
        await propertyCheck(input: Gen.double(in: -10...10).array(of: 2...8)) { values in
            let verdict = ConsensusReward.rewards(for: answers(values)) { a, b in a - b }
            guard case .rewards(let rewards) = verdict else {
                Issue.record("expected rewards")
                return
            }
            #expect(rewards.count == values.count)
            #expect(rewards.allSatisfy { $0.score.isFinite && (0...1).contains($0.score) })
        }
    }

    @Test("a fallback similarity never reaches full credit")
    func cappedFallback() {
        #expect(ConsensusReward.cappedFallback(1.0, epsilon: 0.05) == 0.95)
        #expect(ConsensusReward.cappedFallback(0.5) == 0.5)
        #expect(ConsensusReward.cappedFallback(-1) == 0)
        #expect(ConsensusReward.cappedFallback(.nan) == 0)
    }
}

@Suite("Answer agreement")
struct AnswerAgreementTests {
    @Test("an agreement clamps its similarity and drives the consensus reward")
    func agreement() {
        let agreement = AnswerAgreement<Double>(threshold: 0.9) { a, b in a.isNaN || b.isNaN ? .nan : 2 - abs(a - b) * 10 }
        #expect(agreement.score(1, 1) == 1)
        #expect(agreement.score(.nan, 1) == 0)
        #expect(agreement.agrees(1, 1.005))
        #expect(!agreement.agrees(1, 1.2))
        let answers = [1.0, 1.0, 5.0].enumerated().map {
            MinerAnswer(miner: MinerIdentity(uid: UInt16($0.offset), hotkey: "m\($0.offset)"), response: $0.element, latency: .zero, responseBytes: 1)
        }
        #expect(ConsensusReward.rewards(for: answers, agreement: agreement) == ConsensusReward.rewards(for: answers, similarity: agreement.score))
    }
}
