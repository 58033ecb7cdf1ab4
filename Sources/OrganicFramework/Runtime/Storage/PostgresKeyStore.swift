import Foundation
import Logging
import PostgresNIO

/// Keys, ledger and usage in a PostgreSQL database shared by several nodes.
///
/// Credits are exact across instances: every balance change is one statement (or one
/// transaction) that moves the balance and writes its ledger line together, and a reservation
/// is a conditional `UPDATE … SET balance = balance - amount WHERE … balance >= amount`, which
/// PostgreSQL serialises on the key's row, so no two instances can spend the same credits.
/// Open reservations belong to the instance that made them (``instanceID``): a starting node
/// releases its own leftovers and those of instances whose heartbeat stopped, never those of a
/// live instance. Settings and secret changes notify `organic_key_changes` (see ``KeyChangeFeed``).
struct PostgresKeyStore: KeyStore {
    let storage: PostgresStorage
    /// This process's identity in `organic_instances` and `open_reservations.owner`.
    let instanceID: String
    /// Seconds without a heartbeat after which an instance counts as dead and its open
    /// reservations are released by the next instance that starts or sweeps.
    static let deadAfterSeconds = 60.0
    static let changeChannel = "organic_key_changes"

    init(storage: PostgresStorage, instanceID: String = UUID().uuidString) {
        self.storage = storage
        self.instanceID = instanceID
    }

    var logger: Logger { storage.logger }

    func insert(_ record: APIKeyRecord, digest: KeyDigest, initialCredits: Credits, now: Date) async throws {
        let scopes = try SQLiteKeyStore.json(record.scopes), limits = try SQLiteKeyStore.json(record.rateLimits)
        let metadata = try SQLiteKeyStore.json(record.metadata)
        try await storage.transaction { connection in
            try await connection.query("""
                INSERT INTO api_keys (id, key_hash, display_prefix, name, owner, created_at, last_used_at, expires_at, state,
                                      scopes, rate_limits, max_concurrent, unlimited, refill_amount, refill_period, refilled_at,
                                      metadata, balance)
                VALUES (\(record.id), \(Data(digest.bytes)), \(record.displayPrefix), \(record.name), \(record.owner),
                        \(record.createdAt.timeIntervalSince1970), NULL, \(record.expiresAt?.timeIntervalSince1970), \(record.state.rawValue),
                        \(scopes), \(limits), \(record.maxConcurrent), \(record.unlimitedCredits), \(record.refill?.amount.millis),
                        \(record.refill?.period.rawValue), NULL, \(metadata), 0)
                """, logger: logger)
            if initialCredits.millis > 0 {
                _ = try await Self.append(connection, logger: logger, keyID: record.id, kind: .grant, amount: initialCredits,
                                          note: "initial credits", now: now)
            }
        }
    }

    func key(id: String) async throws -> APIKeyRecord? {
        try await storage.rows("SELECT * FROM api_keys WHERE id = \(id)").first.map(Self.record)
    }

    func key(digest: KeyDigest) async throws -> APIKeyRecord? {
        try await storage.rows("SELECT * FROM api_keys WHERE key_hash = \(Data(digest.bytes))").first.map(Self.record)
    }

    func keys() async throws -> [APIKeyRecord] {
        try await storage.rows("SELECT * FROM api_keys ORDER BY created_at, id").map(Self.record)
    }

    func update(_ record: APIKeyRecord) async throws {
        let scopes = try SQLiteKeyStore.json(record.scopes), limits = try SQLiteKeyStore.json(record.rateLimits)
        let metadata = try SQLiteKeyStore.json(record.metadata)
        // The notification is delivered when the statement commits, to every listening instance.
        let rows = try await storage.rows("""
            WITH changed AS (
                UPDATE api_keys SET name = \(record.name), owner = \(record.owner), expires_at = \(record.expiresAt?.timeIntervalSince1970),
                                    state = \(record.state.rawValue), scopes = \(scopes), rate_limits = \(limits),
                                    max_concurrent = \(record.maxConcurrent), unlimited = \(record.unlimitedCredits),
                                    refill_amount = \(record.refill?.amount.millis), refill_period = \(record.refill?.period.rawValue),
                                    metadata = \(metadata), changed_at = extract(epoch from clock_timestamp())
                WHERE id = \(record.id) RETURNING id)
            SELECT pg_notify(\(Self.changeChannel), id) FROM changed
            """)
        guard rows.count == 1 else { throw KeyStoreError.notFound }
    }

