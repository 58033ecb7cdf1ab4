import Foundation

/// What one run of the scoring simulation found.
package struct SimulationReport: Sendable {
    package struct KindRow: Sendable {
        package var kind: SimulatedMinerKind
        package var miners: Int
        /// Mean of the miners' final scores (mean of their kept period means).
        package var meanScore: Double
        /// Mean of the miners' final normalised weights.
        package var meanWeight: Double
    }

    package var tieBreaks: TieBreakSettings
    /// Every miner's kind, final score and final normalised weight, by uid.
    package var minerResults: [(kind: SimulatedMinerKind, score: Double, weight: Double)]
    package var miners: Int
    package var rows: [KindRow]
    /// Spearman correlation between the final weights and the miners' true honesty.
    package var rankCorrelation: Double
    /// Completed periods after which every honest miner outranked every faulty one at every
    /// later weight computation; nil when the last one still did not.
    package var separationPeriods: Int?
    /// Weight computations (one per period) at which a colluder outranked an honest miner.
    package var colluderOutranks: Int
    package var periods: Int
    package var rounds: Int
    package var inconclusiveRounds: Int
    /// Rounds in which a valid honest answer scored below 1, by the round's shape.
    package var honestLosses: [String: Int]
    package var tieBreakRounds: Int
    package var refereeQueries: Int
    package var answererQueries: Int

    /// Mean final score of the honest miners.
    package var honestMean: Double { mean(of: { $0 == .honest }, \.meanScore) }
    /// Mean final score of the miners that do no useful work (every faulty kind but flaky).
    package var dishonestMean: Double { mean(of: \.isDishonest, \.meanScore) }
    /// Mean final score of every faulty miner, flaky ones included.
    package var faultyMean: Double { mean(of: \.isFaulty, \.meanScore) }

    private func mean(of include: (SimulatedMinerKind) -> Bool, _ value: KeyPath<KindRow, Double>) -> Double {
        let picked = rows.filter { include($0.kind) }
        let count = picked.reduce(0) { $0 + $1.miners }
        guard count > 0 else { return 0 }
        return picked.reduce(0) { $0 + $1[keyPath: value] * Double($1.miners) } / Double(count)
    }

    /// The goals, each with whether this run met it.
    package var goals: [(goal: String, met: Bool)] {
        [
            ("honest mean score >= 0.9", honestMean >= 0.9),
            ("dishonest (wrong, lazy, slow, colluding) mean score <= 0.1", dishonestMean <= 0.1),
            ("rank correlation >= 0.95", rankCorrelation >= 0.95),
            ("full separation within 3 periods", (separationPeriods ?? .max) <= 3),
            ("colluders never outrank honest miners", colluderOutranks == 0),
        ]
    }

    /// A Markdown table of the per-kind results.
    package var table: String {
        var lines = ["| kind | miners | mean score | mean weight ×n |", "| --- | ---: | ---: | ---: |"]
        for row in rows {
            lines.append(String(format: "| %@ | %d | %.3f | %.3f |", row.kind.rawValue, row.miners, row.meanScore, row.meanWeight * Double(miners)))
        }
        return lines.joined(separator: "\n")
    }
}
