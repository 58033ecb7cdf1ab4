import Foundation
import Logging
import OrganicTestKit
import TextEmbeddingPlugin
import Testing
@testable import OrganicFramework

/// The node reaching miners that no one here wrote, over the protocol its plugin chose: a real
/// bittensor 10.5 `Axon`, and fiber 1.0's and 2.1's own miner app (handshake and encryption
/// included). Refusals show the miner's reason in `/admin/rounds`.
@Suite("The node reaches real miners over their protocols", .serialized)
struct NodeMinerProtocolTests {
    /// Runs a node with `plugin` and `miners`, signing as `hotkey`, and gives `body` its addresses.
    static func withNode(_ plugin: any SubnetPlugin, miners: [StaticMiner], hotkey: Sr25519Keypair,
                         configure: (inout NodeConfiguration) -> Void = { _ in },
                         _ body: @Sendable (NodeAddresses) async throws -> Void) async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.miners = miners
        configuration.auth.enabled = false   // these tests are about the miner side
        configuration.dispatch.retries = 0
        configuration.dispatch.minersPerQuery = 1
        configuration.dispatch.organicScoringProbability = 1
        configure(&configuration)
        var node = try OrganicNode(configuration: configuration, plugins: [plugin],
                                   logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() }))
        node.hotkey = hotkey
        let runner = try await node.makeRunner()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await runner.run() }
            let addresses = await runner.addresses()
            do {
                try await body(addresses)
            } catch {
                await runner.shutdown()
                throw error
            }
            await runner.shutdown()
            try await tasks.waitForAll()
        }
    }

    /// The results of the rounds stored so far, newest round first.
    static func results(_ node: NodeAddresses, count: Int) async throws -> [MinerRoundResult] {
        let client = TestHTTPClient(defaultHeaders: ["Authorization": "Bearer \(PluginHarness.adminToken)"])
        let url = try #require(node.adminURL) + "/admin/rounds?limit=50"
        let found = Locked<[MinerRoundResult]>([])
        let stored = await eventually(timeout: .seconds(20)) {
            guard let reply = try? await client.get(url), reply.status == 200,
                  let report = try? JSONDecoder().decode(RoundsPage.self, from: reply.body) else { return false }
            found.withLock { $0 = report.rounds.flatMap(\.results) }
            return report.rounds.count >= count
        }
        #expect(stored, "the node stored \(count) round(s)")
        return found.withLock { $0 }
    }

    struct RoundsPage: Decodable {
        struct Round: Decodable {
            var results: [MinerRoundResult]
        }

        var rounds: [Round]
    }

    // MARK: SDK 10 Axon

    @Test("a real SDK 10 Axon answers the node's synapse (twice: nonces increase); addressed to another hotkey it refuses, with its reason in /admin/rounds",
          .enabled(if: SDK10Python.python != nil, Comment(rawValue: SDK10Python.skipMessage)))
    func axon() async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        try await AxonSynapseInteropTests.withSDKAxon { port, hotkey in
            let url = "http://127.0.0.1:\(port)"
            try await Self.withNode(try AxonEchoPlugin(), miners: [StaticMiner(uid: 3, hotkey: hotkey, url: url)], hotkey: validator) { node in
                for text in ["héllo \"axon\"", "again"] {
                    let reply = try await TestHTTPClient().post(node.publicURL + "/v1/axon-echo",
                                                                json: AxonEchoEndpoint.Request(text: text, count: 3, ratio: 1))
                    #expect(reply.status == 200, "\(reply.text)")
                    let answer = try JSONDecoder().decode(AxonEchoEndpoint.Response.self, from: reply.body)
                    // The Axon's forward sees the synapse as pydantic parsed it: ratio 1 is the float 1.0.
                    #expect(answer.answer == "\(text)|3|1.0")
                }
                let results = try await Self.results(node, count: 2)
                #expect(results.allSatisfy { $0.outcome == .answered && $0.score == 1 }, "\(results)")
            }
            // The same Axon listed under another hotkey: the node signs for that hotkey, the Axon
            // checks the signature against its own and refuses.
            let stranger = try FiberMinerPeer.randomKeypair().ss58Address
            try await Self.withNode(try AxonEchoPlugin(), miners: [StaticMiner(uid: 3, hotkey: stranger, url: url)], hotkey: validator) { node in
                let reply = try await TestHTTPClient().post(node.publicURL + "/v1/axon-echo",
                                                            json: AxonEchoEndpoint.Request(text: "x", count: 1, ratio: 0.5))
                #expect(reply.status == 502, "\(reply.text)")
                let result = try #require(try await Self.results(node, count: 1).first)
                #expect(result.outcome == .httpStatus(401), "\(result)")
                #expect(result.reason?.contains("Signature mismatch") == true, "the Axon's own message: \(result.reason ?? "")")
                #expect(result.score == 0)
            }
        }
    }

    // MARK: fiber

    static let fiberSkip = " is not set: scripts/test.sh installs fiber from ../shared/peers into a venv"

    @Test("fiber 1.0's own miner serves the node after the RSA handshake, over Fernet-encrypted bodies; an unknown validator is refused with the miner's reason",
          .enabled(if: FiberMinerPeer.python(.v1) != nil, Comment(rawValue: "ORGANIC_PYTHON_FIBER1" + fiberSkip)))
    func fiber1() async throws {
        try await fiber(.v1)
    }

    @Test("fiber 2.1's own miner serves the node's signed plain JSON; an unknown validator is refused with the miner's reason",
          .enabled(if: FiberMinerPeer.python(.v2) != nil, Comment(rawValue: "ORGANIC_PYTHON_FIBER2" + fiberSkip)))
    func fiber2() async throws {
        try await fiber(.v2)
    }

    func fiber(_ version: FiberVersion) async throws {
        let validator = try FiberMinerPeer.randomKeypair()
        let plugin = try FiberEchoPlugin(configuration: .init(version: version == .v1 ? "fiber/1" : "fiber/2"))
        try await FiberMinerPeer.with(version, validators: [.init(keypair: validator, stake: 5000)]) { peer in
            let miners = [StaticMiner(uid: 4, hotkey: peer.hotkey, url: peer.url)]
            try await Self.withNode(plugin, miners: miners, hotkey: validator) { node in
                for text in ["first", "second (same key)"] {
                    let reply = try await TestHTTPClient().post(node.publicURL + "/v1/fiber-echo",
                                                                json: FiberEchoEndpoint.Request(text: text, numbers: [1, 2, 39]))
                    #expect(reply.status == 200, "\(reply.text)")
                    let answer = try JSONDecoder().decode(FiberEchoEndpoint.Response.self, from: reply.body)
                    #expect(answer.echo == text)
                    #expect(answer.sum == 42)
                    #expect(answer.validator == validator.ss58Address)
                    #expect((answer.nonce != nil) == (version == .v1), "fiber 1's validator puts a nonce in the payload")
                }
            }
            // A validator the miner does not know (not in its metagraph) is refused.
            try await Self.withNode(plugin, miners: miners, hotkey: try FiberMinerPeer.randomKeypair()) { node in
                let reply = try await TestHTTPClient().post(node.publicURL + "/v1/fiber-echo",
                                                            json: FiberEchoEndpoint.Request(text: "who?", numbers: []))
                #expect(reply.status == 502, "\(reply.text)")
                let result = try #require(try await Self.results(node, count: 1).first)
                #expect((400..<500).contains(result.outcome.httpStatus ?? 0), "\(result)")
                #expect(result.reason?.isEmpty == false, "the miner's reason is kept: \(result)")
            }
        }
    }

    // MARK: configuration

    @Test("a protocol is chosen per endpoint over per subnet over node-wide over the plugin's own; Axon endpoints need a synapse and signed-only protocols a hotkey")
    func protocolChoice() throws {
        var configuration = PluginHarness.testConfiguration()
        let plugins: [any SubnetPlugin] = [try AxonEchoPlugin(), try FiberEchoPlugin(configuration: .init(version: "fiber/2")),
                                           try TextEmbeddingPlugin()]
        func protocols() throws -> [String: MinerProtocol] {
            try OrganicNode.checked(configuration, plugins: plugins).subnets.reduce(into: [:]) { $0.merge($1.protocols) { a, _ in a } }
        }
        var chosen = try protocols()
        #expect(chosen["axon-echo"] == .axonSynapse)
        #expect(chosen["fiber-echo"] == .fiber2)
        #expect(chosen["text-embeddings"] == .btauth, "no choice anywhere: dispatch.signing")

        configuration.dispatch.signing = .epistula
        #expect(try protocols()["text-embeddings"] == .epistula)
        configuration.dispatch.minerProtocol = .fiber1
        chosen = try protocols()
        #expect(chosen["text-embeddings"] == .fiber1 && chosen["fiber-echo"] == .fiber1, "the operator's node-wide choice beats the plugin's")
        configuration.dispatch.minerProtocol = nil

        configuration.subnets = [.init(name: "sn", plugins: ["fiber-echo"], minerProtocol: .unsigned)]
        #expect(try protocols()["fiber-echo"] == .unsigned, "the subnet's choice beats the plugin's")
        var override = NodeConfiguration.EndpointOverride()
        override.minerProtocol = .epistula
        configuration.dispatch.endpoints["fiber-echo"] = override
        #expect(try protocols()["fiber-echo"] == .epistula, "the endpoint's choice beats all")

        override = NodeConfiguration.EndpointOverride()
        override.minerProtocol = .axonSynapse
        configuration.dispatch.endpoints = ["fiber-echo": override]
        #expect(throws: ConfigurationError.self, "an Axon endpoint without a synapse") { try protocols() }
        override.synapse = SynapseDescription(name: "Not a class")
        configuration.dispatch.endpoints = ["fiber-echo": override]
        #expect(throws: ConfigurationError.self, "a synapse name that is no Python class name") { try protocols() }
        override.synapse = SynapseDescription(name: "FiberEcho", requiredHashFields: ["text"])
        configuration.dispatch.endpoints = ["fiber-echo": override]
        #expect(try protocols()["fiber-echo"] == .axonSynapse)
    }

    @Test("a signed-only protocol without the validator's hotkey stops the node at start, naming the endpoint")
    func signedOnlyNeedsHotkey() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.miners = [StaticMiner(uid: 1, hotkey: "5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX", url: "http://127.0.0.1:9")]
        let node = try OrganicNode(configuration: configuration, plugins: [try FiberEchoPlugin(configuration: .init(version: nil))],
                                   logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            _ = try await node.makeRunner()
            Issue.record("the node started without a hotkey for fiber/1")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("fiber-echo") && error.description.contains("fiber/1"), "\(error)")
        }
    }
}
