import ArgumentParser
import Foundation
import OrganicFramework

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
    }

    func compareEncoders(_ name: String, _ value: some Encodable) throws {
        let bytes = try DirectJSONEncoder().encode(value)
        let foundation = try Self.perCall(seconds: seconds) { _ = try JSONEncoder().encode(value) }
        let direct = try Self.perCall(seconds: seconds) { _ = try DirectJSONEncoder().encode(value) }
        print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
              + String(format: "%8d   %13.2f   %9.2f   %7.1fx", bytes.count, foundation * 1e6, direct * 1e6, foundation / direct))
    }

    /// Mean seconds per call over about `seconds`.
    static func perCall(seconds: Double, _ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        var calls = 0
        let start = clock.now
        while (clock.now - start).secondsValue < seconds {
            for _ in 0..<8 { try body() }
            calls += 8
        }
        return (clock.now - start).secondsValue / Double(calls)
    }
}
