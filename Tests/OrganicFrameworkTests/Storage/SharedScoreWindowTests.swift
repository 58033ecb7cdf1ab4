import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The leader's weights come from every instance's score periods.
@Suite("Weights from every instance's scores", .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
struct SharedScoreWindowTests {
    @Test("a period's mean is the mean over all rounds any instance scored; other instances' open periods do not count")
    func mergedAcrossInstances() async throws {
        let database = try await TestDatabase.make(.postgres)
        let stores = try await database.open()
        let storage = try #require(stores.postgres)
        let clock = ManualNodeClock()
        let settings = ScoringSettings(periodSeconds: 60, periodsKept: 10, minimumPeriods: 1, endpointWeights: ["e": 1])
        let book = ScoreBook(periodSeconds: 60, periodsKept: 10, now: clock.now())
        let done = book.currentPeriod - 1
        let mine = PostgresPeriodStore(storage: storage, node: "a")
        let other = PostgresPeriodStore(storage: storage, node: "b")
        // This instance: miner-1 scored 0.8 once in the last completed period.
        book.restore([PeriodRow(hotkey: "miner-1", endpoint: "e", period: done, uid: 1, sum: 0.8, rounds: 1)], now: clock.now())
        // Another instance: miner-1 scored 0.2 once, miner-2 1.0 twice; its open period must not count.
        try await other.save([PeriodRow(hotkey: "miner-1", endpoint: "e", period: done, uid: 1, sum: 0.2, rounds: 1),
                              PeriodRow(hotkey: "miner-2", endpoint: "e", period: done, uid: 2, sum: 2, rounds: 2),
                              PeriodRow(hotkey: "miner-1", endpoint: "e", period: done + 1, uid: 1, sum: 0, rounds: 50)],
                             periodSeconds: 60, oldestKept: done - 9)
        let metagraph = Metagraph(neurons: [Neuron(uid: 1, hotkey: "miner-1", url: nil), Neuron(uid: 2, hotkey: "miner-2", url: nil)])
        var board = ScoreBoard(book: book, settings: settings, clock: clock, metagraph: { metagraph })
        let alone = await board.weights()
        board.shared = SharedScoreWindow(book: book, store: mine, logger: TestDatabase.logger)
        let merged = await board.weights()
        try await stores.close()

        #expect(alone.normalized.map(\.uid) == [1], "without the shared window only this instance's miner counts")
        // miner-1: (0.8 + 0.2) / 2 = 0.5; miner-2: 1.0 → shares 1/3 and 2/3.
        let shares = Dictionary(uniqueKeysWithValues: merged.normalized.map { share in (share.uid, share.weight) })
        #expect(abs((shares[1] ?? 0) - 1.0 / 3) < 1e-9, "\(merged.normalized)")
        #expect(abs((shares[2] ?? 0) - 2.0 / 3) < 1e-9, "\(merged.normalized)")
    }
}
