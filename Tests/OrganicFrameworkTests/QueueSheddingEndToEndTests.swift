import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// What a caller sees over HTTP when the node cannot start its request in time.
@Suite("Queue shedding end to end")
struct QueueSheddingEndToEndTests {
    @Test("behind a busy miner: 429 queue_full at once when the queue is full, 429 queue_timeout at the deadline, both with Retry-After")
    func shedding() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.retries = 0
        configuration.dispatch.queues.maxDepth = 1
        // Requests may wait 2 s; the miner takes 4 s; the endpoint times out at 8 s: seconds of
        // margin either way on a busy machine.
        configuration.dispatch.queues.maxWaitFraction = 0.25
        var override = NodeConfiguration.EndpointOverride()
        override.timeoutSeconds = 8
        configuration.dispatch.endpoints["text-embeddings"] = override
        let miners = [LocalNetwork.MinerSpec(faults: .alwaysSlow(4), capacity: 1)]
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: miners, configuration: configuration) { net in
            let request = TextEmbeddingRequest(input: ["shed"], dimensions: 64)
            async let first = net.post("/v1/text-embeddings", json: request)
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.admittedImmediately == 1 })
            async let second = net.post("/v1/text-embeddings", json: request)
            #expect(try await eventually { try await net.queueStatus("text-embeddings")?.queuedOrganic == 1 })

            let third = try await net.post("/v1/text-embeddings", json: request)
            #expect(third.status == 429)
            #expect(third.errorCode == "queue_full")
            #expect(Int(third.header("Retry-After") ?? "") ?? 0 >= 1)

            let timedOut = try await second
            #expect(timedOut.status == 429)
            #expect(timedOut.errorCode == "queue_timeout")
            #expect(Int(timedOut.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(try await first.status == 200)

            let status = try #require(try await net.queueStatus("text-embeddings"))
            #expect(status.shedQueueFull == 1)
            #expect(status.shedDeadline == 1)
            #expect(status.queuedOrganic == 0)
        }
    }

}
