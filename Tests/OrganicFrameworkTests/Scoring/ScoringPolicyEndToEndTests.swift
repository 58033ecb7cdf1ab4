import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Synchronization
import Testing

/// Counts reward calls that have returned (a reward may outlive its round).
final class ReturnCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}

/// An echo endpoint whose scoring policy, reward mode and reward speed a test chooses.
struct PolicyEndpoint: Endpoint {
    struct Request: Codable, Sendable { var value: Int }
    struct Response: Codable, Sendable { var value: Int }

    let name: String
    var scoring: ScoringPolicy = .syntheticAndOrganic
    var rewardMode: RewardMode = .consensus
    var scoringTimeout: Duration = .seconds(30)
    /// How long the reward takes, ignoring cancellation (as a remote checking service might).
    var rewardDelay: Duration?
    /// Whether it generates synthetic requests; nil: only when its policy scores them.
    var generates: Bool?
    var returned = ReturnCounter()

    var descriptor: EndpointDescriptor {
        // A long timeout: on a busy 2-core CI machine an honest echo must never count as a timeout.
        EndpointDescriptor(name: name, summary: "Echoes a number (\(name)).", timeout: .seconds(20), price: 0, scoring: scoring,
                           rewardMode: rewardMode, scoringTimeout: scoringTimeout)
    }

    func validate(_ request: Request) throws(RequestValidationError) {}

    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? {
        (generates ?? scoring.scoresSynthetic) ? Request(value: Int.random(in: 0...9, using: &context.random)) : nil
    }

    func reward(_ round: ScoringRound<Request, Response>) async -> RewardVerdict {
        if let rewardDelay {
            await Task.detached { try? await Task.sleep(for: rewardDelay) }.value
        }
        returned.add()
        return .rewards(round.answers.map { MinerReward(score: $0.response.value == round.request.value ? 1 : 0) })
    }
}

struct PolicyMiner: MinerHandler {
    let endpoint: PolicyEndpoint
    func respond(to request: PolicyEndpoint.Request, context: MinerContext) async throws -> PolicyEndpoint.Response {
        .init(value: request.value)
    }
}

struct PolicyPlugin: SubnetPlugin {
    static let name = "policy-test"
    let served: [PolicyEndpoint]

    init(configuration: EmptyPluginConfiguration) { served = [] }
    init(_ served: [PolicyEndpoint]) { self.served = served }

    var endpoints: [any Endpoint] { served }
    func referenceMiners(options: ReferenceMinerOptions) -> [any MinerHandler] { served.map(PolicyMiner.init) }
}

@Suite("Scoring policies end to end", .serialized)
struct ScoringPolicyEndToEndTests {
    struct Rounds: Decodable { var rounds: [RoundRecord] }

