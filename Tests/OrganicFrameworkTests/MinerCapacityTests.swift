import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import OrganicTestKit
import PropertyBased
import ServiceLifecycle
import Synchronization
import TextEmbeddingPlugin
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

@Suite("Miner capacity per endpoint")
struct MinerCapacityTests {
    static let endpoints = ["a", "b"]

    func neuron(_ uid: Int, capacity: Int? = nil, capacities: [String: Int]? = nil) -> Neuron {
        Neuron(uid: UInt16(uid), hotkey: "m\(uid)", url: "http://127.0.0.1:\(9000 + uid)", capacity: capacity, capacities: capacities)
    }

    func status(_ selector: MinerSelector, _ hotkey: String, _ endpoint: String) -> MinerEndpointStatus? {
        selector.statuses().first { $0.hotkey == hotkey }?.endpoints.first { $0.endpoint == endpoint }
    }

    @Test("per-endpoint capacity is never exceeded under concurrent acquisition and release (random capacities)")
    func neverExceeded() async {
        await propertyCheck(count: 20, input: Gen.int(in: 1...4).array(of: 6)) { limits in
            // Three miners; limits[2i] on endpoint a, limits[2i+1] on endpoint b.
            let neurons = (0..<3).map { i in neuron(i + 1, capacities: ["a": limits[2 * i], "b": limits[2 * i + 1]]) }
            let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), random: OrganicRandom(seed: UInt64(limits.reduce(0, +))))
            let limit: @Sendable (String, String) -> Int = { hotkey, endpoint in
                let i = (Int(hotkey.dropFirst()) ?? 1) - 1
                return limits[2 * i + (endpoint == "a" ? 0 : 1)]
            }
            // Everything at once, nothing released: each miner is filled to exactly its limit per endpoint.
            let held = await withTaskGroup(of: (String, [Neuron]).self) { group in
                for n in 0..<40 {
                    let endpoint = Self.endpoints[n % 2]
                    group.addTask { (endpoint, selector.acquire(endpoint: endpoint, count: 1 + n % 2)) }
                }
                return await group.reduce(into: [(String, Neuron)]()) { all, batch in all += batch.1.map { (batch.0, $0) } }
            }
            for hotkey in ["m1", "m2", "m3"] {
                for endpoint in Self.endpoints {
                    #expect(held.filter { $0.0 == endpoint && $0.1.hotkey == hotkey }.count == limit(hotkey, endpoint))
                    #expect(status(selector, hotkey, endpoint)?.inFlight == limit(hotkey, endpoint))
                }
            }
            for (endpoint, miner) in held { selector.release(miner, endpoint: endpoint, result: .success) }
            // Churn: acquire, check every snapshot, release.
            await withTaskGroup(of: Void.self) { group in
                for n in 0..<60 {
                    group.addTask {
                        let endpoint = Self.endpoints[n % 2]
                        let got = selector.acquire(endpoint: endpoint, count: 1)
                        for miner in selector.statuses() {
                            #expect(miner.inFlight == miner.endpoints.reduce(0) { $0 + $1.inFlight })
                            for e in miner.endpoints { #expect(e.inFlight <= limit(miner.hotkey, e.endpoint)) }
                        }
                        await Task.yield()
                        for miner in got { selector.release(miner, endpoint: endpoint, result: .success) }
                    }
                }
            }
            #expect(selector.statuses().allSatisfy { $0.inFlight == 0 && $0.endpoints.allSatisfy { $0.inFlight == 0 } })
        }
    }

    @Test("one endpoint at capacity does not block another endpoint of the same miner")
    func endpointsIndependent() async throws {
        let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron(1, capacity: 1)]), clock: ManualNodeClock())
        let first = selector.acquire(endpoint: "a", count: 1)
        #expect(first.count == 1)
        #expect(selector.acquire(endpoint: "a", count: 1).isEmpty)
        let waiting = Task { try await selector.admit(AdmissionTicket(endpoint: "a", traffic: .organic, flow: "k", miners: 1, maxWait: .seconds(60)), scored: false) }
        try #require(await eventually { selector.queueStatuses().first(where: { $0.endpoint == "a" })?.queuedOrganic == 1 },
                     "the request for a never queued")
        let other = try await selector.admit(AdmissionTicket(endpoint: "b", traffic: .organic, flow: "k", miners: 1, maxWait: .seconds(1)), scored: false)
        #expect(other.map(\.hotkey) == ["m1"])
        #expect(selector.statuses()[0].inFlight == 2)
        selector.release(first[0], endpoint: "a", result: .success)
        #expect(try await waiting.value.map(\.hotkey) == ["m1"])
    }

    @Test("configured capacities: per endpoint over all endpoints over the operator's endpoint default over the global default")
    func configuredPrecedence() {
        let neurons = [neuron(1, capacity: 3, capacities: ["a": 5]), neuron(2)]
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons),
                                     policy: .init(defaultCapacity: 8, endpointCapacities: ["a": 2, "b": 8]))
        #expect(status(selector, "m1", "a").map { [$0.capacity, $0.source == "configured" ? 1 : 0] } == [5, 1])
        #expect(status(selector, "m1", "b")?.capacity == 3)
        #expect(status(selector, "m2", "a").map { [$0.capacity, $0.source == "default" ? 1 : 0] } == [2, 1])
        #expect(status(selector, "m2", "b")?.capacity == 8)
        #expect(selector.acquire(endpoint: "a", count: 10).count == 2)
    }

    @Test("a declared capacity is capped by the operator's maximum and by the miner's configured capacity")
    func declaredCapped() {
        let neurons = [neuron(1), neuron(2, capacity: 3), neuron(3, capacities: ["a": 4])]
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), policy: .init(defaultCapacity: 8, maxDeclaredCapacity: 5))
        for hotkey in ["m1", "m2", "m3"] { selector.update(declaredCapacities: ["a": 10, "b": 2], for: hotkey, covering: ["a", "b"]) }
        #expect(status(selector, "m1", "a")?.capacity == 5)
        #expect(status(selector, "m1", "a")?.declared == 10)
        #expect(status(selector, "m1", "a")?.source == "declared")
        #expect(status(selector, "m2", "a")?.capacity == 3)
        #expect(status(selector, "m3", "a")?.capacity == 4)
        #expect(status(selector, "m3", "b")?.capacity == 2)  // declaring less than configured is honoured
        // Not covered by a later answer: the configured capacity applies again.
        selector.update(declaredCapacities: [:], for: "m1", covering: ["a"])
        #expect(status(selector, "m1", "a").map { [$0.capacity, $0.declared == nil ? 1 : 0] } == [8, 1])
        #expect(status(selector, "m1", "b")?.capacity == 2)
        // Unknown hotkeys are ignored.
        selector.update(declaredCapacities: ["a": 1], for: "nobody", covering: ["a"])
        #expect(selector.statuses().count == 3)
    }

    static func grants(_ selector: MinerSelector, _ task: String) -> Int {
        var granted = 0
        while !selector.acquire(endpoint: task, count: 1).isEmpty, granted < 100 { granted += 1 }
        return granted
    }

    @Test("the stake share applies on top of a declared capacity")
    func declaredShared() {
        let neurons = [Neuron(uid: 0, hotkey: "me", url: nil, stake: 250, validatorPermit: true),
                       Neuron(uid: 1, hotkey: "other", url: nil, stake: 750, validatorPermit: true),
                       neuron(2)]
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), policy: .init(validatorUID: 0))
        selector.update(declaredCapacities: ["a": 12], for: "m2", covering: ["a"])
        #expect(selector.acquire(endpoint: "a", count: 1).count == 1)
        #expect(status(selector, "m2", "a")?.capacity == 3)
        // A miner that already declared this validator's share (Subnet 19's) is not cut again,
        // while its undeclared endpoints still get the share of the configured capacity.
        selector.update(declaredCapacities: ["a": 5], for: "m2", covering: ["a", "b"], alreadyShared: true)
        #expect(status(selector, "m2", "a")?.capacity == 5)
        #expect(Self.grants(selector, "a") == 4, "5 in total, one already in flight")
        #expect(status(selector, "m2", "b")?.capacity == 2, "the default 8 × 25 %")
    }

    @Test("a declared 0 takes the miner off that endpoint only")
    func zeroDisables() async throws {
        let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron(1, capacity: 4)]), clock: ManualNodeClock())
        selector.update(declaredCapacities: ["a": 0, "b": 2], for: "m1", covering: ["a", "b"])
        #expect(selector.acquire(endpoint: "a", count: 1).isEmpty)
        await #expect(throws: AdmissionRefusal.noMiners(retryAfterSeconds: 5)) {
            _ = try await selector.admit(AdmissionTicket(endpoint: "a", traffic: .organic, flow: "k", miners: 1, maxWait: .seconds(1)), scored: false)
        }
        #expect(status(selector, "m1", "a")?.capacity == 0)
        #expect(selector.acquire(endpoint: "b", count: 1).count == 1)
    }

    @Test("a new declaration keeps in-flight requests and frees queued ones when capacity grows")
    func declarationKeepsInFlight() async throws {
        let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron(1, capacity: 8)]), clock: ManualNodeClock())
        selector.update(declaredCapacities: ["a": 1], for: "m1", covering: ["a"])
        let held = selector.acquire(endpoint: "a", count: 1)
        let waiting = Task { try await selector.admit(AdmissionTicket(endpoint: "a", traffic: .organic, flow: "k", miners: 1, maxWait: .seconds(60)), scored: false) }
        try #require(await eventually { selector.queueStatuses().first?.queuedOrganic == 1 }, "the request never queued")
        selector.update(declaredCapacities: ["a": 2], for: "m1", covering: ["a"])
        #expect(try await waiting.value.count == 1)
        #expect(status(selector, "m1", "a")?.inFlight == 2)
        selector.update(declaredCapacities: ["a": 1], for: "m1", covering: ["a"])
        #expect(status(selector, "m1", "a")?.inFlight == 2)
        selector.release(held[0], endpoint: "a", result: .success)
        #expect(selector.acquire(endpoint: "a", count: 1).isEmpty)  // still 1 in flight against a capacity of 1
    }
    @Test("a metagraph update keeps the load and declarations of miners that stay")
    func metagraphUpdateKeepsLoad() {
        let selector = MinerSelector(metagraph: Metagraph(neurons: [neuron(1, capacity: 1), neuron(2, capacity: 2), neuron(3, capacity: 2)]))
        selector.update(declaredCapacities: ["a": 0], for: "m1", covering: ["a"])
        selector.update(declaredCapacities: ["b": 1], for: "m3", covering: ["b"])
        let held = selector.acquire(endpoint: "a", count: 3) + selector.acquire(endpoint: "b", count: 3)
        #expect(held.count == 5)  // a: m2, m3; b: m1, m2, m3
        selector.update(metagraph: Metagraph(neurons: [neuron(3, capacity: 2), neuron(2, capacity: 2)]))
        #expect(status(selector, "m3", "b").map { [$0.inFlight, $0.declared ?? -1, $0.capacity] } == [1, 1, 1])
        #expect(status(selector, "m2", "a")?.inFlight == 1)
        #expect(selector.statuses().map(\.inFlight) == [2, 2])
        #expect(selector.acquire(endpoint: "b", count: 1).map(\.hotkey) == ["m2"])
        for miner in held.prefix(2) { selector.release(miner, endpoint: "a", result: .success) }
        #expect(status(selector, "m2", "a")?.inFlight == 0)
        #expect(status(selector, "m3", "a")?.inFlight == 0)
    }
}

