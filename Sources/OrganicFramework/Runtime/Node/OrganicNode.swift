public import Logging
import ServiceLifecycle
public import UnixSignals
import AsyncHTTPClient
import Foundation
public import OrganicCrypto
import Hummingbird
import NIOCore

/// A validator node: plugins, miners, the HTTP APIs and the background services, assembled
/// from a configuration.
///
/// ```swift
/// let node = try OrganicNode(configuration: config, plugins: [try VisionPlugin()], logger: logger)
/// try await node.run()   // until SIGINT or SIGTERM
/// ```
/// Backends are chosen here: pass a ``MetagraphSource``, ``MinerTransport`` or ``ScoreStore`` to
/// replace the defaults (the `miners:` list, HTTP, the SQLite file at `database.path`).
public struct OrganicNode: Sendable {
    public var configuration: NodeConfiguration
    public var plugins: [any SubnetPlugin]
    public var metagraphSource: any MetagraphSource
    public var transport: (any MinerTransport)?
    public var store: (any ScoreStore)?
    public var clock: any NodeClock
    /// Seeds the node's random source; nil draws it from the system CSPRNG.
    public var randomSeed: UInt64?
    /// The validator hotkey that signs requests to miners (see ``NodeHotkey``); nil loads it
    /// from `node.wallet`/`node.hotkey` when those are set, else requests go unsigned.
    /// Ignored when a custom `transport` is given.
    public var hotkey: Sr25519Keypair?
    public var logger: Logger

