extension NodeConfiguration {
    /// A subnet this node validates besides the default one (`subnets:`), with its own
    /// plugins, validator identity, miners, protocol and weights.
    ///
    /// The default subnet is the top-level `node`, `chain.netuid`, `miners` and
    /// `chain.setWeights`, with every plugin that no `subnets` entry claims. Each subnet keeps its
    /// own miner selection, scores, periods and weights; keys, credits and the public API are
    /// shared.
    public struct Subnet: Codable, Sendable, Equatable {
        /// A short name for logs, `/admin/...?subnet=` and the weights file; defaults to
        /// `netuid-<netuid>`, else `subnet-<position>`.
        public var name: String?
        /// Plugins (by name) whose endpoints belong to this subnet; at least one.
        public var plugins: [String]
        /// The subnet's netuid on the chain (`chain.endpoint`): its metagraph is read and its
        /// weights set there. Without it the subnet's miners come from `miners`.
        public var netuid: Int?
        /// The validator on this subnet; null uses the top-level `node` identity.
        public var node: Identity?
        /// Static miners, when the metagraph does not come from the chain.
        public var miners: [StaticMiner]?
        /// The protocol this subnet's miners speak, overriding its plugins' choice.
        public var minerProtocol: MinerProtocol?
        /// Set this subnet's weights on the chain (needs `netuid` and a hotkey).
        public var setWeights: Bool?

        public init(name: String? = nil, plugins: [String], netuid: Int? = nil, node: Identity? = nil, miners: [StaticMiner]? = nil,
                    minerProtocol: MinerProtocol? = nil, setWeights: Bool? = nil) {
            self.name = name
            self.plugins = plugins
            self.netuid = netuid
            self.node = node
            self.miners = miners
            self.minerProtocol = minerProtocol
            self.setWeights = setWeights
        }
    }
}
