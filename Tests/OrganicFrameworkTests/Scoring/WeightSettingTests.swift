import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Synchronization
import Testing

/// A setter that fails a given number of times, then records what it was given.
final class FlakySetter: WeightSetter {
    private let state: Mutex<(failuresLeft: Int, calls: Int, set: [WeightSubmission])>

    init(failures: Int) {
        state = Mutex((failures, 0, []))
    }

    struct Failure: Error {}

    func setWeights(_ submission: WeightSubmission) async throws {
        try state.withLock { state in
            state.calls += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw Failure()
            }
            state.set.append(submission)
        }
    }

    var calls: Int { state.withLock { $0.calls } }
    var submissions: [WeightSubmission] { state.withLock { $0.set } }
}

@Suite("Weight setting")
struct WeightSettingTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A board with two miners scored 1 and 0.5 in the previous period.
    static func board(clock: ManualNodeClock, policy: WeightPolicy = WeightPolicy()) -> ScoreBoard {
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
        book.record(1, miner: MinerIdentity(uid: 3, hotkey: "a"), endpoint: "e", at: clock.now())
        book.record(0.5, miner: MinerIdentity(uid: 1, hotkey: "b"), endpoint: "e", at: clock.now())
        clock.advance(by: .seconds(600))
        let graph = Metagraph(netuid: 19, neurons: [Neuron(uid: 1, hotkey: "b", url: nil), Neuron(uid: 3, hotkey: "a", url: nil),
                                                    Neuron(uid: 4, hotkey: "c", url: nil)])
        let settings = ScoringSettings(minimumPeriods: 1, endpointWeights: ["e": 1], weightPolicy: policy)
        return ScoreBoard(book: book, settings: settings, clock: clock, metagraph: { graph })
    }

    @Test("the board turns period scores into the u16 vector of the metagraph's uids")
    func boardVector() async {
        let clock = ManualNodeClock(start: Self.start)
        let report = await Self.board(clock: clock).weights()
        #expect(report.uids == [1, 3])
        // 0.5/1 · 65535 = 32767.5 → 32768 (halves go to the even neighbour, as in the SDK).
        #expect(report.weights == [32768, 65535])
        #expect(report.netuid == 19)
        #expect(abs(report.normalized.map(\.weight).reduce(0, +) - 1) < 1e-12)
        let standings = await Self.board(clock: ManualNodeClock(start: Self.start)).standings()
        #expect(standings.miners.map(\.uid) == [1, 3, 4])
        #expect(standings.miners.last?.weight == 0)
        #expect(standings.miners.first?.endpoints.first?.periodsKept == 1)
        #expect(standings.miners.first?.endpoints.first?.latestPeriodMean == 0.5)
    }

    /// Runs `setOnce` against a setter that fails twice (retry base 5 s), advancing the clock
    /// through both backoffs.
    static func setThroughTwoFailures(_ service: WeightSettingService, setter: FlakySetter,
                                      clock: ManualNodeClock) async throws -> WeightSubmission? {
        try await withThrowingTaskGroup(of: WeightSubmission?.self) { group in
            group.addTask { try await service.setOnce() }
            #expect(await eventually { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(5))
            #expect(await eventually { clock.sleeperCount == 1 && setter.calls == 2 })
            clock.advance(by: .seconds(10))
            return try await group.next() ?? nil
        }
    }

    @Test("a failed setting is retried with exponential backoff on the injected clock")
    func retries() async throws {
        let clock = ManualNodeClock(start: Self.start)
        let setter = FlakySetter(failures: 2)
        let service = WeightSettingService(board: Self.board(clock: clock), setter: setter, interval: .seconds(1200), maxAttempts: 5,
                                           retryBase: .seconds(5), clock: clock)
        #expect(service.backoff(afterFailures: 1) == .seconds(5))
        #expect(service.backoff(afterFailures: 3) == .seconds(20))
        let result = try await Self.setThroughTwoFailures(service, setter: setter, clock: clock)
        #expect(result?.uids == [1, 3])
        #expect(setter.calls == 3)
        #expect(setter.submissions.count == 1)
        // Setting again within the same interval is a no-op: the vector is already set.
        _ = try await service.setOnce()
        #expect(setter.calls == 3)
    }

    @Test("the recording setter stores each vector once and rewrites the JSON file")
    func recording() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-weights-\(UUID().uuidString)")
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let file = directory.appendingPathComponent("weights.json")
        let setter = RecordingWeightSetter(database: database, fileURL: file)
        let vector = WeightVector(uids: [1, 3], weights: [32768, 65535])
        let submission = WeightSubmission(id: WeightSubmission.id(for: vector, interval: 7), createdAt: Self.start, netuid: 19, vector: vector)
        try await setter.setWeights(submission)
        try await setter.setWeights(submission)  // a retry of the same setting
        let history = try await setter.history(limit: 10)
        #expect(history == [submission])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(WeightSubmission.self, from: Data(contentsOf: file)) == submission)
        // Ids are stable and differ with the vector or the interval.
        #expect(submission.id == WeightSubmission.id(for: vector, interval: 7))
        #expect(submission.id != WeightSubmission.id(for: vector, interval: 8))
        #expect(submission.id != WeightSubmission.id(for: WeightVector(uids: [1, 3], weights: [32767, 65535]), interval: 7))
    }
}
