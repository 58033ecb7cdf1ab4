import Foundation
import Logging

/// Sends queries to miners and turns their answers into scores.
///
/// An organic query goes to one miner, or to N miners when it is sampled for scoring; the
/// caller gets the first valid answer. A synthetic query always goes to N miners. Either way
/// the round runs on the ``RoundExecutor`` until every miner has answered or timed out, then
/// the reward function compares the answers and the scores are stored.
final class QueryDispatcher: Sendable {
    /// Each endpoint's transport (its miners' protocol), by endpoint name.
    let transports: [String: any MinerTransport]
    /// The transport of endpoints not in `transports`.
    let transport: any MinerTransport
    let selector: MinerSelector
    let executor: RoundExecutor
    let store: any ScoreStore
    let clock: any NodeClock
    let settings: DispatchSettings
    let logger: Logger
    /// Receives every round score for the period means; nil keeps rounds only.
    let scoreBook: ScoreBook?
    /// Runs reward functions bounded in time and concurrency.
    let rewards: RewardRunner
    /// Counts attempts and rounds per endpoint; nil records nothing.
    let metrics: NodeMetrics?
    private let random: Locked<OrganicRandom>

    init(transport: any MinerTransport, transports: [String: any MinerTransport] = [:], selector: MinerSelector, executor: RoundExecutor, store: any ScoreStore,
         clock: any NodeClock, settings: DispatchSettings, random: OrganicRandom, logger: Logger, scoreBook: ScoreBook? = nil,
         rewards: RewardRunner = RewardRunner(), metrics: NodeMetrics? = nil) {
        self.scoreBook = scoreBook
        self.metrics = metrics
        self.rewards = rewards
        self.transport = transport
        self.transports = transports
        self.selector = selector
        self.executor = executor
        self.store = store
        self.clock = clock
        self.settings = settings
        self.random = Locked(random)
        self.logger = logger
    }

    /// The transport reaching `endpoint`'s miners.
    func transport(for endpoint: String) -> any MinerTransport {
        transports[endpoint] ?? transport
    }

    /// A new independent random stream, for one request's perturbation or generation.
    func makeRandom() -> OrganicRandom {
        random.withLock { $0.split() }
    }

    private func sampleOrganicScoring() -> Bool {
        let p = settings.organicScoringProbability
        return random.withLock { Double.random(in: 0..<1, using: &$0) < p }
    }

    /// Serves an organic query: returns the first valid answer, or the news that a stream began
    /// flowing into `relay`; throws an ``APIError`` when no miner answered.
    /// `flow` and `weight` place the request in the fair queue (normally the API key and its tier).
    func dispatchOrganic<E: Endpoint>(_ request: E.MinerRequest, task: String, route: EndpointRoute<E>, relay: EndpointRoute<E>.StreamRelay?,
                                      flow: String = "anonymous", weight: Double = 1,
                                      disconnect: DisconnectSignal? = nil) async throws -> OrganicAnswer<E> {
        let body = try TypedJSONEncoder<E.MinerRequest>().encode(request)
        let descriptor = route.descriptor
        let consensus = descriptor.rewardMode == .consensus
        let scored = descriptor.scoring.scoresOrganic && settings.minersPerQuery > 0 && sampleOrganicScoring()
        // Consensus needs N answers; a verification reward scores the one answer the caller gets.
        let wanted = scored && consensus ? max(settings.minersPerQuery, 1) : 1
        let ticket = AdmissionTicket(endpoint: task, traffic: .organic, flow: flow, weight: weight, miners: wanted,
                                     maxWait: descriptor.timeout * settings.maxQueueWaitFraction, disconnect: disconnect)
        let miners: [Neuron]
        do {
            miners = try await selector.admit(ticket, scored: scored)
        } catch let refusal as AdmissionRefusal {
            throw APIError(refusal)
        }
        // Consensus answers are only compared when N miners actually took the query.
        let delivery = ResponseDelivery<OrganicAnswer<E>>()
        let round = QueryRound(route: route, dispatcher: self, request: request, body: body, task: task, initial: miners,
                               scored: scored && (!consensus || miners.count >= max(settings.minersPerQuery, 2)), isOrganic: true,
                               delivery: delivery, relay: relay)
        guard executor.submit(round) else {
            for miner in miners { selector.release(miner, endpoint: task, result: .success) }
            throw APIError.unavailable("shutting_down", "The node is shutting down.", retryAfter: 5)
        }
        return try await delivery.value()
    }

    /// Starts a synthetic round once miners are granted (waiting at most `maxWait`), without
    /// waiting for the round itself. Returns false when it was not admitted.
    func dispatchSynthetic<E: Endpoint>(_ request: E.MinerRequest, task: String, route: EndpointRoute<E>, maxWait: Duration) async -> Bool {
        guard let body = try? TypedJSONEncoder<E.MinerRequest>().encode(request) else { return false }
        let wanted = route.descriptor.rewardMode == .consensus ? max(settings.minersPerQuery, 1) : 1
        let ticket = AdmissionTicket(endpoint: task, traffic: .synthetic, flow: "synthetic", miners: wanted, maxWait: maxWait)
        guard let miners = try? await selector.admit(ticket, scored: true), !miners.isEmpty else { return false }
        let round = QueryRound(route: route, dispatcher: self, request: request, body: body, task: task, initial: miners,
                               scored: true, isOrganic: false, delivery: nil, relay: nil)
        guard executor.submit(round) else {
            for miner in miners { selector.release(miner, endpoint: task, result: .success) }
            return false
        }
        return true
    }
}