    public init(configuration: NodeConfiguration, plugins: [any SubnetPlugin], metagraphSource: (any MetagraphSource)? = nil,
                transport: (any MinerTransport)? = nil, store: (any ScoreStore)? = nil, clock: any NodeClock = SystemNodeClock(),
                randomSeed: UInt64? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.plugins = plugins
        self.metagraphSource = try metagraphSource ?? Self.metagraphSource(for: configuration, logger: logger)
        self.transport = transport
        self.store = store
        self.clock = clock
        self.randomSeed = randomSeed
        self.logger = logger
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully.
    public func run() async throws {
        let runner = try await makeRunner(signals: [.sigterm, .sigint])
        try await runner.run()
    }

    /// Builds everything without running it, so callers (tests, the demo) can learn the bound
    /// addresses and trigger shutdown themselves.
    public func makeRunner(signals: [UnixSignal] = []) async throws -> NodeRunner {
        let checked = try Self.checked(configuration, plugins: plugins)
        var settings = checked.settings
        let routes = checked.routes
        let adminToken = checked.adminToken
        let chainSetter = checked.chainSetter
        var random = randomSeed.map(OrganicRandom.init(seed:)) ?? OrganicRandom()
        var services: [any Service] = []
        if let weightSetter = chainSetter {
            do {
                let sdk = try await weightSetter.checkSDK()
                logger.info("weights will be set on the chain through the SDK bridge", metadata: ["sdk": "\(sdk)", "netuid": "\(weightSetter.netuid)"])
            } catch {
                throw ConfigurationError("\(error)")
            }
        }

        // One SQLite database holds rounds (unless another store is given), score periods,
        // weights, keys and the credit ledger.
        let scoreStore: any ScoreStore
        let nodeDatabase = try SQLiteDatabase(path: configuration.database.path)
        if let store {
            scoreStore = store
            services.append(ResourceService(name: "database") { try nodeDatabase.close() })
            services.append(ResourceService(name: "store") { try await scoreStore.close() })
        } else {
            scoreStore = SQLiteScoreStore(database: nodeDatabase)
            services.append(ResourceService(name: "store") { try await scoreStore.close() })
        }
        let scoringDatabase = nodeDatabase

        let keyStore = SQLiteKeyStore(database: nodeDatabase)
        let released = try await keyStore.releaseOpenReservations(now: clock.now())
        if released > 0 {
            logger.notice("released credit reservations left open by an earlier stop", metadata: ["count": "\(released)"])
        }
        let authenticator = KeyAuthenticator(store: keyStore)
        let limiter = RateLimiter()
        let keys = KeyManager(store: keyStore, authenticator: authenticator, limiter: limiter, clock: clock,
                              knownEndpoints: Set(routes.map(\.descriptor.name)))
        var access: AccessControl?
        if configuration.auth.enabled {
            let settlements = SettlementService(store: keyStore, logger: logger)
            services.append(settlements)
            access = AccessControl(authenticator: authenticator, limiter: limiter, store: keyStore, clock: clock,
                                   settlements: settlements, logger: logger)
        }

        let minerTransport: any MinerTransport
        if let transport {
            minerTransport = transport
        } else {
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
            clientConfiguration.timeout.connect = .seconds(3)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            // A hotkey not handed in is loaded from `node.wallet`/`node.hotkey` (password from the environment).
            let key = try hotkey ?? NodeHotkey.load(configuration.node)
            let signer = key.flatMap { NodeHotkey.signer($0, scheme: configuration.dispatch.signing, clock: clock) }
            if let signer {
                logger.info("signing requests to miners", metadata: ["hotkey": "\(signer.hotkey)", "standard": "\(configuration.dispatch.signing.rawValue)"])
            } else {
                logger.notice("requests to miners are unsigned (no node.wallet/node.hotkey, or dispatch.signing is none); miners that verify signatures will refuse them")
            }
            minerTransport = HTTPMinerTransport(client: client, signer: signer)
            services.append(ResourceService(name: "http-client") { try await client.shutdown() })
        }

        let d = configuration.dispatch
        let selector = MinerSelector(
            policy: .init(defaultCapacity: d.defaultMinerCapacity, cooldownBase: .seconds(double: d.cooldownBaseSeconds),
                          cooldownMax: .seconds(double: d.cooldownMaxSeconds), busyBackoff: .seconds(double: d.busyBackoffSeconds),
                          validatorUID: configuration.node.validatorUID.flatMap(UInt16.init(exactly:)),
                          stakeProportionalCapacity: d.stakeProportionalCapacity,
                          selection: .init(score: d.selection.scoreWeight, latency: d.selection.latencyWeight, randomness: d.selection.randomness),
                          scheduling: .init(maxQueueDepth: d.queues.maxDepth, maxTotalQueued: d.queues.maxTotalQueued,
                                            syntheticFloor: d.queues.syntheticFloor, floorWindow: d.queues.floorWindow,
                                            maxWaitFraction: d.queues.maxWaitFraction),
                          endpointCapacities: checked.endpointCapacities, maxDeclaredCapacity: d.maxDeclaredCapacity),
            clock: clock, random: random.split())
        let refresher = MetagraphRefreshService(source: metagraphSource, selector: selector, clock: clock, logger: logger)
        await refresher.refresh()

        let scoring = try await ScoringAssembly.make(configuration: configuration, settings: checked.scoring,
                                                     database: scoringDatabase, selector: selector, clock: clock, logger: logger,
                                                     chainSetter: chainSetter)
        settings.fallbackEpsilon = scoring.settings.fallbackEpsilon
        services.append(scoring.periodService)
        if let weightService = scoring.weightService { services.append(weightService) }

        let executor = RoundExecutor()
        services.append(executor)
        let rewardLimits = configuration.scoring
        guard rewardLimits.maxConcurrentRewards >= 1, rewardLimits.maxWaitingRewards >= 0 else {
            throw ConfigurationError("scoring.maxConcurrentRewards must be at least 1 and scoring.maxWaitingRewards at least 0")
        }
        let dispatcher = QueryDispatcher(transport: minerTransport, selector: selector, executor: executor, store: scoreStore,
                                         clock: clock, settings: settings, random: random.split(), logger: logger,
                                         scoreBook: scoring.book,
                                         rewards: RewardRunner(maxConcurrent: rewardLimits.maxConcurrentRewards,
                                                               maxWaiting: rewardLimits.maxWaitingRewards))
        services.append(refresher)
        if let probe = Self.capacityProbe(plugins: plugins, endpoints: routes.map(\.descriptor.name), selector: selector,
                                          transport: minerTransport, configuration: configuration, clock: clock, logger: logger) {
            services.append(probe)
        }
        if configuration.synthetic.enabled {
            let wanted = Set(configuration.synthetic.endpoints)
            let probed = routes.filter { $0.descriptor.scoring.scoresSynthetic && (wanted.isEmpty || wanted.contains($0.descriptor.name)) }
            services.append(SyntheticQueryService(endpoints: probed, dispatcher: dispatcher,
                                                  interval: .seconds(double: configuration.synthetic.intervalSeconds),
                                                  clock: clock, logger: logger))
        }

        let readiness = ListenerReadiness()
        var listeners: Set<String> = ["public"]
        if configuration.admin.enabled {
            listeners.insert("admin")
            let admin = Application(
                router: AdminAPI.router(store: scoreStore, selector: selector, clock: clock, scoreBoard: scoring.board, keys: keys,
                                        adminToken: adminToken),
                configuration: .init(address: .hostname(configuration.admin.host, port: configuration.admin.port), serverName: "organic-admin"),
                onServerRunning: { channel in await readiness.bound("admin", port: channel.localAddress?.port ?? 0) },
                logger: logger)
            services.append(admin)
        }
        let openAPI = OpenAPIDocument.Cache(endpoints: routes, plugins: plugins)
        let connections = ClientConnections()
        let publicApp = Application(
            router: PublicAPI.router(endpoints: routes, dispatcher: dispatcher, access: access, openAPI: openAPI, connections: connections),
            server: .http1(configuration: .init(additionalChannelHandlers: [connections.makeHandler()])),
            configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "organic"),
            onServerRunning: { channel in await readiness.bound("public", port: channel.localAddress?.port ?? 0) },
            logger: logger)
        services.append(publicApp)

        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(double: configuration.server.shutdownGraceSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        return NodeRunner(group: group, readiness: readiness, listeners: listeners, configuration: configuration, store: scoreStore,
                          keys: keys)
    }

    /// The OpenAPI 3.1 description of this node's public API (also served at `/openapi.json`).
    public func openAPIDocument() async throws -> JSONValue {
        let routes = try Self.routes(for: plugins, overrides: configuration.dispatch.endpoints)
        return await OpenAPIDocument.generate(endpoints: routes, plugins: plugins)
    }

    static func validated(_ configuration: NodeConfiguration) throws(ConfigurationError) -> DispatchSettings {
        let d = configuration.dispatch
        guard (1...16).contains(d.minersPerQuery) else { throw ConfigurationError("dispatch.minersPerQuery must be 1...16") }
        guard (0...5).contains(d.retries) else { throw ConfigurationError("dispatch.retries must be 0...5") }
        guard (0...1).contains(d.organicScoringProbability) else { throw ConfigurationError("dispatch.organicScoringProbability must be in [0, 1]") }
        guard d.defaultMinerCapacity >= 1 else { throw ConfigurationError("dispatch.defaultMinerCapacity must be at least 1") }
        guard d.cooldownBaseSeconds >= 0, d.cooldownMaxSeconds >= d.cooldownBaseSeconds else {
            throw ConfigurationError("dispatch.cooldownBaseSeconds must be >= 0 and <= cooldownMaxSeconds")
        }
        let q = d.queues
        guard q.maxDepth >= 1, q.maxTotalQueued >= q.maxDepth else { throw ConfigurationError("dispatch.queues.maxDepth must be >= 1 and <= maxTotalQueued") }
        guard (0...1).contains(q.syntheticFloor), q.floorWindow >= 1 else { throw ConfigurationError("dispatch.queues.syntheticFloor must be in [0, 1] and floorWindow >= 1") }
        guard q.maxWaitFraction > 0, q.maxWaitFraction <= 10 else { throw ConfigurationError("dispatch.queues.maxWaitFraction must be in (0, 10]") }
        guard q.tierWeights.values.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw ConfigurationError("dispatch.queues.tierWeights must be positive") }
        let sel = d.selection
        guard [sel.scoreWeight, sel.latencyWeight, sel.randomness].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ConfigurationError("dispatch.selection weights must be finite and >= 0")
        }
        guard configuration.server.shutdownGraceSeconds > 0 else { throw ConfigurationError("server.shutdownGraceSeconds must be positive") }
        guard configuration.synthetic.intervalSeconds > 0 else { throw ConfigurationError("synthetic.intervalSeconds must be positive") }
        for (name, listener) in [("server", configuration.server), ("admin", NodeConfiguration.Listener(host: configuration.admin.host, port: configuration.admin.port))] {
            guard (0...65535).contains(listener.port) else { throw ConfigurationError("\(name).port must be 0...65535") }
        }
        var seeds = SeedRange.unassigned
        if let uid = configuration.node.validatorUID {
            guard let uid16 = UInt16(exactly: uid) else { throw ConfigurationError("node.validatorUID must be 0...65535") }
            seeds = SeedRange(validatorUID: uid16)
        }
        return DispatchSettings(minersPerQuery: d.minersPerQuery, retries: d.retries,
                                organicScoringProbability: d.organicScoringProbability, seeds: seeds, maxQueueWaitFraction: q.maxWaitFraction,
                                tierWeights: q.tierWeights)
    }

    static func routes(for plugins: [any SubnetPlugin], overrides: [String: NodeConfiguration.EndpointOverride]) throws(ConfigurationError) -> [any ServedEndpoint] {
        var routes: [any ServedEndpoint] = []
        var names = Set<String>(), paths = Set<String>()
        for plugin in plugins {
            let pluginName = type(of: plugin).name
            for endpoint in plugin.endpoints {
                let route = try makeRoute(endpoint, plugin: pluginName, override: overrides[endpoint.descriptor.name])
                guard let route else { continue }
                let d = route.descriptor
                guard names.insert(d.name).inserted else { throw ConfigurationError("two endpoints are named '\(d.name)'") }
                // `/` separates an endpoint from a model in scheduling keys (`<endpoint>/<model>`).
                guard !d.name.contains("/"), !d.models.contains(where: { $0.contains("/") }) else {
                    throw ConfigurationError("endpoint '\(d.name)': endpoint and model names must not contain '/'")
                }
                guard paths.insert(d.path).inserted else { throw ConfigurationError("two endpoints use the path /v1/\(d.path)") }
                guard !d.path.isEmpty, d.path.allSatisfy({ $0.isLetter || $0.isNumber || "-_/".contains($0) }) else {
                    throw ConfigurationError("endpoint '\(d.name)' has an invalid path '\(d.path)'")
                }
                routes.append(route)
            }
        }
        if let stray = overrides.keys.first(where: { !names.contains($0) && overrides[$0]?.enabled != false }) {
            throw ConfigurationError("dispatch.endpoints has overrides for unknown endpoint '\(stray)'")
        }
        return routes
    }

    static func makeRoute<E: Endpoint>(_ endpoint: E, plugin: String, override: NodeConfiguration.EndpointOverride?) throws(ConfigurationError) -> (any ServedEndpoint)? {
        var descriptor = endpoint.descriptor
        if let override {
            if override.enabled == false { return nil }
            if let price = override.price {
                guard price.isFinite, price >= 0 else { throw ConfigurationError("dispatch.endpoints.\(descriptor.name).price must be >= 0") }
                descriptor.price = price
            }
            if let timeout = override.timeoutSeconds {
                guard timeout > 0, timeout <= 600 else { throw ConfigurationError("dispatch.endpoints.\(descriptor.name).timeoutSeconds must be in (0, 600]") }
                descriptor.timeout = .seconds(double: timeout)
            }
            if let bytes = override.maxRequestBytes {
                guard bytes >= 1024 else { throw ConfigurationError("dispatch.endpoints.\(descriptor.name).maxRequestBytes must be at least 1024") }
                descriptor.maxRequestBytes = bytes
            }
            for (unit, price) in override.unitPrices ?? [:] {
                guard price.isFinite, price >= 0 else { throw ConfigurationError("dispatch.endpoints.\(descriptor.name).unitPrices.\(unit) must be >= 0") }
                descriptor.unitPrices[unit] = price
            }
            if let timeout = override.scoringTimeoutSeconds {
                guard timeout > 0, timeout <= 600 else {
                    throw ConfigurationError("dispatch.endpoints.\(descriptor.name).scoringTimeoutSeconds must be in (0, 600]")
                }
                descriptor.scoringTimeout = .seconds(double: timeout)
            }
        }
        guard descriptor.price.isFinite, descriptor.price >= 0, descriptor.unitPrices.values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ConfigurationError("endpoint '\(descriptor.name)' has a negative or non-finite price")
        }
        return EndpointRoute(endpoint: endpoint, pluginName: plugin, descriptor: descriptor)
    }
}

