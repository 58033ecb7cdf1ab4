import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit
import ServiceLifecycle
@testable import TextGenerationPlugin
import Testing

/// `organic-miner --plugin text-generation --forward-to URL`: the forwarding handler relays an
/// OpenAI-compatible worker's event stream chunk by chunk (here the worker is the reference
/// miner's own HTTP server, which speaks the same wire format as vLLM for these requests).
@Suite("Forwarding a worker's stream")
struct ForwardingStreamTests {
    @Test("the forwarding handler streams the worker's chunks unchanged, and assembles them for a whole answer")
    func relaysWorkerStream() async throws {
        let plugin = try TextGenerationPlugin()
        let logger = Logger(label: "worker", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let worker = ReferenceMinerServer.application(handlers: plugin.referenceMiners(options: .init()), options: .init(), logger: logger,
                                                      onRunning: { continuation.yield($0) })
        let group = ServiceGroup(services: [worker], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let forwarding = ForwardingMinerHandler(endpoint: plugin.chat, workerURL: "http://127.0.0.1:\(port)/")
            var context = PerturbationContext(random: OrganicRandom(seed: 11), seeds: .unassigned)
            let request = plugin.chat.minerRequest(for: ChatCompletionRequest(messages: [.init(role: "user", content: "Describe a quay")],
                                                                              maxTokens: 30, minTokens: 30), context: &context)
            var relayed: [ChatCompletionChunk] = []
            for try await chunk in forwarding.stream(request, context: MinerContext()) { relayed.append(chunk) }
            // The reference miner's answer for the same request and seed, produced in process.
            let expected = ReferenceChatMiner(endpoint: plugin.chat, noiseSeed: nil).chunks(for: request, context: MinerContext())
            #expect(relayed.map(\.choices) == expected.map(\.choices))
            #expect(relayed.count == 32, "role, 30 tokens, finish")
            let whole = try await forwarding.respond(to: request, context: MinerContext())
            #expect(whole.choices.first?.message.content == expected.compactMap { $0.choices.first?.delta.content }.joined())
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
