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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, plugins, netuid, node, miners, minerProtocol, setWeights
        }

        /// Strict: a misspelt key in an entry is an error, as everywhere else in the configuration
        /// (list entries are not checked against the defaults, so the check is here).
        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: AnyConfigurationKey.self)
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = keys.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
                throw DecodingError.dataCorruptedError(forKey: AnyConfigurationKey(stringValue: unknown), in: keys,
                    debugDescription: "unknown setting '\(unknown)' (known here: \(known.sorted().joined(separator: ", ")))")
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            plugins = try container.decode([String].self, forKey: .plugins)
            netuid = try container.decodeIfPresent(Int.self, forKey: .netuid)
            node = try container.decodeIfPresent(Identity.self, forKey: .node)
            miners = try container.decodeIfPresent([StaticMiner].self, forKey: .miners)
            minerProtocol = try container.decodeIfPresent(MinerProtocol.self, forKey: .minerProtocol)
            setWeights = try container.decodeIfPresent(Bool.self, forKey: .setWeights)
        }

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

/// Any key of a configuration object, for checking that an entry has no unknown ones.
struct AnyConfigurationKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
