/// Per-endpoint capacity: what a miner may be sent at once on each endpoint, and how much of
/// it is in use.
///
/// The capacity of a miner on an endpoint, before the stake share:
/// - declared by the miner (see ``CapacityProbeService``):
///   `min(declared, configured for that miner and endpoint if set, Policy.maxDeclaredCapacity)`;
///   a declared 0 means the miner does not serve the endpoint now;
/// - else configured (`miners[].capacities[endpoint]`, else `miners[].capacity`);
/// - else the operator's default for the endpoint (``Policy/endpointCapacities``), else
///   ``Policy/defaultCapacity``.
extension MinerSelector {
    /// Records the capacities a miner declared. Endpoints in `covering` that `declaredCapacities`
    /// omits lose their declaration (the configured capacity applies again); others are not
    /// touched. Negative values count as 0. In-flight counts are kept, and requests waiting
    /// for capacity are re-examined. `alreadyShared`: the miner declared this validator's share
    /// (scaled by its stake), so the node's stake share is not applied again.
    package func update(declaredCapacities: [String: Int], for hotkey: String, covering: [String], alreadyShared: Bool = false) {
        let now = clock.uptime()
        guard current.neurons.contains(where: { $0.hotkey == hotkey }) else { return }
        var grants: [Grant] = []
        var wake: Uptime?
        for endpoint in covering {
            withLane(lane(endpoint)) { state, book in
                guard let id = state.roster.idByHotkey[hotkey] else { return }
                state.listsLoads = true
                state.loads[id].declared = declaredCapacities[endpoint].map { max($0, 0) }
                state.loads[id].declaredIsShare = alreadyShared
                state.refreshCapacity(of: id, rules)
                grants += grantWaiting(&state, &book, now: now)
                wake = earliest(wake, nextWake(state, book, now: now))
            }
        }
        resume(grants)
        if let wake { armTimer(at: wake) }
    }

    /// The capacity for endpoints without an operator default of their own.
    func fallbackCapacity(_ endpoint: String) -> Int {
        rules.fallback(endpoint)
    }
}

/// One miner's use of one endpoint.
struct EndpointLoad {
    var inFlight = 0
    /// What the miner last declared (validated, not yet capped); nil when it declared nothing.
    var declared: Int?
    /// The declaration is already this validator's share (the miner scaled it by stake).
    var declaredIsShare = false
    /// The effective capacity (after caps and the stake share), worked out when the roster or
    /// the declaration changes.
    var capacity = 0 {
        didSet { loadPerRequest = capacity > 0 ? 1 / Double(capacity) : 0 }
    }
    /// The share of the capacity one request takes: selection multiplies by it on every
    /// admission, where a division per candidate was the largest single cost.
    private(set) var loadPerRequest = 0.0

    /// The stake share to apply to this load's capacity: none to a declaration that has it already.
    @inline(__always)
    func share(_ stakeShare: Double?) -> Double? {
        declaredIsShare && declared != nil ? nil : stakeShare
    }
}

/// Where a miner's capacity on an endpoint comes from, as `/admin/miners` reports it.
enum CapacitySource: String {
    case declared, configured, `default`
}

/// The operator's capacity settings and the rules that combine them with a miner's own.
struct CapacityRules: Sendable {
    var defaultCapacity: Int
    var endpointCapacities: [String: Int]
    var maxDeclaredCapacity: Int

    init(_ policy: MinerSelector.Policy) {
        defaultCapacity = policy.defaultCapacity
        endpointCapacities = policy.endpointCapacities
        maxDeclaredCapacity = policy.maxDeclaredCapacity
    }

    /// The capacity for endpoints without an operator default of their own.
    func fallback(_ endpoint: String) -> Int {
        if endpointCapacities.isEmpty { return defaultCapacity }
        if let exact = endpointCapacities[endpoint] { return exact }
        // A model's task (`<endpoint>/<model>`) takes its endpoint's default.
        if let slash = endpoint.firstIndex(of: "/"), let base = endpointCapacities[String(endpoint[..<slash])] { return base }
        return defaultCapacity
    }

    /// A miner's capacity on `endpoint` before the stake share, and where it comes from.
    func base(_ neuron: Neuron, endpoint: String, declared: Int?) -> (capacity: Int, source: CapacitySource) {
        let configured = neuron.configuredCapacity(endpoint)
        if let declared {
            return (max(min(declared, configured ?? .max, maxDeclaredCapacity), 0), .declared)
        }
        if let configured { return (max(configured, 1), .configured) }
        return (max(fallback(endpoint), 1), .default)
    }

    /// `max(1, floor(capacity × share))`; 0 stays 0, no share leaves it whole.
    static func shared(_ capacity: Int, share: Double?) -> Int {
        guard capacity > 0 else { return 0 }
        guard let share, share.isFinite, share > 0, share < 1 else { return capacity }
        return max(1, Int((Double(capacity) * share).rounded(.down)))
    }
}

/// One miner's load and capacity on one endpoint, as `/admin/miners` reports it.
package struct MinerEndpointStatus: Sendable, Codable, Hashable {
    package var endpoint: String
    /// Requests in flight on this endpoint.
    package var inFlight: Int
    /// Effective capacity: the most requests the node sends it at once here (after the stake share).
    package var capacity: Int
    /// What the miner last declared over HTTP, before the operator's caps; nil when it declared nothing.
    package var declared: Int?
    /// `declared`, `configured` (its `miners:` entry) or `default` (the operator's default).
    package var source: String
}
