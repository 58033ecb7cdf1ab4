import Foundation
import Synchronization

/// Where the scoring simulation's rounds go: counted, summarised and dropped (the score book
/// holds the scores). Lets the simulation wait until every round it started has been scored.
final class SimulationScoreStore: ScoreStore {
    struct Tally: Sendable {
        var rounds = 0
        var scored = 0
        var inconclusive = 0
        var discarded = 0
        var tieBreaks: [TieBreakSummary.Cause: Int] = [:]
        var tieBreakOutcomes: [TieBreakSummary.Outcome: Int] = [:]
        var refereeQueries = 0
        var answererQueries = 0
        /// Valid honest answers scored below 1, by the shape of their round (kinds and roles).
        var honestLosses: [String: Int] = [:]
    }

    private struct State {
        var tally = Tally()
        var waiter: (target: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())
    /// Each hotkey's kind, to recognise honest answers that lost.
    let kinds: [String: SimulatedMinerKind]

    init(kinds: [String: SimulatedMinerKind] = [:]) {
        self.kinds = kinds
    }

    func record(_ round: RoundRecord) async throws {
        let ready = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.tally.rounds += 1
            switch round.verdict {
            case .inconclusive: state.tally.inconclusive += 1
            case .discarded: state.tally.discarded += 1
            case .scored: state.tally.scored += 1
            }
            if let tieBreak = round.tieBreak {
                state.tally.tieBreaks[tieBreak.cause, default: 0] += 1
                state.tally.tieBreakOutcomes[tieBreak.outcome, default: 0] += 1
            }
            if round.results.contains(where: { kinds[$0.miner.hotkey] == .honest && ($0.score ?? 1) < 1 && $0.outcome == .answered }) {
                let shape = round.results.map { r in
                    "\(r.role == .referee ? "ref:" : "")\(kinds[r.miner.hotkey]?.rawValue ?? "?")=\(r.score.map { String(format: "%.0f", $0) } ?? "-")"
                }.joined(separator: ",")
                state.tally.honestLosses[shape, default: 0] += 1
            }
            for result in round.results {
                if result.role == .referee { state.tally.refereeQueries += 1 } else { state.tally.answererQueries += 1 }
            }
            guard let waiter = state.waiter, state.tally.rounds >= waiter.target else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        ready?.resume()
    }

    /// Returns once `count` rounds have been recorded.
    func waitFor(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.tally.rounds >= count { return true }
                state.waiter = (count, continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var tally: Tally { state.withLock { $0.tally } }

    func summaries(since: Date) async throws -> [MinerScoreSummary] { [] }
    func recentRounds(limit: Int) async throws -> [RoundRecord] { [] }
    func close() async throws {}
}
