import Foundation
@testable import OrganicFramework
import OrganicTestKit
import ServiceLifecycle
import Testing

/// Several node instances on one PostgreSQL database: exact credits, propagation of key
/// changes, and reservations of dead instances.
@Suite("Several instances on one PostgreSQL", .enabled(if: StoreBackend.postgresURL != nil, "\(StoreBackend.postgresMissing)"))
struct MultiInstanceTests {
    /// `count` instances opened at the same moment (their migrations race, under the lock).
    static func instances(_ count: Int, on database: TestDatabase) async throws -> [NodeStores] {
        try await withThrowingTaskGroup(of: NodeStores.self) { group in
            for _ in 0..<count { group.addTask { try await database.open() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("three instances hammering one key: 3,000 paid requests on 1,000 credits charge and serve exactly 1,000; the ledger sums to the balance")
    func exactCreditsAcrossInstances() async throws {
        let database = try await TestDatabase.make(.postgres)
        let nodes = try await Self.instances(3, on: database)
        for node in nodes { #expect(try await node.keys.releaseOpenReservations(now: Date()) == 0) }
        let key = try await KeyManager(store: nodes[0].keys, clock: ManualNodeClock()).create(KeyCreation(name: "shared", credits: 1000))
        let started = ContinuousClock.now
        let served = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<3000 {
                let store = nodes[i % nodes.count].keys
                group.addTask { try await KeyStoreTests.reserveAndSettle(store, key: key.record.id, millis: 1000, commit: true) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("3 instances: \(served) reservations settled of 3,000 tries in \(elapsed) (\(Int(3000 / seconds)) tries/s)")
        let balance = try await nodes[1].keys.balance(id: key.record.id)
        let ledger = try await nodes[2].keys.ledger(id: key.record.id, limit: 100_000)
        #expect(served == 1000)
        #expect(balance == .zero)
        #expect(ledger.filter { $0.kind == .commit }.count == 1000)
        #expect(ledger.filter { $0.kind == .reservation }.count == 1000)
        #expect(ledger.reduce(Int64(0)) { $0 + $1.amount.millis } == balance.millis)
        for node in nodes { try await node.close() }
        #expect(try await database.ledgerIsConsistent())
        #expect(try await database.integer("SELECT COUNT(*) FROM organic_migrations") == Int64(PostgresMigrations.all.count))
    }

    @Test("commits, partial charges and releases from two instances at once: what is charged plus what is left is what was granted")
    func mixedSettlementsAcrossInstances() async throws {
        let database = try await TestDatabase.make(.postgres)
        let nodes = try await Self.instances(2, on: database)
        let key = try await KeyManager(store: nodes[0].keys, clock: ManualNodeClock()).create(KeyCreation(name: "mixed", credits: 500))
        let charged = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<1000 {
                let store = nodes[i % 2].keys
                group.addTask {
                    guard case .reserved(let r) = try await store.reserve(id: key.record.id, amount: Credits(millis: 1000), endpoint: "e", now: Date()) else {
                        return 0
                    }
                    let commit = i % 3 != 0, part = Credits(millis: Int64(i % 1000))
                    let usage = UsageEntry(keyID: r.keyID, endpoint: "e", status: commit ? 200 : 502, credits: commit ? part : .zero, latencySeconds: 0, time: Date())
                    if i % 2 == 0 {
                        try await store.settle(r, commit: commit, charged: part, usage: usage)
                    } else {
                        try await store.settle(batch: [Settlement(reservation: r, commit: commit, charged: part, usage: usage)])
                    }
                    try await store.settle(r, commit: !commit, charged: nil, usage: usage)  // a repeat changes nothing
                    return commit ? part.millis : 0
                }
            }
            return try await group.reduce(0, +)
        }
        let balance = try await nodes[1].keys.balance(id: key.record.id)
        #expect(balance.millis + charged == 500_000)
        for node in nodes { try await node.close() }
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("each instance keeps and restores its own score periods; both instances' rounds land in the shared tables")
    func periodsPerInstance() async throws {
        let database = try await TestDatabase.make(.postgres)
        let a = try await NodeStores.open(database.configuration, nodeName: "node-a:8080", logger: TestDatabase.logger)
        let b = try await NodeStores.open(database.configuration, nodeName: "node-b:8080", logger: TestDatabase.logger)
        let rowA = PeriodRow(hotkey: "alice", endpoint: "e", period: 10, uid: 1, sum: 0.5, rounds: 1)
        let rowB = PeriodRow(hotkey: "alice", endpoint: "e", period: 10, uid: 1, sum: 2.5, rounds: 3)
        try await a.periods.save([rowA], periodSeconds: 600, oldestKept: 0)
        try await b.periods.save([rowB], periodSeconds: 600, oldestKept: 11)  // B's pruning leaves A's rows alone
        #expect(try await a.periods.load(periodSeconds: 600, oldestKept: 0) == [rowA])
        #expect(try await b.periods.load(periodSeconds: 600, oldestKept: 0) == [])
        let round = RoundRecord(endpoint: "e", isOrganic: true, createdAt: Date(timeIntervalSince1970: 1_800_000_000), verdict: .scored, results: [])
        try await a.scores.record(round)
        #expect(try await b.scores.recentRounds(limit: 5) == [round])
        try await a.close()
        try await b.close()
    }

    /// Runs the key-change services of `node` (notifications and re-checks) while `body` runs.
    static func withChangeFeed<T: Sendable>(_ node: NodeStores, authenticator: KeyAuthenticator, body: () async throws -> T) async throws -> T {
        let services = node.services(recheck: .milliseconds(500), onKeyChange: { authenticator.invalidate(keyID: $0) }, leadership: Leadership(node.initialRole),
                                     clock: SystemNodeClock(), logger: TestDatabase.logger)
        let running = Task { try await withThrowingDiscardingTaskGroup { group in for service in services { group.addTask { try await service.run() } } } }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(300))  // LISTEN is in place
        return try await body()
    }

    /// Seconds until `authenticator` refuses `key`, polling every 20 ms for at most `limit`.
    static func secondsUntilRefused(_ authenticator: KeyAuthenticator, key: String, limit: Double = 10) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(limit) {
            do { _ = try await authenticator.authenticate(key, now: Date()) } catch is KeyAuthenticator.Refusal {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test("a key revoked on instance A is refused by instance B within the bound: at once by notification, within the re-check when none arrives")
    func revocationPropagates() async throws {
        let database = try await TestDatabase.make(.postgres)
        let nodes = try await Self.instances(2, on: database)
        let a = KeyManager(store: nodes[0].keys, clock: ManualNodeClock())
        let cacheB = KeyAuthenticator(store: nodes[1].keys)
        let first = try await a.create(KeyCreation(name: "revoked by A", credits: 1))
        let second = try await a.create(KeyCreation(name: "changed behind the feed's back", credits: 1))
        try await Self.withChangeFeed(nodes[1], authenticator: cacheB) {
            // B has both keys cached as active.
            _ = try await cacheB.authenticate(first.key, now: Date())
            _ = try await cacheB.authenticate(second.key, now: Date())
            _ = try await a.revoke(id: first.record.id)
            let notified = try #require(try await Self.secondsUntilRefused(cacheB, key: first.key))
            print("revocation seen by the other instance after \(notified) s (notification)")
            #expect(notified < 1)
            // A change that sends no notification (as if it were lost) is found by the re-check.
            try await database.execute("""
                UPDATE api_keys SET state = 'disabled', changed_at = extract(epoch from clock_timestamp()) WHERE id = '\(second.record.id)'
                """)
            let rechecked = try #require(try await Self.secondsUntilRefused(cacheB, key: second.key))
            print("change seen by the other instance after \(rechecked) s (re-check every 0.5 s)")
            #expect(rechecked < 0.5 + 1.5)
        }
        for node in nodes { try await node.close() }
    }

    @Test("a live instance's reservations are never released by another; a dead instance's are, once its heartbeat is stale")
    func deadInstanceReservations() async throws {
        let database = try await TestDatabase.make(.postgres)
        let nodes = try await Self.instances(2, on: database)
        let live = try #require(nodes[0].keys as? PostgresKeyStore), dying = try #require(nodes[1].keys as? PostgresKeyStore)
        for store in [live, dying] { _ = try await store.releaseOpenReservations(now: Date()) }
        let key = try await KeyManager(store: live, clock: ManualNodeClock()).create(KeyCreation(name: "held", credits: 10))
        _ = try await live.reserve(id: key.record.id, amount: Credits(millis: 2000), endpoint: "e", now: Date())
        _ = try await dying.reserve(id: key.record.id, amount: Credits(millis: 3000), endpoint: "e", now: Date())
        // A third instance starting now leaves both alone: both instances are alive.
        let third = try await database.open()
        #expect(try await third.keys.releaseOpenReservations(now: Date()) == 0)
        // The second instance dies (no goodbye); once its heartbeat is stale, its hold comes back.
        await dying.storage.close()
        try await database.execute("UPDATE organic_instances SET heartbeat_at = heartbeat_at - 3600 WHERE id = '\(dying.instanceID)'")
        #expect(try await live.releaseDeadInstancesReservations(now: Date()) == 1)
        #expect(try await live.balance(id: key.record.id) == Credits(8))
        #expect(try await database.integer("SELECT COUNT(*) FROM open_reservations") == 1)
        try await third.close()
        try await nodes[0].close()
    }
}
