import ArgumentParser
import Foundation
import NIOCore
import OrganicFramework
import TextGenerationPlugin

/// Decoding a miner's answer: Foundation's `JSONDecoder` against the node's tape decoder, on
/// embedding answers of several sizes (the node decodes every answer to validate it); encoding
/// answers and stream events: Foundation's `JSONEncoder` against the node's direct encoder.
struct JSONBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "JSON on the request path: Foundation's decoder and encoder vs the node's tape decoder and direct encoder.")

    @Option(help: "Seconds per measurement.") var seconds = 1.0

    struct Answer: Codable {
        var embeddings: [[Float]]
    }

    /// The shape of an OpenAI chat-completion stream event.
    struct ChatChunk: Encodable {
        struct Choice: Encodable {
            struct Delta: Encodable {
                var role: String?
                var content: String
            }
            var index: Int
            var delta: Delta
            var logprobs: [Double]?
            var finishReason: String?
            enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }
        }
        var id: String
        var object = "chat.completion.chunk"
        var created: Int
        var model: String
        var choices: [Choice]
    }

    func run() async throws {
        print("organic-bench json: decode {\"embeddings\": [[Float]]} answers (single thread)")
        print("answer                 bytes   Foundation µs   tape µs   speed-up")
        var random = SystemRandomNumberGenerator()
        for (vectors, dimensions) in [(4, 128), (16, 768), (64, 1024)] {
            let answer = Answer(embeddings: (0..<vectors).map { _ in (0..<dimensions).map { _ in Float.random(in: -0.3...0.3, using: &random) } })
            let bytes = Array(try JSONEncoder().encode(answer))
            let data = Data(bytes)
            let foundation = try Self.perCall(seconds: seconds) { _ = try JSONDecoder().decode(Answer.self, from: data) }
            let tape = try Self.perCall(seconds: seconds) { _ = try TapeJSONDecoder().decode(Answer.self, from: bytes) }
            let name = "\(vectors) × \(dimensions) floats"
            print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "%8d   %13.1f   %7.1f   %7.1fx", bytes.count, foundation * 1e6, tape * 1e6, foundation / tape))
        }
        print("")
        print("encode                 bytes   Foundation µs   direct µs   speed-up")
        let chunk = ChatChunk(id: "chatcmpl-5b0c7f3e", created: 1_764_000_000, model: "organic/reference-chat",
                              choices: [.init(index: 0, delta: .init(role: nil, content: " the"), logprobs: nil, finishReason: nil)])
        try compareEncoders("chat stream event", chunk)
        for (vectors, dimensions) in [(4, 128), (16, 768)] {
            let answer = Answer(embeddings: (0..<vectors).map { _ in (0..<dimensions).map { _ in Float.random(in: -0.3...0.3, using: &random) } })
            try compareEncoders("\(vectors) × \(dimensions) floats", answer)
        }
        try streamRelayPerEvent()
    }

    /// What the node does for each token of a streamed chat answer: decode the miner's chunk (which
    /// carries the log-probabilities the validator asked for), map it to the caller's chunk, and
    /// encode that as an SSE event.
    func streamRelayPerEvent() throws {
        let endpoint = try TextGenerationPlugin().chat
        // As the validator asks for them: the token's own log-probability, no alternatives.
        let token = TokenLogprob(token: " lighthouse", logprob: -1.2539062)
        let chunk = ChatCompletionChunk(id: "chatcmpl-5b0c7f3e", created: 1_764_000_000, model: "chat-llama-3-2-3b",
                                        choices: [.init(delta: .init(content: token.token), logprobs: ChoiceLogprobs(content: [token]))])
        let bytes = try DirectJSONEncoder().encode(chunk)
        let data = Data(bytes)
        let minerRequest = MinerChatRequest(model: "chat-llama-3-2-3b", messages: [], temperature: 1, topP: 1, maxTokens: 16, seed: 1,
                                            stream: true, logprobs: true)
        let caller = ChatCompletionRequest(model: "chat-llama-3-2-3b", messages: [], stream: true)
        print("")
        print("stream relay, per event   bytes   Foundation µs   Codable µs   own µs   own speed-up")
        let foundationDecode = try Self.perCall(seconds: seconds) { _ = try JSONDecoder().decode(ChatCompletionChunk.self, from: data) }
        let tapeDecode = try Self.perCall(seconds: seconds) { _ = try TapeJSONDecoder().decode(ChatCompletionChunk.self, from: bytes) }
        let reader = TypedJSONDecoder<ChatCompletionChunk>()
        let ownDecode = try Self.perCall(seconds: seconds) { _ = try reader.decode(bytes) }
        print("decode miner chunk".padding(toLength: 24, withPad: " ", startingAt: 0)
              + String(format: "%6d   %13.2f   %10.2f   %6.2f   %11.1fx", bytes.count, foundationDecode * 1e6, tapeDecode * 1e6, ownDecode * 1e6,
                       tapeDecode / ownDecode))
        var encoder = EventEncoder()
        let decoder = TapeJSONDecoder()
        let writer = TypedJSONEncoder<ChatCompletionChunk>()
        var out = ByteBuffer()
        var eventBytes = 0
        let relay = try Self.perCall(seconds: seconds) {
            let decoded = try decoder.decode(ChatCompletionChunk.self, from: bytes)
            if let event = endpoint.callerChunk(decoded, index: 1, for: minerRequest, caller: caller) {
                try encoder.append(event, to: &out)
            }
            eventBytes = out.readableBytes
            out.clear()
        }
        var ownBytes = 0
        let ownRelay = try Self.perCall(seconds: seconds) {
            let decoded = try reader.decode(bytes)
            if let event = endpoint.callerChunk(decoded, index: 1, for: minerRequest, caller: caller) {
                try encoder.append(event, with: writer, to: &out)
            }
            ownBytes = out.readableBytes
            out.clear()
        }
        guard ownBytes == eventBytes else { throw ValidationError("own coding wrote \(ownBytes) bytes, Codable \(eventBytes)") }
        // %s takes a C string, not a Swift String: the blank column is padded by hand.
        print("decode, map, encode".padding(toLength: 24, withPad: " ", startingAt: 0)
              + String(format: "%6d", eventBytes) + String(repeating: " ", count: 16)
              + String(format: "   %10.2f   %6.2f   %11.1fx", relay * 1e6, ownRelay * 1e6, relay / ownRelay))
        // What the node does when the endpoint declares callerChunkEdits: the same decode, and the
        // caller's event spliced from the miner's text with the edits.
        guard let edits = endpoint.callerChunkEdits(for: minerRequest, caller: caller) else {
            throw ValidationError("the chat endpoint declares no caller chunk edits")
        }
        var edited: [UInt8] = []
        var splicedBytes = 0
        let spliced = try Self.perCall(seconds: seconds) {
            edited.removeAll(keepingCapacity: true)
            _ = try reader.decode(bytes, editing: edits, into: &edited)
            ServerSentEventWriter.encode(ServerSentEvent(data: edited), into: &out)
            splicedBytes = out.readableBytes
            out.clear()
        }
        print("decode, splice edits".padding(toLength: 24, withPad: " ", startingAt: 0)
              + String(format: "%6d", splicedBytes) + String(repeating: " ", count: 16 + 3 + 10)
              + String(format: "   %6.2f   %11.1fx", spliced * 1e6, ownRelay / spliced))
        print("(the splice row's speed-up is against the own decode, map and encode above)")
    }

    func compareEncoders(_ name: String, _ value: some Encodable) throws {
        let bytes = try DirectJSONEncoder().encode(value)
        let foundation = try Self.perCall(seconds: seconds) { _ = try JSONEncoder().encode(value) }
        let direct = try Self.perCall(seconds: seconds) { _ = try DirectJSONEncoder().encode(value) }
        print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
              + String(format: "%8d   %13.2f   %9.2f   %7.1fx", bytes.count, foundation * 1e6, direct * 1e6, foundation / direct))
    }

    /// Seconds per call: the fastest of ten rounds over about `seconds` in all (the least disturbed
    /// by other work on the machine, so two builds compare on a shared machine).
    static func perCall(seconds: Double, _ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<10 {
            var calls = 0
            let start = clock.now
            while (clock.now - start).secondsValue < seconds / 10 {
                for _ in 0..<8 { try body() }
                calls += 8
            }
            best = min(best, (clock.now - start).secondsValue / Double(calls))
        }
        return best
    }
}
