public import OrganicFramework
public import Logging
import ServiceLifecycle
public import UnixSignals
import Foundation
import Hummingbird
import OrganicCrypto

/// A node and reference miners on loopback, all in one process, talking real HTTP.
///
/// The demo runs one (`organic demo`); the test kit and end-to-end tests run many. Miners are
/// started first on ephemeral ports, then the node with those miners as its static metagraph.
public enum LocalNetwork {
    /// One reference miner to start.
    public struct MinerSpec: Sendable {
        public var faults: MinerFaults
        /// Distinct noise per miner imitates different hardware; nil answers exactly.
        public var hardwareNoiseSeed: UInt64?
        /// Requests it serves at once per endpoint, also its configured capacity in the node.
        public var capacity: Int
        /// Endpoint names it serves; nil for all that the plugins offer.
        public var endpoints: [String]?
        /// The miner's own per-endpoint limits (enforced, and declared when a plugin supports
        /// declarations); the node still caps them at `capacity`.
        public var endpointCapacities: [String: Int]
        /// Time between a streamed answer's events (``ReferenceMinerServer/Options/streamEventInterval``); nil for none.
        public var streamEventInterval: Duration?

        public init(faults: MinerFaults = .none, hardwareNoiseSeed: UInt64? = nil, capacity: Int = 16, endpoints: [String]? = nil,
                    endpointCapacities: [String: Int] = [:], streamEventInterval: Duration? = nil) {
            self.faults = faults
            self.hardwareNoiseSeed = hardwareNoiseSeed
            self.capacity = capacity
            self.endpoints = endpoints
            self.endpointCapacities = endpointCapacities
            self.streamEventInterval = streamEventInterval
        }
    }

    /// What the body of ``run(plugins:miners:configuration:signals:clock:randomSeed:logger:body:)`` can reach.
    public struct Context: Sendable {
        public let node: NodeAddresses
        public let minerURLs: [String]
        public let configuration: NodeConfiguration
        public let store: any ScoreStore
        /// Key administration on the running node; nil when it has no key database.
        public let keys: KeyManager?
        let finished: ResponseDelivery<Void>

        /// Returns when the node has stopped (after SIGINT/SIGTERM when signals are handled).
        public func untilShutdown() async {
            _ = try? await finished.value()
        }
    }

    /// Starts the miners and the node, runs `body`, then shuts everything down gracefully.
    /// `configuration` starts from defaults with ports 0; its `miners` list is replaced.
    ///
    /// With `minerProtocol`, the miners speak it and check who is asking: each gets its own
    /// hotkey, the node signs as a fresh validator hotkey the miners know, and the node reaches
    /// them over that protocol (`dispatch.minerProtocol`). So a subnet author can run both sides
    /// of the Axon, fiber, btauth or Epistula wire locally. Nil keeps unsigned plain JSON.
    public static func run<T: Sendable>(
        plugins: [any SubnetPlugin],
        miners: [MinerSpec],
        configuration: NodeConfiguration,
        minerProtocol: MinerProtocol? = nil,
        signals: [UnixSignal] = [],
        clock: any NodeClock = SystemNodeClock(),
        randomSeed: UInt64? = nil,
        logger: Logger,
        body: @Sendable (Context) async throws -> T
    ) async throws -> T {
        let ports = ListenerReadiness()
        let declaration = plugins.lazy.compactMap { $0.capacityDeclaration }.first
        let identities = try LocalIdentities(miners: miners.count, minerProtocol: minerProtocol, logger: logger)
        var minerApps: [any Service] = []
        for (index, spec) in miners.enumerated() {
            let handlers = plugins.flatMap { $0.referenceMiners(options: .init(hardwareNoiseSeed: spec.hardwareNoiseSeed)) }
            var options = ReferenceMinerServer.Options(capacity: spec.capacity, faults: spec.faults, randomSeed: randomSeed.map { $0 &+ UInt64(index) },
                                                       endpointCapacities: spec.endpointCapacities, capacityDeclaration: declaration,
                                                       streamEventInterval: spec.streamEventInterval)
            identities.configure(&options, miner: index)
            let app = ReferenceMinerServer.application(
                handlers: handlers,
                options: options,
                logger: logger,
                onRunning: { port in await ports.bound("miner-\(index)", port: port) })
            minerApps.append(app)
        }
        let minerGroup = ServiceGroup(configuration: .init(services: minerApps, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await minerGroup.run() }
            let bound = await ports.wait(for: Set(miners.indices.map { "miner-\($0)" }))
            var config = configuration
            config.miners = miners.enumerated().map { index, spec in
                StaticMiner(uid: index + 1, hotkey: identities.minerHotkey(index), url: "http://127.0.0.1:\(bound["miner-\(index)"] ?? 0)",
                            stake: 0, endpoints: spec.endpoints, capacity: spec.capacity)
            }
            if let minerProtocol { config.dispatch.minerProtocol = minerProtocol }
            let node: NodeRunner
            do {
                var organic = try OrganicNode(configuration: config, plugins: plugins, clock: clock, randomSeed: randomSeed, logger: logger)
                if let validator = identities.validator { organic.hotkey = validator }
                node = try await organic.makeRunner(signals: signals)
            } catch {
                await minerGroup.triggerGracefulShutdown()
                throw error
            }
            let finished = ResponseDelivery<Void>()
            group.addTask {
                defer { finished.deliver(.success(())) }
                try await node.run()
            }
            let context = Context(node: await node.addresses(), minerURLs: config.miners.map(\.url), configuration: config,
                                  store: node.store, keys: node.keys, finished: finished)
            let result: Result<T, any Error>
            do { result = .success(try await body(context)) } catch { result = .failure(error) }
            await node.shutdown()
            _ = try? await finished.value()
            await minerGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}

/// The hotkeys of a local network whose miners check who is asking: one per miner and one for
/// the validator, which every miner knows (with a permit and ample stake).
struct LocalIdentities {
    let minerProtocol: MinerProtocol?
    let validator: Sr25519Keypair?
    let miners: [Sr25519Keypair]
    let directory: SenderDirectory?

    init(miners count: Int, minerProtocol: MinerProtocol?, logger: Logger) throws {
        self.minerProtocol = minerProtocol
        guard let minerProtocol, minerProtocol != .unsigned else {
            validator = nil
            miners = []
            directory = nil
            return
        }
        var generator = SystemRandomNumberGenerator()
        func fresh() throws -> Sr25519Keypair {
            try Sr25519Keypair(miniSecretSeed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let validator = try fresh()
        self.validator = validator
        miners = try (0..<count).map { _ in try fresh() }
        directory = SenderDirectory.fixed(validators: [validator.ss58Address], stake: 1_000_000, logger: logger)
    }

    func minerHotkey(_ index: Int) -> String {
        index < miners.count ? miners[index].ss58Address : "local-miner-\(index + 1)"
    }

    /// Sets the miner's protocol and who it admits.
    func configure(_ options: inout ReferenceMinerServer.Options, miner index: Int) {
        guard let minerProtocol, let directory, index < miners.count else { return }
        let hotkey = miners[index].ss58Address
        options.minerProtocol = minerProtocol
        switch minerProtocol {
        case .axonSynapse, .fiber1, .fiber2:
            options.senders = ReferenceMinerServer.SenderPolicy(hotkey: hotkey, directory: directory)
        case .btauth, .epistula:
            options.verifier = SignedRequestVerifier(policy: .init(selfHotkey: hotkey), directory: directory)
        case .unsigned:
            break
        }
    }
}