    static func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTPClient.Reply) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: reply.body)
    }

    static func standings(_ net: PluginHarness.Network, endpoint: String) async throws -> [EndpointStanding] {
        let report = try decode(ScoreReport.self, try await net.admin("/admin/scores"))
        return (report.standings?.miners ?? []).flatMap(\.endpoints).filter { $0.endpoint == endpoint }
    }

    @Test("a reward slower than its scoringTimeout: callers are served at once, the round is stored as discarded without scores")
    func slowRewardDiscardsRound() async throws {
        let slow = PolicyEndpoint(name: "slow", scoringTimeout: .milliseconds(200), rewardDelay: .seconds(12))
        let fast = PolicyEndpoint(name: "fast")
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.minersPerQuery = 2
        try await PluginHarness.run(plugins: [PolicyPlugin([slow, fast])], miners: PluginHarness.honestMiners(2),
                                    configuration: configuration) { net in
            let clock = ContinuousClock()
            for value in 0..<3 {
                let started = clock.now
                let reply = try await net.post("/v1/slow", json: PolicyEndpoint.Request(value: value))
                #expect(reply.status == 200, "\(reply.text)")
                #expect(try reply.decode(PolicyEndpoint.Response.self).value == value)
                // The answer never waits for scoring (which would take 12 s here; the margin absorbs a busy machine).
                #expect(clock.now - started < .seconds(6))
            }
            #expect(try await net.post("/v1/fast", json: PolicyEndpoint.Request(value: 4)).status == 200)

            let rounds = try await net.waitForRounds(atLeast: 4, timeout: .seconds(15))
            // Stored while every slow reward was still running: the runner did not wait for them.
            #expect(slow.returned.value == 0)
            let discarded = rounds.filter { $0.endpoint == "slow" }
            #expect(discarded.count == 3)
            for round in discarded {
                #expect(round.verdict.isDiscarded, "\(round.verdict)")
                #expect(round.verdict.text.contains("timed out"), "\(round.verdict)")
                #expect(round.results.count == 2)
                #expect(round.results.allSatisfy { $0.score == nil && $0.outcome == .answered })
            }
            #expect(rounds.first { $0.endpoint == "fast" }?.verdict == .scored)

            // The operator sees the same through the admin API.
            let listed = try Self.decode(Rounds.self, try await net.admin("/admin/rounds?limit=50")).rounds
            #expect(listed.filter { $0.endpoint == "slow" && $0.verdict.isDiscarded }.count == 3)
            #expect(listed.filter { $0.endpoint == "slow" }.flatMap(\.results).allSatisfy { $0.score == nil })

            // Nothing reached the score book for the slow endpoint; the fast one's round did.
            let slowStandings = try await Self.standings(net, endpoint: "slow")
            #expect(slowStandings.allSatisfy { $0.currentPeriodRounds == 0 && $0.currentPeriodMean == nil }, "\(slowStandings)")
            let fastStandings = try await Self.standings(net, endpoint: "fast")
            #expect(fastStandings.map(\.currentPeriodRounds).reduce(0, +) == 2, "\(fastStandings)")
        }
    }

    @Test("organic-only gets no synthetic rounds but its organic requests are scored; verification scores one miner; consensus asks N")
    func policies() async throws {
        let endpoints = [
            PolicyEndpoint(name: "organic-only", scoring: .organicOnly),
            // Its policy, not a missing generator, keeps synthetic queries away.
            PolicyEndpoint(name: "organic-only-generating", scoring: .organicOnly, generates: true),
            PolicyEndpoint(name: "verify", rewardMode: .verification),
            PolicyEndpoint(name: "consensus"),
        ]
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        configuration.dispatch.minersPerQuery = 2
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.05
        try await PluginHarness.run(plugins: [PolicyPlugin(endpoints)], miners: PluginHarness.honestMiners(3),
                                    configuration: configuration) { net in
            for endpoint in endpoints.map(\.name) {
                for value in 0..<3 {
                    let reply = try await net.post("/v1/\(endpoint)", json: PolicyEndpoint.Request(value: value))
                    #expect(reply.status == 200, "\(endpoint): \(reply.text)")
                }
            }
            // Wait for the organic rounds and for synthetic rounds on both other endpoints.
            var rounds: [RoundRecord] = []
            let complete = await eventually {
                rounds = (try? await net.context.store.recentRounds(limit: 10_000)) ?? []
                let organic = rounds.filter(\.isOrganic)
                let synthetic = Set(rounds.filter { !$0.isOrganic }.map(\.endpoint))
                return organic.count >= 12 && synthetic.isSuperset(of: ["verify", "consensus"])
            }
            #expect(complete, "\(rounds.map { "\($0.endpoint) organic=\($0.isOrganic)" })")
            // Let the synthetic service cycle through its endpoints several more times.
            try await Task.sleep(for: .milliseconds(300))
            rounds = try await net.context.store.recentRounds(limit: 10_000)

            func organic(_ name: String) -> [RoundRecord] { rounds.filter { $0.endpoint == name && $0.isOrganic } }
            #expect(!rounds.contains { $0.endpoint.hasPrefix("organic-only") && !$0.isOrganic }, "no synthetic round for organic-only")
            #expect(organic("organic-only").count == 3)
            #expect(organic("organic-only-generating").count == 3)
            for round in organic("organic-only") + organic("organic-only-generating") {
                #expect(round.verdict == .scored)
                #expect(round.results.count == 2, "consensus reward: N miners")
                #expect(round.results.allSatisfy { $0.score == 1 })
            }
            #expect(organic("verify").count == 3)
            for round in organic("verify") + rounds.filter({ $0.endpoint == "verify" && !$0.isOrganic }) {
                #expect(round.verdict == .scored)
                #expect(round.results.count == 1, "verification: one miner, organic or synthetic")
                #expect(round.results.allSatisfy { $0.outcome != .answered || $0.score == 1 })
            }
            #expect(organic("consensus").count == 3)
            for round in organic("consensus") {
                #expect(round.verdict == .scored)
                #expect(round.results.count == 2)
                #expect(Set(round.results.map(\.miner.hotkey)).count == 2, "two distinct miners")
            }
            // A synthetic round asks for N miners but starts with those free (at least one).
            for round in rounds.filter({ $0.endpoint == "consensus" && !$0.isOrganic }) {
                #expect((1...2).contains(round.results.count))
                #expect(Set(round.results.map(\.miner.hotkey)).count == round.results.count, "distinct miners")
            }
        }
    }
}
