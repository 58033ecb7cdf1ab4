import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The score, period and weight stores behave identically on SQLite and PostgreSQL.
@Suite("Store conformance: rounds, periods, weights on every backend")
struct StoreConformanceTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func round(_ endpoint: String, at offset: Double, results: [MinerRoundResult]) -> RoundRecord {
        RoundRecord(endpoint: endpoint, isOrganic: offset.truncatingRemainder(dividingBy: 2) == 0, createdAt: start.addingTimeInterval(offset),
                    verdict: .scored, results: results)
    }

    static func result(_ uid: UInt16, _ hotkey: String, _ outcome: MinerOutcome, _ score: Double?, latency: Double = 0.5,
                       firstChunk: Double? = nil, role: RoundRole? = nil) -> MinerRoundResult {
        MinerRoundResult(miner: MinerIdentity(uid: uid, hotkey: hotkey), outcome: outcome, score: score,
                         reason: score == nil ? "no score" : nil, latencySeconds: latency, timeToFirstChunkSeconds: firstChunk, role: role)
    }

    // Tables only the PostgreSQL schema has (several instances): organic_migrations,
    // organic_instances, shared_metagraphs (the leader's metagraph), rate_buckets (global limits).

    /// Columns only the PostgreSQL schema has (multi-instance bookkeeping), per table.
    static let postgresOnly: [String: Set<String>] = [
        "api_keys": ["changed_at"], "open_reservations": ["owner"], "round_results": ["position"], "score_periods": ["node"],
    ]

    @Test("both schemas have the same tables and columns (a SQLite migration needs its PostgreSQL twin)",
          .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
    func schemasMatch() async throws {
        let sqlite = try await TestDatabase.make(.sqlite), postgres = try await TestDatabase.make(.postgres)
        try await sqlite.open().close()
        try await postgres.open().close()
        let tables = try await sqlite.strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name")
        let postgresTables = try await postgres.strings("""
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name NOT IN ('organic_migrations', 'organic_instances', 'shared_metagraphs', 'rate_buckets')
            ORDER BY table_name
            """)
        #expect(tables == postgresTables)
        for table in tables {
            let columns = Set(try await sqlite.strings("SELECT name FROM pragma_table_info('\(table)')"))
            let postgresColumns = Set(try await postgres.strings("""
                SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '\(table)'
                """)).subtracting(Self.postgresOnly[table] ?? [])
            #expect(columns == postgresColumns, "\(table)")
        }
    }

    @Test("rounds come back newest first with their results in order; summaries average per miner and endpoint",
          arguments: StoreBackend.all)
    func rounds(_ backend: StoreBackend) async throws {
        let stores = try await TestDatabase.make(backend).open()
        let store = stores.scores
        let first = Self.round("e", at: 0, results: [Self.result(2, "bob", .answered, 0.5), Self.result(1, "alice", .answered, 1)])
        let second = Self.round("e", at: 10, results: [Self.result(1, "alice", .timeout, 0, latency: 4),
                                                       Self.result(2, "bob", .busy, nil), Self.result(3, "carol", .answered, 0.25, firstChunk: 0.1, role: .referee)])
        let other = Self.round("f", at: 20, results: [Self.result(1, "alice", .answered, 0.75)])
        for round in [first, second, other] { try await store.record(round) }
        await #expect(throws: (any Error).self, "the same round twice") { try await store.record(first) }

        let recent = try await store.recentRounds(limit: 2)
        #expect(recent == [other, second])
        #expect(try await store.recentRounds(limit: 10).count == 3)

        let summaries = try await store.summaries(since: Self.start)
        let alice = try #require(summaries.first { $0.hotkey == "alice" && $0.endpoint == "e" })
        #expect(alice.meanScore == 0.5 && alice.rounds == 2 && alice.failures == 1 && alice.meanLatencySeconds == 2.25)
        let bob = try #require(summaries.first { $0.hotkey == "bob" })
        #expect(bob.rounds == 1 && bob.failures == 0 && bob.meanScore == 0.5)
        #expect(summaries.map { "\($0.uid)/\($0.endpoint)" } == ["1/e", "1/f", "2/e", "3/e"])
        #expect(try await store.summaries(since: Self.start.addingTimeInterval(15)).map(\.hotkey) == ["alice"])
        try await stores.close()
    }

    @Test("period rows: later rows win, old periods and other period lengths are dropped", arguments: StoreBackend.all)
    func periods(_ backend: StoreBackend) async throws {
        let stores = try await TestDatabase.make(backend).open()
        let store = stores.periods
        let a = PeriodRow(hotkey: "alice", endpoint: "e", period: 10, uid: 1, sum: 0.5, rounds: 1)
        let b = PeriodRow(hotkey: "bob", endpoint: "e", period: 11, uid: 2, sum: 2, rounds: 3)
        let a2 = PeriodRow(hotkey: "alice", endpoint: "e", period: 10, uid: 1, sum: 1.5, rounds: 2)
        try await store.save([a, b, a2], periodSeconds: 600, oldestKept: 0)
        #expect(try await store.load(periodSeconds: 600, oldestKept: 0) == [a2, b])
        #expect(try await store.load(periodSeconds: 300, oldestKept: 0) == [])
        try await store.save([], periodSeconds: 600, oldestKept: 11)
        #expect(try await store.load(periodSeconds: 600, oldestKept: 0) == [b])
        try await store.save([a], periodSeconds: 300, oldestKept: 0)
        #expect(try await store.load(periodSeconds: 600, oldestKept: 0) == [])
        #expect(try await store.load(periodSeconds: 300, oldestKept: 0) == [a])
        try await stores.close()
    }

    @Test("weight submissions are stored once, newest first", arguments: StoreBackend.all)
    func weights(_ backend: StoreBackend) async throws {
        let stores = try await TestDatabase.make(backend).open()
        let vector = WeightVector(uids: [1, 3], weights: [32768, 65535])
        let early = WeightSubmission(id: WeightSubmission.id(for: vector, interval: 7), createdAt: Self.start, netuid: 19, vector: vector)
        let late = WeightSubmission(id: WeightSubmission.id(for: vector, interval: 8), createdAt: Self.start.addingTimeInterval(60), netuid: nil,
                                    vector: WeightVector(uids: [], weights: []))
        let file = stores.directory.appendingPathComponent("weights-\(UUID().uuidString).json")
        let setter = RecordingWeightSetter(store: stores.weights, fileURL: file)
        try await setter.setWeights(early)
        try await setter.setWeights(early)
        try await setter.setWeights(late)
        #expect(try await setter.history(limit: 10) == [late, early])
        #expect(try await setter.history(limit: 1) == [late])
        try await stores.close()
    }

    @Test("usage is summarised per UTC day and endpoint with its units", arguments: StoreBackend.all)
    func usage(_ backend: StoreBackend) async throws {
        let stores = try await TestDatabase.make(backend).open()
        let keys = KeyManager(store: stores.keys, clock: ManualNodeClock(start: Self.start))
        let id = try await keys.create(KeyCreation(name: "usage", credits: 100)).record.id
        let store = stores.keys
        guard case .reserved(let r) = try await store.reserve(id: id, amount: Credits(millis: 3000), endpoint: "e", now: Self.start) else {
            Issue.record("not reserved"); return
        }
        try await store.settle(r, commit: true, charged: Credits(millis: 1200),
                               usage: UsageEntry(keyID: id, endpoint: "e", status: 200, credits: Credits(millis: 1200), latencySeconds: 1,
                                                 time: Self.start, units: Usage(["tokens": 7, "images": 1])))
        try await store.settle(batch: [
            Settlement(reservation: nil, commit: false, usage: UsageEntry(keyID: id, endpoint: "e", status: 429, credits: .zero, latencySeconds: 0,
                                                                          time: Self.start.addingTimeInterval(1), units: Usage(["tokens": 3]))),
            Settlement(reservation: r, commit: false, usage: UsageEntry(keyID: id, endpoint: "e", status: 200, credits: .zero, latencySeconds: 0,
                                                                        time: Self.start)),  // already settled: not logged again
        ])
        try await store.log(UsageEntry(keyID: id, endpoint: "f", status: 200, credits: .zero, latencySeconds: 3, time: Self.start.addingTimeInterval(86_400)))
        let summaries = try await store.usage(id: id, since: Self.start.addingTimeInterval(-86_400))
        #expect(summaries == [
            UsageSummary(day: "2027-01-15", endpoint: "e", requests: 2, successes: 1, credits: Credits(millis: 1200), meanLatencySeconds: 0.5,
                         units: ["tokens": 10, "images": 1]),
            UsageSummary(day: "2027-01-16", endpoint: "f", requests: 1, successes: 1, credits: .zero, meanLatencySeconds: 3, units: [:]),
        ])
        #expect(try await store.balance(id: id) == Credits(millis: 98_800))
        let ledger = try await store.ledger(id: id, limit: 10)
        if backend == .sqlite {
            #expect(ledger.map(\.kind) == [.charge, .grant])
            #expect(ledger.first?.amount == Credits(millis: -1200) && ledger.first?.endpoint == "e")
        } else {
            #expect(ledger.map(\.kind) == [.commit, .reservation, .grant])
            #expect(ledger.first?.amount == Credits(millis: 1800) && ledger.first?.reservationID == r.id)
        }
        try await stores.close()
    }
}
