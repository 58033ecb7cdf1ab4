import Foundation
import OrganicFramework
import OrganicMinerKit
import OrganicTestKit
@testable import TextGenerationPlugin
import Testing

/// A streamed chat completion whose miner fails part-way, as an OpenAI client sees it.
@Suite("Chat completion streams under miner faults", .serialized)
struct ChatStreamFaultTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var faults: MinerFaults
        var code: String
        var outcome: String
        var testDescription: String { outcome }
    }

    struct ErrorEvent: Decodable {
        struct Detail: Decodable { var code: String }
        var error: Detail
    }

    @Test("a miner that stalls or closes mid-answer: the caller gets the tokens so far, then an error event and no [DONE], and pays nothing",
          arguments: [Fault(faults: .alwaysStalls, code: "miner_timeout", outcome: "stream_stalled"),
                      Fault(faults: .alwaysTruncates, code: "miner_failed", outcome: "stream_truncated")])
    func minerFailsMidStream(_ fault: Fault) async throws {
        // The stall is noticed after the chunk timeout, which also bounds the wait for the first
        // chunk: 2 s leaves a debug build on a loaded machine room to start the stream (0.5 s once did not).
        let plugin = try TextGenerationPlugin(configuration: TextGenerationConfiguration(chunkTimeoutSeconds: 2))
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.retries = 0
        try await PluginHarness.run(plugins: [plugin], miners: [LocalNetwork.MinerSpec(faults: fault.faults)], configuration: configuration) { net in
            let key = try await net.createKey(KeyCreation(name: "chat", credits: 10))
            var request = ChatCompletionRequest(messages: [.init(role: "user", content: "Describe a lighthouse at dusk.")], maxTokens: 40)
            request.stream = true
            let reply = try await net.anonymousClient.send("POST", net.publicURL + "/v1/chat/completions", body: try JSONEncoder().encode(request),
                                                           headers: ["X-API-Key": key.key], timeout: .seconds(20))
            #expect(reply.status == 200)
            let events = reply.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.allSatisfy { $0.hasPrefix("data: ") })
            let payloads = events.map { Data($0.dropFirst(6).utf8) }
            #expect(!reply.text.contains("[DONE]"), "a failed stream must not look complete")
            let last = try #require(payloads.last)
            #expect(try JSONDecoder().decode(ErrorEvent.self, from: last).error.code == fault.code)
            let chunks = try payloads.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: $0) }
            #expect(!chunks.isEmpty, "the tokens streamed before the fault reach the caller")
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" })

            var rounds: [RoundRecord] = []
            #expect(try await eventually {
                rounds = try await net.context.store.recentRounds(limit: 10).filter { $0.endpoint == "chat-completions" }
                return !rounds.isEmpty
            })
            #expect(rounds.first?.results.map(\.outcome.label) == [fault.outcome])
            #expect(rounds.first?.results.map(\.score) == [0])

            // Neither the prompt nor the tokens received are charged: the hold is released.
            let keys = try #require(net.context.keys)
            #expect(try await eventually {
                let logged = try await keys.usage(id: key.record.id, days: 1).days.map(\.requests).reduce(0, +)
                let held = try await keys.show(id: key.record.id, ledgerLimit: 0).held
                return logged > 0 && held == .zero
            })
            let details = try await keys.show(id: key.record.id, ledgerLimit: 100)
            #expect(details.balance == key.balance)
            #expect(details.ledger?.contains { $0.kind == .charge } == false)
        }
    }
}
