import OrganicFramework
extension ReferenceMinerServer {
    /// Who may call a reference miner that serves the Axon or a fiber protocol: requests must be
    /// addressed to ``hotkey`` and come from a sender in ``directory`` with enough standing.
    ///
    /// (The plain-JSON protocols use ``Options/verifier`` instead, as they always have.)
    public struct SenderPolicy: Sendable {
        /// This miner's hotkey (SS58).
        public var hotkey: String
        /// The registered senders; run it as a service so that it stays current.
        public var directory: SenderDirectory
        /// Smallest stake (TAO) a sender needs; nil keeps the protocol's own default (fiber's
        /// 1000 τ; none for the SDK Axon).
        public var minimumStake: Double?
        /// Whether senders need a validator permit.
        public var requireValidatorPermit: Bool

        public init(hotkey: String, directory: SenderDirectory, minimumStake: Double? = nil, requireValidatorPermit: Bool = true) {
            self.hotkey = hotkey
            self.directory = directory
            self.minimumStake = minimumStake
            self.requireValidatorPermit = requireValidatorPermit
        }
    }
}