    func replaceSecret(id: String, digest: KeyDigest, displayPrefix: String) async throws {
        let rows = try await storage.rows("""
            WITH changed AS (
                UPDATE api_keys SET key_hash = \(Data(digest.bytes)), display_prefix = \(displayPrefix),
                                    changed_at = extract(epoch from clock_timestamp())
                WHERE id = \(id) RETURNING id)
            SELECT pg_notify(\(Self.changeChannel), id) FROM changed
            """)
        guard rows.count == 1 else { throw KeyStoreError.notFound }
    }

    func balance(id: String) async throws -> Credits {
        guard let row = try await storage.rows("SELECT balance FROM api_keys WHERE id = \(id)").first else { throw KeyStoreError.notFound }
        return Credits(millis: try row.decode(Int64.self))
    }

    func addCredits(id: String, amount: Credits, kind: LedgerEntry.Kind, note: String?, actor: String?, now: Date) async throws -> LedgerEntry {
        // Conditional on the balance staying ≥ 0, in the same statement as the ledger line.
        let rows = try await storage.rows("""
            WITH moved AS (
                UPDATE api_keys SET balance = balance + \(amount.millis) WHERE id = \(id) AND balance + \(amount.millis) >= 0 RETURNING id),
            line AS (
                INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, actor, created_at)
                SELECT id, \(kind.rawValue), \(amount.millis), NULL, NULL, \(note), \(actor), \(now.timeIntervalSince1970) FROM moved RETURNING id)
            SELECT id FROM line
            """)
        if let row = rows.first {
            return LedgerEntry(id: try row.decode(Int64.self), keyID: id, kind: kind, amount: amount, reservationID: nil, endpoint: nil,
                               note: note, actor: actor, createdAt: now)
        }
        throw KeyStoreError.insufficientCredits(balance: try await balance(id: id))  // notFound when the key is missing
    }

    func ledger(id: String, limit: Int) async throws -> [LedgerEntry] {
        try await storage.rows("""
            SELECT \(unescaped: Self.ledgerColumns) FROM credit_ledger l WHERE key_id = \(id) ORDER BY id DESC LIMIT \(limit)
            """).map { try Self.entry($0) }
    }

    func statement(id: String, limit: Int) async throws -> (balance: Credits, ledger: [LedgerEntry]) {
        // One statement: one snapshot, so the balance is the sum of the lines it returns.
        let rows = try await storage.rows("""
            SELECT k.balance, \(unescaped: Self.ledgerColumns) FROM api_keys k
            LEFT JOIN LATERAL (SELECT * FROM credit_ledger WHERE key_id = k.id ORDER BY id DESC LIMIT \(limit)) l ON true
            WHERE k.id = \(id) ORDER BY l.id DESC
            """)
        guard let first = rows.first else { throw KeyStoreError.notFound }
        let balance = Credits(millis: try first.decode(Int64.self))
        var lines: [LedgerEntry] = []
        for row in rows {
            let columns = try row.decode((Int64, Int64?, String?, String?, Int64?, Int64?, String?, String?, String?, Double?).self)
            guard let lineID = columns.1, let keyID = columns.2, let kind = columns.3, let amount = columns.4, let created = columns.9 else { continue }
            guard let known = LedgerEntry.Kind(rawValue: kind) else { throw CorruptLedgerLine(id: lineID, kind: kind) }
            lines.append(LedgerEntry(id: lineID, keyID: keyID, kind: known, amount: Credits(millis: amount),
                                     reservationID: columns.5, endpoint: columns.6, note: columns.7, actor: columns.8,
                                     createdAt: Date(timeIntervalSince1970: created)))
        }
        return (balance, lines)
    }

