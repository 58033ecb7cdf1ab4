public import Logging
public import ServiceLifecycle
public import UnixSignals
import AsyncHTTPClient
import Foundation
public import OrganicCrypto
import Hummingbird
import NIOCore
public import Prometheus
import Tracing

/// A validator node: plugins, miners, the HTTP APIs and the background services, assembled
/// from a configuration.
///
/// ```swift
/// let node = try OrganicNode(configuration: config, plugins: [try VisionPlugin()], logger: logger)
/// try await node.run()   // until SIGINT or SIGTERM
/// ```
/// Backends are chosen here: pass a ``MetagraphSource`` or ``ScoreStore`` to replace the
/// defaults (the `miners:` list, the SQLite file at `database.path`). Miners are reached over
/// each endpoint's ``MinerProtocol``; `transportMiddleware` may wrap those transports.
public struct OrganicNode: Sendable {
    public var configuration: NodeConfiguration
    public var plugins: [any SubnetPlugin]
    /// The default subnet's metagraph; other subnets (`subnets:`) read theirs as configured.
    public var metagraphSource: any MetagraphSource
    /// Wraps each endpoint's transport (built from its miner protocol, signing included), for
    /// example to add faults in tests or metrics; called once per endpoint with its name.
    public var transportMiddleware: (@Sendable (_ endpoint: String, _ transport: any MinerTransport) -> any MinerTransport)?
    public var store: (any ScoreStore)?
    public var clock: any NodeClock
    /// Seeds the node's random source; nil draws it from the system CSPRNG.
    public var randomSeed: UInt64?
    /// The validator hotkey that signs requests to the default subnet's miners (see
    /// ``NodeHotkey``); nil loads it from `node.wallet`/`node.hotkey` when those are set, else
    /// plain-JSON requests go unsigned. Other subnets load theirs from `subnets[].node`.
    public var hotkey: Sr25519Keypair?
    public var logger: Logger
    /// The registry `GET /metrics` renders (on the admin listener). Each node has its own: the
    /// node records through an injected swift-metrics factory over it and never bootstraps the
    /// process-wide `MetricsSystem`. Replace it to expose the application's own metrics beside
    /// the node's.
    public var metricsRegistry = PrometheusCollectorRegistry()
    /// The application's own services, run in the node's `ServiceGroup` after the node's:
    /// started with it, and on shutdown stopped first.
    public var additionalServices: [any Service] = []

