/// Where the node learns which miners exist. The configuration file is one source; the
/// Bittensor chain is another. The node asks again every `refreshInterval`.
public protocol MetagraphSource: Sendable {
    /// The current neurons. Throwing keeps the node on its last good snapshot.
    func fetch() async throws -> Metagraph
    /// How often to fetch again; nil for a source that never changes.
    var refreshInterval: Duration? { get }
}

/// The miners listed under `miners:` in the configuration file.
public struct StaticMetagraphSource: MetagraphSource {
    public let metagraph: Metagraph

    public init(metagraph: Metagraph) {
        self.metagraph = metagraph
    }

    /// Builds the metagraph from configuration entries, refusing duplicates and bad values.
    /// `netuid` labels it (weights reports and submissions name their subnet).
    public init(miners: [StaticMiner], netuid: UInt16? = nil) throws(ConfigurationError) {
        var neurons: [Neuron] = []
        var uids = Set<Int>()
        var hotkeys = Set<String>()
        for (index, miner) in miners.enumerated() {
            let at = "miners[\(index)]"
            guard let uid = UInt16(exactly: miner.uid) else { throw ConfigurationError("\(at).uid must be 0...65535") }
            guard uids.insert(miner.uid).inserted else { throw ConfigurationError("\(at).uid \(miner.uid) is listed twice") }
            guard !miner.hotkey.isEmpty, hotkeys.insert(miner.hotkey).inserted else {
                throw ConfigurationError("\(at).hotkey must be non-empty and unique")
            }
            guard miner.url.hasPrefix("http://") || miner.url.hasPrefix("https://") else {
                throw ConfigurationError("\(at).url must start with http:// or https://")
            }
            if let capacity = miner.capacity, capacity < 1 { throw ConfigurationError("\(at).capacity must be at least 1") }
            if let bad = miner.capacities?.sorted(by: { $0.key < $1.key }).first(where: { $0.value < 1 }) {
                throw ConfigurationError("\(at).capacities.\(bad.key) must be at least 1")
            }
            var url = miner.url
            while url.hasSuffix("/") { url.removeLast() }
            neurons.append(Neuron(uid: uid, hotkey: miner.hotkey, coldkey: miner.coldkey, url: url,
                                  stake: miner.stake ?? 0, endpoints: miner.endpoints.map(Set.init), capacity: miner.capacity,
                                  capacities: miner.capacities))
        }
        self.metagraph = Metagraph(netuid: netuid, neurons: neurons)
    }

    public func fetch() async throws -> Metagraph { metagraph }
    public var refreshInterval: Duration? { nil }
}
