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
        /// The declaration is already this validator's share (the miner scaled it by stake).
        var declaredIsShare = false

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

    /// Records the capacities a miner declared. Endpoints in `covering` that `declaredCapacities`
    /// omits lose their declaration (the configured capacity applies again); others are not
    /// touched. Negative values count as 0. In-flight counts are kept, and requests waiting
    /// for capacity are re-examined. `alreadyShared`: the miner declared this validator's share
    /// (scaled by its stake), so the node's stake share is not applied again.
    public func update(declaredCapacities: [String: Int], for hotkey: String, covering: [String], alreadyShared: Bool = false) {
        let grants = state.withLock { state -> [(CheckedContinuation<[Neuron], any Error>, [Neuron])] in
            guard state.metagraph.neurons.contains(where: { $0.hotkey == hotkey }) else { return [] }
            let index = state.updateMiner(hotkey)
            for endpoint in covering {
                let slot = state.slot(for: endpoint)
                state.grow(slot, to: index)
                let declared = declaredCapacities[endpoint].map { max($0, 0) }
                state.zeroDeclarations += (declared == 0 ? 1 : 0) - (state.loads[slot][index].declared == 0 ? 1 : 0)
                state.loads[slot][index].declared = declared
                state.loads[slot][index].declaredIsShare = alreadyShared
            }
            return grantWaiting(&state, now: clock.now())
        }
        resume(grants)
    }

    /// The capacity for endpoints without an operator default of their own.
    func fallbackCapacity(_ endpoint: String) -> Int {
        if policy.endpointCapacities.isEmpty { return policy.defaultCapacity }
        if let exact = policy.endpointCapacities[endpoint] { return exact }
        // A model's task (`<endpoint>/<model>`) takes its endpoint's default.
        if let slash = endpoint.firstIndex(of: "/"), let base = policy.endpointCapacities[String(endpoint[..<slash])] { return base }
        return policy.defaultCapacity
    }

    /// A miner's capacity on `endpoint` before the stake share, and where it comes from.
    func baseCapacity(_ neuron: Neuron, endpoint: String, declared: Int?, fallback: Int) -> (Int, CapacitySource) {
        let configured = neuron.configuredCapacity(endpoint)
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
        let load = state.load(state.endpointSlots[endpoint], state.miners[neuron.hotkey]?.index ?? -1)
        return effectiveCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallbackCapacity(endpoint),
                                 share: load.share(state.stakeShare))
    }

    /// Whether some miner serves `endpoint` with a capacity above 0 (cooling down or not).
    /// Only a declared 0 makes a capacity 0, so without one this is a plain scan.
    func hasServingMiner(_ state: State, endpoint: String) -> Bool {
        guard state.zeroDeclarations > 0 else { return state.metagraph.neurons.contains { $0.serves(endpoint) } }
        return state.metagraph.neurons.contains { $0.serves(endpoint) && capacity(state, $0, endpoint: endpoint) > 0 }
    }

    func endpointStatus(_ state: State, neuron: Neuron, miner: MinerState, endpoint: String) -> MinerEndpointStatus {
        let load = state.load(state.endpointSlots[endpoint], miner.index)
        let (base, source) = baseCapacity(neuron, endpoint: endpoint, declared: load.declared, fallback: fallbackCapacity(endpoint))
        return MinerEndpointStatus(endpoint: endpoint, inFlight: load.inFlight, capacity: shared(base, share: load.share(state.stakeShare)),
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
        loads.append([])
        return slot
    }

    /// A miner's use of the endpoint at `slot` (empty for an unknown slot or miner).
    func load(_ slot: Int?, _ index: Int) -> MinerSelector.EndpointLoad {
        guard let slot, loads.indices.contains(slot), loads[slot].indices.contains(index) else { return MinerSelector.EndpointLoad() }
        return loads[slot][index]
    }

    /// Requests in flight to the miner at `index` over all endpoints.
    func inFlight(index: Int) -> Int {
        loads.reduce(0) { sum, slot in sum + (slot.indices.contains(index) ? slot[index].inFlight : 0) }
    }

    /// Applies `change` to `hotkey`'s miner state and returns the miner's index; a miner without
    /// state gets one, with the next free index. One dictionary access (hot path).
    @discardableResult
    mutating func updateMiner(_ hotkey: String, _ change: (inout MinerSelector.MinerState) -> Void = { _ in }) -> Int {
        let next = minerCount
        let index = Self.apply(change, to: &miners[hotkey, default: MinerSelector.MinerState(index: next)])
        if index == next { minerCount += 1 }
        return index
    }

    private static func apply(_ change: (inout MinerSelector.MinerState) -> Void, to miner: inout MinerSelector.MinerState) -> Int {
        change(&miner)
        return miner.index
    }

    mutating func grow(_ slot: Int, to index: Int) {
        if loads[slot].count <= index {
            loads[slot].append(contentsOf: repeatElement(MinerSelector.EndpointLoad(), count: index + 1 - loads[slot].count))
        }
    }

    /// One more request in flight to `hotkey` on the endpoint at `slot`.
    mutating func begin(_ hotkey: String, slot: Int, at now: Date) {
        let index = updateMiner(hotkey) { $0.lastChosen = now }
        grow(slot, to: index)
        loads[slot][index].inFlight += 1
    }

    /// Renumbers the miners left after a metagraph update, dropping the loads of those gone.
    mutating func compactLoads() {
        var compacted = Array(repeating: [MinerSelector.EndpointLoad](), count: loads.count)
        var count = 0
        for (hotkey, var miner) in miners {
            for slot in compacted.indices { compacted[slot].append(load(slot, miner.index)) }
            miner.index = count
            miners[hotkey] = miner
            count += 1
        }
        loads = compacted
        minerCount = count
        zeroDeclarations = compacted.reduce(0) { sum, slot in sum + slot.count { $0.declared == 0 } }
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
