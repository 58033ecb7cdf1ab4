public import Foundation
import GRDB

/// Keys, ledger and usage in the node's SQLite database (WAL). Every statement is
/// parameterised; balances change only inside write transactions together with their ledger line.
public struct SQLiteKeyStore: KeyStore {
    let database: SQLiteDatabase
    let reservations = ReservationQueue()

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insert(_ record: APIKeyRecord, digest: KeyDigest, initialCredits: Credits, now: Date) async throws {
        try await database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, key_hash, display_prefix, name, owner, created_at, last_used_at, expires_at, state,
                                      scopes, rate_limits, max_concurrent, unlimited, refill_amount, refill_period, refilled_at,
                                      metadata, balance)
                VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 0)
                """, arguments: [record.id, Data(digest.bytes), record.displayPrefix, record.name, record.owner,
                                 record.createdAt.timeIntervalSince1970, record.expiresAt?.timeIntervalSince1970, record.state.rawValue,
                                 try Self.json(record.scopes), try Self.json(record.rateLimits), record.maxConcurrent,
                                 record.unlimitedCredits, record.refill?.amount.millis, record.refill?.period.rawValue,
                                 try Self.json(record.metadata)])
            if initialCredits.millis > 0 {
                _ = try Self.append(db, keyID: record.id, kind: .grant, amount: initialCredits, note: "initial credits", now: now)
            }
        }
    }

    public func key(id: String) async throws -> APIKeyRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    public func key(digest: KeyDigest) async throws -> APIKeyRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE key_hash = ?", arguments: [Data(digest.bytes)]).map(Self.record)
        }
    }

    public func keys() async throws -> [APIKeyRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.record)
        }
    }

    public func update(_ record: APIKeyRecord) async throws {
        try await database.pool.write { db in
            try db.execute(sql: """
                UPDATE api_keys SET name = ?, owner = ?, expires_at = ?, state = ?, scopes = ?, rate_limits = ?,
                                    max_concurrent = ?, unlimited = ?, refill_amount = ?, refill_period = ?, metadata = ?
                WHERE id = ?
                """, arguments: [record.name, record.owner, record.expiresAt?.timeIntervalSince1970, record.state.rawValue,
                                 try Self.json(record.scopes), try Self.json(record.rateLimits), record.maxConcurrent,
                                 record.unlimitedCredits, record.refill?.amount.millis, record.refill?.period.rawValue,
                                 try Self.json(record.metadata), record.id])
            guard db.changesCount == 1 else { throw KeyStoreError.notFound }
        }
    }

    public func replaceSecret(id: String, digest: KeyDigest, displayPrefix: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET key_hash = ?, display_prefix = ? WHERE id = ?",
                           arguments: [Data(digest.bytes), displayPrefix, id])
            guard db.changesCount == 1 else { throw KeyStoreError.notFound }
        }
    }

    public func balance(id: String) async throws -> Credits {
        try await database.pool.read { db in
            guard let millis = try Int64.fetchOne(db, sql: "SELECT balance FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw KeyStoreError.notFound
            }
            return Credits(millis: millis)
        }
    }

    public func addCredits(id: String, amount: Credits, kind: LedgerEntry.Kind, note: String?, actor: String?, now: Date) async throws -> LedgerEntry {
        try await database.pool.write { db in
            guard let balance = try Int64.fetchOne(db, sql: "SELECT balance FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw KeyStoreError.notFound
            }
            guard balance + amount.millis >= 0 else { throw KeyStoreError.insufficientCredits(balance: Credits(millis: balance)) }
            return try Self.append(db, keyID: id, kind: kind, amount: amount, note: note, actor: actor, now: now)
        }
    }

    public func ledger(id: String, limit: Int) async throws -> [LedgerEntry] {
        try await database.pool.read { db in try Self.ledger(db, id: id, limit: limit) }
    }

    public func statement(id: String, limit: Int) async throws -> (balance: Credits, ledger: [LedgerEntry]) {
        try await database.pool.read { db in  // one read transaction: one snapshot
            guard let millis = try Int64.fetchOne(db, sql: "SELECT balance FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw KeyStoreError.notFound
            }
            return (Credits(millis: millis), try Self.ledger(db, id: id, limit: limit))
        }
    }

    static func ledger(_ db: Database, id: String, limit: Int) throws -> [LedgerEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM credit_ledger WHERE key_id = ? ORDER BY id DESC LIMIT ?", arguments: [id, limit])
            .map(Self.entry)
    }

    /// Reservations are group-committed: every caller queues its request and schedules a writer
    /// block; the first block to run takes everything queued and decides it in one transaction,
    /// in queue order (each refusing to go negative on its own), so that concurrent requests
    /// share one commit instead of paying for one each.
    public func reserve(id: String, amount: Credits, endpoint: String, now: Date) async throws -> ReservationOutcome {
        try await withCheckedThrowingContinuation { continuation in
            reservations.append(.init(id: id, amount: amount, endpoint: endpoint, now: now, continuation: continuation))
            database.pool.asyncWriteWithoutTransaction { [reservations] db in
                let batch = reservations.drain()
                guard !batch.isEmpty else { return }
                var outcomes: [ReservationOutcome] = []
                do {
                    try db.inTransaction {
                        outcomes = try batch.map { try Self.reserveOne(db, id: $0.id, amount: $0.amount, endpoint: $0.endpoint, now: $0.now) }
                        return .commit
                    }
                } catch {
                    for waiter in batch { waiter.continuation.resume(throwing: error) }
                    return
                }
                for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
            }
        }
    }

    static func reserveOne(_ db: Database, id: String, amount: Credits, endpoint: String, now: Date) throws -> ReservationOutcome {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT balance, refill_amount, refill_period, refilled_at FROM api_keys WHERE id = ?
            """, arguments: [id]) else { return .unknownKey }
        var balance: Int64 = row["balance"]
        if let refillMillis: Int64 = row["refill_amount"], let period = (row["refill_period"] as String?).flatMap({ CreditRefill.Period(rawValue: $0) }) {
            let periodStart = Self.start(of: period, containing: now)
            let last: Double? = row["refilled_at"]
            if last.map({ $0 < periodStart.timeIntervalSince1970 }) ?? true {
                if refillMillis > balance {
                    _ = try Self.append(db, keyID: id, kind: .autoRefill, amount: Credits(millis: refillMillis - balance),
                                        note: "\(period.rawValue)ly refill", now: now)
                    balance = refillMillis
                }
                try db.execute(sql: "UPDATE api_keys SET refilled_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
            }
        }
        guard balance >= amount.millis else { return .insufficient(balance: Credits(millis: balance)) }
        let entry = try Self.append(db, keyID: id, kind: .reservation, amount: Credits(millis: -amount.millis), endpoint: endpoint,
                                    note: nil, now: now)
        try db.execute(sql: "INSERT INTO open_reservations (reservation_id, key_id, amount) VALUES (?, ?, ?)",
                       arguments: [entry.id, id, amount.millis])
        return .reserved(CreditReservation(id: entry.id, keyID: id, amount: amount))
    }

    public func settle(_ reservation: CreditReservation, commit: Bool, charged: Credits?, usage: UsageEntry) async throws {
        try await database.pool.write { db in
            // A repeated settlement is the same request: it is not logged again.
            guard try Self.settle(db, reservationID: reservation.id, keyID: reservation.keyID, amount: reservation.amount, commit: commit,
                                  charged: charged, now: usage.time) else { return }
            try Self.insert(db, usage)
        }
    }

    public func log(_ usage: UsageEntry) async throws {
        try await database.pool.write { db in try Self.insert(db, usage) }
    }

    public func settle(batch: [Settlement]) async throws {
        try await database.pool.write { db in
            for settlement in batch {
                if let reservation = settlement.reservation {
                    guard try Self.settle(db, reservationID: reservation.id, keyID: reservation.keyID, amount: reservation.amount,
                                          commit: settlement.commit, charged: settlement.charged, now: settlement.usage.time) else { continue }
                }
                try Self.insert(db, settlement.usage)
            }
        }
    }

    public func usage(id: String, since: Date) async throws -> [UsageSummary] {
        try await database.pool.read { db in
            var summaries = try Row.fetchAll(db, sql: """
                SELECT date(created_at, 'unixepoch') AS day, endpoint, COUNT(*) AS requests,
                       SUM(CASE WHEN status BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS successes,
                       SUM(credits) AS credits, AVG(latency_seconds) AS latency
                FROM usage_log WHERE key_id = ? AND created_at >= ?
                GROUP BY day, endpoint ORDER BY day, endpoint
                """, arguments: [id, since.timeIntervalSince1970]).map { row in
                UsageSummary(day: row["day"], endpoint: row["endpoint"], requests: row["requests"], successes: row["successes"],
                             credits: Credits(millis: row["credits"]), meanLatencySeconds: row["latency"] ?? 0, units: [:])
            }
            let units = try Row.fetchAll(db, sql: """
                SELECT date(l.created_at, 'unixepoch') AS day, l.endpoint, u.unit, SUM(u.quantity) AS quantity
                FROM usage_log l JOIN usage_units u ON u.usage_id = l.id
                WHERE l.key_id = ? AND l.created_at >= ?
                GROUP BY day, l.endpoint, u.unit
                """, arguments: [id, since.timeIntervalSince1970])
            for row in units {
                let day: String = row["day"], endpoint: String = row["endpoint"]
                if let index = summaries.firstIndex(where: { $0.day == day && $0.endpoint == endpoint }) {
                    summaries[index].units[row["unit"]] = row["quantity"]
                }
            }
            return summaries
        }
    }

    public func releaseOpenReservations(now: Date) async throws -> Int {
        try await database.pool.write { db in
            let open = try Row.fetchAll(db, sql: "SELECT reservation_id, key_id, amount FROM open_reservations")
            for row in open {
                try Self.settle(db, reservationID: row["reservation_id"], keyID: row["key_id"], amount: Credits(millis: row["amount"]),
                                commit: false, now: now, note: "released at startup: the node stopped before the request finished")
            }
            return open.count
        }
    }

    public func close() async throws {
        try database.close()
    }

    // MARK: - Internals

    /// Settles the reservation unless it already was; returns whether it did.
    @discardableResult
    static func settle(_ db: Database, reservationID: Int64, keyID: String, amount: Credits, commit: Bool, charged: Credits? = nil,
                       now: Date, note: String? = nil) throws -> Bool {
        try db.execute(sql: "DELETE FROM open_reservations WHERE reservation_id = ?", arguments: [reservationID])
        // Already settled (never twice).
        guard db.changesCount == 1 else { return false }
        // A commit gives back what the request did not use of its hold; a release gives back all.
        let unused = Credits(millis: max(amount.millis - min(max(charged?.millis ?? amount.millis, 0), amount.millis), 0))
        let note = note ?? (commit && unused.millis > 0 ? "charged \(Credits(millis: amount.millis - unused.millis)) of \(amount) held" : nil)
        _ = try append(db, keyID: keyID, kind: commit ? .commit : .release, amount: commit ? unused : amount,
                       reservationID: reservationID, note: note, now: now)
        if commit {
            try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, keyID])
        }
        return true
    }

    /// Appends a ledger line and moves the cached balance by the same amount.
    static func append(_ db: Database, keyID: String, kind: LedgerEntry.Kind, amount: Credits, reservationID: Int64? = nil,
                       endpoint: String? = nil, note: String?, actor: String? = nil, now: Date) throws -> LedgerEntry {
        try db.execute(sql: """
            INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [keyID, kind.rawValue, amount.millis, reservationID, endpoint, note, actor, now.timeIntervalSince1970])
        let id = db.lastInsertedRowID
        if amount.millis != 0 {
            try db.execute(sql: "UPDATE api_keys SET balance = balance + ? WHERE id = ?", arguments: [amount.millis, keyID])
        }
        return LedgerEntry(id: id, keyID: keyID, kind: kind, amount: amount, reservationID: reservationID, endpoint: endpoint,
                           note: note, actor: actor, createdAt: now)
    }

    static func insert(_ db: Database, _ usage: UsageEntry) throws {
        try db.execute(sql: """
            INSERT INTO usage_log (key_id, endpoint, status, credits, latency_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [usage.keyID, usage.endpoint, usage.status, usage.credits.millis, usage.latencySeconds,
                             usage.time.timeIntervalSince1970])
        guard !usage.units.isEmpty else { return }
        let id = db.lastInsertedRowID
        for (unit, quantity) in usage.units.units.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "INSERT INTO usage_units (usage_id, unit, quantity) VALUES (?, ?, ?)", arguments: [id, unit, quantity])
        }
    }

    /// Start of the UTC day or month that contains `date`.
    static func start(of period: CreditRefill.Period, containing date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components: Set<Calendar.Component> = period == .day ? [.year, .month, .day] : [.year, .month]
        return calendar.date(from: calendar.dateComponents(components, from: date)) ?? date
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A JSON column's value; nil for SQL NULL. A value that does not decode throws: key rows
    /// carry scopes and limits, and a corrupt one must not read as "none" (which means "all").
    static func decode<T: Decodable>(_ type: T.Type, _ text: String?, column: String, id: String) throws(CorruptKeyRecord) -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw CorruptKeyRecord(keyID: id, column: column)
        }
    }

    static func record(_ row: Row) throws(CorruptKeyRecord) -> APIKeyRecord {
        let id: String = row["id"]
        guard let state = APIKeyRecord.State(rawValue: row["state"]) else { throw CorruptKeyRecord(keyID: id, column: "state") }
        let refill: CreditRefill? = {
            guard let millis: Int64 = row["refill_amount"], let period = (row["refill_period"] as String?).flatMap({ CreditRefill.Period(rawValue: $0) }) else {
                return nil
            }
            return CreditRefill(amount: Credits(millis: millis), period: period)
        }()
        return APIKeyRecord(
            id: row["id"], name: row["name"], owner: row["owner"], displayPrefix: row["display_prefix"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastUsedAt: (row["last_used_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            state: state,
            scopes: try decode([String].self, row["scopes"], column: "scopes", id: id) ?? [],
            rateLimits: try decode([RateLimitRule].self, row["rate_limits"], column: "rate_limits", id: id) ?? [],
            maxConcurrent: row["max_concurrent"], unlimitedCredits: row["unlimited"], refill: refill,
            metadata: try decode([String: String].self, row["metadata"], column: "metadata", id: id) ?? [:])
    }

    static func entry(_ row: Row) -> LedgerEntry {
        LedgerEntry(id: row["id"], keyID: row["key_id"], kind: LedgerEntry.Kind(rawValue: row["kind"]) ?? .adjustment,
                    amount: Credits(millis: row["amount"]), reservationID: row["reservation_id"], endpoint: row["endpoint"],
                    note: row["note"], actor: row["actor"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}

/// Reservations waiting for the next group commit.
final class ReservationQueue: Sendable {
    struct Waiter: Sendable {
        var id: String
        var amount: Credits
        var endpoint: String
        var now: Date
        var continuation: CheckedContinuation<ReservationOutcome, any Error>
    }

    private let waiters = Locked<[Waiter]>([])

    func append(_ waiter: Waiter) {
        waiters.withLock { $0.append(waiter) }
    }

    func drain() -> [Waiter] {
        waiters.withLock { queue in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
    }
}

/// A key row that cannot be read. The key is refused (never read with defaults), and the
/// operator sees which column of which key to repair.
struct CorruptKeyRecord: Error, CustomStringConvertible {
    var keyID: String
    var column: String
    var description: String { "api_keys row \(keyID): column \(column) cannot be decoded; the key is refused until it is repaired" }
}
