public import Foundation
import DequeModule
import Synchronization

/// Chooses which miners receive each query, queues what cannot start yet, and tracks miner
/// health. One lock guards it all, so admission, selection and release are atomic and callable
/// from cancellation handlers.
///
/// **Candidates.** A miner is a candidate for an endpoint when it serves it, is not cooling
/// down and has fewer requests in flight *on that endpoint* than its effective capacity there
/// (the capacity the miner declared, capped by the operator, else the configured one, else the
/// operator's default; times this validator's stake share when sharing is on, at least 1; a
/// declared 0 takes the miner off the endpoint. See Docs/Scheduling.md).
///
/// **Ranking.** Synthetic queries prefer the least loaded, then least recently used miners, so
/// every miner keeps being scored. Organic queries prefer the least loaded, then blend recent
/// score and latency with a random term (``Policy/selection``), so good miners get more paying
/// traffic while selection stays unpredictable.
///
/// **Health.** A failure starts a cooldown that doubles with each consecutive failure up to a
/// cap; a success clears it. A 429 (busy) pauses the miner briefly without counting as a failure.
///
/// **Queues.** See ``admit(_:)``.
public final class MinerSelector: Sendable {
    public struct Policy: Sendable {
        /// Capacity per endpoint of a miner whose entry sets none and that declares none.
        public var defaultCapacity: Int
        /// Operator's per-endpoint default capacity (`dispatch.endpoints.<name>.minerCapacity`),
        /// used instead of `defaultCapacity`; also names the endpoints `statuses()` reports.
        public var endpointCapacities: [String: Int]
        /// Ceiling on what a miner may declare (`dispatch.maxDeclaredCapacity`).
        public var maxDeclaredCapacity: Int
        public var cooldownBase: Duration
        public var cooldownMax: Duration
        public var busyBackoff: Duration
        /// This validator's uid, to find its own stake in the metagraph.
        public var validatorUID: UInt16?
        /// Use only this validator's stake-proportional share of each miner's capacity:
        /// `effective = max(1, floor(capacity × ownStake / total stake of permitted validators))`.
        /// nil means on whenever the share can be computed (own uid known, stakes non-zero).
        public var stakeProportionalCapacity: Bool?
        public var selection: SelectionWeights
        public var scheduling: SchedulingPolicy

        public init(defaultCapacity: Int = 8, cooldownBase: Duration = .seconds(1), cooldownMax: Duration = .seconds(300),
                    busyBackoff: Duration = .seconds(1), validatorUID: UInt16? = nil, stakeProportionalCapacity: Bool? = nil, selection: SelectionWeights = .init(),
                    scheduling: SchedulingPolicy = .init(), endpointCapacities: [String: Int] = [:], maxDeclaredCapacity: Int = 64) {
            self.defaultCapacity = defaultCapacity
            self.endpointCapacities = endpointCapacities
            self.maxDeclaredCapacity = maxDeclaredCapacity
            self.cooldownBase = cooldownBase
            self.cooldownMax = cooldownMax
            self.busyBackoff = busyBackoff
            self.validatorUID = validatorUID
            self.stakeProportionalCapacity = stakeProportionalCapacity
            self.selection = selection
            self.scheduling = scheduling
        }
    }

    /// How organic selection trades load, quality and chance. Lower rank wins:
    /// `rank = load + score × (1 − recentScore) + latency × recentLatencyRatio + randomness × U(0, 1)`.
    public struct SelectionWeights: Sendable, Hashable {
        public var score: Double
        public var latency: Double
        public var randomness: Double

        public init(score: Double = 0.5, latency: Double = 0.2, randomness: Double = 0.2) {
            self.score = score
            self.latency = latency
            self.randomness = randomness
        }
    }

    /// How one attempt ended, for health tracking.
    public enum AttemptResult: Sendable {
        case success
        case busy
        case failure
    }

    /// Plain values only, so that reading it per candidate costs no reference counting.
    struct MinerState {
        /// Position of this miner's entries in ``State/loads``; -1 for a placeholder.
        var index = -1
        var consecutiveFailures = 0
        var coolingUntil: Date?
        var lastChosen = Date.distantPast
        var successes = 0
        var failures = 0
        /// Moving averages fed by scored rounds.
        var recentScore = 0.5
        var recentLatencyRatio = 0.5
    }

    struct State {
        var metagraph = Metagraph(neurons: [])
        var miners: [String: MinerState] = [:]
        var random: OrganicRandom
        var queues: [String: EndpointQueue] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextTicket: UInt64 = 0
        var totalQueued = 0
        /// This validator's stake share, when capacity is shared by stake.
        var stakeShare: Double?
        /// A small index per endpoint name, so per-endpoint miner state is an array lookup.
        var endpointSlots: [String: Int] = [:]
        var endpointNames: [String] = []
        /// Load and declaration per endpoint slot and miner index (``MinerState/index``).
        var loads: [[EndpointLoad]] = []
        /// Miner indices handed out since the last compaction.
        var minerCount = 0
        /// (miner, endpoint) pairs whose declared capacity is 0; lets admission skip a check when none.
        var zeroDeclarations = 0
        /// Who answered alongside whom, for choosing referees.
        var partners = PartnerLedger()
    }

