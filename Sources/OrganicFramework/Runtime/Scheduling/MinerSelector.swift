package import Foundation
import Synchronization

/// Chooses which miners receive each query, queues what cannot start yet, and tracks miner
/// health.
///
/// The state is split by what changes together. Each endpoint has a lane (``LaneState``): its
/// miners' load and capacity there and its queue of waiting requests, under the lane's own lock,
/// so that a release frees capacity and hands it to the next waiter in one step and endpoints
/// do not contend. Miner health (``MinerHealthBook``) has its own lock, taken inside a lane's
/// when a selection reads it. The metagraph is an immutable ``MinerRoster`` that every part
/// adopts on update. Deadlines and cooldowns are on the clock's monotonic uptime; one
/// ``AdmissionTimer`` wakes the queues at the earliest of them, and nothing polls.
/// Lock order: registry, then a lane, then health.
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
/// **Queues.** See ``admit(_:scored:)``.
package final class MinerSelector: Sendable {
    package struct Policy: Sendable {
        /// Capacity per endpoint of a miner whose entry sets none and that declares none.
        package var defaultCapacity: Int
        /// Operator's per-endpoint default capacity (`dispatch.endpoints.<name>.minerCapacity`),
        /// used instead of `defaultCapacity`; also names the endpoints `statuses()` reports.
        package var endpointCapacities: [String: Int]
        /// Ceiling on what a miner may declare (`dispatch.maxDeclaredCapacity`).
        package var maxDeclaredCapacity: Int
        package var cooldownBase: Duration
        package var cooldownMax: Duration
        package var busyBackoff: Duration
        /// This validator's uid, to find its own stake in the metagraph.
        package var validatorUID: UInt16?
        /// Use only this validator's stake-proportional share of each miner's capacity:
        /// `effective = max(1, floor(capacity × ownStake / total stake of permitted validators))`.
        /// nil means on whenever the share can be computed (own uid known, stakes non-zero).
        package var stakeProportionalCapacity: Bool?
        package var selection: SelectionWeights
        package var scheduling: SchedulingPolicy

        package init(defaultCapacity: Int = 8, cooldownBase: Duration = .seconds(1), cooldownMax: Duration = .seconds(300),
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
    package struct SelectionWeights: Sendable, Hashable {
        package var score: Double
        package var latency: Double
        package var randomness: Double

        package init(score: Double = 0.5, latency: Double = 0.2, randomness: Double = 0.2) {
            self.score = score
            self.latency = latency
            self.randomness = randomness
        }
    }

    /// How one attempt ended, for health tracking.
    package enum AttemptResult: Sendable {
        case success
        case busy
        case failure
    }

    /// The lanes by endpoint, the current roster and the id allocator; an update holds it
    /// while every part adopts the new roster, so updates never interleave.
    struct Registry {
        var lanes: [String: EndpointLane] = [:]
        /// Lanes in creation order (the order updates and the timer visit them).
        var order: [EndpointLane] = []
        var roster: MinerRoster
        var ids = MinerIDs()
        /// Each new lane takes its own stream from it.
        var random: OrganicRandom
    }

    let registry: Mutex<Registry>
    let health: Mutex<MinerHealthBook>
    let partners = Mutex(PartnerLedger())
    let budget: QueueBudget
    let timer: AdmissionTimer
    let policy: Policy
    let rules: CapacityRules
    let clock: any NodeClock

    package init(metagraph: Metagraph = Metagraph(neurons: []), policy: Policy = Policy(), clock: any NodeClock = SystemNodeClock(),
                random: OrganicRandom = OrganicRandom()) {
        var ids = MinerIDs()
        let roster = MinerRoster(metagraph: metagraph, ids: &ids, stakeShare: Self.stakeShare(of: metagraph, policy: policy))
        var book = MinerHealthBook()
        book.adopt(roster)
        registry = Mutex(Registry(roster: roster, ids: ids, random: random))
        health = Mutex(book)
        budget = QueueBudget(limit: policy.scheduling.maxTotalQueued)
        timer = AdmissionTimer(clock: clock)
        self.policy = policy
        rules = CapacityRules(policy)
        self.clock = clock
    }

    /// The lane of `endpoint`, made on first use.
    func lane(_ endpoint: String) -> EndpointLane {
        registry.withLock { registry in
            // A node serves a handful of endpoints: comparing names beats hashing one.
            if registry.order.count <= 16 {
                for lane in registry.order where lane.endpoint == endpoint { return lane }
            } else if let lane = registry.lanes[endpoint] {
                return lane
            }
            let lane = EndpointLane(endpoint: endpoint, roster: registry.roster, rules: rules, random: registry.random.split())
            registry.lanes[endpoint] = lane
            registry.order.append(lane)
            return lane
        }
    }

    /// Runs `body` on a lane and the health book, both locked (in that order).
    func withLane<T: Sendable>(_ lane: EndpointLane, _ body: (inout LaneState, inout MinerHealthBook) -> T) -> T {
        lane.state.withLock { state in health.withLock { book in body(&state, &book) } }
    }

    /// Replaces the known neurons. State of miners whose hotkey left is dropped (once nothing is
    /// in flight to them), so a new hotkey at a reused uid starts fresh. Waiting requests are
    /// re-examined.
    package func update(metagraph: Metagraph) {
        let now = clock.uptime()
        let hotkeys = Set(metagraph.neurons.map(\.hotkey))
        let (grants, wake) = registry.withLock { registry -> ([Grant], Uptime?) in
            let roster = MinerRoster(metagraph: metagraph, ids: &registry.ids, stakeShare: Self.stakeShare(of: metagraph, policy: policy))
            health.withLock { $0.adopt(roster) }
            partners.withLock { $0.keep(only: hotkeys) }
            var grants: [Grant] = []
            var wake: Uptime?
            var busy = Set<Int>()
            for lane in registry.order {
                withLane(lane) { state, book in
                    state.adopt(roster, rules: rules)
                    // Once the lane has adopted the roster it never picks a departed miner again,
                    // so what it has in flight to one can only fall.
                    for id in roster.departed where state.loads[id].inFlight > 0 { busy.insert(id) }
                    grants += grantWaiting(&state, &book, now: now)
                    wake = earliest(wake, nextWake(state, book, now: now))
                }
            }
            let gone = roster.departed.filter { !busy.contains($0) }
            if !gone.isEmpty {
                registry.ids.free(gone)
                health.withLock { book in for id in gone { book.forget(id) } }
            }
            registry.roster = roster
            return (grants, wake)
        }
        resume(grants)
        if let wake { armTimer(at: wake) }
    }

    /// The current neurons.
    package var current: Metagraph { registry.withLock { $0.roster.metagraph } }

    /// Reserves up to `count` distinct miners for `endpoint` now, skipping `excluded` hotkeys,
    /// without queueing (retries use this). Each returned miner must be passed to
    /// ``release(_:endpoint:result:)`` with the same endpoint.
    package func acquire(endpoint: String, count: Int, excluding excluded: Set<String> = [], traffic: AdmissionTicket.Traffic = .organic) -> [Neuron] {
        let now = clock.uptime()
        return withLane(lane(endpoint)) { state, book in
            state.listsLoads = true
            return select(&state, &book, count: count, excluding: excluded, traffic: traffic, now: now)
        }
    }

    /// Returns a miner reserved earlier for `endpoint` and records the outcome; frees its
    /// capacity there for waiting requests.
    package func release(_ neuron: Neuron, endpoint: String, result: AttemptResult) {
        let lane = lane(endpoint)
        let uid = neuron.uid, hotkey = neuron.hotkey
        let (grants, wake, cleared) = withLane(lane) { state, book -> ([Grant], Uptime?, Bool) in
            state.listsLoads = true
            guard let id = state.roster.id(uid: uid, hotkey: hotkey) else { return ([], nil, false) }
            let cleared = book.record(result, id: id, hotkey: hotkey, clock: clock, policy: policy)
            if state.loads[id].inFlight > 0 { state.loads[id].inFlight -= 1 }
            guard state.queue.hasWaiters else { return ([], nil, cleared) }
            let now = clock.uptime()
            let grants = grantWaiting(&state, &book, now: now)
            return (grants, nextWake(state, book, now: now), cleared)
        }
        resume(grants)
        if let wake { armTimer(at: wake) }
        // A success ended a running cooldown: the miner may take work waiting on other endpoints.
        if cleared { pump(except: lane) }
    }

    /// Feeds a scored result into the miner's moving averages used by organic ranking.
    package func recordScore(hotkey: String, score: Double, latencyRatio: Double) {
        guard score.isFinite, latencyRatio.isFinite else { return }
        health.withLock { $0.recordScore(hotkey: hotkey, score: score, latencyRatio: latencyRatio) }
    }

    /// The cooldown after `n` consecutive failures: base × 2^(n-1), capped.
    package func cooldown(afterFailures n: Int) -> Duration {
        Self.cooldown(afterFailures: n, policy: policy)
    }

    static func cooldown(afterFailures n: Int, policy: Policy) -> Duration {
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

    // MARK: - Observability

    /// Health and per-endpoint load of every known miner, for the admin API. Endpoints listed
    /// are those the node serves (``Policy/endpointCapacities``) or has dispatched to.
    package func statuses() -> [MinerStatus] {
        let wallNow = clock.now()
        let now = clock.uptime()
        let (roster, lanes) = registry.withLock { ($0.roster, $0.order) }
        var loads: [String: [EndpointLoad]] = [:]
        for lane in lanes {
            // A lane still on another roster (an update under way) has other ids; it is left out.
            if let laneLoads = lane.state.withLock({ $0.listsLoads && $0.roster === roster ? $0.loads : nil }) {
                loads[lane.endpoint] = laneLoads
            }
        }
        let records = health.withLock { $0.records }
        let endpoints = Set(policy.endpointCapacities.keys).union(loads.keys).sorted()
        return zip(roster.metagraph.neurons, roster.ids).map { neuron, id in
            let miner = records[id]
            let cooling = miner.isCooling(at: now)
            let perEndpoint = endpoints.filter { neuron.serves($0) }.map { endpoint in
                let load = loads[endpoint]?[id] ?? EndpointLoad()
                let (base, source) = rules.base(neuron, endpoint: endpoint, declared: load.declared)
                return MinerEndpointStatus(endpoint: endpoint, inFlight: load.inFlight,
                                           capacity: CapacityRules.shared(base, share: load.share(roster.stakeShare)),
                                           declared: load.declared, source: source.rawValue)
            }
            let general = CapacityRules.shared(max(neuron.capacity ?? policy.defaultCapacity, 1), share: roster.stakeShare)
            return MinerStatus(uid: neuron.uid, hotkey: neuron.hotkey, url: neuron.url,
                               state: cooling ? .coolingDown : .healthy, inFlight: loads.values.reduce(0) { $0 + $1[id].inFlight },
                               capacity: general, consecutiveFailures: miner.consecutiveFailures,
                               coolingUntil: cooling ? miner.coolingUntil.map { wallNow.addingTimeInterval(($0 - now).seconds) } : nil,
                               successes: miner.successes, failures: miner.failures, recentScore: miner.recentScore,
                               endpoints: perEndpoint)
        }
    }
}

/// The earlier of two optional instants.
func earliest(_ a: Uptime?, _ b: Uptime?) -> Uptime? {
    guard let a else { return b }
    guard let b else { return a }
    return min(a, b)
}

/// One miner's health as the admin API reports it.
package struct MinerStatus: Sendable, Codable, Hashable {
    package var uid: UInt16
    package var hotkey: String
    package var url: String?
    package var state: MinerHealth
    /// Requests in flight over all endpoints.
    package var inFlight: Int
    /// Effective capacity on an endpoint without a configured, operator default or declared
    /// value of its own (after the stake share); ``endpoints`` has the capacity actually applied.
    package var capacity: Int
    package var consecutiveFailures: Int
    package var coolingUntil: Date?
    package var successes: Int
    package var failures: Int
    /// Moving average of recent scores, used to rank miners for organic traffic.
    package var recentScore: Double
    /// Load and capacity on each endpoint it serves.
    package var endpoints: [MinerEndpointStatus]
}

/// Whether the node sends a miner work now (`/admin/miners`, `/healthz`).
package enum MinerHealth: String, Codable, Sendable, CaseIterable {
    case healthy
    /// Failed recently; skipped until its cooldown ends.
    case coolingDown = "cooling_down"
}
