import AsyncHTTPClient
import Foundation
import Logging
import OrganicTestKit
import ServiceLifecycle
import TextEmbeddingPlugin
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

/// The node's HTTP transport signing requests and a reference miner verifying them, over
/// real HTTP on 127.0.0.1.
@Suite("Signed requests: node to miner")
struct SignedDispatchTests {
    static func withVerifyingMiner(validators: [String], miner: Sr25519Keypair,
                                   _ body: (_ url: String, _ path: String) async throws -> Void) async throws {
        let plugin = try TextEmbeddingPlugin()
        let handlers = plugin.referenceMiners(options: .init())
        let logger = Logger(label: "test-miner")
        let verifier = SignedRequestVerifier(policy: .init(selfHotkey: miner.ss58Address),
                                             directory: .fixed(validators: validators, logger: logger))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = ReferenceMinerServer.application(handlers: handlers, options: .init(verifier: verifier), logger: logger,
                                                   onRunning: { continuation.yield($0) })
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let path = handlers.first.map { $0.endpoint.descriptor.minerPath } ?? "/"
            do { try await body("http://127.0.0.1:\(port)", path) } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func signedRequestsAreServedAndOthersRefused() async throws {
        let alice = try Sr25519Keypair.devAccount("Alice"), bob = try Sr25519Keypair.devAccount("Bob")
        let charlie = try Sr25519Keypair.devAccount("Charlie")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["hello"], dimensions: 64, seed: 1))
        try await Self.withVerifyingMiner(validators: [alice.ss58Address], miner: bob) { url, path in
            let miner = Neuron(uid: 1, hotkey: bob.ss58Address, url: url)
            func send(_ signer: (any RequestSigner)?) async -> MinerReply.Outcome {
                await HTTPMinerTransport(client: client, signer: signer)
                    .send(Array(body), to: miner, path: path, timeout: .seconds(10), maxResponseBytes: 1 << 20).outcome
            }
            guard case .answered = await send(BTAuthRequestSigner(keypair: alice)) else { Issue.record("btauth refused"); return }
            guard case .answered = await send(EpistulaRequestSigner(keypair: alice)) else { Issue.record("epistula refused"); return }
            guard case .failed(.httpStatus(401, _)) = await send(nil) else { Issue.record("unsigned accepted"); return }
            guard case .failed(let refusal) = await send(BTAuthRequestSigner(keypair: charlie)), case .httpStatus(403, let reason) = refusal else {
                Issue.record("unregistered sender accepted"); return
            }
            // The miner's reason is kept for /admin/rounds and the logs, bounded.
            #expect(reason.contains("\"code\"") && reason.count <= minerRefusalBodyLimit, "\(reason)")
            #expect(refusal.detail.hasPrefix("answered HTTP 403: "))
            // Signed for another miner: refused.
            let elsewhere = Neuron(uid: 2, hotkey: charlie.ss58Address, url: url)
            let reply = await HTTPMinerTransport(client: client, signer: BTAuthRequestSigner(keypair: alice))
                .send(Array(body), to: elsewhere, path: path, timeout: .seconds(10), maxResponseBytes: 1 << 20)
            guard case .failed(.httpStatus(401, _)) = reply.outcome else { Issue.record("wrong receiver accepted"); return }
        }
        try await client.shutdown()
    }

    @Test func requestTargetIsWhatTheMinerSees() {
        #expect(MinerAddress("http://127.0.0.1:9000/miner/embed?x=a%20b")?.target == "/miner/embed?x=a%20b")
        #expect(MinerAddress("http://127.0.0.1:9000")?.target == "/")
    }

    @Test func nodeHotkeyComesFromTheConfiguredWallet() throws {
        var identity = NodeConfiguration.Identity()
        #expect(try NodeHotkey.load(identity) == nil)
        identity.wallet = "only-wallet"
        #expect(throws: ConfigurationError.self) { try NodeHotkey.load(identity) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("organic-node-wallet-\(UUID().uuidString)")
        let path = BittensorWallet.hotkeyPath(wallet: "val", hotkey: "hk", walletPath: dir.path)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(BittensorWallet.keyfileJSON(seed: Array(repeating: 3, count: 32))).write(to: URL(fileURLWithPath: path))
        identity.wallet = "val"
        identity.hotkey = "hk"
        identity.walletPath = dir.path
        let keypair = try #require(try NodeHotkey.load(identity))
        #expect(keypair.publicKey == (try Sr25519Keypair(miniSecretSeed: Array(repeating: 3, count: 32))).publicKey)
        #expect(NodeHotkey.signer(keypair, scheme: .none) == nil)
        #expect(NodeHotkey.signer(keypair, scheme: .epistula) is EpistulaRequestSigner)
    }

    /// A node configured with `node.wallet`/`node.hotkey` signs its requests, and a verifying
    /// miner serves them; the same node without a wallet is refused.
    @Test func nodeWithWalletIsServedByVerifyingMiner() async throws {
        let bob = try Sr25519Keypair.devAccount("Bob")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("organic-node-signing-\(UUID().uuidString)")
        let path = BittensorWallet.hotkeyPath(wallet: "val", hotkey: "hk", walletPath: dir.path)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let seed = Array(repeating: UInt8(0x21), count: 32)
        try Data(BittensorWallet.keyfileJSON(seed: seed)).write(to: URL(fileURLWithPath: path))
        let validator = try Sr25519Keypair(miniSecretSeed: seed)
        try await Self.withVerifyingMiner(validators: [validator.ss58Address], miner: bob) { url, _ in
            for signed in [true, false] {
                var configuration = PluginHarness.testConfiguration()
                configuration.miners = [StaticMiner(uid: 1, hotkey: bob.ss58Address, url: url)]
                configuration.dispatch.minersPerQuery = 1
                configuration.dispatch.retries = 0
                configuration.auth.enabled = false   // this test is about miner-side signatures, not API keys
                if signed {
                    configuration.node.wallet = "val"
                    configuration.node.hotkey = "hk"
                    configuration.node.walletPath = dir.path
                }
                let runner = try await OrganicNode(configuration: configuration, plugins: [try TextEmbeddingPlugin()],
                                                   logger: Logger(label: "test-node")).makeRunner()
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await runner.run() }
                    let node = await runner.addresses()
                    let reply = try await TestHTTPClient().post(node.publicURL + "/v1/text-embeddings",
                                                                json: TextEmbeddingRequest(input: ["signed?"], dimensions: 64))
                    #expect((reply.status == 200) == signed, "signed: \(signed), status \(reply.status)")
                    await runner.shutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }

    @Test func nodeRefusesToStartWhenTheWeightsSDKIsMissing() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.node.wallet = "val"
        configuration.node.hotkey = "hk"
        configuration.chain.netuid = 1
        configuration.chain.setWeights = true
        configuration.chain.python = "/nonexistent/python3"
        await #expect(throws: ConfigurationError.self) {
            _ = try await OrganicNode(configuration: configuration, plugins: [], logger: Logger(label: "test-node")).makeRunner()
        }
    }
}