    let state: Mutex<State>
    let policy: Policy
    let clock: any NodeClock

    public init(metagraph: Metagraph = Metagraph(neurons: []), policy: Policy = Policy(), clock: any NodeClock = SystemNodeClock(),
                random: OrganicRandom = OrganicRandom()) {
        var initial = State(random: random)
        initial.metagraph = metagraph
        initial.stakeShare = Self.stakeShare(of: metagraph, policy: policy)
        state = Mutex(initial)
        self.policy = policy
        self.clock = clock
    }

    /// Replaces the known neurons. State of miners whose hotkey left is dropped, so a new
    /// hotkey at a reused uid starts fresh. Waiting requests are re-examined.
    public func update(metagraph: Metagraph) {
        let grants = state.withLock { state in
            state.metagraph = metagraph
            state.stakeShare = Self.stakeShare(of: metagraph, policy: policy)
            let hotkeys = Set(metagraph.neurons.map(\.hotkey))
            let kept = state.miners.filter { hotkeys.contains($0.key) || state.inFlight(index: $0.value.index) > 0 }
            state.miners = kept
            state.partners.keep(only: hotkeys)
            state.compactLoads()
            return grantWaiting(&state, now: clock.now())
        }
        resume(grants)
    }

    /// The current neurons.
    public var current: Metagraph { state.withLock { $0.metagraph } }

    /// Reserves up to `count` distinct miners for `endpoint` now, skipping `excluded` hotkeys,
    /// without queueing (retries use this). Each returned miner must be passed to
    /// ``release(_:endpoint:result:)`` with the same endpoint.
    public func acquire(endpoint: String, count: Int, excluding excluded: Set<String> = [], traffic: AdmissionTicket.Traffic = .organic) -> [Neuron] {
        state.withLock { state in
            select(&state, endpoint: endpoint, count: count, excluding: excluded, traffic: traffic, now: clock.now())
        }
    }

    /// Returns a miner reserved earlier for `endpoint` and records the outcome; frees its
    /// capacity there for waiting requests.
    public func release(_ neuron: Neuron, endpoint: String, result: AttemptResult) {
        let now = clock.now()
        let grants = state.withLock { state in
            let slot = state.slot(for: endpoint)
            let index = state.updateMiner(neuron.hotkey) { record(result, in: &$0, now: now) }
            if state.loads[slot].indices.contains(index), state.loads[slot][index].inFlight > 0 {
                state.loads[slot][index].inFlight -= 1
            }
            return grantWaiting(&state, now: now)
        }
        resume(grants)
    }

    /// Applies an attempt's outcome to a miner's health.
    func record(_ result: AttemptResult, in miner: inout MinerState, now: Date) {
        switch result {
        case .success:
            miner.consecutiveFailures = 0
            miner.coolingUntil = nil
            miner.successes += 1
        case .busy:
            miner.coolingUntil = now.addingTimeInterval(policy.busyBackoff.seconds)
        case .failure:
            miner.consecutiveFailures += 1
            miner.failures += 1
            miner.coolingUntil = now.addingTimeInterval(cooldown(afterFailures: miner.consecutiveFailures).seconds)
        }
    }

    /// Feeds a scored result into the miner's moving averages used by organic ranking.
    public func recordScore(hotkey: String, score: Double, latencyRatio: Double) {
        guard score.isFinite, latencyRatio.isFinite else { return }
        state.withLock { state in
            guard var miner = state.miners[hotkey] else { return }
            miner.recentScore += 0.1 * (min(max(score, 0), 1) - miner.recentScore)
            miner.recentLatencyRatio += 0.1 * (min(max(latencyRatio, 0), 2) - miner.recentLatencyRatio)
            state.miners[hotkey] = miner
        }
    }

    /// The cooldown after `n` consecutive failures: base × 2^(n-1), capped.
    public func cooldown(afterFailures n: Int) -> Duration {
        guard n > 0 else { return .zero }
        let factor = pow(2.0, Double(min(n - 1, 40)))
        return .seconds(double: min(policy.cooldownBase.seconds * factor, policy.cooldownMax.seconds))
    }

    /// This validator's stake over the stake of all validators with a permit, or nil when
    /// sharing is off or cannot be computed.
    static func stakeShare(of metagraph: Metagraph, policy: Policy) -> Double? {
        guard policy.stakeProportionalCapacity != false, let uid = policy.validatorUID,
              let own = metagraph.neuron(uid: uid), own.stake > 0 else { return nil }
        let total = metagraph.neurons.filter { $0.validatorPermit || $0.uid == uid }.reduce(0) { $0 + max($1.stake, 0) }
        guard total > 0 else { return nil }
        return own.stake / total
    }

    // MARK: - Selection (under the lock)

