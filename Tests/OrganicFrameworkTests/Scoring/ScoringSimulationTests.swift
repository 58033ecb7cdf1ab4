import OrganicTestKit
import PropertyBased
import Testing

@testable import OrganicFramework

/// The scoring simulation on a small scale (the full one is `organic-bench scoring-sim`).
@Suite("Scoring simulation")
struct ScoringSimulationTests {
    static func small(seed: UInt64, tieBreaks: TieBreakSettings) -> ScoringSimulation.Configuration {
        var configuration = ScoringSimulation.Configuration()
        configuration.miners = 40
        configuration.colludingGroupShare = 0.05
        configuration.colludingPairs = 1
        configuration.periodSeconds = 60
        configuration.duration = .seconds(12 * 60)
        configuration.roundsPerInterval = 2
        configuration.tieBreaks = tieBreaks
        configuration.seed = seed
        return configuration
    }

    static func run(_ configuration: ScoringSimulation.Configuration) async -> SimulationReport {
        let clock = ManualNodeClock()
        return await ScoringSimulation.run(configuration, clock: clock, advance: { clock.advance(by: $0) })
    }

    @Test("the population mixes 30% faulty miners of every kind")
    func population() {
        var configuration = ScoringSimulation.Configuration()
        configuration.miners = 256
        let kinds = ScoringSimulation.population(configuration).map(\.kind)
        #expect(kinds.filter(\.isFaulty).count == 77)
        #expect(kinds.filter { $0 == .colludingGroup }.count == 13)
        #expect(kinds.filter { $0 == .colludingPair }.count == 8)
        #expect(Set(kinds) == Set(SimulatedMinerKind.allCases))
    }

    @Test("with tie-breaks honest miners score high, dishonest ones low, colluders never outrank honest miners")
    func tieBreaksSeparate() async {
        await propertyCheck(count: 2, input: Gen.uint64(in: 1...1_000_000)) { seed in
            let report = await Self.run(Self.small(seed: seed, tieBreaks: TieBreakSettings()))
            let baseline = await Self.run(Self.small(seed: seed, tieBreaks: .off))
            #expect(report.honestMean >= 0.9)
            #expect(report.dishonestMean <= 0.1)
            #expect(report.colluderOutranks == 0)
            #expect(report.rankCorrelation >= 0.9)
            #expect(report.separationPeriods != nil)
            #expect(report.honestMean > baseline.honestMean)
            #expect(report.rankCorrelation > baseline.rankCorrelation)
        }
    }

    @Test("Spearman correlation: ties share their mean rank")
    func spearman() {
        #expect(RankCorrelation.ranks([3, 1, 2, 2]) == [4, 1, 2.5, 2.5])
        #expect(RankCorrelation.spearman([1, 2, 3], [10, 20, 30]) == 1)
        #expect(RankCorrelation.spearman([1, 2, 3], [3, 2, 1]) == -1)
        #expect(RankCorrelation.spearman([1, 1, 1], [1, 2, 3]) == 0)
    }
}
