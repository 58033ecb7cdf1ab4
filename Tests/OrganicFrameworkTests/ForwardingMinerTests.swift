import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import ServiceLifecycle
import TextEmbeddingPlugin
import Testing

/// `organic-miner --forward-to`: a miner that hands requests to an inference worker over HTTP.
@Suite("Forwarding miner")
struct ForwardingMinerTests {
    @Test("answers exactly what the worker answers; a failing worker makes it answer 500")
    func forwards() async throws {
        let plugin = try TextEmbeddingPlugin()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let ports = PortLog()
        // The "GPU worker": the reference implementation behind its own server.
        let worker = ReferenceMinerServer.application(handlers: plugin.referenceMiners(options: .init()), options: .init(), logger: logger) {
            ports.set("worker", $0)
        }
        let broken = ReferenceMinerServer.application(handlers: plugin.referenceMiners(options: .init()), options: .init(faults: .alwaysError),
                                                      logger: logger) { ports.set("broken", $0) }
        let group = ServiceGroup(configuration: .init(services: [worker, broken], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try #require(await eventually { ports.value("worker") != nil && ports.value("broken") != nil }, "the worker and the broken server never started")
            let workerURL = "http://127.0.0.1:\(ports.value("worker") ?? 0)"
            let request = TextEmbeddingRequest(input: ["forward me"], dimensions: 64, seed: 123_456)
            let forwarding = ForwardingMinerHandler(endpoint: plugin.embeddings, workerURL: workerURL + "/")
            let forwarded = try await forwarding.respond(to: request, context: MinerContext())
            let direct = try await TestHTTPClient().post(workerURL + "/text-embeddings", json: request).decode(TextEmbeddingResponse.self)
            #expect(forwarded == direct)
            #expect(forwarded.embeddings[0] == FeatureHashingEmbedder.embed("forward me", dimensions: 64, seed: 123_456))

            let failing = ForwardingMinerHandler(endpoint: plugin.embeddings, workerURL: "http://127.0.0.1:\(ports.value("broken") ?? 0)")
            await #expect(throws: ForwardingError.self) { _ = try await failing.respond(to: request, context: MinerContext()) }
            #expect(ForwardingMiners.handlers(for: [plugin], workerURL: workerURL).count == plugin.endpoints.count)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Ports bound by servers started in a test.
final class PortLog: Sendable {
    private let ports = Mutex<[String: Int]>([:])
    func set(_ name: String, _ port: Int) { ports.withLock { $0[name] = port } }
    func value(_ name: String) -> Int? { ports.withLock { $0[name] } }
}

import Synchronization
