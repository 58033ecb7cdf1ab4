public import Foundation

/// Chooses which miners receive a query and tracks their health.
///
/// A miner is a candidate for an endpoint when it serves it, is not cooling down and has fewer
/// requests in flight than its capacity. Candidates are ranked by load (in flight ÷ capacity),
/// then least recently chosen, with random order among equals so selection cannot be gamed by
/// timing. A failure starts a cooldown that doubles with each consecutive failure up to a cap;
/// a success clears it. A 429 (busy) pauses the miner briefly without counting as a failure.
public actor MinerSelector {
    public struct Policy: Sendable {
        public var defaultCapacity: Int
        public var cooldownBase: Duration
        public var cooldownMax: Duration
        public var busyBackoff: Duration

        public init(defaultCapacity: Int = 8, cooldownBase: Duration = .seconds(1), cooldownMax: Duration = .seconds(300),
                    busyBackoff: Duration = .seconds(1)) {
            self.defaultCapacity = defaultCapacity
            self.cooldownBase = cooldownBase
            self.cooldownMax = cooldownMax
            self.busyBackoff = busyBackoff
        }
    }

    /// How one attempt ended, for health tracking.
    public enum AttemptResult: Sendable {
        case success
        case busy
        case failure
    }

    struct State {
        var inFlight = 0
        var consecutiveFailures = 0
        var coolingUntil: Date?
        var lastChosen = Date.distantPast
        var successes = 0
        var failures = 0
    }

    private var metagraph: Metagraph
    private var states: [String: State] = [:]
    private let policy: Policy
    private let clock: any NodeClock
    private var random: OrganicRandom

    public init(metagraph: Metagraph = Metagraph(neurons: []), policy: Policy = Policy(), clock: any NodeClock = SystemNodeClock(),
                random: OrganicRandom = OrganicRandom()) {
        self.metagraph = metagraph
        self.policy = policy
        self.clock = clock
        self.random = random
    }

    /// Replaces the known neurons. State of miners whose hotkey left is dropped, so a new
    /// hotkey at a reused uid starts fresh.
    public func update(metagraph: Metagraph) {
        self.metagraph = metagraph
        let hotkeys = Set(metagraph.neurons.map(\.hotkey))
        states = states.filter { hotkeys.contains($0.key) || $0.value.inFlight > 0 }
    }

    public var current: Metagraph { metagraph }

    /// Reserves up to `count` distinct miners for `endpoint`, skipping `excluded` hotkeys.
    /// Each returned miner must later be passed to ``release(_:result:)``.
    public func acquire(endpoint: String, count: Int, excluding excluded: Set<String> = []) -> [Neuron] {
        let now = clock.now()
        var candidates: [(neuron: Neuron, load: Double, last: Date)] = []
        for neuron in metagraph.neurons where neuron.serves(endpoint) && !excluded.contains(neuron.hotkey) {
            let state = states[neuron.hotkey] ?? State()
            if let until = state.coolingUntil, until > now { continue }
            let capacity = max(neuron.capacity ?? policy.defaultCapacity, 1)
            guard state.inFlight < capacity else { continue }
            candidates.append((neuron, Double(state.inFlight) / Double(capacity), state.lastChosen))
        }
        candidates.shuffle(using: &random)
        candidates.sort { ($0.load, $0.last) < ($1.load, $1.last) }
        let chosen = candidates.prefix(max(count, 0)).map(\.neuron)
        for neuron in chosen {
            states[neuron.hotkey, default: State()].inFlight += 1
            states[neuron.hotkey, default: State()].lastChosen = now
        }
        return chosen
    }

    /// Returns a miner reserved by ``acquire(endpoint:count:excluding:)`` and records the outcome.
    public func release(_ neuron: Neuron, result: AttemptResult) {
        var state = states[neuron.hotkey] ?? State()
        state.inFlight = max(state.inFlight - 1, 0)
        let now = clock.now()
        switch result {
        case .success:
            state.consecutiveFailures = 0
            state.coolingUntil = nil
            state.successes += 1
        case .busy:
            state.coolingUntil = now.addingTimeInterval(policy.busyBackoff.seconds)
        case .failure:
            state.consecutiveFailures += 1
            state.failures += 1
            state.coolingUntil = now.addingTimeInterval(cooldown(afterFailures: state.consecutiveFailures).seconds)
        }
        states[neuron.hotkey] = state
    }

    /// The cooldown after `n` consecutive failures: base × 2^(n-1), capped.
    public nonisolated func cooldown(afterFailures n: Int) -> Duration {
        guard n > 0 else { return .zero }
        let factor = pow(2.0, Double(min(n - 1, 40)))
        return .seconds(double: min(policy.cooldownBase.seconds * factor, policy.cooldownMax.seconds))
    }

    /// Health of every known miner, for the admin API.
    public func statuses() -> [MinerStatus] {
        let now = clock.now()
        return metagraph.neurons.map { neuron in
            let state = states[neuron.hotkey] ?? State()
            let cooling = state.coolingUntil.map { $0 > now } ?? false
            return MinerStatus(uid: neuron.uid, hotkey: neuron.hotkey, url: neuron.url,
                               state: cooling ? "cooling_down" : "healthy", inFlight: state.inFlight,
                               capacity: neuron.capacity ?? policy.defaultCapacity,
                               consecutiveFailures: state.consecutiveFailures,
                               coolingUntil: cooling ? state.coolingUntil : nil,
                               successes: state.successes, failures: state.failures)
        }
    }
}

/// One miner's health as the admin API reports it.
public struct MinerStatus: Sendable, Codable, Hashable {
    public var uid: UInt16
    public var hotkey: String
    public var url: String?
    public var state: String
    public var inFlight: Int
    public var capacity: Int
    public var consecutiveFailures: Int
    public var coolingUntil: Date?
    public var successes: Int
    public var failures: Int
}
