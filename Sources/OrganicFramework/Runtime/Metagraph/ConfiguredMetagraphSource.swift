package import Logging

extension OrganicNode {
    /// The metagraph source a configuration asks for: the chain when `chain.endpoint` is
    /// set, otherwise the `miners:` list.
    package static func metagraphSource(for configuration: NodeConfiguration, logger: Logger) throws(ConfigurationError) -> any MetagraphSource {
        let chain = configuration.chain
        guard let endpoint = chain.endpoint, !endpoint.isEmpty else {
            let netuid = try chain.netuid.map { value throws(ConfigurationError) in
                guard let netuid = UInt16(exactly: value) else { throw ConfigurationError("chain.netuid must be 0...65535") }
                return netuid
            }
            return try StaticMetagraphSource(miners: configuration.miners, netuid: netuid)
        }
        guard endpoint.hasPrefix("ws://") || endpoint.hasPrefix("wss://") else {
            throw ConfigurationError("chain.endpoint must start with ws:// or wss://")
        }
        guard let netuid = chain.netuid.flatMap({ UInt16(exactly: $0) }) else {
            throw ConfigurationError("chain.netuid must be set (0...65535) with chain.endpoint")
        }
        guard chain.metagraphRefreshSeconds >= 1, chain.requestTimeoutSeconds > 0 else {
            throw ConfigurationError("chain.metagraphRefreshSeconds must be >= 1 and chain.requestTimeoutSeconds positive")
        }
        if !configuration.miners.isEmpty {
            logger.warning("chain.endpoint is set: the `miners:` list is ignored")
        }
        let rpc = WebSocketSubtensorRPC(url: endpoint, timeout: .seconds(double: chain.requestTimeoutSeconds), logger: logger)
        return SubtensorMetagraphSource(netuid: netuid, rpc: rpc, refreshInterval: .seconds(double: chain.metagraphRefreshSeconds))
    }
}
