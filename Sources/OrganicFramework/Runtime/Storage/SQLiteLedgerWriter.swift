import Foundation
import GRDB
import GRDBSQLite

/// The credit side of one SQLite write transaction: ledger lines, settlements and usage lines,
/// written at once with prepared statements kept by the connection; the cached balance and last
/// use of each key touched are written once, by ``finish()``.
///
/// A batch of hundreds of settlements therefore costs a few row inserts each and one update per
/// key, not one parse of every statement and one update of the key row per line. The statements
/// run per line are bound and stepped with SQLite's C API (``LineStatement``): through GRDB's
/// arguments, binding cost more than SQLite's own work.
///
/// Holds of requests in flight live in ``CreditHolds``: the writer keeps them in step, syncing a
/// key's account when it reads the key's row, and telling them what the transaction moved once
/// it commits (``committed()``) or what it held for its own writes once it rolls back
/// (``rolledBack()``).
struct SQLiteLedgerWriter {
    /// A key's credit state as this transaction sees it.
    private struct KeyCredit {
        var balance: Int64
        var refill: (millis: Int64, period: CreditRefill.Period)?
        var refilledAt: Double?
    }

    /// What this transaction changes on a key's row.
    private struct RowChange {
        var balance: Int64 = 0
        var lastUsed: Double?
    }

    let db: Database
    let holds: CreditHolds
    private var keys: [String: KeyCredit] = [:]
    private var changes: [String: RowChange] = [:]
    /// Keys in the order they were first changed (the order their rows are written).
    private var order: [String] = []
    /// Credits no longer held once this transaction commits, per key.
    private var released: [String: Int64] = [:]
    /// Held for this transaction's own writes (given back if it rolls back), per key.
    private var heldForWrites: [String: Int64] = [:]
    /// Refill due dates this transaction writes, per key.
    private var refillsDue: [String: Date?] = [:]

    init(_ db: Database, holds: CreditHolds) {
        self.db = db
        self.holds = holds
    }

