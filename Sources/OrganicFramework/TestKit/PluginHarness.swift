public import OrganicFramework
public import OrganicMinerKit
public import Logging
public import Foundation

/// Runs a plugin in-process against its reference miners, over real loopback HTTP, with a
/// temporary SQLite database. For plugin authors' end-to-end tests:
///
/// ```swift
/// try await PluginHarness.run(plugins: [try MyPlugin()], miners: PluginHarness.honestMiners(2)) { net in
///     let reply = try await net.post("/v1/my-endpoint", json: MyRequest(...))
///     #expect(reply.status == 200)
/// }
/// ```
public enum PluginHarness {
    /// The running network, with helpers to call it.
    public struct Network: Sendable {
        public let context: LocalNetwork.Context
        /// An unlimited key the harness created (nil when `auth.enabled` is off).
        public let apiKey: String?
        /// Sends `apiKey` with every request.
        public let client: TestHTTPClient
        /// Sends no key, for tests of authentication itself.
        public let anonymousClient = TestHTTPClient()
        /// Sends the admin token (``adminToken``) with every request.
        public let adminClient = TestHTTPClient(defaultHeaders: ["Authorization": "Bearer \(PluginHarness.adminToken)"])

        init(context: LocalNetwork.Context, apiKey: String?) {
            self.context = context
            self.apiKey = apiKey
            client = TestHTTPClient(defaultHeaders: apiKey.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        }

        public var publicURL: String { context.node.publicURL }
        public var adminURL: String { context.node.adminURL ?? "" }

        public func post(_ path: String, json value: some Encodable) async throws -> TestHTTPClient.Reply {
            try await client.post(publicURL + path, json: value)
        }

        public func post(_ path: String, raw: Data) async throws -> TestHTTPClient.Reply {
            try await client.post(publicURL + path, raw: raw)
        }

        public func get(_ path: String) async throws -> TestHTTPClient.Reply {
            try await client.get(publicURL + path)
        }

        public func admin(_ path: String) async throws -> TestHTTPClient.Reply {
            try await adminClient.get(adminURL + path)
        }

        /// One endpoint's queue as `GET /admin/queues` reports it; nil before its first request.
        public func queueStatus(_ endpoint: String) async throws -> QueueStatus? {
            try await admin("/admin/queues").decode(QueuesReport.self).endpoints.first { $0.endpoint == endpoint }
        }

        /// Creates a key on the running node (changes take effect at once) and returns it.
        public func createKey(_ creation: KeyCreation) async throws -> CreatedKey {
            guard let keys = context.keys else { throw HarnessError("this node has no key database") }
            return try await keys.create(creation)
        }

        /// Polls the score store until at least `count` rounds are stored and returns them; throws
        /// ``PluginHarness/RoundsTimeout`` (failing the test) when `timeout` passes first.
        public func waitForRounds(atLeast count: Int, timeout: Duration = .seconds(30)) async throws -> [RoundRecord] {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while true {
                let rounds = try await context.store.recentRounds(limit: 10_000)
                if rounds.count >= count { return rounds }
                guard clock.now < deadline else { throw RoundsTimeout(wanted: count, stored: rounds.count, timeout: timeout) }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// ``Network/waitForRounds(atLeast:timeout:)`` gave up: a test failure, with what was stored.
    public struct RoundsTimeout: Error, CustomStringConvertible {
        public var wanted: Int
        public var stored: Int
        public var timeout: Duration
        public var description: String { "only \(stored) of \(wanted) rounds were stored within \(timeout)" }
    }

    /// A configuration for tests: ephemeral ports, a fresh database file, synthetic queries off.
    public static func testConfiguration(databaseDirectory: URL? = nil) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.server.port = 0
        configuration.admin.port = 0
        let directory = databaseDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("organic-tests-\(UUID().uuidString)", isDirectory: true)
        configuration.database.path = directory.appendingPathComponent("organic.sqlite").path
        configuration.synthetic.enabled = false
        configuration.admin.token = adminToken
        return configuration
    }

    /// Starts `miners` honest reference miners (or the given specs) and a node, runs `body`,
    /// then shuts everything down gracefully. With `minerProtocol` the miners speak it and
    /// verify the node's signature (see ``LocalNetwork/run(plugins:miners:configuration:minerProtocol:signals:clock:randomSeed:logger:body:)``).
    /// `configuration` nil is ``testConfiguration(databaseDirectory:)``. (Not a default argument
    /// of that value: evaluated at each call site, the large struct next to an inline
    /// `plugins: [try …]` made Swift 6.3 abort with "freed pointer was not the last allocation".)
    public static func run<T: Sendable>(
        plugins: [any SubnetPlugin],
        miners: [LocalNetwork.MinerSpec],
        configuration: NodeConfiguration? = nil,
        minerProtocol: MinerProtocol? = nil,
        clock: any NodeClock = SystemNodeClock(),
        randomSeed: UInt64? = 42,
        logger: Logger = Logger(label: "organic-test", factory: { _ in SwiftLogNoOpLogHandler() }),
        body: @Sendable (Network) async throws -> T
    ) async throws -> T {
        try await LocalNetwork.run(plugins: plugins, miners: miners, configuration: configuration ?? testConfiguration(), minerProtocol: minerProtocol, clock: clock,
                                   randomSeed: randomSeed, logger: logger) { context in
            var apiKey: String?
            if context.configuration.auth.enabled, let keys = context.keys {
                apiKey = try await keys.create(KeyCreation(name: "harness", unlimited: true)).key
            }
            return try await body(Network(context: context, apiKey: apiKey))
        }
    }

    /// The admin token of ``testConfiguration(databaseDirectory:)``.
    public static let adminToken = "organic-test-admin-token"

    /// Shorthand for `count` honest miners with distinct hardware noise.
    public static func honestMiners(_ count: Int) -> [LocalNetwork.MinerSpec] {
        (0..<count).map { LocalNetwork.MinerSpec(hardwareNoiseSeed: UInt64($0 + 1)) }
    }
}

/// A harness misuse, with a message that says what to change.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
