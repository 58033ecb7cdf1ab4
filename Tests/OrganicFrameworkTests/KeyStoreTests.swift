import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Testing

/// The key database: hash-only storage, the ledger and crash safety.
@Suite("Key store and credit ledger")
struct KeyStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("organic-keys-\(UUID().uuidString)/organic.sqlite").path
    }

    static func manager(path: String, clock: any NodeClock = ManualNodeClock()) throws -> KeyManager {
        KeyManager(store: SQLiteKeyStore(database: try SQLiteDatabase(path: path)), clock: clock)
    }

    /// The balance column equals the sum of the ledger, and no reservation is left open (SQLite file).
    static func ledgerIsConsistent(_ path: String) throws -> Bool {
        let database = try SQLiteDatabase(path: path)
        defer { try? database.close() }
        return try database.pool.read { db in
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM api_keys k
                WHERE k.balance != (SELECT COALESCE(SUM(amount), 0) FROM credit_ledger l WHERE l.key_id = k.id)
                """) ?? -1
            return mismatched == 0
        }
    }

    /// A key manager on a fresh database of `backend`, opened as a node opens it.
    static func manager(_ backend: StoreBackend, clock: any NodeClock = ManualNodeClock()) async throws -> (KeyManager, TestDatabase) {
        let database = try await TestDatabase.make(backend)
        return (KeyManager(store: try await database.open().keys, clock: clock), database)
    }

    /// One request's life in the ledger: reserve `millis`, then commit or release; false when the
    /// reservation was refused.
    static func reserveAndSettle(_ store: any KeyStore, key: String, millis: Int64, commit: Bool) async throws -> Bool {
        guard case .reserved(let r) = try await store.reserve(id: key, amount: Credits(millis: millis), endpoint: "e", now: Date()) else {
            return false
        }
        try await store.settle(r, commit: commit,
                               usage: UsageEntry(keyID: r.keyID, endpoint: "e", status: 200, credits: r.amount, latencySeconds: 0, time: Date()))
        return true
    }

    @Test("a key row whose scopes, limits or state do not decode is refused, never read as 'no scopes' (which means all endpoints)",
          arguments: StoreBackend.all)
    func corruptKeyRowsFailClosed(_ backend: StoreBackend) async throws {
        let (keys, database) = try await Self.manager(backend)
        for (column, value) in [("scopes", "[\"text-embeddings\""), ("rate_limits", "{\"per\": 1}"), ("state", "enabled-ish")] {
            let created = try await keys.create(KeyCreation(name: "scoped", credits: 10, scopes: ["text-embeddings"]))
            let authenticator = KeyAuthenticator(store: keys.store)
            _ = try await authenticator.authenticate(created.key, now: Date())
            try await database.execute("UPDATE api_keys SET \(column) = '\(value)' WHERE id = '\(created.record.id)'")
            let fresh = KeyAuthenticator(store: keys.store)
            await #expect(throws: CorruptKeyRecord.self, "corrupt \(column)") { try await fresh.authenticate(created.key, now: Date()) }
        }
        try await keys.store.close()
    }

    @Test("a ledger line of a kind this version does not know is an error when read, never shown as another kind",
          arguments: StoreBackend.all)
    func unknownLedgerKindFailsClosed(_ backend: StoreBackend) async throws {
        let (keys, database) = try await Self.manager(backend)
        let created = try await keys.create(KeyCreation(name: "future", credits: 10))
        // As a newer version might have written it (the schema's own check is what a downgrade meets).
        switch backend {
        case .sqlite:
            try await database.execute("""
                PRAGMA ignore_check_constraints = ON;
                INSERT INTO credit_ledger (key_id, kind, amount, created_at) VALUES ('\(created.record.id)', 'rebate', 0, 0);
                PRAGMA ignore_check_constraints = OFF;
                """)
        case .postgres:
            try await database.execute("ALTER TABLE credit_ledger DROP CONSTRAINT IF EXISTS credit_ledger_kind_check")
            try await database.execute("INSERT INTO credit_ledger (key_id, kind, amount, created_at) VALUES ('\(created.record.id)', 'rebate', 0, 0)")
        }
        await #expect(throws: CorruptLedgerLine.self) { _ = try await keys.store.statement(id: created.record.id, limit: 10) }
        try await keys.store.close()
    }

    @Test("creation returns the secret once; the database file holds only its hash")
    func hashOnlyStorage() async throws {
        let path = Self.temporaryPath()
        let keys = try Self.manager(path: path)
        let created = try await keys.create(KeyCreation(name: "acme", owner: "customer-42", credits: 10))
        let secretPart = String(created.key.dropFirst(APIKeyFormat.prefix.count + APIKeyFormat.displayedSecretCharacters))
        let listing = try await keys.list()
        let encoded = String(decoding: try JSONEncoder().encode(listing), as: UTF8.self)
        #expect(!encoded.contains(secretPart))
        try await keys.store.close()

        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            bytes.append((try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data())
        }
        #expect(bytes.range(of: Data(secretPart.utf8)) == nil)
        #expect(bytes.range(of: Data(created.key.utf8)) == nil)
        #expect(bytes.range(of: Data(APIKeyFormat.hash(of: created.key).bytes)) != nil)
        #expect(bytes.range(of: Data(created.record.displayPrefix.utf8)) != nil)
    }

    @Test("no column of the key's row holds its secret, only its hash", arguments: StoreBackend.all)
    func hashOnlyRows(_ backend: StoreBackend) async throws {
        let (keys, database) = try await Self.manager(backend)
        let created = try await keys.create(KeyCreation(name: "acme", owner: "customer-42", credits: 10))
        let secretPart = String(created.key.dropFirst(APIKeyFormat.prefix.count + APIKeyFormat.displayedSecretCharacters))
        try await keys.store.close()
        let rowText = backend == .postgres ? "k::text" : "k.id || k.display_prefix || k.name || k.owner || k.scopes || k.rate_limits || k.metadata"
        #expect(try await database.integer("SELECT COUNT(*) FROM api_keys k WHERE \(rowText) LIKE '%\(secretPart)%'") == 0)
        #expect(try await database.integer("SELECT COUNT(*) FROM api_keys") == 1)
    }

    @Test("reservations refuse to go negative under concurrency: 2,000 tries on 1,000 credits reserve exactly 1,000",
          arguments: StoreBackend.all)
    func concurrentReservations(_ backend: StoreBackend) async throws {
        let (keys, database) = try await Self.manager(backend)
        let key = try await keys.create(KeyCreation(name: "burst", credits: 1000))
        let store = keys.store
        let reserved = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<2000 {
                group.addTask { try await Self.reserveAndSettle(store, key: key.record.id, millis: 1000, commit: true) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(reserved == 1000)
        #expect(try await store.balance(id: key.record.id) == .zero)
        try await store.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("a key's statement is one snapshot: its balance is the sum of the lines shown, even while requests settle", arguments: StoreBackend.all)
    func statementIsConsistent(_ backend: StoreBackend) async throws {
        let (keys, _) = try await Self.manager(backend)
        let key = try await keys.create(KeyCreation(name: "busy", credits: 500))
        let store = keys.store
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<400 {
                group.addTask {
                    _ = try await Self.reserveAndSettle(store, key: key.record.id, millis: 500, commit: i % 2 == 0)
                    return 0
                }
            }
            group.addTask {
                var mismatches = 0
                // (Fewer on PostgreSQL: decoding long statements is slow in debug builds.)
                for _ in 0..<(backend == .postgres ? 40 : 200) {
                    let details = try await keys.show(id: key.record.id, ledgerLimit: 100_000)
                    let sum = (details.ledger ?? []).reduce(Int64(0)) { $0 + $1.amount.millis }
                    if sum != details.balance.millis { mismatches += 1 }
                }
                return mismatches
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        try await store.close()
    }

    @Test("a settlement happens once: commit after release (or twice) changes nothing", arguments: StoreBackend.all)
    func settleOnce(_ backend: StoreBackend) async throws {
        let (keys, _) = try await Self.manager(backend)
        let key = try await keys.create(KeyCreation(name: "once", credits: 5))
        let store = keys.store
        guard case .reserved(let r) = try await store.reserve(id: key.record.id, amount: Credits(millis: 2000), endpoint: "e", now: Date()) else {
            Issue.record("not reserved"); return
        }
        #expect(try await store.spendable(id: key.record.id) == Credits(3))
        let usage = UsageEntry(keyID: r.keyID, endpoint: "e", status: 502, credits: .zero, latencySeconds: 0.1, time: Date())
        try await store.settle(r, commit: false, usage: usage)
        try await store.settle(r, commit: true, usage: usage)
        try await store.settle(r, commit: false, usage: usage)
        #expect(try await store.spendable(id: key.record.id) == Credits(5))
        #expect(try await store.balance(id: key.record.id) == Credits(5))
        let kinds = try await store.ledger(id: key.record.id, limit: 10).map(\.kind)
        // Holds in memory write nothing for a release; durable ones write the hold and its release.
        #expect(kinds == (backend == .sqlite ? [.grant] : [.release, .reservation, .grant]))
        let requests = try await store.usage(id: key.record.id, since: .distantPast).reduce(0) { $0 + $1.requests }
        #expect(requests == 1, "the repeated settlements logged nothing")
        try await store.close()
    }

    @Test("after a crash with requests in flight, reopening leaves nothing held or charged and the ledger adds up",
          arguments: StoreBackend.all)
    func crashRecovery(_ backend: StoreBackend) async throws {
        let database = try await TestDatabase.make(backend)
        do {
            let stores = try await database.open()
            let keys = KeyManager(store: stores.keys, clock: ManualNodeClock())
            let key = try await keys.create(KeyCreation(name: "crash", credits: 10))
            #expect(try await keys.store.releaseOpenReservations(now: Date()) == 0)  // (PostgreSQL: registers the instance)
            for _ in 0..<3 {
                _ = try await keys.store.reserve(id: key.record.id, amount: Credits(millis: 1500), endpoint: "e", now: Date())
            }
            // The process "dies" here: no settlement. (On PostgreSQL its pool stops without
            // leaving, and its heartbeat goes stale: that is how other instances know it died.)
            #expect(try await keys.store.spendable(id: key.record.id) == Credits(5.5))
            if let store = keys.store as? PostgresKeyStore {
                await store.storage.close()
                try await database.execute("UPDATE organic_instances SET heartbeat_at = heartbeat_at - 3600")
            }
        }
        let reopened = try await database.open().keys
        // Durable holds are released by the next start; holds in memory died with the process.
        #expect(try await reopened.releaseOpenReservations(now: Date()) == (backend == .sqlite ? 0 : 3))
        #expect(try await reopened.releaseOpenReservations(now: Date()) == 0)
        let id = try #require(try await reopened.keys().first?.id)
        #expect(try await reopened.balance(id: id) == Credits(10))
        #expect(try await reopened.spendable(id: id) == Credits(10))
        if backend == .sqlite { #expect(try await reopened.ledger(id: id, limit: 10).map(\.kind) == [.grant]) }
        try await reopened.close()
        #expect(try await database.ledgerIsConsistent())
    }

    @Test("top-ups, refunds and adjustments are ledger entries; the balance never goes below zero", arguments: StoreBackend.all)
    func ledger(_ backend: StoreBackend) async throws {
        let (keys, _) = try await Self.manager(backend)
        let id = try await keys.create(KeyCreation(name: "ledger", credits: 1)).record.id
        #expect(try await keys.credit(id: id, amount: 2.5, note: "top-up").balance == Credits(3.5))
        #expect(try await keys.credit(id: id, amount: 1, note: "sorry", refund: true).entry.kind == .refund)
        #expect(try await keys.credit(id: id, amount: -4.5, note: "correction").balance == .zero)
        await #expect(throws: APIError.self) { try await keys.credit(id: id, amount: -0.001, note: nil) }
        await #expect(throws: APIError.self) { try await keys.credit(id: "key_nope'; DROP TABLE api_keys;--", amount: 1, note: nil) }
        let ledger = try await keys.show(id: id).ledger ?? []
        #expect(ledger.map(\.kind) == [.adjustment, .refund, .grant, .grant])
        #expect(ledger.reduce(Int64(0)) { $0 + $1.amount.millis } == 0)
        try await keys.store.close()
    }

    @Test("automatic refill tops the balance up once per UTC day", arguments: StoreBackend.all)
    func refill(_ backend: StoreBackend) async throws {
        let clock = ManualNodeClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let (keys, _) = try await Self.manager(backend, clock: clock)
        let id = try await keys.create(KeyCreation(name: "refill", refill: CreditRefill(amount: Credits(millis: 3000), period: .day))).record.id
        var served = 0
        while case .reserved = try await keys.store.reserve(id: id, amount: Credits(millis: 1000), endpoint: "e", now: clock.now()) { served += 1 }
        #expect(served == 3)
        clock.advance(by: .seconds(86_400))
        while case .reserved = try await keys.store.reserve(id: id, amount: Credits(millis: 1000), endpoint: "e", now: clock.now()) { served += 1 }
        #expect(served == 6)
        #expect(try await keys.store.ledger(id: id, limit: 100).filter { $0.kind == .autoRefill }.count == 2)
        try await keys.store.close()
    }

    @Test("bad settings are refused with the field named", arguments: StoreBackend.all)
    func validation(_ backend: StoreBackend) async throws {
        let (keys, _) = try await Self.manager(backend)
        for (creation, field) in [(KeyCreation(name: " "), "name"), (KeyCreation(name: "a", credits: -1), "credits"),
                                  (KeyCreation(name: "a", rateLimits: ["10/fortnight"]), "rateLimits"),
                                  (KeyCreation(name: "a", expiresInSeconds: -5), "expiresInSeconds")] {
            do {
                _ = try await keys.create(creation)
                Issue.record("accepted \(creation)")
            } catch let error as APIError {
                #expect(error.field == field)
            }
        }
        // Unicode and SQL-looking text are stored as given, never interpreted.
        let odd = try await keys.create(KeyCreation(name: "Ωmega'); DROP TABLE api_keys; --", owner: "名前"))
        #expect(try await keys.show(id: odd.record.id).record.name == "Ωmega'); DROP TABLE api_keys; --")
        try await keys.store.close()
    }
}
