import Foundation
import OrganicFramework
import OrganicTestKit
@testable import TextGenerationPlugin
import Testing

/// The official `openai` Python package (from `.venv`, see scripts/test.sh) against a real node:
/// what OpenAI users run unchanged must work, and be billed exactly for what it received.
@Suite("The official OpenAI Python client against a node",
       .enabled(if: OpenAIPython.python != nil, "ORGANIC_PYTHON is not set; scripts/test.sh sets it to the .venv with the openai package"),
       .enabled("the openai package does not import in $ORGANIC_PYTHON; install scripts/python-test-requirements.txt") {
           await OpenAIPython.hasClient()
       })
struct OpenAIClientTests {
    static let maxTokens = 24

    @Test("models, streamed and whole completions, streamed usage and errors; the key pays exactly what its usage log says")
    func officialClient() async throws {
        let python = try #require(OpenAIPython.python)
        let prices = TextGenerationConfiguration()
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = true
        try await PluginHarness.run(plugins: [try TextGenerationPlugin()], miners: PluginHarness.honestMiners(2),
                                    configuration: configuration) { net in
            let granted = Credits(millis: 100_000)
            let key = try await net.createKey(KeyCreation(name: "openai-python", credits: granted.value))
            let run = try await ChildProcess.run(python, [OpenAIPython.script, net.publicURL + "/v1", key.key,
                                                          "--max-tokens", String(Self.maxTokens)])
            try #require(run.status == 0, "openai_client_check.py failed:\n\(run.errorText)\n\(run.outputText)")
            let summary = try JSONDecoder().decode(ClientSummary.self, from: run.output)
            #expect(summary.failures.isEmpty)

            #expect(summary.models.ids.contains("chat-llama-3-2-3b"))
            #expect(!summary.stream.text.isEmpty)
            #expect(!summary.whole.text.isEmpty)
            #expect((1...Self.maxTokens).contains(summary.whole.usage.completionTokens))
            let streamed = try #require(summary.streamUsage.usage)
            #expect((1...Self.maxTokens).contains(streamed.completionTokens))
            // The reference miner sends one token per chunk: the usage chunk counts what arrived.
            #expect(streamed.completionTokens == summary.streamUsage.contentChunks)
            #expect(streamed.promptTokens == summary.whole.usage.promptTokens, "same messages, same prompt count")

            for refusal in [summary.unknownModel.whole, summary.unknownModel.stream] {
                #expect(refusal.status == 400)
                #expect(refusal.code == "unsupported_value")
                #expect(refusal.param == "model")
            }
            #expect(summary.wrongKey.status == 401)
            #expect(summary.wrongKey.code == "malformed_api_key")

            // Billing: the three completions and the two refusals are logged against the key, and
            // the balance went down by exactly the logged charge, which is the token prices times
            // the tokens the client received.
            let details = try await settled(net, key.record.id, requests: 5)
            let logged = try #require(try await net.context.keys?.usage(id: key.record.id, days: 2)).days
                .filter { $0.endpoint == "chat-completions" }
            #expect(logged.map(\.requests).reduce(0, +) == 5)
            #expect(logged.map(\.successes).reduce(0, +) == 3)
            let loggedCredits = logged.map(\.credits.millis).reduce(0, +)
            #expect(granted.millis - details.balance.millis == loggedCredits)
            let promptTokens = logged.compactMap { $0.units[TokenUsage.promptTokens] }.reduce(0, +)
            let completionTokens = logged.compactMap { $0.units[TokenUsage.completionTokens] }.reduce(0, +)
            #expect(promptTokens == 3 * summary.whole.usage.promptTokens)
            #expect(completionTokens == summary.whole.usage.completionTokens + streamed.completionTokens + summary.stream.contentChunks)
            let expected = Credits(Double(promptTokens) * prices.promptTokenPrice + Double(completionTokens) * prices.completionTokenPrice)
            #expect(loggedCredits == expected?.millis)
            #expect(loggedCredits > 0)
        }
    }

    /// The key's details once nothing is held any more and `requests` requests are logged
    /// (settlement runs after the response is written, on its own service).
    func settled(_ net: PluginHarness.Network, _ id: String, requests: Int) async throws -> KeyDetails {
        let keys = try #require(net.context.keys)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while true {
            let details = try await keys.show(id: id, ledgerLimit: 10_000)
            let held = details.held ?? .zero
            let logged = try await keys.usage(id: id, days: 2).days.map(\.requests).reduce(0, +)
            if held == .zero && logged >= requests { return details }
            if clock.now >= deadline {
                Issue.record("\(held) credits still held, \(logged) of \(requests) requests logged")
                return details
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// `$ORGANIC_PYTHON` and Tests/Fixtures/openai_client_check.py.
enum OpenAIPython {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openai_client_check.py").path

    static func hasClient() async -> Bool {
        guard let python else { return false }
        return (try? await ChildProcess.run(python, ["-c", "import openai"]))?.status == 0
    }
}

/// What openai_client_check.py prints.
struct ClientSummary: Decodable {
    struct Models: Decodable { var ids: [String] }
    struct Usage: Decodable {
        var promptTokens: Int
        var completionTokens: Int
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens" }
    }
    struct Stream: Decodable {
        var text: String
        var contentChunks: Int
        var usage: Usage?
        enum CodingKeys: String, CodingKey { case text, contentChunks = "content_chunks", usage }
    }
    struct Whole: Decodable {
        var text: String
        var usage: Usage
    }
    struct Refusal: Decodable {
        var status: Int
        var code: String?
        var param: String?
    }
    struct UnknownModel: Decodable { var whole: Refusal, stream: Refusal }

    var models: Models
    var stream: Stream
    var whole: Whole
    var streamUsage: Stream
    var unknownModel: UnknownModel
    var wrongKey: Refusal
    var failures: [String]

    enum CodingKeys: String, CodingKey {
        case models, stream, whole, streamUsage = "stream_usage", unknownModel = "unknown_model", wrongKey = "wrong_key", failures
    }
}
