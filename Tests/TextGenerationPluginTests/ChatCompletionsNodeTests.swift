import Foundation
import OrganicFramework
import OrganicTestKit
@testable import TextGenerationPlugin
import Testing

@Suite("Chat completions through a node")
struct ChatCompletionsNodeTests {
    static let question = ChatCompletionRequest(messages: [.init(role: "user", content: "Describe a lighthouse at dusk.")], maxTokens: 24)

    @Test("passes the framework's conformance suite")
    func conformance() async throws {
        try await PluginConformance.check(try TextGenerationPlugin(), samples: 20)
    }

    @Test("stream: false returns one chat.completion with usage; stream: true returns OpenAI SSE chunks ending in [DONE]")
    func wholeAndStreamed() async throws {
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: PluginHarness.honestMiners(2)) { net in
            let whole = try await net.post("/v1/chat/completions", json: Self.question)
            #expect(whole.status == 200, "\(whole.text)")
            let completion = try whole.decode(ChatCompletion.self)
            #expect(completion.object == "chat.completion")
            #expect(completion.model == "chat-llama-3-2-3b")
            let content = completion.choices.first?.message.content ?? ""
            #expect(!content.isEmpty)
            #expect(completion.choices.first?.logprobs == nil, "logprobs only when asked")
            #expect((completion.usage?.completionTokens ?? 0) > 0 && (completion.usage?.completionTokens ?? 99) <= 24)

            var streaming = Self.question
            streaming.stream = true
            streaming.streamOptions = .init(includeUsage: true)
            let streamed = try await net.post("/v1/chat/completions", json: streaming)
            #expect(streamed.status == 200)
            #expect(streamed.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = streamed.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            let chunks = try events.dropLast().map { event -> ChatCompletionChunk in
                #expect(event.hasPrefix("data: "))
                return try JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.dropFirst(6).utf8))
            }
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" })
            #expect(chunks.last?.usage != nil, "a usage chunk when stream_options.include_usage is set")
            let text = chunks.flatMap(\.choices).compactMap(\.delta.content).joined()
            #expect(!text.isEmpty)
            #expect(chunks.flatMap(\.choices).compactMap(\.finishReason).count == 1)
        }
    }

    /// The events' members as a client sees them: `logprobs` present as null, not left out.
    static func eventObjects(_ text: String) throws -> [[String: Any]] {
        try text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }.map { event in
            try #require(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
        }
    }

    @Test("streamed events are the miner's with the model the caller named, logprobs null unless asked for, and no usage")
    func streamedEventsAreEditedMinerEvents() async throws {
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            var request = Self.question
            request.stream = true
            let plain = try await net.post("/v1/chat/completions", json: request)
            #expect(plain.status == 200, "\(plain.text)")
            let events = try Self.eventObjects(plain.text)
            #expect(events.count > 2)
            for event in events {
                #expect(event["model"] as? String == "chat-llama-3-2-3b")
                #expect(event["object"] as? String == "chat.completion.chunk")
                #expect(event["usage"] == nil)
                let choices = try #require(event["choices"] as? [[String: Any]])
                // The miner was asked for log-probabilities; the caller was not, and gets the key as null.
                #expect(choices.allSatisfy { $0["logprobs"] is NSNull }, "\(event)")
            }

            request.logprobs = true
            let withLogprobs = try await net.post("/v1/chat/completions", json: request)
            #expect(withLogprobs.status == 200)
            let chunks = try withLogprobs.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }
                .map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.dropFirst(6).utf8)) }
            let choices = chunks.flatMap(\.choices)
            #expect(choices.allSatisfy { $0.logprobs != nil })
            #expect(choices.compactMap(\.logprobs).flatMap(\.content).map(\.token).joined() == choices.compactMap(\.delta.content).joined(),
                    "the caller who asked gets every token's log-probability")
        }
    }
}

