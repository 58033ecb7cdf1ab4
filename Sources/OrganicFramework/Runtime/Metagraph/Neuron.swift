/// A participant of the subnet as the node sees it.
public struct Neuron: Sendable, Hashable, Codable {
    public var uid: UInt16
    public var hotkey: String
    public var coldkey: String?
    /// Base URL of its HTTP server (`http://ip:port`); nil when it serves no axon.
    public var url: String?
    /// Stake in TAO.
    public var stake: Double
    public var validatorPermit: Bool
    /// Endpoint names it serves; nil means all of them. For an endpoint that routes by model, an
    /// entry `<endpoint>/<model>` serves only that model, and a plain `<endpoint>` all of them.
    public var endpoints: Set<String>?
    /// Concurrent requests it accepts on each endpoint, as configured; nil means the node's default.
    public var capacity: Int?
    /// Configured concurrent requests per endpoint name, overriding `capacity` for those endpoints.
    public var capacities: [String: Int]?

    public init(uid: UInt16, hotkey: String, coldkey: String? = nil, url: String?, stake: Double = 0,
                validatorPermit: Bool = false, endpoints: Set<String>? = nil, capacity: Int? = nil, capacities: [String: Int]? = nil) {
        self.uid = uid
        self.hotkey = hotkey
        self.coldkey = coldkey
        self.url = url
        self.stake = stake
        self.validatorPermit = validatorPermit
        self.endpoints = endpoints
        self.capacity = capacity
        self.capacities = capacities
    }

    public var identity: MinerIdentity { MinerIdentity(uid: uid, hotkey: hotkey) }

    /// Whether the neuron can be asked to serve `task`: an endpoint name, or `<endpoint>/<model>`.
    public func serves(_ task: String) -> Bool {
        guard url != nil else { return false }
        guard let endpoints else { return true }
        if endpoints.contains(task) { return true }
        guard let slash = task.firstIndex(of: "/") else { return false }
        return endpoints.contains(String(task[..<slash]))
    }

    /// The configured capacity for `task`, falling back from `<endpoint>/<model>` to `<endpoint>`.
    func configuredCapacity(_ task: String) -> Int? {
        guard let capacities else { return capacity }
        if let exact = capacities[task] { return exact }
        if let slash = task.firstIndex(of: "/"), let endpoint = capacities[String(task[..<slash])] { return endpoint }
        return capacity
    }
}

/// A snapshot of the subnet's neurons.
public struct Metagraph: Sendable, Hashable, Codable {
    public var netuid: UInt16?
    public var neurons: [Neuron]

    public init(netuid: UInt16? = nil, neurons: [Neuron]) {
        self.netuid = netuid
        self.neurons = neurons
    }

    public func neuron(uid: UInt16) -> Neuron? { neurons.first { $0.uid == uid } }
}
