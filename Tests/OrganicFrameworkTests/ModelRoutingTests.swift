@testable import OrganicFramework
import OrganicTestKit
import PropertyBased
import Testing

/// Endpoints that route by model schedule `<endpoint>/<model>`: which miners serve such a task,
/// and with what capacity.
@Suite("Model routing")
struct ModelRoutingTests {
    static func neuron(_ uid: UInt16, _ endpoints: Set<String>?, capacity: Int? = nil, capacities: [String: Int]? = nil) -> Neuron {
        Neuron(uid: uid, hotkey: "m\(uid)", url: "http://127.0.0.1:1", endpoints: endpoints, capacity: capacity, capacities: capacities)
    }

    @Test("a miner listed for <endpoint>/<model> serves only that model; one listed for <endpoint> serves every model")
    func serves() {
        let m1Only = Self.neuron(1, ["chat-completions/m1"])
        #expect(m1Only.serves("chat-completions/m1"))
        #expect(!m1Only.serves("chat-completions/m2"))
        #expect(!m1Only.serves("chat-completions"), "a request without a model is not m1's")
        #expect(!m1Only.serves("embeddings"))

        let all = Self.neuron(2, ["chat-completions"])
        for task in ["chat-completions", "chat-completions/m1", "chat-completions/m2"] { #expect(all.serves(task)) }
        #expect(!all.serves("embeddings/m1"))

        let prefix = Self.neuron(3, ["chat"])
        #expect(!prefix.serves("chat-completions/m1"), "an endpoint name is matched whole, not as a prefix")
        #expect(Self.neuron(4, nil).serves("chat-completions/m7"))
        #expect(!Neuron(uid: 5, hotkey: "m5", url: nil).serves("chat-completions/m1"), "no axon, no work")
    }

    @Test("configured capacities fall back from <endpoint>/<model> to <endpoint> to the miner's capacity")
    func configuredCapacity() {
        let both = Self.neuron(1, nil, capacity: 9, capacities: ["chat-completions/m1": 5, "chat-completions": 3])
        #expect(both.configuredCapacity("chat-completions/m1") == 5)
        #expect(both.configuredCapacity("chat-completions/m2") == 3)
        #expect(both.configuredCapacity("chat-completions") == 3)
        #expect(both.configuredCapacity("embeddings") == 9)
        #expect(both.configuredCapacity("embeddings/m1") == 9)
        #expect(Self.neuron(2, nil, capacity: 4).configuredCapacity("chat-completions/m1") == 4)
        #expect(Self.neuron(3, nil).configuredCapacity("chat-completions/m1") == nil)
    }

    @Test("the operator's per-endpoint default applies to each of its models")
    func fallbackCapacity() {
        let selector = MinerSelector(policy: .init(defaultCapacity: 8, endpointCapacities: ["chat-completions": 6, "x": 2]))
        #expect(selector.fallbackCapacity("chat-completions/m1") == 6)
        #expect(selector.fallbackCapacity("chat-completions") == 6)
        #expect(selector.fallbackCapacity("x") == 2)
        #expect(selector.fallbackCapacity("y/m1") == 8)
        #expect(MinerSelector(policy: .init(defaultCapacity: 5)).fallbackCapacity("chat-completions/m1") == 5)
    }

    /// How many requests for `task` the selector grants one at a time before refusing.
    static func grants(_ selector: MinerSelector, _ task: String) -> Int {
        var granted = 0
        while !selector.acquire(endpoint: task, count: 1).isEmpty, granted < 100 { granted += 1 }
        return granted
    }

    @Test("the selector enforces each model's capacity: configured per model, per endpoint, or the operator's endpoint default")
    func capacityPerModel() {
        let configured = MinerSelector(metagraph: Metagraph(neurons: [
            Self.neuron(1, nil, capacity: 9, capacities: ["chat-completions/m1": 1, "chat-completions": 2]),
        ]), policy: .init(defaultCapacity: 8))
        #expect(Self.grants(configured, "chat-completions/m1") == 1)
        #expect(Self.grants(configured, "chat-completions/m2") == 2)
        #expect(Self.grants(configured, "other") == 9)

        let defaults = MinerSelector(metagraph: Metagraph(neurons: [Self.neuron(1, nil)]),
                                     policy: .init(defaultCapacity: 8, endpointCapacities: ["chat-completions": 3]))
        #expect(Self.grants(defaults, "chat-completions/m1") == 3)
        #expect(Self.grants(defaults, "other") == 8)
    }

    static let entries = ["a", "a/m1", "a/m2", "b", "b/m1"]
    static let tasks = ["a", "a/m1", "a/m2", "a/m3", "b", "b/m1", "ab/m1", "c"]

    @Test("the selector picks exactly the miners whose endpoints list the task or its endpoint")
    func selectionMatchesListing() async {
        let listing = Gen.int(in: 0...(1 << Self.entries.count) - 1).map { mask -> Set<String>? in
            mask == 0 ? nil : Set(Self.entries.indices.filter { mask & (1 << $0) != 0 }.map { Self.entries[$0] })
        }
        await propertyCheck(count: 200, input: listing.array(of: 1...6), Gen.int(in: 0...(Self.tasks.count - 1))) { listings, pick in
            let task = Self.tasks[pick]
            let neurons = listings.enumerated().map { Self.neuron(UInt16($0.offset + 1), $0.element) }
            let selector = MinerSelector(metagraph: Metagraph(neurons: neurons))
            let chosen = Set(selector.acquire(endpoint: task, count: neurons.count).map(\.hotkey))
            let base = String(task.split(separator: "/").first ?? "")
            let expected = Set(neurons.filter { n in
                guard let endpoints = n.endpoints else { return true }
                return endpoints.contains(task) || (task.contains("/") && endpoints.contains(base))
            }.map(\.hotkey))
            #expect(chosen == expected, "\(task) with \(listings)")
        }
    }
}
