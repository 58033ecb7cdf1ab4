import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Retention on every backend: old rounds and usage go, usage reports stay the same.
@Suite("Retention conformance on every backend")
struct RetentionConformanceTests {
    static let now = StoreConformanceTests.start
    static let day = 86_400.0

    static func settings(batchRows: Int) -> NodeConfiguration.Retention {
        var settings = NodeConfiguration.Retention()
        settings.days = 30
        settings.batchRows = batchRows
        settings.pauseMilliseconds = 0
        return settings
    }

    @Test("pruning removes rounds and usage older than the retention age in small batches; per-day usage reads the same after",
          arguments: StoreBackend.all)
    func prunes(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let stores = try await database.open()
        let clock = ManualNodeClock(start: Self.now)
        let keys = KeyManager(store: stores.keys, clock: clock)
        let id = try await keys.create(KeyCreation(name: "old and new", unlimited: true)).record.id
        // 40 and 35 days ago (pruned), 10 days ago and today (kept); several rows a day, two endpoints, units.
        for daysAgo in [40.0, 35, 10, 0] {
            for i in 0..<9 {
                let time = Self.now.addingTimeInterval(-daysAgo * Self.day + Double(i))
                try await stores.keys.log(UsageEntry(keyID: id, endpoint: i % 3 == 0 ? "f" : "e", status: i % 4 == 0 ? 500 : 200,
                                                     credits: Credits(millis: Int64(100 * i)), latencySeconds: Double(i) / 10, time: time,
                                                     units: i % 2 == 0 ? Usage(["tokens": i]) : Usage()))
                try await stores.scores.record(StoreConformanceTests.round("e", at: -daysAgo * Self.day + Double(i),
                                                                           results: [StoreConformanceTests.result(1, "alice", .answered, 0.5)]))
            }
        }
        let before = try await stores.keys.usage(id: id, since: Self.now.addingTimeInterval(-60 * Self.day))
        let service = RetentionService(store: stores.retention, settings: Self.settings(batchRows: 4), clock: clock, logger: TestDatabase.logger)
        let pruned = await service.prune()
        #expect(pruned == PrunedRows(rounds: 18, usage: 18))
        let cutoff = Self.now.addingTimeInterval(-30 * Self.day).timeIntervalSince1970
        #expect(try await database.integer("SELECT COUNT(*) FROM usage_log WHERE created_at < \(cutoff)") == 0)
        #expect(try await database.integer("SELECT COUNT(*) FROM usage_log") == 18)
        #expect(try await database.integer("SELECT COUNT(*) FROM rounds") == 18)
        #expect(try await database.integer("SELECT COUNT(*) FROM round_results") == 18)
        #expect(try await database.integer("SELECT COUNT(*) FROM usage_units WHERE usage_id NOT IN (SELECT id FROM usage_log)") == 0)
        let after = try await stores.keys.usage(id: id, since: Self.now.addingTimeInterval(-60 * Self.day))
        #expect(after.count == before.count)
        for (a, b) in zip(after, before) {
            #expect(a.day == b.day && a.endpoint == b.endpoint && a.requests == b.requests && a.successes == b.successes && a.credits == b.credits
                    && a.units == b.units && abs(a.meanLatencySeconds - b.meanLatencySeconds) < 1e-9, "\(a) vs \(b)")
        }
        #expect(await service.prune() == PrunedRows(), "a second pass finds nothing")
        try await stores.close()
    }

    @Test("pruning under load: writes made meanwhile all land, old rows go, aggregates equal what was pruned", arguments: StoreBackend.all)
    func underLoad(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        let stores = try await database.open()
        let clock = ManualNodeClock(start: Self.now)
        let id = try await KeyManager(store: stores.keys, clock: clock).create(KeyCreation(name: "load", unlimited: true)).record.id
        for i in 0..<600 {
            try await stores.keys.log(UsageEntry(keyID: id, endpoint: "e", status: 200, credits: Credits(millis: 1), latencySeconds: 0.1,
                                                 time: Self.now.addingTimeInterval(-40 * Self.day + Double(i))))
        }
        let service = RetentionService(store: stores.retention, settings: Self.settings(batchRows: 50), clock: clock, logger: TestDatabase.logger)
        let keyStore = stores.keys
        async let pruned = service.prune()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await keyStore.log(UsageEntry(keyID: id, endpoint: "e", status: 200, credits: Credits(millis: 1), latencySeconds: 0.1,
                                                      time: Self.now.addingTimeInterval(Double(i))))
                }
            }
            try await group.waitForAll()
        }
        #expect(await pruned.usage == 600)
        #expect(try await database.integer("SELECT COUNT(*) FROM usage_log") == 200)
        #expect(try await database.integer("SELECT CAST(SUM(requests) AS BIGINT) FROM usage_daily") == 600)
        let report = try await stores.keys.usage(id: id, since: Self.now.addingTimeInterval(-60 * Self.day))
        #expect(report.map(\.requests).reduce(0, +) == 800)
        #expect(report.map(\.credits.millis).reduce(0, +) == 800)
        try await stores.close()
    }
}
