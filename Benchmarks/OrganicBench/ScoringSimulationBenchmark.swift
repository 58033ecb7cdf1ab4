import ArgumentParser
import Foundation
import OrganicFramework
import OrganicTestKit

/// `organic-bench scoring-sim`: a simulated subnet (in-process miners of several kinds, a
/// manual clock) scored by the node's real dispatcher, reward, tie-breaks, score book, periods
/// and weights; compares N answers without tie-breaks against N answers with tie-breaks.
struct ScoringSimulationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring-sim", abstract: "Simulate a subnet's scoring with and without tie-breaks (build with -c release).")

    @Option(help: "Miners in the subnet.") var miners = 256
    @Option(help: "Share of faulty miners, mixed over wrong, lazy, slow, flaky and colluding.") var faulty = 0.3
    @Option(help: "Share of the miners in one colluding group.") var colludingGroup = 0.05
    @Option(help: "Colluding pairs.") var colludingPairs = 4
    @Option(help: "Simulated hours.") var hours = 24.0
    @Option(help: "Synthetic rounds per simulated second.") var roundsPerSecond = 2
    @Option(help: "Miners per query (N).") var minersPerQuery = 2
    @Option(help: "Referees per tie-break in the second run.") var maxReferees = 2
    @Option(help: "Chance that an agreeing round is refereed anyway in the second run.") var auditProbability = 0.05
    @Option(help: "Random seed.") var seed: UInt64 = 19
    @Flag(help: "Print every miner's final score and weight.") var verbose = false
    @Flag(help: "Add a third run in which identical answers are not recognised as copies (colluders that add noise).")
    var undetectedCopies = false

    func run() async throws {
        var base = ScoringSimulation.Configuration()
        base.miners = miners
        base.faultyShare = faulty
        base.colludingGroupShare = colludingGroup
        base.colludingPairs = colludingPairs
        base.duration = .seconds(hours * 3600)
        base.roundsPerInterval = roundsPerSecond
        base.minersPerQuery = minersPerQuery
        base.seed = seed
        var reports: [SimulationReport] = []
        let tieBreaks = TieBreakSettings(maxReferees: maxReferees, auditProbability: auditProbability)
        var runs: [(TieBreakSettings, Bool)] = [(.off, true), (tieBreaks, true)]
        if undetectedCopies { runs.append((tieBreaks, false)) }
        for (tieBreaks, copies) in runs {
            var configuration = base
            configuration.tieBreaks = tieBreaks
            configuration.identicalAnswersAreCopies = copies
            let clock = ManualNodeClock()
            let began = ContinuousClock.now
            let report = await ScoringSimulation.run(configuration, clock: clock, advance: { clock.advance(by: $0) })
            let elapsed = ContinuousClock.now - began
            print("## N = \(minersPerQuery), " + (tieBreaks.maxReferees > 0 ? "tie-breaks (up to \(tieBreaks.maxReferees) referees, audit \(tieBreaks.auditProbability))" : "no tie-breaks")
                  + (copies ? "" : ", identical answers not recognised as copies"))
            print("")
            print(report.table)
            if verbose {
                for kind in SimulatedMinerKind.allCases {
                    let scores = report.minerResults.filter { $0.kind == kind }.map { String(format: "%.4f", $0.score) }
                    print("\(kind.rawValue): \(scores.joined(separator: " "))")
                }
                for (shape, count) in report.honestLosses.sorted(by: { $0.value > $1.value }).prefix(12) {
                    print("honest answer lost \(count)x: \(shape)")
                }
            }
            print("")
            print(Self.summary(report))
            print(String(format: "(%.1f s of wall time for %.0f simulated hours)", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, hours))
            print("")
            reports.append(report)
        }
        print("## Side by side")
        print("")
        print("| | no tie-breaks | tie-breaks |" + (undetectedCopies ? " tie-breaks, copies undetected |" : ""))
        print("| --- | ---: | ---: |" + (undetectedCopies ? " ---: |" : ""))
        let pairs: [(String, (SimulationReport) -> String)] = [
            ("honest mean score", { String(format: "%.3f", $0.honestMean) }),
            ("dishonest mean score", { String(format: "%.3f", $0.dishonestMean) }),
            ("faulty mean score (flaky included)", { String(format: "%.3f", $0.faultyMean) }),
            ("rank correlation (Spearman)", { String(format: "%.3f", $0.rankCorrelation) }),
            ("periods to full separation", { $0.separationPeriods.map(String.init) ?? "never" }),
            ("periods a colluder outranked an honest miner", { "\($0.colluderOutranks) of \($0.periods)" }),
            ("inconclusive rounds", { String(format: "%.1f%%", 100 * Double($0.inconclusiveRounds) / Double(max($0.rounds, 1))) }),
            ("referee queries / answerer queries", { String(format: "%.1f%%", 100 * Double($0.refereeQueries) / Double(max($0.answererQueries, 1))) }),
        ]
        for (label, value) in pairs {
            print("| \(label) | \(reports.map(value).joined(separator: " | ")) |")
        }
    }

    static func summary(_ report: SimulationReport) -> String {
        var lines = [
            String(format: "rounds %d (%d refereed, %d inconclusive); referee queries %d for %d answerer queries",
                   report.rounds, report.tieBreakRounds, report.inconclusiveRounds, report.refereeQueries, report.answererQueries),
            String(format: "Spearman(weights, honesty) = %.3f; full separation after %@ periods; colluder outranked honest in %d of %d periods",
                   report.rankCorrelation, report.separationPeriods.map(String.init) ?? "never", report.colluderOutranks, report.periods),
        ]
        for goal in report.goals { lines.append("- [\(goal.met ? "x" : " ")] \(goal.goal)") }
        return lines.joined(separator: "\n")
    }
}
