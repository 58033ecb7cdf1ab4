import Foundation
import Synchronization

/// The miners of the scoring simulation, in process: a ``MinerTransport`` that hands each
/// request body straight to the simulated miner's handler (no sockets) and returns its reply with
/// a simulated latency. The rest of the round (decoding, validation, reward, tie-breaks, scores)
/// runs the node's real code.
package final class SimulatedMinerNetwork: MinerTransport {
    struct Miner {
        var kind: SimulatedMinerKind
        /// Colluders of one group share it, and with it their wrong answers.
        var group: Int
        var random: OrganicRandom
        var cached: [Double]?
    }

    private let miners: Mutex<[String: Miner]>
    /// Standard deviation of the honest miners' hardware noise per component.
    let noise: Double

    /// `kinds[hotkey] = (kind, group)`; `seed` makes every miner's choices reproducible.
    package init(kinds: [String: (kind: SimulatedMinerKind, group: Int)], seed: UInt64, noise: Double = 1e-4) {
        var random = OrganicRandom(seed: seed)
        var miners: [String: Miner] = [:]
        for hotkey in kinds.keys.sorted() {
            if let entry = kinds[hotkey] {
                miners[hotkey] = Miner(kind: entry.kind, group: entry.group, random: random.split())
            }
        }
        self.miners = Mutex(miners)
        self.noise = noise
    }

    package func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        guard let request = try? JSONDecoder().decode(SimulationEndpoint.Request.self, from: Data(body)) else {
            return MinerReply(outcome: .failed(.httpStatus(400, body: "bad request")), latency: .milliseconds(1))
        }
        let answer: (vector: [Double]?, latency: Duration, failure: MinerFailure?) = miners.withLock { all in
            guard var state = all[miner.hotkey] else { return (nil, .milliseconds(1), .connection("no such miner")) }
            defer { all[miner.hotkey] = state }
            let latency = Duration.milliseconds(Int.random(in: 800...3_000, using: &state.random))
            switch state.kind {
            case .honest:
                return (honest(request, &state.random), latency, nil)
            case .flaky:
                if Double.random(in: 0..<1, using: &state.random) < 0.2 {
                    return (nil, latency, .connection("simulated fault"))
                }
                return (honest(request, &state.random), latency, nil)
            case .slow:
                return (nil, timeout, .timeout)
            case .wrong:
                return (SimulationEndpoint.unit((0..<request.dimensions).map { _ in Double.random(in: -1...1, using: &state.random) }), latency, nil)
            case .lazy:
                let cached = state.cached ?? honest(request, &state.random)
                state.cached = cached
                return (cached, .milliseconds(5), nil)
            case .colludingPair, .colludingGroup:
                // The same cheap answer from every member: derived from the group and the seed only.
                var shared = OrganicRandom(seed: request.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(state.group + 1)))
                return (SimulationEndpoint.unit((0..<request.dimensions).map { _ in Double.random(in: -1...1, using: &shared) }), .milliseconds(5), nil)
            }
        }
        if let failure = answer.failure { return MinerReply(outcome: .failed(failure), latency: answer.latency) }
        guard let vector = answer.vector, let bytes = try? JSONEncoder().encode(SimulationEndpoint.Response(vector: vector)) else {
            return MinerReply(outcome: .failed(.connection("could not answer")), latency: answer.latency)
        }
        return MinerReply(outcome: .answered(body: Array(bytes)), latency: answer.latency, contentType: "application/json")
    }

    private func honest(_ request: SimulationEndpoint.Request, _ random: inout OrganicRandom) -> [Double] {
        let noise = self.noise
        return SimulationEndpoint.truth(for: request).map { $0 + noise * Double.random(in: -1.7...1.7, using: &random) }
    }
}