@Suite("Chat completions: min_tokens")
struct MinTokensTests {
    @Test("min_tokens holds the end back: the answer is exactly max_tokens long and the verifier still accepts it")
    func minTokens() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        // The plugin made before the call: `[try …]` inline next to the large configuration
        // struct miscompiles with Swift 6.3 (see PluginHarness.run).
        let plugin = try TextGenerationPlugin()
        try await PluginHarness.run(plugins: [plugin], miners: PluginHarness.honestMiners(1),
                                    configuration: configuration) { net in
            var request = ChatCompletionsNodeTests.question
            request.maxTokens = 80
            request.minTokens = 80
            let reply = try await net.post("/v1/chat/completions", json: request)
            #expect(reply.status == 200, "\(reply.text)")
            let completion = try reply.decode(ChatCompletion.self)
            #expect(completion.usage?.completionTokens == 80)
            #expect(completion.choices.first?.finishReason == "length")
            let rounds = try await net.waitForRounds(atLeast: 1)
            #expect(rounds.first?.results.first?.score == 1, "\(rounds.first?.results.first?.reason ?? "")")
            request.minTokens = 81
            #expect(try await net.post("/v1/chat/completions", json: request).errorField == "min_tokens")
        }
    }
}

@Suite("Text completions through a node")
struct CompletionsNodeTests {
    @Test("legacy /v1/completions: whole answer with logprobs on request, and a stream ending in [DONE]")
    func legacyCompletions() async throws {
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            var request = CompletionRequest(prompt: "A lighthouse at dusk", maxTokens: 12, logprobs: 1)
            let whole = try await net.post("/v1/completions", json: request)
            #expect(whole.status == 200, "\(whole.text)")
            let completion = try whole.decode(TextCompletion.self)
            #expect(completion.object == "text_completion")
            let choice = try #require(completion.choices.first)
            #expect(!choice.text.isEmpty)
            #expect(choice.logprobs?.tokens.joined() == choice.text)
            #expect(choice.logprobs?.textOffset.count == choice.logprobs?.tokens.count)
            #expect(completion.usage?.completionTokens == choice.logprobs?.tokens.count)

            request.stream = true
            request.logprobs = nil
            let streamed = try await net.post("/v1/completions", json: request)
            #expect(streamed.status == 200)
            let events = streamed.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(TextCompletion.self, from: Data($0.dropFirst(6).utf8)) }
            let text = chunks.compactMap { $0.choices.first?.text }.joined()
            #expect(text.count > 0)
            #expect(chunks.allSatisfy { $0.choices.allSatisfy { $0.logprobs == nil } }, "no logprobs unless asked")
        }
    }

    @Test("echo and several prompts are refused with the field named")
    func refusals() async throws {
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: PluginHarness.honestMiners(1)) { net in
            let echo = try await net.post("/v1/completions", raw: Data(#"{"prompt": "hi", "echo": true}"#.utf8))
            #expect(echo.status == 400 && echo.errorField == "echo")
            let many = try await net.post("/v1/completions", raw: Data(#"{"prompt": ["a", "b"]}"#.utf8))
            #expect(many.status == 400 && many.errorField == "prompt")
            let model = try await net.post("/v1/chat/completions", raw: Data(#"{"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}"#.utf8))
            #expect(model.status == 400 && model.errorCode == "unsupported_value" && model.errorField == "model")
            let body = try JSONSerialization.jsonObject(with: model.body) as? [String: [String: Any]]
            #expect(body?["error"]?["type"] as? String == "invalid_request_error")
            #expect(body?["error"]?["param"] as? String == "model")
        }
    }
}

@Suite("Model listing")
struct ModelListingTests {
    @Test("/v1/models lists each model once, in OpenAI's shape, with every endpoint that serves it")
    func uniqueModels() async throws {
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: []) { net in
            let reply = try await net.get("/v1/models")
            struct Listing: Decodable {
                struct Entry: Decodable {
                    struct Served: Decodable { var path: String; var streaming: Bool }
                    var id: String; var object: String; var owned_by: String; var endpoints: [Served]
                }
                var object: String; var data: [Entry]
            }
            let listing = try reply.decode(Listing.self)
            #expect(listing.object == "list")
            #expect(listing.data.map(\.id) == ["chat-llama-3-2-3b"])
            #expect(listing.data.first?.object == "model" && listing.data.first?.owned_by == "text-generation")
            #expect(listing.data.first?.endpoints.map(\.path) == ["/v1/chat/completions", "/v1/completions"])
            #expect(listing.data.first?.endpoints.allSatisfy(\.streaming) == true)
        }
    }
}