    func reserve(id: String, amount: Credits, endpoint: String, now: Date) async throws -> ReservationOutcome {
        // Fast path, one statement: enough credits and no refill due. The UPDATE's condition is
        // checked on the row's latest version under its lock, so no two instances spend the same
        // credits; the final SELECT reports the key as it was (for the refusal's balance).
        let day = SQLiteKeyStore.start(of: .day, containing: now).timeIntervalSince1970
        let month = SQLiteKeyStore.start(of: .month, containing: now).timeIntervalSince1970
        let rows = try await storage.rows("""
            WITH held AS (
                UPDATE api_keys SET balance = balance - \(amount.millis)
                WHERE id = \(id) AND balance >= \(amount.millis)
                  AND (refill_amount IS NULL OR refill_period IS NULL
                       OR refilled_at >= (CASE refill_period WHEN 'day' THEN \(day) WHEN 'month' THEN \(month) END))
                RETURNING id),
            line AS (
                INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, created_at)
                SELECT id, 'reservation', \(-amount.millis), NULL, \(endpoint), NULL, \(now.timeIntervalSince1970) FROM held RETURNING id, key_id),
            open AS (
                INSERT INTO open_reservations (reservation_id, key_id, amount, owner) SELECT id, key_id, \(amount.millis), \(instanceID) FROM line)
            SELECT (SELECT id FROM line) AS reservation, k.balance,
                   (k.refill_amount IS NOT NULL AND k.refill_period IN ('day', 'month')
                    AND (k.refilled_at IS NULL OR k.refilled_at < (CASE k.refill_period WHEN 'day' THEN \(day) ELSE \(month) END))) AS refill_due
            FROM api_keys k WHERE k.id = \(id)
            """)
        guard let row = rows.first else { return .unknownKey }
        let (reservation, balance, refillDue) = try row.decode((Int64?, Int64, Bool).self)
        if let reservation { return .reserved(CreditReservation(id: reservation, keyID: id, amount: amount)) }
        if !refillDue, balance < amount.millis { return .insufficient(balance: Credits(millis: balance)) }
        // Slow path: a refill is due (or the balance moved meanwhile), decided under the row's lock.
        return try await storage.transaction { connection in
            try await reserveLocked(connection, id: id, amount: amount, endpoint: endpoint, now: now)
        }
    }

    func reserveLocked(_ connection: PostgresConnection, id: String, amount: Credits, endpoint: String, now: Date) async throws -> ReservationOutcome {
        guard let row = try await connection.rows("""
            SELECT balance, refill_amount, refill_period, refilled_at FROM api_keys WHERE id = \(id) FOR UPDATE
            """, logger: logger).first else { return .unknownKey }
        var (balance, refillMillis, periodName, last) = try row.decode((Int64, Int64?, String?, Double?).self)
        if let refillMillis, let period = periodName.flatMap(CreditRefill.Period.init(rawValue:)) {
            let periodStart = SQLiteKeyStore.start(of: period, containing: now)
            if last.map({ $0 < periodStart.timeIntervalSince1970 }) ?? true {
                if refillMillis > balance {
                    _ = try await Self.append(connection, logger: logger, keyID: id, kind: .autoRefill, amount: Credits(millis: refillMillis - balance),
                                              note: "\(period.rawValue)ly refill", now: now)
                    balance = refillMillis
                }
                last = now.timeIntervalSince1970
                try await connection.query("UPDATE api_keys SET refilled_at = \(last) WHERE id = \(id)", logger: logger)
            }
        }
        guard balance >= amount.millis else { return .insufficient(balance: Credits(millis: balance)) }
        let entry = try await Self.append(connection, logger: logger, keyID: id, kind: .reservation, amount: Credits(millis: -amount.millis),
                                          endpoint: endpoint, note: nil, now: now)
        try await connection.query("""
            INSERT INTO open_reservations (reservation_id, key_id, amount, owner) VALUES (\(entry.id), \(id), \(amount.millis), \(instanceID))
            """, logger: logger)
        return .reserved(CreditReservation(id: entry.id, keyID: id, amount: amount))
    }

    func settle(_ reservation: CreditReservation, commit: Bool, charged: Credits?, usage: UsageEntry) async throws {
        try await settle(batch: [Settlement(reservation: reservation, commit: commit, charged: charged, usage: usage)])
    }

    func log(_ usage: UsageEntry) async throws {
        try await settle(batch: [Settlement(reservation: nil, commit: false, usage: usage)])
    }

