import Foundation

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
    /// One miner's use of one endpoint.
    struct EndpointLoad {
        var inFlight = 0
        /// What the miner last declared (validated, not yet capped); nil when it declared nothing.
        var declared: Int?
    }

    /// Where a miner's capacity on an endpoint comes from, as `/admin/miners` reports it.
    enum CapacitySource: String {
        case declared, configured, `default`
    }

    /// Records the capacities a miner declared. Endpoints in `covering` that `declaredCapacities`
    /// omits lose their declaration (the configured capacity applies again); others are not
    /// touched. Negative values count as 0. In-flight counts are kept, and requests waiting
    /// for capacity are re-examined.
    public func update(declaredCapacities: [String: Int], for hotkey: String, covering: [String]) {
        let grants = state.withLock { state -> [(CheckedContinuation<[Neuron], any Error>, [Neuron])] in
            guard state.metagraph.neurons.contains(where: { $0.hotkey == hotkey }) else { return [] }
            var miner = state.miners.removeValue(forKey: hotkey) ?? MinerState()
            for endpoint in covering {
                let slot = state.slot(for: endpoint)
                miner.grow(to: slot)
                let declared = declaredCapacities[endpoint].map { max($0, 0) }
                state.zeroDeclarations += (declared == 0 ? 1 : 0) - (miner.endpoints[slot].declared == 0 ? 1 : 0)
                miner.endpoints[slot].declared = declared
            }
            state.miners[hotkey] = miner
            return grantWaiting(&state, now: clock.now())
        }
        resume(grants)
    }

    /// The capacity for endpoints without an operator default of their own.
    func fallbackCapacity(_ endpoint: String) -> Int {
        if policy.endpointCapacities.isEmpty { return policy.defaultCapacity }
        return policy.endpointCapacities[endpoint] ?? policy.defaultCapacity
    }

    /// A miner's capacity on `endpoint` before the stake share, and where it comes from.
    func baseCapacity(_ neuron: Neuron, endpoint: String, declared: Int?, fallback: Int) -> (Int, CapacitySource) {
        let configured = neuron.capacities?[endpoint] ?? neuron.capacity
        if let declared {
            return (max(min(declared, configured ?? .max, policy.maxDeclaredCapacity), 0), .declared)
        }
        if let configured { return (max(configured, 1), .configured) }
        return (max(fallback, 1), .default)
    }

    /// A miner's capacity on `endpoint` after this validator's stake share.
    @inline(__always)
    func effectiveCapacity(_ neuron: Neuron, endpoint: String, declared: Int?, fallback: Int, share: Double?) -> Int {
        shared(baseCapacity(neuron, endpoint: endpoint, declared: declared, fallback: fallback).0, share: share)
    }

    /// `max(1, floor(capacity × share))`; 0 stays 0, no share leaves it whole.
    func shared(_ capacity: Int, share: Double?) -> Int {
        guard capacity > 0 else { return 0 }
        guard let share, share.isFinite, share > 0, share < 1 else { return capacity }
        return max(1, Int((Double(capacity) * share).rounded(.down)))
    }

    /// A miner's effective capacity on `endpoint` (slow path: looks everything up).
    func capacity(_ state: State, _ neuron: Neuron, endpoint: String) -> Int {
        let load = (state.miners[neuron.hotkey] ?? MinerState()).load(state.endpointSlots[endpoint])
        return effectiveCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallbackCapacity(endpoint), share: state.stakeShare)
    }

    /// Whether some miner serves `endpoint` with a capacity above 0 (cooling down or not).
    /// Only a declared 0 makes a capacity 0, so without one this is a plain scan.
    func hasServingMiner(_ state: State, endpoint: String) -> Bool {
        guard state.zeroDeclarations > 0 else { return state.metagraph.neurons.contains { $0.serves(endpoint) } }
        return state.metagraph.neurons.contains { $0.serves(endpoint) && capacity(state, $0, endpoint: endpoint) > 0 }
    }

    func endpointStatus(_ state: State, neuron: Neuron, miner: MinerState, endpoint: String) -> MinerEndpointStatus {
        let load = miner.load(state.endpointSlots[endpoint])
        let (base, source) = baseCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallbackCapacity(endpoint))
        return MinerEndpointStatus(endpoint: endpoint, inFlight: load.inFlight, capacity: shared(base, share: state.stakeShare),
                                   declared: load.declared, source: source.rawValue)
    }
}

extension MinerSelector.State {
    /// The slot of `endpoint`, assigned on first use.
    mutating func slot(for endpoint: String) -> Int {
        if let slot = endpointSlots[endpoint] { return slot }
        let slot = endpointNames.count
        endpointSlots[endpoint] = slot
        endpointNames.append(endpoint)
        return slot
    }
}

extension MinerSelector.MinerState {
    /// The miner's use of the endpoint at `slot` (empty for an unknown slot).
    @inline(__always)
    func load(_ slot: Int?) -> MinerSelector.EndpointLoad {
        guard let slot, slot < endpoints.count else { return MinerSelector.EndpointLoad() }
        return endpoints[slot]
    }

    mutating func grow(to slot: Int) {
        while endpoints.count <= slot { endpoints.append(MinerSelector.EndpointLoad()) }
    }

    /// One more request in flight on the endpoint at `slot`.
    mutating func begin(_ slot: Int, at now: Date) {
        grow(to: slot)
        endpoints[slot].inFlight += 1
        inFlight += 1
        lastChosen = now
    }

    /// One request fewer in flight on the endpoint at `slot`.
    mutating func end(_ slot: Int) {
        if slot < endpoints.count, endpoints[slot].inFlight > 0 {
            endpoints[slot].inFlight -= 1
            inFlight = max(inFlight - 1, 0)
        }
    }
}

/// One miner's load and capacity on one endpoint, as `/admin/miners` reports it.
public struct MinerEndpointStatus: Sendable, Codable, Hashable {
    public var endpoint: String
    /// Requests in flight on this endpoint.
    public var inFlight: Int
    /// Effective capacity: the most requests the node sends it at once here (after the stake share).
    public var capacity: Int
    /// What the miner last declared over HTTP, before the operator's caps; nil when it declared nothing.
    public var declared: Int?
    /// `declared`, `configured` (its `miners:` entry) or `default` (the operator's default).
    public var source: String
}