    public init(configuration: NodeConfiguration, plugins: [any SubnetPlugin], metagraphSource: (any MetagraphSource)? = nil,
                transportMiddleware: (@Sendable (_ endpoint: String, _ transport: any MinerTransport) -> any MinerTransport)? = nil,
                store: (any ScoreStore)? = nil, clock: any NodeClock = SystemNodeClock(),
                randomSeed: UInt64? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.plugins = plugins
        self.metagraphSource = try metagraphSource ?? Self.metagraphSource(for: configuration, logger: logger)
        self.transportMiddleware = transportMiddleware
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
        let routes = checked.routes
        let adminToken = checked.adminToken
        let metrics = NodeMetrics(registry: metricsRegistry, endpoints: routes.map(\.descriptor.name), subnets: checked.subnets.map(\.name))
        var random = randomSeed.map(OrganicRandom.init(seed:)) ?? OrganicRandom()
        var services: [any Service] = []
        // Each subnet's hotkey: the default subnet's may be handed in; each loads its own from
        // its `node` identity (password from the environment). Loaded before anything opens.
        var hotkeys: [Sr25519Keypair?] = []
        for (index, plan) in checked.subnets.enumerated() {
            let key = try (index == 0 && plan.name == SubnetPlan.defaultName ? hotkey : nil) ?? NodeHotkey.load(plan.configuration.node)
            if key == nil, let (endpoint, chosen) = plan.protocols.sorted(by: { $0.key < $1.key }).first(where: { $0.value.requiresHotkey }) {
                throw MinerTransportFactory.needsHotkey(chosen, endpoint: endpoint)
            }
            hotkeys.append(key)
        }
        for plan in checked.subnets {
            guard let weightSetter = plan.chainSetter else { continue }
            do {
                let sdk = try await weightSetter.checkSDK()
                logger.info("weights will be set on the chain through the SDK bridge", metadata: [
                    "sdk": "\(sdk)", "netuid": "\(weightSetter.netuid)", "subnet": "\(plan.name)",
                ])
            } catch {
                throw ConfigurationError("\(error)")
            }
        }

        // Until the runner owns them, a failure must not leave the file's lock or the database open.
        var storesHandedOver = false
        // One node per SQLite file (it holds credits in memory): taken before the file is opened.
        let servingLock = try configuration.database.postgresURL == nil
            ? SQLiteServingLock.acquire(databasePath: configuration.database.path) : nil
        defer { if !storesHandedOver { servingLock?.release() } }
        if let servingLock { services.append(ResourceService(name: "sqlite-serving-lock") { servingLock.release() }) }
        // One database holds rounds (unless another store is given), score periods, weights,
        // keys and the credit ledger: SQLite at database.path, or PostgreSQL at database.url.
        let stores = try await NodeStores.open(configuration.database, nodeName: "\(ProcessInfo.processInfo.hostName):\(configuration.server.port)",
                                               logger: logger)
        services.append(ResourceService(name: "database") { try await stores.close() })
        defer { if !storesHandedOver { Task { try? await stores.close() } } }
        let scoreStore: any ScoreStore = store ?? stores.scores
        if let store { services.append(ResourceService(name: "store") { try await store.close() }) }

        let keyStore = stores.keys
        let released = try await keyStore.releaseOpenReservations(now: clock.now())
        if released > 0 {
            logger.notice("released credit reservations left open by an earlier stop", metadata: ["count": "\(released)"])
        }
        let authenticator = KeyAuthenticator(store: keyStore)
        let limiter = RateLimiter(shared: stores.postgres.map { SharedRateBuckets(storage: $0) })
        let tiers = KeyTier.accepted(in: configuration.dispatch.queues.tierWeights)
        let keys = KeyManager(store: keyStore, authenticator: authenticator, limiter: limiter, clock: clock,
                              knownEndpoints: Set(routes.map(\.descriptor.name)), tiers: tiers)
        KeyTier.warnUnconfigured(in: try await keyStore.keys(), accepted: tiers, logger: logger)
        // With PostgreSQL: other instances' key changes reach this node's caches.
        // With PostgreSQL, one instance leads (weights, synthetic queries, metagraph); see LeaderElection.
        let leadership = Leadership(stores.initialRole, metrics: metrics)
        services += stores.services(recheck: .seconds(double: configuration.database.keyRecheckSeconds), onKeyChange: { [authenticator, limiter] id in
            authenticator.invalidate(keyID: id)
            limiter.forget(keyID: id)
        }, leadership: leadership, clock: clock, logger: logger)
        func leaderOnly(_ service: any Service) -> any Service {
            stores.postgres == nil ? service : LeaderOnlyService(inner: service, leadership: leadership)
        }
        var access: AccessControl?
        if configuration.auth.enabled {
            let settlements = SettlementService(store: keyStore, logger: logger, metrics: metrics)
            services.append(settlements)
            access = AccessControl(authenticator: authenticator, limiter: limiter, store: keyStore, clock: clock,
                                   settlements: settlements, logger: logger, metrics: metrics)
        }

        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = MinerConnectionLimit.perMiner(configuration, endpoints: routes.count)
        clientConfiguration.timeout.connect = .seconds(3)
        // A refused connection fails at once (the round retries on another miner and the miner
        // cools down) instead of being retried until the connect timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // With no tracer bootstrapped, AsyncHTTPClient would still parse each miner URL into span
        // attributes for the no-op tracer: about 2% of the node's CPU at 32 connections.
        if InstrumentationSystem.tracer is NoOpTracer { clientConfiguration.tracing.tracer = nil }
        let clients = MinerHTTPClients(group: .singleton, configuration: clientConfiguration)
        services.append(ResourceService(name: "http-client") { try await clients.shutdown() })
        // Until the runner owns them, a failure must not leak the clients (they trap when dropped running).
        var handedOver = false
        defer { if !handedOver { clients.startShutdown() } }
        let transports = MinerTransportFactory(clients: clients, clock: clock)

        // Each subnet: its miners (metagraph and selector), the transports its protocols need,
        // and its dispatcher. Rounds, rewards and storage are shared.
        let executor = RoundExecutor()
        let rewardLimits = configuration.scoring
        guard rewardLimits.maxConcurrentRewards >= 1, rewardLimits.maxWaitingRewards >= 0 else {
            throw ConfigurationError("scoring.maxConcurrentRewards must be at least 1 and scoring.maxWaitingRewards at least 0")
        }
        guard (1...64).contains(rewardLimits.rewardThreads) else {
            throw ConfigurationError("scoring.rewardThreads must be between 1 and 64")
        }
        let scoringExecutor = ScoringExecutor(threads: rewardLimits.rewardThreads)
        services.append(ResourceService(name: "scoring-threads") { try await scoringExecutor.shutdown() })
        let rewards = RewardRunner(maxConcurrent: rewardLimits.maxConcurrentRewards, maxWaiting: rewardLimits.maxWaitingRewards,
                                   executor: scoringExecutor)
        var selectors: [MinerSelector] = []
        var refreshers: [MetagraphRefreshService] = []
        var probes: [CapacityProbeService] = []
        var endpointTransports: [[String: any MinerTransport]] = []
        for (index, plan) in checked.subnets.enumerated() {
            var subnetLogger = logger
            if checked.subnets.count > 1 { subnetLogger[metadataKey: "subnet"] = "\(plan.name)" }
            let key = hotkeys[index]
            var planTransports: [String: any MinerTransport] = [:]
            for route in plan.routes {
                let name = route.descriptor.name
                let chosen = plan.protocols[name] ?? .unsigned
                var transport = try transports.transport(chosen, keypair: key, synapse: route.descriptor.synapse, endpoint: name)
                if let transportMiddleware { transport = transportMiddleware(name, transport) }
                planTransports[name] = transport
            }
            endpointTransports.append(planTransports)
            if let key {
                subnetLogger.info("reaching miners", metadata: ["hotkey": "\(key.ss58Address)", "protocols": "\(plan.protocolSummary)"])
            } else {
                subnetLogger.notice("requests to miners are unsigned (no node.wallet/node.hotkey); miners that verify signatures will refuse them",
                                    metadata: ["protocols": "\(plan.protocolSummary)"])
            }

            let d = plan.configuration.dispatch
            let selector = MinerSelector(
                policy: .init(defaultCapacity: d.defaultMinerCapacity, cooldownBase: .seconds(double: d.cooldownBaseSeconds),
                              cooldownMax: .seconds(double: d.cooldownMaxSeconds), busyBackoff: .seconds(double: d.busyBackoffSeconds),
                              validatorUID: plan.configuration.node.validatorUID.flatMap(UInt16.init(exactly:)),
                              stakeProportionalCapacity: d.stakeProportionalCapacity,
                              selection: .init(score: d.selection.scoreWeight, latency: d.selection.latencyWeight, randomness: d.selection.randomness),
                              scheduling: .init(maxQueueDepth: d.queues.maxDepth, maxTotalQueued: d.queues.maxTotalQueued,
                                                syntheticFloor: d.queues.syntheticFloor, floorWindow: d.queues.floorWindow,
                                                maxWaitFraction: d.queues.maxWaitFraction),
                              endpointCapacities: plan.endpointCapacities, maxDeclaredCapacity: d.maxDeclaredCapacity),
                clock: clock, random: random.split())
            var source = plan.name == SubnetPlan.defaultName ? metagraphSource : try Self.metagraphSource(for: plan.configuration, logger: subnetLogger)
            if let postgres = stores.postgres, source.refreshInterval != nil {
                source = SharedMetagraphSource(inner: source, storage: postgres, subnet: plan.name, leadership: leadership)
            }
            let refresher = MetagraphRefreshService(source: source, selector: selector, clock: clock, logger: subnetLogger)
            await refresher.refresh()
            selectors.append(selector)
            refreshers.append(refresher)
            if let probe = try Self.capacityProbe(plan: plan, selector: selector, transports: transports, keypair: key,
                                              clock: clock, logger: subnetLogger) {
                probes.append(probe)
            }
        }

        let scoring = try await ScoringAssembly.make(
            zip(checked.subnets, selectors).map { plan, selector in
                ScoringAssembly.Input(name: plan.name, configuration: plan.configuration, settings: plan.scoring, selector: selector,
                                      chainSetter: plan.chainSetter, endpoints: Set(plan.routes.map(\.descriptor.name)))
            },
            stores: stores, clock: clock, logger: logger, metrics: metrics)
        services.append(scoring.periodService)
        if configuration.retention.days > 0 {
            services.append(leaderOnly(RetentionService(store: stores.retention, settings: configuration.retention, clock: clock, logger: logger)))
        }
        services += scoring.subnets.compactMap(\.weightService).map(leaderOnly)
        services.append(executor)

        var dispatchers: [String: QueryDispatcher] = [:]
        var adminSubnets: [AdminAPI.Subnet] = []
        for (index, plan) in checked.subnets.enumerated() {
            var settings = plan.settings
            settings.fallbackEpsilon = scoring.subnets[index].settings.fallbackEpsilon
            settings.tieBreaks = scoring.subnets[index].settings.tieBreaks
            let dispatcher = QueryDispatcher(transport: HTTPMinerTransport(clients: clients), transports: endpointTransports[index],
                                             selector: selectors[index], executor: executor, store: scoreStore, clock: clock,
                                             settings: settings, random: random.split(), logger: logger, scoreBook: scoring.book,
                                             rewards: rewards, metrics: metrics)
            for route in plan.routes { dispatchers[route.descriptor.name] = dispatcher }
            adminSubnets.append(AdminAPI.Subnet(name: plan.name, selector: selectors[index], scoreBoard: scoring.subnets[index].board))
            services.append(refreshers[index])
            if configuration.synthetic.enabled {
                let wanted = Set(configuration.synthetic.endpoints)
                let probed = plan.routes.filter { $0.descriptor.scoring.scoresSynthetic && (wanted.isEmpty || wanted.contains($0.descriptor.name)) }
                if !probed.isEmpty {
                    services.append(leaderOnly(SyntheticQueryService(endpoints: probed, dispatcher: dispatcher,
                                                                     interval: .seconds(double: configuration.synthetic.intervalSeconds),
                                                                     clock: clock, logger: logger, metrics: metrics)))
                }
            }
        }
        services += probes as [any Service]

        let readiness = ListenerReadiness()
        var listeners: Set<String> = ["public"]
        if configuration.admin.enabled {
            listeners.insert("admin")
            let admin = Application(
                router: try AdminAPI.router(store: scoreStore, subnets: adminSubnets, clock: clock, keys: keys, adminToken: adminToken,
                                            metrics: metrics, console: configuration.admin.console, instance: (stores.backend, leadership)),
                configuration: .init(address: .hostname(configuration.admin.host, port: configuration.admin.port), serverName: "organic-admin"),
                onServerRunning: { channel in await readiness.bound("admin", port: channel.localAddress?.port ?? 0) },
                logger: logger)
            services.append(admin)
        }
        let openAPI = OpenAPIDocument.Cache(endpoints: routes, plugins: plugins)
        let server = configuration.server
        let maxConnections = min(server.maxConnections, ClientConnections.descriptorBound())
        if maxConnections < server.maxConnections {
            logger.notice("server.maxConnections lowered to fit the descriptor limit (raise it with ulimit -n)",
                          metadata: ["maxConnections": "\(maxConnections)"])
        }
        let connections = ClientConnections(limits: .init(maxConnections: maxConnections,
                                                          bodyTimeout: .seconds(double: server.bodyTimeoutSeconds),
                                                          maxBufferedRequestBytes: server.maxBufferedRequestBytes))
        let publicRouter = PublicAPI.router(endpoints: routes, dispatchers: dispatchers, access: access, openAPI: openAPI, connections: connections,
                                            metrics: metrics,
                                            stripe: checked.stripe.map { StripeWebhook(settings: $0, store: keyStore, clock: clock, logger: logger) })
            .buildResponder()
        let publicApp = Application(
            responder: publicRouter,
            server: .loopBoundHTTP1(configuration: .init(additionalChannelHandlers: [connections.makeHandler()],
                                                         idleTimeout: TimeAmount(Duration.seconds(double: server.idleTimeoutSeconds))),
                                    wholeRequests: .init(router: publicRouter, logger: logger, serverName: "organic")),
            // A burst of connects waits in the kernel's accept queue while the accept loop catches up;
            // with the default 256 the overflow's handshakes are dropped and reset a minute later.
            configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "organic",
                                 backlog: ClientConnections.listenBacklog),
            onServerRunning: { channel in await readiness.bound("public", port: channel.localAddress?.port ?? 0) },
            logger: logger)
        services.append(publicApp)
        services += additionalServices

        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(double: configuration.server.shutdownGraceSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        handedOver = true
        storesHandedOver = true
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
        guard q.tierWeights.count <= KeyTier.maxConfigured, q.tierWeights.keys.allSatisfy(KeyTier.isValidName) else {
            throw ConfigurationError("dispatch.queues.tierWeights names at most \(KeyTier.maxConfigured) tiers, each 1...\(KeyTier.maxNameLength) letters, digits, - or _")
        }
        let sel = d.selection
        guard [sel.scoreWeight, sel.latencyWeight, sel.randomness].allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw ConfigurationError("dispatch.selection weights must be finite and >= 0")
        }
        guard configuration.server.shutdownGraceSeconds > 0 else { throw ConfigurationError("server.shutdownGraceSeconds must be positive") }
        let server = configuration.server
        guard server.idleTimeoutSeconds.isFinite, server.idleTimeoutSeconds > 0, server.bodyTimeoutSeconds.isFinite, server.bodyTimeoutSeconds > 0 else {
            throw ConfigurationError("server.idleTimeoutSeconds and server.bodyTimeoutSeconds must be positive")
        }
        guard server.maxConnections >= 1 else { throw ConfigurationError("server.maxConnections must be at least 1") }
        guard server.maxBufferedRequestBytes >= 1 << 20 else { throw ConfigurationError("server.maxBufferedRequestBytes must be at least 1 MiB") }
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
            if let synapse = override.synapse { descriptor.synapse = synapse }
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
