/// The metagraph as the scheduler indexes it. Every miner has a small id, kept while its hotkey
/// stays, that indexes its health and its load on each endpoint; a new hotkey gets a new id (a
/// freed one is reused), so it starts fresh. Immutable: an update makes a new roster, which the
/// health book and every lane adopt.
final class MinerRoster: Sendable {
    let metagraph: Metagraph
    /// The id of each neuron, in metagraph order.
    let ids: [Int]
    /// The id of every hotkey the scheduler tracks: the metagraph's, and departed ones until the
    /// update that finds nothing in flight to them.
    let idByHotkey: [String: Int]
    /// Ids handed out by the update that made this roster: their state starts fresh.
    let fresh: [Int]
    /// Ids of tracked hotkeys that are not in the metagraph; no lane picks them.
    let departed: [Int]
    /// Arrays indexed by id have this many entries.
    let idCount: Int
    /// This validator's share of each miner's capacity, when capacity is shared by stake.
    let stakeShare: Double?
    /// The metagraph position of the first neuron of each uid (-1 for none), and the hotkey at
    /// each position, so that a release finds its miner without hashing the hotkey.
    private let positionByUID: [Int32]
    private let hotkeys: [String]

    init(metagraph: Metagraph, ids: inout MinerIDs, stakeShare: Double?) {
        self.metagraph = metagraph
        self.stakeShare = stakeShare
        var fresh: [Int] = []
        self.ids = metagraph.neurons.map { ids.id(for: $0.hotkey, fresh: &fresh) }
        let live = Set(metagraph.neurons.map(\.hotkey))
        departed = ids.assigned.compactMap { live.contains($0.key) ? nil : $0.value }
        self.fresh = fresh
        idByHotkey = ids.assigned
        idCount = ids.count
        var positions = [Int32](repeating: -1, count: Int(metagraph.neurons.map(\.uid).max() ?? 0) + 1)
        for (position, neuron) in metagraph.neurons.enumerated().reversed() { positions[Int(neuron.uid)] = Int32(position) }
        positionByUID = positions
        hotkeys = metagraph.neurons.map(\.hotkey)
    }

    /// The id of `neuron`'s miner, if tracked: found by uid when the neuron at that uid has its
    /// hotkey (the usual case: a neuron handed out by the selector), else by hotkey.
    @inline(__always)
    func id(uid: UInt16, hotkey: String) -> Int? {
        if Int(uid) < positionByUID.count, case let position = Int(positionByUID[Int(uid)]), position >= 0,
           hotkeys[position] == hotkey {
            return ids[position]
        }
        return idByHotkey[hotkey]
    }
}

/// Hands out miner ids; ids freed by an update are reused by later ones.
struct MinerIDs {
    private(set) var assigned: [String: Int] = [:]
    private var freeIDs: [Int] = []
    /// Ids ever handed out (the size of arrays indexed by id).
    private(set) var count = 0

    /// The id of `hotkey`, a new one (appended to `fresh`) if it has none.
    mutating func id(for hotkey: String, fresh: inout [Int]) -> Int {
        if let id = assigned[hotkey] { return id }
        let id: Int
        if let reused = freeIDs.popLast() {
            id = reused
        } else {
            id = count
            count += 1
        }
        assigned[hotkey] = id
        fresh.append(id)
        return id
    }

    mutating func free(_ ids: [Int]) {
        let gone = Set(ids)
        assigned = assigned.filter { !gone.contains($0.value) }
        freeIDs += ids
    }
}
