package import Foundation
import GRDB

/// Keys, ledger and usage in the node's SQLite database (WAL). Every statement is
/// parameterised; balances change only inside write transactions together with their ledger line.
/// Paid requests hold credits in memory (``CreditHolds``): this node alone writes the file
/// (`organic keys` goes through its admin API while it runs).
package struct SQLiteKeyStore: KeyStore {
    let database: SQLiteDatabase
    let reservations = ReservationQueue()

    package init(database: SQLiteDatabase) {
        self.database = database
    }

    package func insert(_ record: APIKeyRecord, digest: KeyDigest, initialCredits: Credits, now: Date) async throws {
        try await writeLedger { db, ledger in
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
                _ = try ledger.append(keyID: record.id, kind: .grant, amount: initialCredits, note: "initial credits", now: now)
            }
        }
    }

    package func key(id: String) async throws -> APIKeyRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    package func key(digest: KeyDigest) async throws -> APIKeyRecord? {
        try await database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE key_hash = ?", arguments: [Data(digest.bytes)]).map(Self.record)
        }
    }

    package func keys() async throws -> [APIKeyRecord] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.record)
        }
    }

    package func update(_ record: APIKeyRecord) async throws {
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
        // Its refill may have changed: the next hold reads the account again.
        database.holds.invalidate(record.id)
    }

    package func replaceSecret(id: String, digest: KeyDigest, displayPrefix: String) async throws {
        try await database.pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET key_hash = ?, display_prefix = ? WHERE id = ?",
                           arguments: [Data(digest.bytes), displayPrefix, id])
            guard db.changesCount == 1 else { throw KeyStoreError.notFound }
        }
    }

    package func balance(id: String) async throws -> Credits {
        try await database.pool.read { db in
            guard let millis = try Int64.fetchOne(db, sql: "SELECT balance FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw KeyStoreError.notFound
            }
            return Credits(millis: millis)
        }
    }

    package func addCredits(id: String, amount: Credits, kind: LedgerEntry.Kind, note: String?, actor: String?, now: Date) async throws -> LedgerEntry {
        try await writeLedger { _, ledger in
            try ledger.adjust(keyID: id, kind: kind, amount: amount, note: note, actor: actor, now: now)
        }
    }

    package func ledger(id: String, limit: Int) async throws -> [LedgerEntry] {
        try await database.pool.read { db in try Self.ledger(db, id: id, limit: limit) }
    }

    package func statement(id: String, limit: Int) async throws -> (balance: Credits, ledger: [LedgerEntry]) {
        try await database.pool.read { db in  // one read transaction: one snapshot
            guard let millis = try Int64.fetchOne(db, sql: "SELECT balance FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw KeyStoreError.notFound
            }
            return (Credits(millis: millis), try Self.ledger(db, id: id, limit: limit))
        }
    }

    static func ledger(_ db: Database, id: String, limit: Int) throws -> [LedgerEntry] {
        try Row.fetchAll(db, sql: "SELECT \(ledgerColumns) FROM credit_ledger WHERE key_id = ? ORDER BY id DESC LIMIT ?", arguments: [id, limit])
            .map { row throws(CorruptLedgerLine) in try Self.entry(row) }
    }

    /// A hold is decided in memory (``CreditHolds``) when the key's account is current. Otherwise
    /// (its first hold since the node started, a refill due, changed settings) the writer reads the
    /// account first. Those reads are group-committed: every caller queues its request, and a writer
    /// block is scheduled unless one already is; the block takes what is queued (at most
    /// ``ReservationQueue/maxBatch``), reads their accounts and applies due refills in one
    /// transaction, then decides the holds in queue order (each refusing to go negative on its
    /// own), and schedules the next block if more came meanwhile.
    package func reserve(id: String, amount: Credits, endpoint: String, now: Date) async throws -> ReservationOutcome {
        if let outcome = database.holds.holdIfCurrent(keyID: id, amount: amount, now: now) { return outcome }
        return try await withCheckedThrowingContinuation { continuation in
            if reservations.append(.init(id: id, amount: amount, now: now, continuation: continuation)) {
                Self.scheduleReservations(reservations, holds: database.holds, on: database.pool)
            }
        }
    }

    /// One turn of the reservation writer: a batch, then the next turn if more are queued.
    static func scheduleReservations(_ reservations: ReservationQueue, holds: CreditHolds, on pool: DatabasePool) {
        pool.asyncWriteWithoutTransaction { db in
            Self.reserve(reservations.take(), holds: holds, in: db)
            if reservations.continueTurn() { scheduleReservations(reservations, holds: holds, on: pool) }
        }
    }

    /// Reads the accounts of `batch` (applying due refills) in one transaction, then decides
    /// their holds and resumes their callers.
    static func reserve(_ batch: [ReservationQueue.Waiter], holds: CreditHolds, in db: Database) {
        guard !batch.isEmpty else { return }
        let known: [Bool]
        do {
            known = try transaction(db, holds: holds) { _, ledger in
                try batch.map { try ledger.prepareHold(keyID: $0.id, now: $0.now) }
            }
        } catch {
            for waiter in batch { waiter.continuation.resume(throwing: error) }
            return
        }
        for (waiter, known) in zip(batch, known) {
            waiter.continuation.resume(returning: known ? holds.hold(keyID: waiter.id, amount: waiter.amount) : .unknownKey)
        }
    }

    /// One write transaction of credit lines on the writer; the holds learn what it moved.
    func writeLedger<T: Sendable>(_ body: @escaping @Sendable (Database, inout SQLiteLedgerWriter) throws -> T) async throws -> T {
        try await database.pool.writeWithoutTransaction { [holds = database.holds] db in
            try Self.transaction(db, holds: holds, body)
        }
    }

    /// Runs `body` in a transaction, then tells the holds it committed or rolled back.
    static func transaction<T>(_ db: Database, holds: CreditHolds, _ body: (Database, inout SQLiteLedgerWriter) throws -> T) throws -> T {
        var ledger = SQLiteLedgerWriter(db, holds: holds)
        var result: T?
        do {
            try db.inTransaction {
                result = try body(db, &ledger)
                try ledger.finish()
                return .commit
            }
        } catch {
            ledger.rolledBack()
            throw error
        }
        ledger.committed()
        guard let result else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the ledger transaction did not run") }
        return result
    }

    package func settle(_ reservation: CreditReservation, commit: Bool, charged: Credits?, usage: UsageEntry) async throws {
        try await settle(batch: [Settlement(reservation: reservation, commit: commit, charged: charged, usage: usage)])
    }

    package func log(_ usage: UsageEntry) async throws {
        try await settle(batch: [Settlement(reservation: nil, commit: false, usage: usage)])
    }

    package func settle(batch: [Settlement]) async throws {
        try await withCheckedThrowingContinuation { (written: CheckedContinuation<Void, any Error>) in
            settle(batch: batch) { error in
                if let error { written.resume(throwing: error) } else { written.resume() }
            }
        }
    }

    /// On the writer's queue, which then runs `completion` too.
    package func settle(batch: [Settlement], then completion: @escaping @Sendable ((any Error)?) -> Void) {
        database.pool.asyncWriteWithoutTransaction { [holds = database.holds] db in
            do {
                try Self.transaction(db, holds: holds) { _, ledger in
                    for settlement in batch { try ledger.settle(settlement) }
                }
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    package func usage(id: String, since: Date) async throws -> [UsageSummary] {
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
            return try SQLiteRetention.addingDailyUsage(to: summaries, db, keyID: id, since: since)
        }
    }

    package func heldInMemory(id: String) async throws -> Credits? {
        Credits(millis: database.holds.held(by: id))
    }

    package func releaseOpenReservations(now: Date) async throws -> Int {
        try await writeLedger { db, ledger in
            let open = try Row.fetchAll(db, sql: "SELECT reservation_id, key_id, amount FROM open_reservations")
            for row in open {
                _ = try ledger.releaseStored(reservationID: row["reservation_id"], keyID: row["key_id"], amount: Credits(millis: row["amount"]),
                                             now: now, note: "released at startup: the node stopped before the request finished")
            }
            return open.count
        }
    }

    package func close() async throws {
        try database.close()
    }

    // MARK: - Internals

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

    /// The columns ``entry(_:)`` reads, in its order.
    static let ledgerColumns = "id, key_id, kind, amount, reservation_id, endpoint, note, actor, created_at"

    /// A ledger line selected as ``ledgerColumns``, read by position: by name, GRDB searches the
    /// row's columns case-insensitively for each one (12% of reading a long statement).
    static func entry(_ row: Row) throws(CorruptLedgerLine) -> LedgerEntry {
        let stored: String = row[2]
        guard let kind = LedgerEntry.Kind(rawValue: stored) else { throw CorruptLedgerLine(id: row[0], kind: stored) }
        return LedgerEntry(id: row[0], keyID: row[1], kind: kind, amount: Credits(millis: row[3]), reservationID: row[4], endpoint: row[5],
                           note: row[6], actor: row[7], createdAt: Date(timeIntervalSince1970: row[8]))
    }
}

/// Holds waiting for the writer to read their keys' accounts (group-committed), and whether a
/// writer block is scheduled to take them.
final class ReservationQueue: Sendable {
    struct Waiter: Sendable {
        var id: String
        var amount: Credits
        var now: Date
        var continuation: CheckedContinuation<ReservationOutcome, any Error>
    }

    /// Reservations decided per transaction at most.
    static let maxBatch = 512

    private let queued = Locked<(waiters: [Waiter], scheduled: Bool)>(([], false))

    /// Queues `waiter`; returns true when the caller must schedule a writer block (none is).
    func append(_ waiter: Waiter) -> Bool {
        queued.withLock { queued in
            queued.waiters.append(waiter)
            defer { queued.scheduled = true }
            return !queued.scheduled
        }
    }

    /// The oldest queued waiters, at most ``maxBatch``.
    func take() -> [Waiter] {
        queued.withLock { queued in
            let taken = Array(queued.waiters.prefix(Self.maxBatch))
            queued.waiters.removeFirst(taken.count)
            return taken
        }
    }

    /// After a batch: true when more are queued (the block must schedule the next turn); false
    /// (and no block scheduled any more) when none is.
    func continueTurn() -> Bool {
        queued.withLock { queued in
            if queued.waiters.isEmpty { queued.scheduled = false }
            return queued.scheduled
        }
    }
}

/// A ledger line whose kind this version does not know: read as an error, never as some other
/// kind (a statement that guessed would misstate where credits went).
struct CorruptLedgerLine: Error, CustomStringConvertible {
    var id: Int64
    var kind: String
    var description: String { "credit_ledger line \(id): unknown kind '\(kind)'" }
}

/// A key row that cannot be read. The key is refused (never read with defaults), and the
/// operator sees which column of which key to repair.
struct CorruptKeyRecord: Error, CustomStringConvertible {
    var keyID: String
    var column: String
    var description: String { "api_keys row \(keyID): column \(column) cannot be decoded; the key is refused until it is repaired" }
}
