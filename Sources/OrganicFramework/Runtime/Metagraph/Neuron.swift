/// A participant of the subnet as the node sees it.
///
/// Its fields live in one shared, immutable box: a neuron is copied on every admission and
/// handed through dispatch, and copying one reference costs a fifth of copying five strings and
/// collections. A change to a field makes a new box, so a neuron still behaves as a value.
public struct Neuron: Sendable, Hashable, Codable {
    /// The fields, encoded and compared exactly as the neuron's own.
    struct Fields: Sendable, Hashable, Codable {
        var uid: UInt16
        var hotkey: String
        var coldkey: String?
        var url: String?
        var stake: Double
        var validatorPermit: Bool
        var endpoints: Set<String>?
        var capacity: Int?
        var capacities: [String: Int]?
    }

    final class Storage: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = storage.fields
        body(&fields)
        storage = Storage(fields)
    }

    public var uid: UInt16 {
        get { storage.fields.uid }
        set { change { $0.uid = newValue } }
    }

    public var hotkey: String {
        get { storage.fields.hotkey }
        set { change { $0.hotkey = newValue } }
    }

    public var coldkey: String? {
        get { storage.fields.coldkey }
        set { change { $0.coldkey = newValue } }
    }

    /// Base URL of its HTTP server (`http://ip:port`); nil when it serves no axon.
    public var url: String? {
        get { storage.fields.url }
        set { change { $0.url = newValue } }
    }

    /// Stake in TAO.
    public var stake: Double {
        get { storage.fields.stake }
        set { change { $0.stake = newValue } }
    }

    public var validatorPermit: Bool {
        get { storage.fields.validatorPermit }
        set { change { $0.validatorPermit = newValue } }
    }

    /// Endpoint names it serves; nil means all of them. For an endpoint that routes by model, an
    /// entry `<endpoint>/<model>` serves only that model, and a plain `<endpoint>` all of them.
    public var endpoints: Set<String>? {
        get { storage.fields.endpoints }
        set { change { $0.endpoints = newValue } }
    }

    /// Concurrent requests it accepts on each endpoint, as configured; nil means the node's default.
    public var capacity: Int? {
        get { storage.fields.capacity }
        set { change { $0.capacity = newValue } }
    }

    /// Configured concurrent requests per endpoint name, overriding `capacity` for those endpoints.
    public var capacities: [String: Int]? {
        get { storage.fields.capacities }
        set { change { $0.capacities = newValue } }
    }

    public init(uid: UInt16, hotkey: String, coldkey: String? = nil, url: String?, stake: Double = 0,
                validatorPermit: Bool = false, endpoints: Set<String>? = nil, capacity: Int? = nil, capacities: [String: Int]? = nil) {
        storage = Storage(Fields(uid: uid, hotkey: hotkey, coldkey: coldkey, url: url, stake: stake, validatorPermit: validatorPermit,
                                 endpoints: endpoints, capacity: capacity, capacities: capacities))
    }

    public init(from decoder: any Decoder) throws {
        storage = Storage(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.fields.encode(to: encoder)
    }

    public static func == (a: Neuron, b: Neuron) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    public func hash(into hasher: inout Hasher) {
        storage.fields.hash(into: &hasher)
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
