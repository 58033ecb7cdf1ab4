import Foundation
import GRDB
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// Holds of requests in flight: kept in memory on one node's SQLite file (one `charge` line per
/// charged request), durable lines on PostgreSQL; what a key can spend is the same on both.
@Suite("Credit holds")
struct CreditHoldsTests {
    static func usage(_ reservation: CreditReservation, status: Int = 200) -> UsageEntry {
        UsageEntry(keyID: reservation.keyID, endpoint: "e", status: status, credits: reservation.amount, latencySeconds: 0.01, time: Date())
    }

    static func reserve(_ store: any KeyStore, _ id: String, millis: Int64, now: Date = Date()) async throws -> CreditReservation? {
        guard case .reserved(let reservation) = try await store.reserve(id: id, amount: Credits(millis: millis), endpoint: "e", now: now) else {
            return nil
        }
        return reservation
    }

    @Test("an operator's debit cannot take credits that requests in flight hold", arguments: StoreBackend.all)
    func debitRespectsHolds(_ backend: StoreBackend) async throws {
        let (keys, database) = try await KeyStoreTests.manager(backend)
        let id = try await keys.create(KeyCreation(name: "debit", credits: 5)).record.id
        let store = keys.store
        let held = try #require(try await Self.reserve(store, id, millis: 3000))
        #expect(try await store.spendable(id: id) == Credits(millis: 2000))
        await #expect(throws: KeyStoreError.insufficientCredits(balance: Credits(millis: 2000))) {
            try await store.addCredits(id: id, amount: Credits(millis: -3000), kind: .adjustment, note: "too much", now: Date())
        }
        _ = try await store.addCredits(id: id, amount: Credits(millis: -2000), kind: .adjustment, note: "fits", now: Date())
        #expect(try await store.spendable(id: id) == .zero)
        #expect(try await store.reserve(id: id, amount: Credits(millis: 1), endpoint: "e", now: Date()) == .insufficient(balance: .zero))
        // The hold is still whole: the request it covers can be charged all of it.
        try await store.settle(held, commit: true, usage: Self.usage(held))
        #expect(try await store.balance(id: id) == .zero)
        #expect(try await store.spendable(id: id) == .zero)
        try await store.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("a grant made while requests are in flight can be spent at once", arguments: StoreBackend.all)
    func grantWhileHeld(_ backend: StoreBackend) async throws {
        let (keys, _) = try await KeyStoreTests.manager(backend)
        let id = try await keys.create(KeyCreation(name: "grant", credits: 1)).record.id
        let store = keys.store
        let held = try #require(try await Self.reserve(store, id, millis: 1000))
        #expect(try await Self.reserve(store, id, millis: 1) == nil)
        _ = try await store.addCredits(id: id, amount: Credits(millis: 2000), kind: .grant, note: "top-up", now: Date())
        let second = try #require(try await Self.reserve(store, id, millis: 2000))
        try await store.settle(held, commit: false, usage: Self.usage(held, status: 502))
        try await store.settle(second, commit: true, charged: Credits(millis: 500), usage: Self.usage(second))
        #expect(try await store.balance(id: id) == Credits(2.5))
        #expect(try await store.spendable(id: id) == Credits(2.5))
        try await store.close()
    }

    @Test("a due refill tops up what the key can spend, counting what requests in flight hold", arguments: StoreBackend.all)
    func refillCountsHolds(_ backend: StoreBackend) async throws {
        let clock = ManualNodeClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let (keys, _) = try await KeyStoreTests.manager(backend, clock: clock)
        let id = try await keys.create(KeyCreation(name: "refill", refill: CreditRefill(amount: Credits(millis: 10000), period: .day))).record.id
        let store = keys.store
        let held = try #require(try await Self.reserve(store, id, millis: 4000, now: clock.now()))
        clock.advance(by: .seconds(86_400))
        // Still 4 held across the day's turn: the refill brings what can be spent back to 10.
        let next = try #require(try await Self.reserve(store, id, millis: 10_000, now: clock.now()))
        #expect(try await store.spendable(id: id) == .zero)
        try await store.settle(held, commit: true, usage: Self.usage(held))
        try await store.settle(next, commit: false, usage: Self.usage(next, status: 502))
        #expect(try await store.spendable(id: id) == Credits(millis: 10000))
        #expect(try await store.ledger(id: id, limit: 10).filter { $0.kind == .autoRefill }.map(\.amount) == [Credits(millis: 4000), Credits(millis: 10000)])
        try await store.close()
    }

