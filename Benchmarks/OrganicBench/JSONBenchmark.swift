import ArgumentParser
import Foundation
import OrganicFramework

/// Decoding a miner's answer: Foundation's `JSONDecoder` against the node's tape decoder, on
/// embedding answers of several sizes (the node decodes every answer to validate it).
struct JSONBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "Miner-answer decoding: Foundation JSONDecoder vs the node's tape decoder.")

    @Option(help: "Seconds per measurement.") var seconds = 1.0

    struct Answer: Codable {
        var embeddings: [[Float]]
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