    func select(_ state: inout State, endpoint: String, count: Int, excluding excluded: Set<String>,
                traffic: AdmissionTicket.Traffic, now: Date) -> [Neuron] {
        guard count > 0 else { return [] }
        var candidates: [(neuron: Neuron, rank: Double, last: Date)] = []
        let weights = policy.selection
        let slot = state.slot(for: endpoint)
        let fallback = fallbackCapacity(endpoint)
        let share = state.stakeShare
        do {  // `slotLoads` must be gone before the loads are mutated below
            let slotLoads = state.loads[slot]
            for neuron in state.metagraph.neurons where neuron.serves(endpoint) && !excluded.contains(neuron.hotkey) {
                let miner = state.miners[neuron.hotkey] ?? MinerState()
                if let until = miner.coolingUntil, until > now { continue }
                let load = slotLoads.indices.contains(miner.index) ? slotLoads[miner.index] : EndpointLoad()
                let capacity = effectiveCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallback, share: load.share(share))
                guard load.inFlight < capacity else { continue }
                var rank = Double(load.inFlight) / Double(capacity)
                if traffic == .organic {
                    rank += weights.score * (1 - miner.recentScore) + weights.latency * miner.recentLatencyRatio
                        + weights.randomness * Double.random(in: 0..<1, using: &state.random)
                }
                candidates.append((neuron, rank, miner.lastChosen))
            }
        }
        candidates.shuffle(using: &state.random)
        candidates.sort { ($0.rank, $0.last) < ($1.rank, $1.last) }
        var chosen = candidates.prefix(count).map(\.neuron)
        if traffic == .synthetic, count > 1, candidates.count > count {
            // The least recently used miner leads (every miner keeps being scored); its partners
            // are drawn at random among the least loaded, so pairings change every round. Picking
            // all of them by recency would pair the same miners again and again (miners chosen
            // together share a last-use time), and a colluding pair could stay together.
            let rest = candidates.dropFirst()
            let lightest = rest.map(\.rank).min() ?? 0
            var pool = rest.filter { $0.rank <= lightest }.map(\.neuron)
            if pool.count >= count - 1 {
                pool.shuffle(using: &state.random)
                chosen = [candidates[0].neuron] + pool.prefix(count - 1)
            }
        }
        for neuron in chosen {
            state.begin(neuron.hotkey, slot: slot, at: now)
        }
        return chosen
    }

    /// Whether any miner could take work for `endpoint` right now.
    func hasFreeCapacity(_ state: State, endpoint: String, now: Date) -> Bool {
        let slot = state.endpointSlots[endpoint]
        let fallback = fallbackCapacity(endpoint)
        return state.metagraph.neurons.contains { neuron in
            guard neuron.serves(endpoint) else { return false }
            let miner = state.miners[neuron.hotkey] ?? MinerState()
            if let until = miner.coolingUntil, until > now { return false }
            let load = state.load(slot, miner.index)
            return load.inFlight < effectiveCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallback,
                                                     share: load.share(state.stakeShare))
        }
    }

    // MARK: - Observability

    /// Health and per-endpoint load of every known miner, for the admin API. Endpoints listed
    /// are those the node serves (``Policy/endpointCapacities``) or has dispatched to.
    public func statuses() -> [MinerStatus] {
        let now = clock.now()
        return state.withLock { state in
            let endpoints = Set(policy.endpointCapacities.keys).union(state.endpointNames).sorted()
            return state.metagraph.neurons.map { neuron in
                let miner = state.miners[neuron.hotkey] ?? MinerState()
                let cooling = miner.coolingUntil.map { $0 > now } ?? false
                let perEndpoint = endpoints.filter { neuron.serves($0) }.map { endpointStatus(state, neuron: neuron, miner: miner, endpoint: $0) }
                let general = shared(max(neuron.capacity ?? policy.defaultCapacity, 1), share: state.stakeShare)
                return MinerStatus(uid: neuron.uid, hotkey: neuron.hotkey, url: neuron.url,
                                   state: cooling ? .coolingDown : .healthy, inFlight: state.inFlight(index: miner.index),
                                   capacity: general, consecutiveFailures: miner.consecutiveFailures,
                                   coolingUntil: cooling ? miner.coolingUntil : nil, successes: miner.successes,
                                   failures: miner.failures, recentScore: miner.recentScore, endpoints: perEndpoint)
            }
        }
    }
}

/// One miner's health as the admin API reports it.
public struct MinerStatus: Sendable, Codable, Hashable {
    public var uid: UInt16
    public var hotkey: String
    public var url: String?
    public var state: MinerHealth
    /// Requests in flight over all endpoints.
    public var inFlight: Int
    /// Effective capacity on an endpoint without a configured, operator default or declared
    /// value of its own (after the stake share); ``endpoints`` has the capacity actually applied.
    public var capacity: Int
    public var consecutiveFailures: Int
    public var coolingUntil: Date?
    public var successes: Int
    public var failures: Int
    /// Moving average of recent scores, used to rank miners for organic traffic.
    public var recentScore: Double
    /// Load and capacity on each endpoint it serves.
    public var endpoints: [MinerEndpointStatus]
}

/// Whether the node sends a miner work now (`/admin/miners`, `/healthz`).
public enum MinerHealth: String, Codable, Sendable, CaseIterable {
    case healthy
    /// Failed recently; skipped until its cooldown ends.
    case coolingDown = "cooling_down"
}
