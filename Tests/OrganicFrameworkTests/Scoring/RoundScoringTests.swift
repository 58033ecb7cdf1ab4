import Foundation
import Logging
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// A tiny endpoint whose reward is 1 for echoing the request's value and a capped fallback otherwise.
struct EchoEndpoint: Endpoint {
    struct Request: Codable, Sendable { var value: Int }
    struct Response: Codable, Sendable { var value: Int }

    var speed: (@Sendable (Duration, Duration) -> Double?)?

    var descriptor: EndpointDescriptor { EndpointDescriptor(name: "echo", summary: "Echoes a number.", timeout: .seconds(4)) }
    func validate(_ request: Request) throws(RequestValidationError) {}
    func validate(response: Response, for request: Request) throws(ResponseValidationError) {
        if response.value < 0 { throw ResponseValidationError("value must not be negative") }
    }
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? { Request(value: 1) }
    func reward(_ round: ScoringRound<Request, Response>) -> RewardVerdict {
        .rewards(round.answers.map { MinerReward(score: $0.response.value == round.request.value ? 1 : round.cappedFallback(0.99)) })
    }
    func speedFactor(latency: Duration, timeout: Duration) -> Double? { speed?(latency, timeout) }
}

/// Replies chosen per miner hotkey.
struct ScriptedTransport: MinerTransport {
    let replies: [String: MinerReply]
    func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply {
        replies[miner.hotkey] ?? MinerReply(outcome: .failed(.connection("no script")), latency: .zero)
    }
}

@Suite("Round scoring")
struct RoundScoringTests {
    static func answer(_ value: Int, ms: Int = 100) -> MinerReply {
        MinerReply(outcome: .answered(body: Array(#"{"value": \#(value)}"#.utf8)), latency: .milliseconds(ms))
    }

    /// Runs one synthetic round of `EchoEndpoint` (request value 7) against the scripted miners.
    static func runRound(_ replies: [String: MinerReply], endpoint: EchoEndpoint = EchoEndpoint(), epsilon: Double = 0.05)
        async throws -> (RoundRecord?, ScoreBook.Snapshot)
    {
        let clock = ManualNodeClock()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-round-\(UUID().uuidString)")
        let store = SQLiteScoreStore(database: try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path))
        let neurons = replies.keys.sorted().enumerated().map { Neuron(uid: UInt16($0.offset), hotkey: $0.element, url: "http://127.0.0.1:1") }
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), clock: clock, random: OrganicRandom(seed: 1))
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
        let dispatcher = QueryDispatcher(transport: ScriptedTransport(replies: replies), selector: selector, executor: RoundExecutor(),
                                         store: store, clock: clock,
                                         settings: DispatchSettings(minersPerQuery: neurons.count, retries: 0, fallbackEpsilon: epsilon),
                                         random: OrganicRandom(seed: 2), logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                         scoreBook: book)
        let route = EndpointRoute(endpoint: endpoint, pluginName: "test", descriptor: endpoint.descriptor)
        let miners = selector.acquire(endpoint: "echo", count: neurons.count)
        let request = EchoEndpoint.Request(value: 7)
        let round = QueryRound(route: route, dispatcher: dispatcher, request: request, body: Array(try JSONEncoder().encode(request)),
                               task: "echo", initial: miners, scored: true, isOrganic: false, delivery: nil, relay: nil)
        await round.run()
        let rounds = try await store.recentRounds(limit: 10)
        try await store.close()
        return (rounds.first, book.snapshot(at: clock.now()))
    }

    @Test("timeouts, connection errors, undecodable and invalid answers score 0; busy is not scored")
    func failures() async throws {
        let (record, snapshot) = try await Self.runRound([
            "honest": Self.answer(7),
            "slow": MinerReply(outcome: .failed(.timeout), latency: .seconds(4)),
            "down": MinerReply(outcome: .failed(.connection("refused")), latency: .milliseconds(1)),
            "garbled": MinerReply(outcome: .answered(body: Array("not json".utf8)), latency: .milliseconds(5)),
            "invalid": Self.answer(-1),
            "busy": MinerReply(outcome: .busy, latency: .milliseconds(1)),
        ])
        let results = Dictionary(uniqueKeysWithValues: (record?.results ?? []).map { ($0.miner.hotkey, $0) })
        #expect(results["honest"]?.score == 1)
        #expect(results["slow"]?.score == 0 && results["slow"]?.outcome == .timeout)
        #expect(results["down"]?.score == 0 && results["down"]?.outcome == .connectionError)
        #expect(results["garbled"]?.score == 0 && results["garbled"]?.outcome == .invalidResponse)
        #expect(results["invalid"]?.score == 0 && results["invalid"]?.outcome == .invalidResponse)
        #expect(results["busy"]?.score == nil && results["busy"]?.outcome == .busy)
        // The score book got the same scores; busy is absent.
        #expect(snapshot.current[ScoreBook.Key(hotkey: "honest", endpoint: "echo")]?.mean == 1)
        #expect(snapshot.current[ScoreBook.Key(hotkey: "slow", endpoint: "echo")]?.mean == 0)
        #expect(snapshot.current[ScoreBook.Key(hotkey: "busy", endpoint: "echo")] == nil)
        #expect(snapshot.current.count == 5)
    }

    @Test("the operator's fallback epsilon reaches the reward function")
    func fallbackEpsilon() async throws {
        let (record, _) = try await Self.runRound(["a": Self.answer(7), "b": Self.answer(8)], epsilon: 0.2)
        let scores = Dictionary(uniqueKeysWithValues: (record?.results ?? []).map { ($0.miner.hotkey, $0.score) })
        #expect(scores["a"] == 1)
        #expect(scores["b"] == 0.8)  // min(0.99, 1 - 0.2)
    }

    @Test("the speed factor is bounded to [0.5, 1.5] and the product clamped to [0, 1]")
    func speedFactor() async throws {
        let endpoint = EchoEndpoint(speed: { latency, timeout in
            SpeedCurve.factor(latency: latency, expected: timeout / 4)  // expected 1 s
        })
        let (record, _) = try await Self.runRound([
            "fast-exact": Self.answer(7, ms: 0),       // 1 × 1.5 → clamped to 1
            "fast-fallback": Self.answer(8, ms: 500),  // 0.95 × 1.25 → 1
            "slow-exact": Self.answer(7, ms: 1250),    // 1 × 0.8
            "very-slow": Self.answer(7, ms: 3000),     // 1 × 0.5 (floor)
        ], endpoint: endpoint)
        let scores = Dictionary(uniqueKeysWithValues: (record?.results ?? []).map { ($0.miner.hotkey, $0.score ?? -1) })
        #expect(scores["fast-exact"] == 1)
        #expect(scores["fast-fallback"] == 1)
        #expect(abs((scores["slow-exact"] ?? 0) - 0.8) < 1e-12)
        #expect(scores["very-slow"] == 0.5)
        // A wild factor is bounded: 100 → 1.5, -3 → 0.5, NaN → neutral.
        #expect(SpeedCurve.apply(100, to: 0.5) == 0.75)
        #expect(SpeedCurve.apply(-3, to: 0.5) == 0.25)
        #expect(SpeedCurve.apply(.nan, to: 0.5) == 0.5)
        #expect(SpeedCurve.apply(nil, to: 0.5) == 0.5)
    }
}