/// A built node, ready to run.
public final class NodeRunner: Sendable {
    let group: ServiceGroup
    let readiness: ListenerReadiness
    let listeners: Set<String>
    let configuration: NodeConfiguration
    /// The score store the node writes to.
    public let store: any ScoreStore
    /// Key administration on this node (changes take effect at once); nil without a key database.
    public let keys: KeyManager?

    init(group: ServiceGroup, readiness: ListenerReadiness, listeners: Set<String>, configuration: NodeConfiguration, store: any ScoreStore,
         keys: KeyManager?) {
        self.keys = keys
        self.group = group
        self.readiness = readiness
        self.listeners = listeners
        self.configuration = configuration
        self.store = store
    }

    /// Runs every service until shutdown; returns once the database is closed.
    public func run() async throws {
        try await group.run()
    }

    /// Waits until the listeners are bound and returns their URLs.
    public func addresses() async -> NodeAddresses {
        let ports = await readiness.wait(for: listeners)
        func url(_ host: String, _ port: Int?) -> String {
            let shown = host == "0.0.0.0" ? "127.0.0.1" : host
            return "http://\(shown):\(port ?? 0)"
        }
        return NodeAddresses(publicURL: url(configuration.server.host, ports["public"]),
                             adminURL: listeners.contains("admin") ? url(configuration.admin.host, ports["admin"]) : nil)
    }

    /// Starts a graceful shutdown: listeners stop, in-flight requests and rounds finish,
    /// then the database closes.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }
}
