import Foundation
import Logging
import OrganicTestKit
import Testing

@testable import OrganicFramework

/// An endpoint whose answers agree when they carry the same number.
struct AgreeingEndpoint: Endpoint {
    struct Request: Codable, Sendable { var value: Int }
    struct Response: Codable, Sendable { var value: Int }

    var mode: RewardMode = .consensus

    var descriptor: EndpointDescriptor {
        EndpointDescriptor(name: "agree", summary: "Agrees on numbers.", timeout: .seconds(4), rewardMode: mode)
    }
    func validate(_ request: Request) throws(RequestValidationError) {}
    func makeSyntheticRequest(context: inout SyntheticContext) -> Request? { Request(value: 1) }
    func agreement(for request: Request) -> AnswerAgreement<Response>? {
        AnswerAgreement(threshold: 1) { a, b in a.value == b.value ? 1 : 0 }
    }
    func reward(_ round: ScoringRound<Request, Response>) -> RewardVerdict {
        guard let agreement = agreement(for: round.request) else { return .inconclusive("none") }
        if mode == .verification {
            return .rewards(round.answers.map { MinerReward(score: $0.response.value == round.request.value ? 1 : 0) })
        }
        return ConsensusReward.rewards(for: round.answers, agreement: agreement)
    }
}

@Suite("Tie-breaks in rounds")
struct TieBreakRoundTests {
    struct Miner {
        var hotkey: String
        var coldkey: String?
        var value: Int?
    }

    /// Runs one synthetic round of `AgreeingEndpoint` (request 7) sent to `answerers`; every other miner may referee.
    static func run(_ miners: [Miner], answerers: Set<String>, endpoint: AgreeingEndpoint = AgreeingEndpoint(),
                    tieBreaks: TieBreakSettings = TieBreakSettings(maxReferees: 2, auditProbability: 0)) async throws -> RoundRecord? {
        let clock = ManualNodeClock()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-tiebreak-\(UUID().uuidString)")
        let store = SQLiteScoreStore(database: try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path))
        let neurons = miners.enumerated().map { Neuron(uid: UInt16($0.offset), hotkey: $0.element.hotkey, coldkey: $0.element.coldkey, url: "http://127.0.0.1:1") }
        var replies: [String: MinerReply] = [:]
        for miner in miners {
            replies[miner.hotkey] = miner.value.map { RoundScoringTests.answer($0) } ?? MinerReply(outcome: .failed(.timeout), latency: .seconds(4))
        }
        let selector = MinerSelector(metagraph: Metagraph(neurons: neurons), clock: clock, random: OrganicRandom(seed: 1))
        let dispatcher = QueryDispatcher(transport: ScriptedTransport(replies: replies), selector: selector, executor: RoundExecutor(),
                                         store: store, clock: clock,
                                         settings: DispatchSettings(minersPerQuery: answerers.count, retries: 0, tieBreaks: tieBreaks),
                                         random: OrganicRandom(seed: 2), logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let route = EndpointRoute(endpoint: endpoint, pluginName: "test", descriptor: endpoint.descriptor)
        let request = AgreeingEndpoint.Request(value: 7)
        let round = QueryRound(route: route, dispatcher: dispatcher, request: request, body: Array(try JSONEncoder().encode(request)),
                               task: "agree", initial: neurons.filter { answerers.contains($0.hotkey) }, scored: true, isOrganic: false,
                               delivery: nil, relay: nil)
        await round.run()
        let rounds = try await store.recentRounds(limit: 10)
        try await store.close()
        return rounds.first
    }