    @Test("paying callers, grants and debits at once: nothing is spent twice, no debit takes held credits, the ledger is exact",
          arguments: StoreBackend.all)
    func concurrentMoves(_ backend: StoreBackend) async throws {
        let (keys, database) = try await KeyStoreTests.manager(backend)
        let id = try await keys.create(KeyCreation(name: "busy", credits: 50)).record.id
        let store = keys.store
        // 8 callers pay 1 credit per request (charged 0.4 to 1), while an operator grants 1 credit
        // and debits 2 (when it can) 100 times each: what is charged plus debited never exceeds
        // what was there, and the store ends where the moves say.
        let moved = try await withThrowingTaskGroup(of: (charged: Int64, debited: Int64, granted: Int64).self) { group in
            for caller in 0..<8 {
                group.addTask {
                    var charged: Int64 = 0
                    for request in 0..<150 {
                        guard let hold = try await Self.reserve(store, id, millis: 1000) else { continue }
                        let charge = Int64(400 + (caller * 150 + request) % 601)
                        let delivered = request % 7 != 0
                        try await store.settle(hold, commit: delivered, charged: Credits(millis: charge), usage: Self.usage(hold))
                        if delivered { charged += charge }
                    }
                    return (charged, 0, 0)
                }
            }
            group.addTask {
                var debited: Int64 = 0, granted: Int64 = 0
                for _ in 0..<100 {
                    _ = try await store.addCredits(id: id, amount: Credits(millis: 1000), kind: .grant, note: nil, now: Date())
                    granted += 1000
                    do {
                        _ = try await store.addCredits(id: id, amount: Credits(millis: -2000), kind: .adjustment, note: nil, now: Date())
                        debited += 2000
                    } catch KeyStoreError.insufficientCredits {
                        // Refused: what is left is held by callers, or gone.
                    }
                }
                return (0, debited, granted)
            }
            return try await group.reduce(into: (charged: Int64(0), debited: Int64(0), granted: Int64(0))) {
                $0.charged += $1.charged
                $0.debited += $1.debited
                $0.granted += $1.granted
            }
        }
        let expected = 50_000 + moved.granted - moved.charged - moved.debited
        #expect(expected >= 0)
        #expect(try await store.balance(id: id).millis == expected)
        #expect(try await store.spendable(id: id).millis == expected, "nothing is left held")
        let ledger = try await store.ledger(id: id, limit: 100_000)
        #expect(ledger.reduce(0) { $0 + $1.amount.millis } == expected)
        try await store.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("idle accounts are dropped beyond the cap and read again at their next hold; held and just-read accounts are kept")
    func accountCap() throws {
        let holds = CreditHolds(maxAccounts: 2)
        let now = Date()
        holds.sync("a", settled: 5000, refillDue: nil)
        holds.sync("b", settled: 5000, refillDue: nil)
        guard case .reserved(let held) = holds.holdIfCurrent(keyID: "a", amount: Credits(millis: 1000), now: now),
              case .reserved(let other) = holds.holdIfCurrent(keyID: "b", amount: Credits(millis: 1000), now: now) else {
            Issue.record("not held"); return
        }
        // b's hold is settled: b is idle again.
        #expect(holds.take(other.id) == other)
        holds.apply(["b": CreditHolds.Movement(settled: -1000, released: 1000)])
        // The first sweep (at c) keeps what was read since the start; the next one (at e) drops
        // b, idle and not read since, never a (holding credits) nor c and d (read since).
        for key in ["c", "d", "e"] { holds.sync(key, settled: 1, refillDue: nil) }
        #expect(holds.accountCount == 4)
        #expect(holds.holdIfCurrent(keyID: "b", amount: Credits(millis: 1), now: now) == nil, "b is read again by the writer")
        #expect(holds.held(by: "a") == 1000)
        for key in ["c", "d", "e"] { #expect(holds.holdIfCurrent(keyID: key, amount: Credits(millis: 1), now: now) != nil) }
        #expect(holds.take(held.id) == held)
        #expect(holds.holdIfCurrent(keyID: "a", amount: Credits(millis: 4001), now: now) == .insufficient(balance: Credits(millis: 4000)))
    }

    @Test("on SQLite a charged request writes one charge line, a released one none; the key row and holds agree")
    func oneLinePerCharge() async throws {
        let (keys, database) = try await KeyStoreTests.manager(.sqlite)
        let id = try await keys.create(KeyCreation(name: "lines", credits: 10)).record.id
        let store = keys.store
        var settlements: [Settlement] = []
        for index in 0..<6 {
            let reservation = try #require(try await Self.reserve(store, id, millis: 1000))
            // Full, partial, nothing used, released, and two repeated (changes nothing).
            let charged: Credits? = [nil, Credits(millis: 400), .zero, nil, nil, nil][index]
            settlements.append(Settlement(reservation: reservation, commit: index != 3, charged: charged, usage: Self.usage(reservation)))
        }
        #expect(try await store.heldInMemory(id: id) == Credits(millis: 6000))
        try await store.settle(batch: settlements + settlements.suffix(2))
        let ledger = try await store.ledger(id: id, limit: 20)
        #expect(ledger.map(\.kind) == [.charge, .charge, .charge, .charge, .grant])
        #expect(ledger.prefix(4).map(\.amount.millis).sorted() == [-1000, -1000, -1000, -400])
        #expect(ledger.first { $0.amount.millis == -400 }?.note == "charged 0.4 of 1 held")
        #expect(ledger.prefix(4).allSatisfy { $0.endpoint == "e" && $0.reservationID == nil && $0.actor == nil })
        #expect(try await store.balance(id: id) == Credits(millis: 6600))
        #expect(try await store.heldInMemory(id: id) == .zero)
        let requests = try await store.usage(id: id, since: .distantPast).reduce(0) { $0 + $1.requests }
        #expect(requests == 6)
        try await store.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("on SQLite a settlement batch that fails keeps its holds held, uncharged, and the next writes go on")
    func failedBatchKeepsHolds() async throws {
        let (keys, database) = try await KeyStoreTests.manager(.sqlite)
        let id = try await keys.create(KeyCreation(name: "failing", credits: 3)).record.id
        let store = keys.store
        let reservation = try #require(try await Self.reserve(store, id, millis: 1000))
        // A usage line for a key that breaks a constraint rolls the whole batch back.
        var broken = Self.usage(reservation)
        broken.endpoint = String(repeating: "x", count: 10)
        try await database.execute("CREATE TRIGGER refuse BEFORE INSERT ON usage_log WHEN NEW.endpoint = 'xxxxxxxxxx' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        await #expect(throws: (any Error).self) {
            try await store.settle(batch: [Settlement(reservation: reservation, commit: true, usage: Self.usage(reservation)),
                                           Settlement(reservation: nil, commit: false, usage: broken)])
        }
        #expect(try await store.balance(id: id) == Credits(millis: 3000))
        #expect(try await store.spendable(id: id) == Credits(millis: 2000), "the hold stays until the node restarts")
        #expect(try await store.ledger(id: id, limit: 10).map(\.kind) == [.grant])
        let next = try #require(try await Self.reserve(store, id, millis: 2000))
        try await store.settle(next, commit: true, usage: Self.usage(next))
        #expect(try await store.balance(id: id) == Credits(millis: 1000))
        try await store.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("a changed refill is read again before the key's next hold")
    func changedSettingsReread() async throws {
        let clock = ManualNodeClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let (keys, _) = try await KeyStoreTests.manager(.sqlite, clock: clock)
        let id = try await keys.create(KeyCreation(name: "changed", credits: 1)).record.id
        let store = keys.store
        #expect(try await Self.reserve(store, id, millis: 1000, now: clock.now()) != nil)
        #expect(try await Self.reserve(store, id, millis: 1000, now: clock.now()) == nil)
        var changes = KeyChanges()
        changes.refill = CreditRefill(amount: Credits(millis: 5000), period: .day)
        _ = try await keys.update(id: id, changes)
        // The new refill is due at once (never applied): it tops what can be spent up to 5.
        #expect(try await Self.reserve(store, id, millis: 5000, now: clock.now()) != nil)
        try await store.close()
    }

    @Test("a SQLite file from before holds in memory keeps its lines and ids, and its open reservations are released at start")
    func upgradeFromDurableHolds() async throws {
        let path = KeyStoreTests.temporaryPath()
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        // The schema and rows an earlier version left: a grant, a settled request, one held at a crash.
        let old = try DatabasePool(path: path)
        try NodeMigrations.migrator.migrate(old, upTo: "v6-usage-daily")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, key_hash, display_prefix, name, owner, created_at, state, scopes, rate_limits, unlimited, metadata, balance)
                VALUES ('key_old', x'00', 'org_live_a', 'old', '', 0, 'active', '[]', '[]', 0, '{}', 7000);
                INSERT INTO credit_ledger (id, key_id, kind, amount, created_at) VALUES (1, 'key_old', 'grant', 10000, 0);
                INSERT INTO credit_ledger (id, key_id, kind, amount, endpoint, created_at) VALUES (2, 'key_old', 'reservation', -2000, 'e', 1);
                INSERT INTO credit_ledger (id, key_id, kind, amount, reservation_id, created_at) VALUES (3, 'key_old', 'commit', 0, 2, 2);
                INSERT INTO credit_ledger (id, key_id, kind, amount, endpoint, created_at) VALUES (9, 'key_old', 'reservation', -1000, 'e', 3);
                DELETE FROM credit_ledger WHERE id = 9;
                INSERT INTO credit_ledger (id, key_id, kind, amount, endpoint, created_at) VALUES (4, 'key_old', 'reservation', -1000, 'e', 4);
                INSERT INTO open_reservations (reservation_id, key_id, amount) VALUES (4, 'key_old', 1000);
                """)
        }
        try old.close()

        let database = try SQLiteDatabase(path: path)
        let store = SQLiteKeyStore(database: database)
        #expect(try await store.releaseOpenReservations(now: Date()) == 1)
        let ledger = try await store.ledger(id: "key_old", limit: 10)
        #expect(ledger.map(\.kind) == [.release, .reservation, .commit, .reservation, .grant])
        #expect(ledger.dropFirst().map(\.id) == [4, 3, 2, 1])
        #expect(ledger.first.map { $0.id > 9 } == true, "an id once given is never given again")
        #expect(ledger.first?.reservationID == 4)
        #expect(try await store.balance(id: "key_old") == Credits(millis: 8000))
        let reservation = try #require(try await Self.reserve(store, "key_old", millis: 8000))
        try await store.settle(reservation, commit: true, usage: Self.usage(reservation))
        #expect(try await store.ledger(id: "key_old", limit: 1).first?.kind == .charge)
        #expect(try await store.balance(id: "key_old") == .zero)
        try await store.close()
        #expect(try KeyStoreTests.ledgerIsConsistent(path))
    }
}