    private mutating func credit(_ keyID: String) throws -> KeyCredit? {
        if let known = keys[keyID] { return known }
        let statement = try db.cachedStatement(sql: "SELECT balance, refill_amount, refill_period, refilled_at FROM api_keys WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [keyID]) else { return nil }
        // By position: names cost a case-insensitive search per column.
        let stored: Int64 = row[0]
        var credit = KeyCredit(balance: stored + (changes[keyID]?.balance ?? 0), refilledAt: row[3])
        if let millis: Int64 = row[1], let period = (row[2] as String?).flatMap(CreditRefill.Period.init(rawValue:)) {
            credit.refill = (millis, period)
        }
        keys[keyID] = credit
        // The writer reads the committed row: this transaction's own changes follow at its commit.
        holds.sync(keyID, settled: stored, refillDue: Self.refillDue(credit.refill?.period, refilledAt: credit.refilledAt))
        return credit
    }

    /// When a refill last made at `refilledAt` (never: nil) falls due again; nil without a refill.
    static func refillDue(_ period: CreditRefill.Period?, refilledAt: Double?) -> Date? {
        guard let period else { return nil }
        guard let refilledAt else { return .distantPast }
        let start = SQLiteKeyStore.start(of: period, containing: Date(timeIntervalSince1970: refilledAt))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(byAdding: period == .day ? .day : .month, value: 1, to: start) ?? .distantPast
    }

    /// Appends a ledger line and moves the key's balance by the same amount (written by ``finish()``).
    mutating func append(keyID: String, kind: LedgerEntry.Kind, amount: Credits, reservationID: Int64? = nil,
                         endpoint: String? = nil, note: String?, actor: String? = nil, now: Date) throws -> LedgerEntry {
        let insert = try LineStatement(db, sql: """
            INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, keyID)
        insert.bind(2, kind.rawValue)
        insert.bind(3, amount.millis)
        insert.bind(4, reservationID)
        insert.bind(5, endpoint)
        insert.bind(6, note)
        insert.bind(7, actor)
        insert.bind(8, now.timeIntervalSince1970)
        try insert.run()
        let id = db.lastInsertedRowID
        if amount.millis != 0 {
            change(keyID) { $0.balance += amount.millis }
            keys[keyID]?.balance += amount.millis
        }
        return LedgerEntry(id: id, keyID: keyID, kind: kind, amount: amount, reservationID: reservationID, endpoint: endpoint,
                           note: note, actor: actor, createdAt: now)
    }

    /// An operator's or a provider's line: refuses to take what the key can spend below zero
    /// (credits held by requests in flight included), holding a debit until the line is written.
    mutating func adjust(keyID: String, kind: LedgerEntry.Kind, amount: Credits, note: String?, actor: String?, now: Date) throws -> LedgerEntry {
        guard try credit(keyID) != nil else { throw KeyStoreError.notFound }
        if amount.millis < 0 {
            if let available = holds.holdForWrite(keyID: keyID, amount: -amount.millis) {
                throw KeyStoreError.insufficientCredits(balance: Credits(millis: available))
            }
            heldForWrites[keyID, default: 0] -= amount.millis
            released[keyID, default: 0] -= amount.millis
        }
        return try append(keyID: keyID, kind: kind, amount: amount, note: note, actor: actor, now: now)
    }

    /// Makes the key ready to hold credits: reads its account and, when its automatic refill is
    /// due, tops what it can spend up to the refill's amount. Returns false for an unknown key.
    mutating func prepareHold(keyID: String, now: Date) throws -> Bool {
        guard let credit = try credit(keyID) else { return false }
        guard let refill = credit.refill else { return true }
        let periodStart = SQLiteKeyStore.start(of: refill.period, containing: now).timeIntervalSince1970
        guard credit.refilledAt.map({ $0 < periodStart }) ?? true else { return true }
        let available = (keys[keyID]?.balance ?? credit.balance) - holds.held(by: keyID)
        if refill.millis > available {
            _ = try append(keyID: keyID, kind: .autoRefill, amount: Credits(millis: refill.millis - available),
                           note: "\(refill.period.rawValue)ly refill", now: now)
        }
        try db.cachedStatement(sql: "UPDATE api_keys SET refilled_at = ? WHERE id = ?").execute(arguments: [now.timeIntervalSince1970, keyID])
        keys[keyID]?.refilledAt = now.timeIntervalSince1970
        refillsDue[keyID] = Self.refillDue(refill.period, refilledAt: now.timeIntervalSince1970)
        return true
    }

    /// Settles one finished request and logs it. A commit writes one `charge` line for what the
    /// request used of its hold (none for nothing); a release writes no ledger line. A repeated
    /// settlement is the same request, so it changes and logs nothing.
    mutating func settle(_ settlement: Settlement) throws {
        if let requested = settlement.reservation {
            guard let reservation = holds.take(requested.id) else { return }
            if settlement.commit {
                let line = SettlementLine(amount: reservation.amount, commit: true, charged: settlement.charged)
                if line.charged.millis > 0 {
                    _ = try append(keyID: reservation.keyID, kind: .charge, amount: Credits(millis: -line.charged.millis),
                                   endpoint: settlement.usage.endpoint, note: line.note, now: settlement.usage.time)
                }
                change(reservation.keyID) { $0.lastUsed = settlement.usage.time.timeIntervalSince1970 }
            }
            released[reservation.keyID, default: 0] += reservation.amount.millis
        }
        try log(settlement.usage)
    }

    /// Releases a hold stored by an earlier version (durable holds, left open by a crash), with
    /// a `release` line giving its credits back; false when it was already settled.
    mutating func releaseStored(reservationID: Int64, keyID: String, amount: Credits, now: Date, note: String) throws -> Bool {
        let close = try LineStatement(db, sql: "DELETE FROM open_reservations WHERE reservation_id = ?")
        close.bind(1, reservationID)
        guard try close.run() == 1 else { return false }
        _ = try append(keyID: keyID, kind: .release, amount: amount, reservationID: reservationID, note: note, now: now)
        return true
    }

    private mutating func change(_ keyID: String, _ body: (inout RowChange) -> Void) {
        if changes[keyID] == nil { order.append(keyID) }
        body(&changes[keyID, default: RowChange()])
    }

    /// Writes a request's usage line (and its units).
    func log(_ usage: UsageEntry) throws {
        let insert = try LineStatement(db, sql: """
            INSERT INTO usage_log (key_id, endpoint, status, credits, latency_seconds, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insert.bind(1, usage.keyID)
        insert.bind(2, usage.endpoint)
        insert.bind(3, Int64(usage.status))
        insert.bind(4, usage.credits.millis)
        insert.bind(5, usage.latencySeconds)
        insert.bind(6, usage.time.timeIntervalSince1970)
        try insert.run()
        guard !usage.units.isEmpty else { return }
        let id = db.lastInsertedRowID
        let statement = try db.cachedStatement(sql: "INSERT INTO usage_units (usage_id, unit, quantity) VALUES (?, ?, ?)")
        for (unit, quantity) in usage.units.units.sorted(by: { $0.key < $1.key }) {
            try statement.execute(arguments: [id, unit, quantity])
        }
    }

    /// Writes each touched key's balance movement and last use; call once, last, in the transaction.
    func finish() throws {
        let move = try db.cachedStatement(sql: "UPDATE api_keys SET balance = balance + ? WHERE id = ?")
        let use = try db.cachedStatement(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?")
        for keyID in order {
            guard let change = changes[keyID] else { continue }
            if change.balance != 0 { try move.execute(arguments: [change.balance, keyID]) }
            if let time = change.lastUsed { try use.execute(arguments: [time, keyID]) }
        }
    }

    /// The transaction committed: the holds learn what it moved. Call on the writer, before
    /// its next transaction.
    func committed() {
        var movements: [String: CreditHolds.Movement] = [:]
        for (keyID, change) in changes where change.balance != 0 { movements[keyID, default: .init()].settled = change.balance }
        for (keyID, amount) in released { movements[keyID, default: .init()].released = amount }
        for (keyID, due) in refillsDue { movements[keyID, default: .init()].refillDue = .some(due) }
        holds.apply(movements)
    }

    /// The transaction rolled back: what it held for its own writes is given back. Holds of the
    /// requests it was settling stay held until the node restarts, uncharged.
    func rolledBack() {
        holds.unhold(heldForWrites)
    }
}

/// A statement of the connection's cache (prepared once), bound and stepped with SQLite's C API.
/// Only for plain inserts and deletes inside the writer's transaction, with every parameter bound
/// before each run.
private struct LineStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private let sql: String
    /// SQLite copies the text before the bind call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed") }
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        self.connection = connection
        self.sql = sql
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        _ = value.withCString { sqlite3_bind_text(handle, index, $0, -1, Self.transient) }
    }

    /// Runs the statement to its end; returns how many rows it changed.
    @discardableResult
    func run() throws -> Int {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return Int(sqlite3_changes(connection))
    }
}