    func usage(id: String, since: Date) async throws -> [UsageSummary] {
        let time = since.timeIntervalSince1970
        var summaries = try await storage.rows("""
            SELECT to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, endpoint, COUNT(*)::bigint AS requests,
                   SUM(CASE WHEN status BETWEEN 200 AND 299 THEN 1 ELSE 0 END)::bigint AS successes,
                   SUM(credits)::bigint AS credits, AVG(latency_seconds)::double precision AS latency
            FROM usage_log WHERE key_id = \(id) AND created_at >= \(time)
            GROUP BY day, endpoint ORDER BY day, endpoint
            """).map { row in
            let (day, endpoint, requests, successes, credits, latency) = try row.decode((String, String, Int, Int, Int64, Double?).self)
            return UsageSummary(day: day, endpoint: endpoint, requests: requests, successes: successes, credits: Credits(millis: credits),
                                meanLatencySeconds: latency ?? 0, units: [:])
        }
        let units = try await storage.rows("""
            SELECT to_char(to_timestamp(l.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, l.endpoint, u.unit,
                   SUM(u.quantity)::bigint AS quantity
            FROM usage_log l JOIN usage_units u ON u.usage_id = l.id
            WHERE l.key_id = \(id) AND l.created_at >= \(time)
            GROUP BY day, l.endpoint, u.unit
            """)
        for row in units {
            let (day, endpoint, unit, quantity) = try row.decode((String, String, String, Int).self)
            if let index = summaries.firstIndex(where: { $0.day == day && $0.endpoint == endpoint }) {
                summaries[index].units[unit] = quantity
            }
        }
        return try await PostgresRetention(storage: storage).addingDailyUsage(to: summaries, keyID: id, since: since)
    }

    /// Marks this instance alive (`organic_instances`), so that others leave its reservations alone.
    func heartbeat() async throws {
        try await storage.client.query("""
            INSERT INTO organic_instances (id, started_at, heartbeat_at)
            VALUES (\(instanceID), extract(epoch from clock_timestamp()), extract(epoch from clock_timestamp()))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """, logger: logger)
    }

    /// Holds are reservation lines here (shared by every instance).
    func heldInMemory(id: String) async throws -> Credits? { nil }

    /// Releases the open reservations of this instance and of every instance whose heartbeat
    /// is older than ``deadAfterSeconds`` (or that never had one), and forgets dead instances.
    func releaseOpenReservations(now: Date) async throws -> Int {
        try await heartbeat()
        return try await release(includingOwn: true, now: now)
    }

    /// Releases only the open reservations of instances whose heartbeat stopped.
    func releaseDeadInstancesReservations(now: Date) async throws -> Int {
        try await release(includingOwn: false, now: now)
    }

    func release(includingOwn: Bool, now: Date) async throws -> Int {
        try await storage.transaction { connection in
            let open = try await connection.rows("""
                DELETE FROM open_reservations o
                WHERE (\(includingOwn) AND o.owner = \(instanceID)) OR NOT EXISTS (
                    SELECT 1 FROM organic_instances i
                    WHERE i.id = o.owner AND i.heartbeat_at >= extract(epoch from clock_timestamp()) - \(Self.deadAfterSeconds))
                RETURNING reservation_id, key_id, amount
                """, logger: logger)
            for row in open {
                let (reservationID, keyID, amount) = try row.decode((Int64, String, Int64).self)
                try await Self.settleReleased(connection, logger: logger, reservationID: reservationID, keyID: keyID, amount: Credits(millis: amount),
                                              now: now, note: "released: the node that held it stopped before the request finished")
            }
            try await connection.query("""
                DELETE FROM organic_instances WHERE heartbeat_at < extract(epoch from clock_timestamp()) - \(Self.deadAfterSeconds * 10)
                """, logger: logger)
            return open.count
        }
    }

    func close() async throws {
        _ = try? await storage.client.query("DELETE FROM organic_instances WHERE id = \(instanceID)", logger: logger)
        await storage.close()
    }

    // MARK: - Statements

    /// A release found at startup (no usage line: the request never finished).
    static func settleReleased(_ connection: PostgresConnection, logger: Logger, reservationID: Int64, keyID: String, amount: Credits,
                               now: Date, note: String) async throws {
        try await connection.query("""
            WITH line AS (
                INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, created_at)
                VALUES (\(keyID), 'release', \(amount.millis), \(reservationID), NULL, \(note), \(now.timeIntervalSince1970)))
            UPDATE api_keys SET balance = balance + \(amount.millis) WHERE id = \(keyID)
            """, logger: logger)
    }

