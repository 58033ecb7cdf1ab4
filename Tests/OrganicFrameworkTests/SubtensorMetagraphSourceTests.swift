import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import Testing
@testable import OrganicFramework
@testable import OrganicMinerKit

/// The chain client against an in-process JSON-RPC WebSocket server on 127.0.0.1 that
/// replays fixtures the official Python codec produced.
@Suite("Subtensor: metagraph over JSON-RPC WebSocket")
struct SubtensorMetagraphSourceTests {
    /// Serves `reply(request text)` for each text message; nil sends nothing.
    static func withServer(_ reply: @escaping @Sendable (String) -> [String], _ body: (String) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        for answer in reply(text) { try await outbound.write(.text(answer)) }
                    }
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "test-subtensor"))
        let group = ServiceGroup(services: [app], logger: Logger(label: "test-subtensor"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                try await body("ws://127.0.0.1:\(port)")
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func answer(_ request: String, result: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.utf8)) as? [String: Any],
              object["method"] as? String == "state_call",
              let params = object["params"] as? [String], params.first == SubtensorMetagraphSource.runtimeMethod,
              let id = object["id"] as? Int
        else { return [#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#] }
        return [
            #"{"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"x","result":{}}}"#,
            #"{"jsonrpc":"2.0","id":\#(id),"result":"\#(result)"}"#,
        ]
    }

    func source(_ url: String, netuid: UInt16 = 19) -> SubtensorMetagraphSource {
        SubtensorMetagraphSource(netuid: netuid, rpc: WebSocketSubtensorRPC(url: url, timeout: .seconds(10), logger: Logger(label: "test")))
    }

    @Test func fetchesAndDecodesNeurons() async throws {
        let hex = try NeuronInfoLiteDecodingTests.fixture().hex
        try await Self.withServer({ Self.answer($0, result: hex) }) { url in
            let metagraph = try await source(url).fetch()
            #expect(metagraph.netuid == 19)
            #expect(metagraph.neurons.map(\.uid) == [0, 1, 300, 17000])
            #expect(metagraph.neurons[0].url == "http://10.0.0.7:8091")
        }
    }

    @Test func errorsAndBadPayloadsThrowAndKeepTheLastSnapshot() async throws {
        let hex = try NeuronInfoLiteDecodingTests.fixture().hex
        let answers = Locked<[String]>([hex, String(hex.dropLast(6)), "0xzz"])
        try await Self.withServer({ request in
            let next = answers.withLock { $0.isEmpty ? "" : $0.removeFirst() }
            if next.isEmpty { return [#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"boom"}}"#] }
            return Self.answer(request, result: next)
        }) { url in
            let directory = SenderDirectory(source: source(url), logger: Logger(label: "test"))
            await directory.refresh()
            #expect(directory.lookup(hotkey: SS58.encode(publicKey: Array(repeating: 0x11, count: 32))).neuron?.uid == 0)
            await #expect(throws: SCALEDecodingError.self) { try await source(url).fetch() }
            await #expect(throws: SubtensorError.self) { try await source(url).fetch() }
            await #expect(throws: SubtensorError.rpc(code: -32000, message: "boom")) { try await source(url).fetch() }
            await directory.refresh()  // fails: the previous snapshot stays
            #expect(directory.lookup(hotkey: SS58.encode(publicKey: Array(repeating: 0x11, count: 32))).neuron?.uid == 0)
        }
    }

    @Test func wrongNetuidInAnswerIsRefused() async throws {
        let hex = try NeuronInfoLiteDecodingTests.fixture().hex
        try await Self.withServer({ Self.answer($0, result: hex) }) { url in
            await #expect(throws: SubtensorError.self) { try await source(url, netuid: 20).fetch() }
        }
    }

    @Test func unreachableNodeIsAConnectionError() async throws {
        await #expect(throws: SubtensorError.self) { try await source("ws://127.0.0.1:1").fetch() }
    }

    @Test func configurationPicksTheChainSource() throws {
        var configuration = NodeConfiguration()
        configuration.chain.endpoint = "ws://127.0.0.1:9944"
        #expect(throws: ConfigurationError.self) { try OrganicNode.metagraphSource(for: configuration, logger: Logger(label: "t")) }
        configuration.chain.netuid = 19
        let source = try OrganicNode.metagraphSource(for: configuration, logger: Logger(label: "t"))
        #expect((source as? SubtensorMetagraphSource)?.netuid == 19)
        configuration.chain.endpoint = "https://x"
        #expect(throws: ConfigurationError.self) { try OrganicNode.metagraphSource(for: configuration, logger: Logger(label: "t")) }
    }
}
