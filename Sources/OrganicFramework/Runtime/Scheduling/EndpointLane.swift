import Synchronization

/// One endpoint's part of the scheduler, under its own lock: ``LaneState``.
final class EndpointLane: Sendable {
    let endpoint: String
    let state: Mutex<LaneState>

    init(endpoint: String, roster: MinerRoster, rules: CapacityRules, random: OrganicRandom) {
        self.endpoint = endpoint
        var state = LaneState(endpoint: endpoint, roster: roster, random: random)
        state.adopt(roster, rules: rules)
        self.state = Mutex(state)
    }
}

/// What one endpoint's scheduling needs: which miners serve it, their load and capacity there
/// (by miner id), and its queue of waiting requests. Load and queue change together, so that
/// capacity freed by a release goes to the next waiter in the same step.
struct LaneState {
    /// A neuron serving this endpoint.
    struct Candidate {
        /// Its position in the roster's metagraph.
        var neuron: Int
        var id: Int
    }

    let endpoint: String
    /// The roster the ids below belong to.
    private(set) var roster: MinerRoster
    /// Its neurons (read on every selection).
    private(set) var neurons: [Neuron] = []
    /// The roster's neurons that serve this endpoint, in metagraph order.
    private(set) var candidates: [Candidate] = []
    /// Load and effective capacity per miner id.
    var loads: [EndpointLoad] = []
    /// Candidates with a capacity above 0 (cooling down or not).
    private(set) var serving = 0
    var queue = EndpointQueue()
    var random: OrganicRandom
    /// Scratch space of selections, kept to avoid an allocation per request.
    var ranked: [RankedCandidate] = []
    /// Whether the admin reports list this endpoint: its queue once a request was admitted or
    /// measured here, its loads once a miner was picked, released or declared here.
    var listsQueue = false
    var listsLoads = false

    init(endpoint: String, roster: MinerRoster, random: OrganicRandom) {
        self.endpoint = endpoint
        self.roster = roster
        self.random = random
    }

    /// Takes a new roster: loads of fresh ids start empty; the candidates and their capacities
    /// are worked out again.
    mutating func adopt(_ roster: MinerRoster, rules: CapacityRules) {
        self.roster = roster
        neurons = roster.metagraph.neurons
        if loads.count < roster.idCount {
            loads.append(contentsOf: repeatElement(EndpointLoad(), count: roster.idCount - loads.count))
        }
        for id in roster.fresh { loads[id] = EndpointLoad() }
        candidates.removeAll(keepingCapacity: true)
        for (index, neuron) in neurons.enumerated() where neuron.serves(endpoint) {
            candidates.append(Candidate(neuron: index, id: roster.ids[index]))
        }
        refreshCapacities(rules)
    }

    /// Works out every candidate's effective capacity again (after a roster change).
    mutating func refreshCapacities(_ rules: CapacityRules) {
        serving = 0
        for candidate in candidates {
            refreshCapacity(candidate, rules)
            if loads[candidate.id].capacity > 0 { serving += 1 }
        }
    }

    /// Works out the effective capacity of miner `id` again (after it declared).
    mutating func refreshCapacity(of id: Int, _ rules: CapacityRules) {
        for candidate in candidates where candidate.id == id {
            let wasServing = loads[id].capacity > 0
            refreshCapacity(candidate, rules)
            serving += (loads[id].capacity > 0 ? 1 : 0) - (wasServing ? 1 : 0)
        }
    }

    private mutating func refreshCapacity(_ candidate: Candidate, _ rules: CapacityRules) {
        let load = loads[candidate.id]
        loads[candidate.id].capacity = CapacityRules.shared(
            rules.base(neurons[candidate.neuron], endpoint: endpoint, declared: load.declared).capacity, share: load.share(roster.stakeShare))
    }

    @inline(__always)
    func neuron(_ candidate: Candidate) -> Neuron { neurons[candidate.neuron] }
}