    /// Appends a ledger line and moves the balance by the same amount, in one statement.
    static func append(_ connection: PostgresConnection, logger: Logger, keyID: String, kind: LedgerEntry.Kind, amount: Credits,
                       reservationID: Int64? = nil, endpoint: String? = nil, note: String?, actor: String? = nil, now: Date) async throws -> LedgerEntry {
        let rows = try await connection.rows("""
            WITH moved AS (UPDATE api_keys SET balance = balance + \(amount.millis) WHERE id = \(keyID))
            INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, actor, created_at)
            VALUES (\(keyID), \(kind.rawValue), \(amount.millis), \(reservationID), \(endpoint), \(note), \(actor), \(now.timeIntervalSince1970))
            RETURNING id
            """, logger: logger)
        guard let row = rows.first else { throw KeyStoreError.notFound }
        return LedgerEntry(id: try row.decode(Int64.self), keyID: keyID, kind: kind, amount: amount, reservationID: reservationID,
                           endpoint: endpoint, note: note, actor: actor, createdAt: now)
    }

    // MARK: - Rows

    /// A key row; a column that is missing or does not decode throws (the key is refused, never
    /// read with defaults), as in ``SQLiteKeyStore``.
    static func record(_ row: PostgresRow) throws -> APIKeyRecord {
        let r = row.makeRandomAccess()
        guard r.contains("id") else { throw CorruptKeyRecord(keyID: "?", column: "id") }
        let id = try r["id"].decode(String.self)
        func column<T: PostgresDecodable>(_ name: String, _ type: T.Type) throws(CorruptKeyRecord) -> T {
            // (The subscript traps on an unknown column: checked first.)
            guard r.contains(name) else { throw CorruptKeyRecord(keyID: id, column: name) }
            do { return try r[name].decode(T.self) } catch { throw CorruptKeyRecord(keyID: id, column: name) }
        }
        guard let state = APIKeyRecord.State(rawValue: try column("state", String.self)) else { throw CorruptKeyRecord(keyID: id, column: "state") }
        var refill: CreditRefill?
        if let millis = try column("refill_amount", Int64?.self),
           let period = try column("refill_period", String?.self).flatMap(CreditRefill.Period.init(rawValue:)) {
            refill = CreditRefill(amount: Credits(millis: millis), period: period)
        }
        return APIKeyRecord(
            id: id, name: try column("name", String.self), owner: try column("owner", String.self),
            displayPrefix: try column("display_prefix", String.self),
            createdAt: Date(timeIntervalSince1970: try column("created_at", Double.self)),
            lastUsedAt: try column("last_used_at", Double?.self).map(Date.init(timeIntervalSince1970:)),
            expiresAt: try column("expires_at", Double?.self).map(Date.init(timeIntervalSince1970:)),
            state: state,
            scopes: try SQLiteKeyStore.decode([String].self, try column("scopes", String.self), column: "scopes", id: id) ?? [],
            rateLimits: try SQLiteKeyStore.decode([RateLimitRule].self, try column("rate_limits", String.self), column: "rate_limits", id: id) ?? [],
            maxConcurrent: try column("max_concurrent", Int?.self), unlimitedCredits: try column("unlimited", Bool.self), refill: refill,
            metadata: try SQLiteKeyStore.decode([String: String].self, try column("metadata", String.self), column: "metadata", id: id) ?? [:])
    }

    static let ledgerColumns = "l.id, l.key_id, l.kind, l.amount, l.reservation_id, l.endpoint, l.note, l.actor, l.created_at"

    /// A ledger line selected as ``ledgerColumns``.
    static func entry(_ row: PostgresRow) throws -> LedgerEntry {
        let (id, keyID, kind, amount, reservationID, endpoint, note, actor, created) =
            try row.decode((Int64, String, String, Int64, Int64?, String?, String?, String?, Double).self)
        guard let known = LedgerEntry.Kind(rawValue: kind) else { throw CorruptLedgerLine(id: id, kind: kind) }
        return LedgerEntry(id: id, keyID: keyID, kind: known, amount: Credits(millis: amount),
                           reservationID: reservationID, endpoint: endpoint, note: note, actor: actor, createdAt: Date(timeIntervalSince1970: created))
    }
}
