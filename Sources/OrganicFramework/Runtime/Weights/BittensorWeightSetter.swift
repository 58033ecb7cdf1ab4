/// Sets the node's weights on the chain through ``WeightsBridge`` (the official SDK does
/// commit-reveal, timelock encryption and signing). One bridge call per vector.
///
/// Conforms to the scoring layer's `WeightSetter` once both are merged: its
/// `setWeights(_ submission:)` forwards `submission.netuid ?? netuid`, `uids`, `weights`.
package struct BittensorWeightSetter: Sendable {
    package var bridge: WeightsBridge
    package var target: WeightsBridge.Target
    package var netuid: UInt16
    package var versionKey: UInt64

    package init(bridge: WeightsBridge, target: WeightsBridge.Target, netuid: UInt16, versionKey: UInt64 = 0) {
        self.bridge = bridge
        self.target = target
        self.netuid = netuid
        self.versionKey = versionKey
    }

    /// Sets one u16 vector (uids ascending, parallel weights).
    package func setWeights(netuid: UInt16? = nil, uids: [UInt16], weights: [UInt16]) async throws {
        try await bridge.set(uids: uids, weights: weights, versionKey: versionKey, netuid: netuid ?? self.netuid, target: target)
    }

    /// Startup check: fails with a clear message when the SDK cannot be imported.
    package func checkSDK() async throws(WeightsBridgeError) -> String {
        let status = await bridge.check()
        guard status.available else {
            throw .failed("the Bittensor SDK is not usable by \(bridge.python) (\(status.detail)); install it with `\(bridge.python) -m pip install bittensor` or set chain.python")
        }
        return status.detail
    }
}

extension BittensorWeightSetter {
    /// The setter `chain.setWeights` asks for, or nil when it is off.
    package static func configured(by configuration: NodeConfiguration) throws(ConfigurationError) -> BittensorWeightSetter? {
        let chain = configuration.chain
        guard chain.setWeights else { return nil }
        guard let wallet = configuration.node.wallet, let hotkey = configuration.node.hotkey else {
            throw ConfigurationError("chain.setWeights needs node.wallet and node.hotkey")
        }
        guard let netuid = chain.netuid.flatMap({ UInt16(exactly: $0) }) else {
            throw ConfigurationError("chain.setWeights needs chain.netuid (0...65535)")
        }
        let network = chain.network ?? chain.endpoint ?? "finney"
        return BittensorWeightSetter(
            bridge: WeightsBridge(python: chain.python, script: chain.weightsBridge),
            target: .init(network: network, wallet: wallet, hotkey: hotkey, walletPath: configuration.node.walletPath),
            netuid: netuid, versionKey: chain.versionKey)
    }
}
