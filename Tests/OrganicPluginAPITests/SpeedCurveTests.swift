import OrganicPluginAPI
import PropertyBased
import Testing

@Suite("Speed curve and fallback capping")
struct SpeedCurveTests {
    @Test("the default curve: 1.5 instantly, 1 on time, 1/r when slower, never below 0.5 (hand-computed)")
    func curve() {
        let expected = Duration.seconds(2)
        #expect(SpeedCurve.factor(latency: .zero, expected: expected) == 1.5)
        #expect(SpeedCurve.factor(latency: .seconds(1), expected: expected) == 1.25)
        #expect(SpeedCurve.factor(latency: .seconds(2), expected: expected) == 1)
        #expect(SpeedCurve.factor(latency: .milliseconds(2500), expected: expected) == 0.8)
        #expect(SpeedCurve.factor(latency: .seconds(10), expected: expected) == 0.5)
        #expect(SpeedCurve.factor(latency: .seconds(1), expected: .zero) == 1)
    }

    @Test("property: the curve stays in [0.5, 1.5] and never rises with latency")
    func monotone() async {
        await propertyCheck(input: Gen.double(in: 0...100), Gen.double(in: 0...100), Gen.double(in: 0.01...10)) { a, b, expected in
            let fa = SpeedCurve.factor(latency: .milliseconds(Int64(a * 100)), expected: .milliseconds(Int64(expected * 1000)))
            let fb = SpeedCurve.factor(latency: .milliseconds(Int64(b * 100)), expected: .milliseconds(Int64(expected * 1000)))
            #expect((0.5...1.5).contains(fa))
            if a <= b { #expect(fa >= fb) }
        }
    }

    @Test("fallback rewards are capped at 1 - ε, with ε from the round (the operator's setting)")
    func fallbackCap() {
        let round = ScoringRound<Int, Int>(request: 1, answers: [], isOrganic: false, timeout: .seconds(1), fallbackEpsilon: 0.1)
        #expect(round.cappedFallback(0.97) == 0.9)
        #expect(round.cappedFallback(0.5) == 0.5)
        #expect(round.cappedFallback(.nan) == 0)
        let defaultRound = ScoringRound<Int, Int>(request: 1, answers: [], isOrganic: false, timeout: .seconds(1))
        #expect(defaultRound.cappedFallback(1) == 0.95)
        #expect(ConsensusReward.cappedFallback(1, epsilon: 2) == 0)  // ε is clamped to [0, 1]
    }
}
