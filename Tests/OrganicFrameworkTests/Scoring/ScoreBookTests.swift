import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

@Suite("Score book and period averages")
struct ScoreBookTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // a multiple of 600 s
    let alice = MinerIdentity(uid: 1, hotkey: "alice")
    let bob = MinerIdentity(uid: 2, hotkey: "bob")

    @Test("a period's mean is the mean of its round scores; it is frozen at the boundary (hand-computed)")
    func runningMean() {
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: Self.start)
        for score in [1.0, 0.5, 0.0, 0.5] { book.record(score, miner: alice, endpoint: "e", at: Self.start) }
        var snapshot = book.snapshot(at: Self.start.addingTimeInterval(599))
        #expect(snapshot.current[ScoreBook.Key(hotkey: "alice", endpoint: "e")]?.mean == 0.5)
        #expect(snapshot.history.isEmpty)
        snapshot = book.snapshot(at: Self.start.addingTimeInterval(600))
        #expect(snapshot.current.isEmpty)
        #expect(snapshot.history[ScoreBook.Key(hotkey: "alice", endpoint: "e")] == [PeriodMean(period: 3_000_000, mean: 0.5, rounds: 4)])
        // Out-of-range scores are clamped, non-finite ones ignored.
        book.record(7, miner: bob, endpoint: "e", at: Self.start.addingTimeInterval(600))
        book.record(.nan, miner: bob, endpoint: "e", at: Self.start.addingTimeInterval(600))
        #expect(book.snapshot(at: Self.start.addingTimeInterval(600)).current[ScoreBook.Key(hotkey: "bob", endpoint: "e")]?.sum == 1)
    }

    @Test("endpoint score: mean of period means, missing periods left out, newcomer penalty (hand-computed)")
    func endpointScore() {
        let periods = [PeriodMean(period: 10, mean: 0.9, rounds: 3), PeriodMean(period: 12, mean: 0.6, rounds: 1)]
        // Current period 13, K = 30: both count; mean 0.75; n = 2 < minimum 4 → × 2/4 = 0.375.
        let penalised = ScoreCalculator.endpointScore(periods, currentPeriod: 13, periodsKept: 30, minimumPeriods: 4)
        #expect(penalised.periodsCounted == 2)
        #expect(abs(penalised.meanOfPeriods - 0.75) < 1e-12)
        #expect(abs(penalised.score - 0.375) < 1e-12)
        // With a minimum of 2 there is no penalty.
        #expect(abs(ScoreCalculator.endpointScore(periods, currentPeriod: 13, periodsKept: 30, minimumPeriods: 2).score - 0.75) < 1e-12)
        // K = 2 keeps periods 11 and 12 only: 0.6 × 1/2.
        let window = ScoreCalculator.endpointScore(periods, currentPeriod: 13, periodsKept: 2, minimumPeriods: 2)
        #expect(window.periodsCounted == 1)
        #expect(abs(window.score - 0.3) < 1e-12)
        #expect(ScoreCalculator.endpointScore([], currentPeriod: 13, periodsKept: 30, minimumPeriods: 1).score == 0)
    }

    @Test("miner score combines endpoint scores with the configured endpoint weights (hand-computed)")
    func endpointWeights() {
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: Self.start)
        book.record(1.0, miner: alice, endpoint: "image", at: Self.start)
        book.record(0.5, miner: alice, endpoint: "text", at: Self.start)
        book.record(0.5, miner: bob, endpoint: "image", at: Self.start)
        let snapshot = book.snapshot(at: Self.start.addingTimeInterval(600))
        let scores = ScoreCalculator.minerScores(snapshot, endpointWeights: ["image": 0.75, "text": 0.25], minimumPeriods: 1)
        #expect(abs((scores["alice"] ?? 0) - (0.75 * 1 + 0.25 * 0.5)) < 1e-12)
        #expect(abs((scores["bob"] ?? 0) - 0.75 * 0.5) < 1e-12)
    }

    @Test("the worked example of Docs/Scoring.md")
    func workedExample() {
        let t2i = "text-to-image", emb = "text-embeddings"
        func means(_ values: [Double?]) -> [PeriodMean] {
            values.enumerated().compactMap { i, v in v.map { PeriodMean(period: Int64(100 + i), mean: $0, rounds: 4) } }
        }
        let history: [ScoreBook.Key: [PeriodMean]] = [
            .init(hotkey: "A", endpoint: t2i): means([0.9, 0.8, 1.0]),
            .init(hotkey: "A", endpoint: emb): means([1.0, 1.0, nil, 0.7]),
            .init(hotkey: "B", endpoint: t2i): means([0.6, 0.6, 0.6, 0.6]),
            .init(hotkey: "C", endpoint: t2i): means([1.0]),
            .init(hotkey: "C", endpoint: emb): means([1.0]),
        ]
        let snapshot = ScoreBook.Snapshot(period: 104, periodsKept: 30, current: [:], history: history, uids: [:])
        let scores = ScoreCalculator.minerScores(snapshot, endpointWeights: [t2i: 0.7, emb: 0.3], minimumPeriods: 3)
        #expect(abs(scores["A", default: 0] - 0.9) < 1e-12)
        #expect(abs(scores["B", default: 0] - 0.42) < 1e-12)
        #expect(abs(scores["C", default: 0] - 1.0 / 3) < 1e-12)
        let graph = Metagraph(neurons: [Neuron(uid: 1, hotkey: "A", url: nil), Neuron(uid: 2, hotkey: "B", url: nil),
                                        Neuron(uid: 3, hotkey: "C", url: nil)])
        let (uids, values) = ScoreCalculator.metagraphScores(scores, metagraph: graph)
        let plain = WeightCalculator.vector(uids: uids, scores: values, policy: WeightPolicy())
        #expect(plain.vector == WeightVector(uids: [1, 2, 3], weights: [65535, 30583, 24272]))
        #expect(abs(plain.normalized[0] - 0.9 / (0.9 + 0.42 + 1.0 / 3)) < 1e-12)
        let capped = WeightCalculator.vector(uids: uids, scores: values, policy: WeightPolicy(maxWeight: 0.5))
        #expect(capped.vector == WeightVector(uids: [1, 2, 3], weights: [65535, 36537, 28998]))
    }

    @Test("only the last K periods are kept")
    func keepsLastK() {
        let book = ScoreBook(periodSeconds: 600, periodsKept: 3, now: Self.start)
        for p in 0..<6 { book.record(Double(p) / 10, miner: alice, endpoint: "e", at: Self.start.addingTimeInterval(Double(p) * 600)) }
        let snapshot = book.snapshot(at: Self.start.addingTimeInterval(6 * 600))
        let kept = snapshot.history[ScoreBook.Key(hotkey: "alice", endpoint: "e")] ?? []
        #expect(kept.map(\.period) == [3_000_003, 3_000_004, 3_000_005])
        // Mean of 0.3, 0.4, 0.5.
        #expect(abs(ScoreCalculator.minerScores(snapshot, endpointWeights: ["e": 1], minimumPeriods: 3)["alice", default: 0] - 0.4) < 1e-12)
    }

    @Test("a new hotkey at a reused uid starts fresh; the old hotkey gets no weight")
    func hotkeyChange() {
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: Self.start)
        book.record(1, miner: MinerIdentity(uid: 5, hotkey: "old"), endpoint: "e", at: Self.start)
        book.record(1, miner: MinerIdentity(uid: 6, hotkey: "other"), endpoint: "e", at: Self.start)
        let snapshot = book.snapshot(at: Self.start.addingTimeInterval(600))
        let scores = ScoreCalculator.minerScores(snapshot, endpointWeights: ["e": 1], minimumPeriods: 1)
        let graph = Metagraph(neurons: [Neuron(uid: 5, hotkey: "new", url: nil), Neuron(uid: 6, hotkey: "other", url: nil)])
        let (uids, values) = ScoreCalculator.metagraphScores(scores, metagraph: graph)
        #expect(uids == [5, 6])
        #expect(values == [0, 1])
        #expect(WeightCalculator.vector(uids: uids, scores: values, policy: WeightPolicy()).vector == WeightVector(uids: [6], weights: [65535]))
    }

    @Test("period rollover and flushing follow the injected clock, without sleeping")
    func rolloverWithManualClock() async throws {
        let clock = ManualNodeClock(start: Self.start)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-scoring-\(UUID().uuidString)")
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let store = SQLitePeriodStore(database: database)
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
        let service = ScoringPeriodService(book: book, store: store, flushInterval: .seconds(60), clock: clock)

        book.record(0.8, miner: alice, endpoint: "e", at: clock.now())
        clock.advance(by: .seconds(60))
        await service.tick()
        // The open period's running sum is stored at the flush, before the boundary.
        var rows = try await store.load(periodSeconds: 600, oldestKept: 0)
        #expect(rows == [PeriodRow(hotkey: "alice", endpoint: "e", period: 3_000_000, uid: 1, sum: 0.8, rounds: 1)])

        book.record(0.4, miner: alice, endpoint: "e", at: clock.now())
        clock.advance(by: .seconds(540))
        await service.tick()
        #expect(book.currentPeriod == 3_000_001)
        rows = try await store.load(periodSeconds: 600, oldestKept: 0)
        #expect(rows.count == 1)
        #expect(abs((rows.first?.sum ?? 0) - 1.2) < 1e-12 && rows.first?.rounds == 2)
        let snapshot = book.snapshot(at: clock.now())
        #expect(abs((snapshot.history[ScoreBook.Key(hotkey: "alice", endpoint: "e")]?.first?.mean ?? 0) - 0.6) < 1e-12)
    }

    @Test("the service loop wakes at flush intervals and boundaries of the manual clock")
    func serviceLoop() async throws {
        let clock = ManualNodeClock(start: Self.start)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-scoring-\(UUID().uuidString)")
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let store = SQLitePeriodStore(database: database)
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
        let service = ScoringPeriodService(book: book, store: store, flushInterval: .seconds(60), clock: clock)
        book.record(1, miner: alice, endpoint: "e", at: clock.now())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            #expect(await eventually { clock.sleeperCount == 1 })
            clock.advance(by: .seconds(600))  // one wake-up: past the flush time and the boundary
            #expect(await eventually { book.currentPeriod == 3_000_001 && clock.sleeperCount == 1 })
            let flushed = try await eventually { try await store.load(periodSeconds: 600, oldestKept: 0).count == 1 }
            #expect(flushed)
            group.cancelAll()
        }
    }

    @Test("a restart keeps the frozen periods and the open period's flushed sums")
    func restartKeepsPeriods() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-scoring-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("db.sqlite").path
        let clock = ManualNodeClock(start: Self.start)
        do {
            let database = try SQLiteDatabase(path: path)
            let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
            let service = ScoringPeriodService(book: book, store: SQLitePeriodStore(database: database), flushInterval: .seconds(60),
                                               clock: clock)
            book.record(1, miner: alice, endpoint: "e", at: clock.now())
            clock.advance(by: .seconds(600))
            book.record(0.5, miner: alice, endpoint: "e", at: clock.now())
            book.record(0.25, miner: bob, endpoint: "e", at: clock.now())
            await service.tick()
            try database.close()
        }
        clock.advance(by: .seconds(30))
        let database = try SQLiteDatabase(path: path)
        defer { try? database.close() }
        let book = ScoreBook(periodSeconds: 600, periodsKept: 30, now: clock.now())
        let service = ScoringPeriodService(book: book, store: SQLitePeriodStore(database: database), flushInterval: .seconds(60),
                                           clock: clock)
        try await service.restore()
        let snapshot = book.snapshot(at: clock.now())
        #expect(snapshot.history[ScoreBook.Key(hotkey: "alice", endpoint: "e")] == [PeriodMean(period: 3_000_000, mean: 1, rounds: 1)])
        #expect(snapshot.current[ScoreBook.Key(hotkey: "alice", endpoint: "e")]?.sum == 0.5)
        #expect(snapshot.current[ScoreBook.Key(hotkey: "bob", endpoint: "e")]?.count == 1)
        // A different period length starts afresh.
        let other = ScoreBook(periodSeconds: 300, periodsKept: 30, now: clock.now())
        let otherService = ScoringPeriodService(book: other, store: SQLitePeriodStore(database: database), flushInterval: .seconds(60),
                                                clock: clock)
        try await otherService.restore()
        #expect(other.snapshot(at: clock.now()).history.isEmpty)
    }
}