@Suite("Capacity declarations over HTTP", .serialized)
struct CapacityProbeTests {
    /// A stand-in miner whose capacity answer the test changes.
    final class FakeMiner: Sendable {
        let answer = Mutex<(status: Int, body: String)>((200, ""))
        let probes = Atomic<Int>(0)
    }

    /// Runs a loopback server answering `POST /capacity` from `miner`, and gives `body` its URL.
    func withFakeMiner<T: Sendable>(_ miner: FakeMiner, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/capacity") { _, _ -> Response in
            miner.probes.add(1, ordering: .relaxed)
            let (status, text) = miner.answer.withLock { $0 }
            return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return try await withLoopbackServer(router, body)
    }

    func probe(url: String, selector: MinerSelector) -> CapacityProbeService {
        CapacityProbeService(targets: [.init(plugin: "t", declaration: CapacityDeclaration(), endpoints: ["a", "b"],
                                             transport: HTTPMinerTransport(client: .shared))],
                             selector: selector, interval: .seconds(60), timeout: .seconds(5),
                             clock: ManualNodeClock(), logger: Logger(label: "probe", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func declared(_ selector: MinerSelector, _ endpoint: String) -> (Int?, Int?) {
        let e = selector.statuses().first?.endpoints.first { $0.endpoint == endpoint }
        return (e?.declared, e?.capacity)
    }

    @Test("valid answers are applied (other plugins' endpoints ignored); malformed ones keep the last good value")
    func malformedKeepsLastGood() async throws {
        let miner = FakeMiner()
        try await withFakeMiner(miner) { url in
            let selector = MinerSelector(metagraph: Metagraph(neurons: [Neuron(uid: 1, hotkey: "m1", url: url, capacity: 10)]),
                                         policy: .init(defaultCapacity: 4, endpointCapacities: ["a": 4, "b": 4], maxDeclaredCapacity: 64))
            let service = probe(url: url, selector: selector)
            #expect(declared(selector, "a") == (nil, 10))  // before any answer: configured
            miner.answer.withLock { $0 = (200, #"{"capacities":{"a":3,"b":0,"elsewhere":7}}"#) }
            await service.probeAll()
            #expect(declared(selector, "a") == (3, 3))
            #expect(declared(selector, "b") == (0, 0))
            for bad in [#"{"capacities":{"a":-1}}"#, #"{"capacities":{"a":2.5}}"#, "not json", #"{"caps":{}}"#, #"{"capacities":{"a":"many"}}"#] {
                miner.answer.withLock { $0 = (200, bad) }
                await service.probeAll()
                #expect(declared(selector, "a") == (3, 3), "after \(bad)")
            }
            miner.answer.withLock { $0 = (500, "{}") }
            await service.probeAll()
            #expect(declared(selector, "a") == (3, 3))
            miner.answer.withLock { $0 = (200, #"{"capacities":{"a":99}}"#) }
            await service.probeAll()
            #expect(declared(selector, "a") == (99, 10))  // capped by the configured capacity
            #expect(declared(selector, "b") == (nil, 10))  // omitted: configured again
            #expect(miner.probes.load(ordering: .relaxed) == 8)
        }
    }

    @Test("a node probes reference miners of a declaring plugin and reports the source; a plugin without a declaration keeps configured values")
    func nodeProbes() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.maxDeclaredCapacity = 5
        let miners = [LocalNetwork.MinerSpec(capacity: 16, endpointCapacities: ["text-embeddings": 3]), LocalNetwork.MinerSpec(capacity: 16)]
        try await PluginHarness.run(plugins: [try DeclaringEmbeddingPlugin()], miners: miners, configuration: configuration) { net in
            var report: MinersReport?
            let probed = try await eventually {
                report = try await net.admin("/admin/miners").decode(MinersReport.self)
                return report?.miners.allSatisfy({ $0.endpoints.first?.source == "declared" }) == true
            }
            #expect(probed, "not every miner's capacity was probed: \(String(describing: report))")
            let endpoints = report?.miners.sorted { $0.uid < $1.uid }.compactMap(\.endpoints.first)
            #expect(endpoints?.map(\.declared) == [3, 16])
            #expect(endpoints?.map(\.capacity) == [3, 5])
            #expect(endpoints?.map(\.source) == ["declared", "declared"])
        }
        #expect(try TextEmbeddingPlugin().capacityDeclaration == nil)
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: [LocalNetwork.MinerSpec(capacity: 2)]) { net in
            let report = try await net.admin("/admin/miners").decode(MinersReport.self)
            #expect(report.miners.first?.endpoints.map(\.source) == ["configured"])
            #expect(report.miners.first?.endpoints.map(\.capacity) == [2])
        }
    }

    @Test("the reference miner answers 429 beyond its capacity on one endpoint and declares it")
    func referenceMinerEnforces() async throws {
        let plugin = try DeclaringEmbeddingPlugin()
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysSlow(3), capacity: 16, endpointCapacities: ["text-embeddings": 1])]
        try await PluginHarness.run(plugins: [plugin], miners: miners) { net in
            let url = net.context.minerURLs[0]
            let client = TestHTTPClient()
            let declaration = try await client.post(url + "/capacity", raw: Data("{}".utf8))
            #expect(try CapacityDeclaration.decodeStandard(Array(declaration.body)) == ["text-embeddings": 1])
            let request = TextEmbeddingRequest(input: ["x"], dimensions: 8)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { try await client.post(url + "/text-embeddings", json: request).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 429])
        }
    }
}

/// The text-embedding example with capacity declarations turned on, to test the probe.
struct DeclaringEmbeddingPlugin: SubnetPlugin {
    static let name = "declaring-embedding"
    let inner: TextEmbeddingPlugin

    init(configuration: EmptyPluginConfiguration) throws {
        inner = try TextEmbeddingPlugin()
    }

    var endpoints: [any Endpoint] { inner.endpoints }
    func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] { inner.referenceMiners(options: options) }
    var capacityDeclaration: CapacityDeclaration? { CapacityDeclaration() }
}

@Suite("Capacity configuration")
struct CapacityConfigurationTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return ""
    }

    @Test("capacity settings are validated and name the offending field")
    func validation() throws {
        var configuration = NodeConfiguration()
        configuration.miners = [StaticMiner(uid: 1, hotkey: "m1", url: "http://127.0.0.1:9001", capacities: ["a": 2, "typo": 3])]
        #expect(message { _ = try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) }.contains("miners[0].capacities.typo"))
        configuration.miners[0].capacities = ["a": 0]
        #expect(message { _ = try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) }.contains("miners[0].capacities.a must be at least 1"))
        #expect(message { _ = try StaticMetagraphSource(miners: configuration.miners) }.contains("miners[0].capacities.a must be at least 1"))
        configuration.miners[0].capacities = ["a": 2]
        var override = NodeConfiguration.EndpointOverride()
        override.minerCapacity = 0
        configuration.dispatch.endpoints["b"] = override
        #expect(message { _ = try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) }.contains("dispatch.endpoints.b.minerCapacity"))
        configuration.dispatch.endpoints["b"]?.minerCapacity = 5
        configuration.dispatch.maxDeclaredCapacity = 0
        #expect(message { _ = try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) }.contains("dispatch.maxDeclaredCapacity"))
        configuration.dispatch.maxDeclaredCapacity = 64
        configuration.dispatch.capacityProbeSeconds = 0
        #expect(message { _ = try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) }.contains("dispatch.capacityProbeSeconds"))
        configuration.dispatch.capacityProbeSeconds = 60
        configuration.dispatch.defaultMinerCapacity = 7
        #expect(try OrganicNode.validatedEndpointCapacities(configuration, endpoints: ["a", "b"]) == ["a": 7, "b": 5])
        let neuron = try StaticMetagraphSource(miners: configuration.miners).metagraph.neurons[0]
        #expect(neuron.capacities == ["a": 2])
    }

    @Test("capacity settings come from YAML and the environment")
    func loading() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-capacity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("node.yaml")
        try """
            dispatch:
              endpoints:
                text-to-image: {minerCapacity: 2}
            miners:
              - {uid: 1, hotkey: m1, url: "http://127.0.0.1:9001", capacity: 4, capacities: {text-to-image: 1, clip-embeddings: 16}}
            """.write(to: file, atomically: true, encoding: .utf8)
        let loader = ConfigurationLoader(environment: ["ORGANIC_DISPATCH_CAPACITY_PROBE_SECONDS": "30", "ORGANIC_DISPATCH_MAX_DECLARED_CAPACITY": "12"])
        let configuration = try loader.load(path: file.path)
        #expect(configuration.dispatch.capacityProbeSeconds == 30)
        #expect(configuration.dispatch.maxDeclaredCapacity == 12)
        #expect(configuration.dispatch.endpoints["text-to-image"]?.minerCapacity == 2)
        #expect(configuration.miners[0].capacity == 4)
        #expect(configuration.miners[0].capacities == ["text-to-image": 1, "clip-embeddings": 16])
    }
}
