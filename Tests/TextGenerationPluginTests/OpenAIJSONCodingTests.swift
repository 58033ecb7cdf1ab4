import Foundation
@testable import OrganicFramework
import OrganicPluginAPI
@testable import OrganicTestKit
import PropertyBased
import Testing
@testable import TextGenerationPlugin

/// The node reads every streamed chunk with the chunk types' own readers and writes every relayed
/// chunk with their own writers: they must read and write exactly what Codable does.
@Suite("OpenAI chunks read and write themselves as Codable does")
struct OpenAIJSONCodingTests {
    static func text(_ random: inout OrganicRandom) -> String {
        let pieces = [" the", " lighthouse", "\"", "\\", "\n", "\u{02}", "é", "🦀", "/", "", " a very long token of more than fifteen bytes"]
        return (0..<Int.random(in: 0...3, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
    }

    static func token(_ random: inout OrganicRandom) -> TokenLogprob {
        var token = TokenLogprob(token: text(&random), logprob: -Double(UInt32.random(in: 0...UInt32.max, using: &random)) / 1e6,
                                 topLogprobs: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                                     TokenLogprob.Alternative(token: text(&random), logprob: -Double.random(in: 0...30, using: &random))
                                 })
        if Bool.random(using: &random) { token.bytes = nil }
        return token
    }

    static func chatChunk(_ random: inout OrganicRandom) -> ChatCompletionChunk {
        let choices = (0..<Int.random(in: 0...2, using: &random)).map { index in
            ChatCompletionChunkChoice(index: index,
                                      delta: .init(role: Bool.random(using: &random) ? "assistant" : nil,
                                                   content: Bool.random(using: &random) ? text(&random) : nil),
                                      logprobs: Bool.random(using: &random) ? ChoiceLogprobs(content: (0..<Int.random(in: 0...2, using: &random)).map { _ in token(&random) }) : nil,
                                      finishReason: Bool.random(using: &random) ? ["stop", "length"][Int.random(in: 0...1, using: &random)] : nil)
        }
        return ChatCompletionChunk(id: "chatcmpl-" + text(&random), created: Int.random(in: 0...2_000_000_000, using: &random), model: text(&random),
                                   choices: choices,
                                   usage: Bool.random(using: &random) ? CompletionUsage(promptTokens: Int.random(in: 0...4096, using: &random),
                                                                                        completionTokens: Int.random(in: 0...4096, using: &random)) : nil)
    }

    static func textChunk(_ random: inout OrganicRandom) -> TextCompletion {
        let logprobs = TextCompletionLogprobs(tokens: [text(&random)], tokenLogprobs: [-1.5], topLogprobs: [[text(&random): -0.25]], textOffset: [0])
        return TextCompletion(id: "cmpl-" + text(&random), created: 1_700_000_000, model: text(&random),
                              choices: [TextCompletionChoice(text: text(&random), logprobs: Bool.random(using: &random) ? logprobs : nil,
                                                             finishReason: Bool.random(using: &random) ? "stop" : nil)])
    }

    @Test("random chat chunks, whole chat completions and text completions: the same bytes written, the same values read, the same documents refused")
    func agreeWithCodable() async {
        await propertyCheck(count: 150, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let chat = Self.chatChunk(&random)
            #expect(PluginConformance.ownCodingIssue(chat) == nil)
            #expect(PluginConformance.ownCodingIssue(Self.textChunk(&random)) == nil)
            let whole = ChatCompletion(id: chat.id, created: chat.created, model: chat.model,
                                       choices: chat.choices.map { .init(index: $0.index, message: .init(content: $0.delta.content ?? ""), logprobs: $0.logprobs,
                                                                         finishReason: $0.finishReason) },
                                       usage: chat.usage)
            #expect(PluginConformance.ownCodingIssue(whole) == nil)
            #expect(PluginConformance.ownCodingIssue(ChatCompletionChunk.usageChunk(
                after: ChatCompletion(id: "x", created: 1, model: "m", choices: []), model: "m", usage: .init(promptTokens: 1, completionTokens: 2))) == nil)
        }
    }

    @Test("a miner's broken chunk is described to the operator as the Codable path described it")
    func failuresDescribedAlike() async {
        await propertyCheck(count: 40, input: Gen.uint64()) { seed in
            var random = OrganicRandom(seed: seed)
            let document = try DirectJSONEncoder().encode(Self.chatChunk(&random))
            for variant in JSONDocumentVariants.of(document) {
                let codable = Result { try TapeJSONDecoder().decode(ChatCompletionChunk.self, from: variant) }
                let own = Result { try TypedJSONDecoder<ChatCompletionChunk>().decode(variant) }
                if case .failure(let expected) = codable, case .failure(let thrown) = own {
                    #expect(ResponseDecoding.describe(thrown) == ResponseDecoding.describe(expected), "\(String(decoding: variant, as: UTF8.self))")
                }
            }
        }
    }

    @Test("a caller's streamed chunk keeps only what the OpenAI types describe: a miner's own members (tool_calls, usage, extras) are dropped")
    func callerEditsDropMinerAdditions() throws {
        let plugin = try TextGenerationPlugin()
        let request = MinerChatRequest(model: "chat-llama-3-2-3b", messages: [], temperature: 1, topP: 1, maxTokens: 16, seed: 1,
                                       stream: true, logprobs: true)
        let hostile = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"miner","injected":"x","usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"choices":[{"index":0,"delta":{"content":" a","tool_calls":[{"id":"call","type":"function"}]},"logprobs":{"content":[{"token":" a","logprob":-0.5,"bytes":[32,97],"top_logprobs":[{"token":" a","logprob":-0.5,"x":1}],"note":"y"}],"refusal":null},"finish_reason":null,"extra":1}]}"#
        func edited(logprobs: Bool) throws -> String {
            let caller = ChatCompletionRequest(model: "chat-llama-3-2-3b", messages: [], stream: true, logprobs: logprobs)
            let edits = try #require(plugin.chat.callerChunkEdits(for: request, caller: caller))
            let bytes = Array(hostile.utf8)
            var out: [UInt8] = []
            _ = try TypedJSONDecoder<ChatCompletionChunk>().decode(bytes, editing: edits, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(try edited(logprobs: false)
                == #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"chat-llama-3-2-3b","choices":[{"index":0,"delta":{"content":" a"},"logprobs":null,"finish_reason":null}]}"#)
        #expect(try edited(logprobs: true)
                == #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"chat-llama-3-2-3b","choices":[{"index":0,"delta":{"content":" a"},"logprobs":{"content":[{"token":" a","logprob":-0.5,"bytes":[32,97],"top_logprobs":[{"token":" a","logprob":-0.5}]}]},"finish_reason":null}]}"#)
    }
}