    static func scores(_ record: RoundRecord?) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: (record?.results ?? []).map { ($0.miner.hotkey, $0.score) })
    }

    @Test("disagreeing answers bring referees; each answer is scored by agreement with the majority")
    func refereesDecide() async throws {
        let record = try await Self.run([Miner(hotkey: "honest", value: 7), Miner(hotkey: "wrong", value: 8),
                                         Miner(hotkey: "ref-1", value: 7), Miner(hotkey: "ref-2", value: 7)],
                                        answerers: ["honest", "wrong"])
        let scores = Self.scores(record)
        #expect(scores["honest"] == 1 && scores["wrong"] == 0 && scores["ref-1"] == 1 && scores["ref-2"] == 1)
        let tieBreak = try #require(record?.tieBreak)
        #expect(tieBreak.cause == .disagreement && tieBreak.outcome == .decided)
        #expect(Set(tieBreak.referees.map(\.hotkey)) == ["ref-1", "ref-2"])
        #expect(Set(tieBreak.agreeingGroup.map(\.hotkey)) == ["honest", "ref-1", "ref-2"])
        let roles = Dictionary(uniqueKeysWithValues: (record?.results ?? []).map { ($0.miner.hotkey, $0.role) })
        #expect(roles["honest"] == .answerer && roles["ref-1"] == .referee)
    }

    @Test("a round with no majority is inconclusive: valid answers unscored, failed referees still 0")
    func noMajority() async throws {
        let record = try await Self.run([Miner(hotkey: "a", value: 7), Miner(hotkey: "b", value: 8),
                                         Miner(hotkey: "c", value: 9), Miner(hotkey: "d", value: nil)],
                                        answerers: ["a", "b"])
        #expect(record?.verdict.text.hasPrefix("inconclusive: no majority") == true)
        #expect(record?.tieBreak?.outcome == .noMajority)
        let scores = Self.scores(record)
        #expect(scores["a"] == .some(nil) && scores["c"] == .some(nil) && scores["d"] == 0)
    }

    @Test("referees never share a coldkey with an answerer")
    func coldkeys() async throws {
        for _ in 0..<10 {
            let record = try await Self.run([Miner(hotkey: "a", coldkey: "cold-a", value: 7), Miner(hotkey: "b", coldkey: "cold-b", value: 8),
                                             Miner(hotkey: "b-twin", coldkey: "cold-b", value: 8), Miner(hotkey: "r", coldkey: "cold-r", value: 7),
                                             Miner(hotkey: "s", coldkey: "cold-s", value: 7)],
                                            answerers: ["a", "b"])
            let referees = Set(record?.tieBreak?.referees.map(\.hotkey) ?? [])
            #expect(!referees.contains("b-twin"))
            #expect(referees == ["r", "s"])
        }
    }

    @Test("agreeing answers, tie-breaks off and verification rewards bring no referees")
    func noReferees() async throws {
        let miners = [Miner(hotkey: "a", value: 7), Miner(hotkey: "b", value: 8), Miner(hotkey: "r", value: 7)]
        let agreeing = try await Self.run([Miner(hotkey: "a", value: 7), Miner(hotkey: "b", value: 7), Miner(hotkey: "r", value: 7)],
                                          answerers: ["a", "b"])
        #expect(agreeing?.tieBreak == nil && agreeing?.results.count == 2)
        let off = try await Self.run(miners, answerers: ["a", "b"], tieBreaks: .off)
        #expect(off?.tieBreak == nil && Self.scores(off)["a"] == 0)
        let verification = try await Self.run(miners, answerers: ["a", "b"], endpoint: AgreeingEndpoint(mode: .verification))
        #expect(verification?.tieBreak == nil && Self.scores(verification)["a"] == 1 && Self.scores(verification)["b"] == 0)
    }

    @Test("an audit referees agreeing answers; identical wrong answers lose to both referees")
    func audit() async throws {
        let record = try await Self.run([Miner(hotkey: "c1", value: 8), Miner(hotkey: "c2", value: 8),
                                         Miner(hotkey: "r1", value: 7), Miner(hotkey: "r2", value: 7)],
                                        answerers: ["c1", "c2"], tieBreaks: TieBreakSettings(maxReferees: 2, auditProbability: 1))
        #expect(record?.tieBreak?.cause == .audit)
        let scores = Self.scores(record)
        #expect(scores["c1"] == 0 && scores["c2"] == 0 && scores["r1"] == 1 && scores["r2"] == 1)
    }
}
