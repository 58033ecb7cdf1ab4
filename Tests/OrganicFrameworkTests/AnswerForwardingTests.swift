import Foundation
import Hummingbird
import Logging
import OrganicTestKit
import Synchronization
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// Endpoints that declare `forwardsMinerAnswer` hand callers the miner's own bytes, and only
/// bytes that every JSON parser reads the same way.
@Suite("Answer forwarding", .serialized)
struct AnswerForwardingTests {
    /// Runs a node in front of one stand-in text-embedding miner answering `answer`.
    func withNode(answering answer: @escaping @Sendable () -> String, _ body: (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/text-embeddings") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer())))
        }
        try await withLoopbackServer(router) { minerURL in
            var configuration = PluginHarness.testConfiguration()
            configuration.auth.enabled = false
            configuration.dispatch.retries = 0
            configuration.dispatch.minersPerQuery = 1
            configuration.dispatch.organicScoringProbability = 0
            configuration.miners = [StaticMiner(uid: 1, hotkey: "stand-in", url: minerURL)]
            let plugin = try TextEmbeddingPlugin(configuration: .init(dimensions: [8]))
            let runner = try await OrganicNode(configuration: configuration, plugins: [plugin],
                                               logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() })).makeRunner()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await runner.run() }
                let node = await runner.addresses()
                do {
                    try await body(node.publicURL + "/v1/text-embeddings")
                } catch {
                    await runner.shutdown()
                    throw error
                }
                await runner.shutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("the caller receives the miner's bytes as written (spacing, spelling of numbers, extra fields)")
    func callerGetsMinerBytes() async throws {
        let answer = #"{ "embeddings": [[1e0, -0.50, 0.5, 0, 0, 0, 0, 0.25E-1]], "miner_note": "caf\u00e9" }"#
        try await withNode(answering: { answer }) { url in
            let reply = try await TestHTTPClient().post(url, json: TextEmbeddingRequest(input: ["hello"], dimensions: 8))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.text == answer)
        }
    }

    @Test("answers a strict parser refuses, or that fail the endpoint's checks, never reach the caller", arguments: [
        #"{"embeddings": [[1,0,0,0,0,0,0,0]], "embeddings": [[0,0,0,0,0,0,0,1]]}"#,  // repeated key
        #"{"embeddings": [[1,0,0,0,0,0,0,0],]}"#,  // trailing comma
        #"{"embeddings": [[1,0,0,0,0,0,0]]}"#,  // 7 values for 8 dimensions
        #"{"embeddings": [[1,0,0,0,0,0,0,NaN]]}"#,
    ])
    func refusesLooseAnswers(answer: String) async throws {
        try await withNode(answering: { answer }) { url in
            let reply = try await TestHTTPClient().post(url, json: TextEmbeddingRequest(input: ["hello"], dimensions: 8))
            #expect(reply.status == 502 && reply.text.contains("miner_failed"), "\(reply.status) \(reply.text)")
        }
    }
}
