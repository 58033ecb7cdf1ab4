/// How an in-process miner of the scoring simulation behaves.
package enum SimulatedMinerKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Computes the right answer, with hardware noise well inside the agreement threshold.
    case honest
    /// Answers at random.
    case wrong
    /// Computes one answer and returns it for every later request.
    case lazy
    /// Computes the right answer but only after the endpoint's timeout.
    case slow
    /// Computes the right answer but fails one request in five.
    case flaky
    /// Two miners returning the same cheap wrong answer (one operator's pair).
    case colludingPair = "colluding-pair"
    /// A larger group returning the same cheap wrong answer.
    case colludingGroup = "colluding-group"

    /// The share of the work a miner of this kind really does: the ranking the weights should follow.
    package var honesty: Double {
        switch self {
        case .honest: 1
        case .flaky: 0.8
        case .wrong, .lazy, .slow, .colludingPair, .colludingGroup: 0
        }
    }

    /// Whether the kind cuts corners (everything but honest).
    package var isFaulty: Bool { self != .honest }

    /// Whether the kind does no useful work at all (flaky miners do most of it).
    package var isDishonest: Bool { honesty == 0 }
}
