import Foundation
import GRDB
import GRDBSQLite

/// The credit side of one SQLite write transaction: ledger lines, reservations, settlements and
/// usage lines, written at once with prepared statements kept by the connection; the cached
/// balance and last use of each key touched are written once, by ``finish()``.
///
/// A batch of hundreds of reservations or settlements therefore costs a few row inserts each and
/// one update per key, not one parse of every statement and one update of the key row per line.
/// The statements run per line are bound and stepped with SQLite's C API (``LineStatement``):
/// through GRDB's arguments, binding cost more than SQLite's own work.
/// The balance each decision sees is the stored one plus what this transaction has already
/// moved, so a reservation still refuses to go negative on its own, in order.
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
    private var keys: [String: KeyCredit] = [:]
    private var changes: [String: RowChange] = [:]
    /// Keys in the order they were first changed (the order their rows are written).
    private var order: [String] = []

    init(_ db: Database) {
        self.db = db
    }

    /// The key's balance as this transaction sees it; nil for an unknown key.
    mutating func balance(of keyID: String) throws -> Int64? {
        try credit(keyID)?.balance
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
        return credit
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

    /// Holds `amount` for one request: after the key's automatic refill if one is due, refuses
    /// when the balance cannot cover it, else writes the reservation line and the open reservation.
    mutating func reserve(id: String, amount: Credits, endpoint: String, now: Date) throws -> ReservationOutcome {
        guard let credit = try credit(id) else { return .unknownKey }
        if let refill = credit.refill {
            let periodStart = SQLiteKeyStore.start(of: refill.period, containing: now).timeIntervalSince1970
            if credit.refilledAt.map({ $0 < periodStart }) ?? true {
                if refill.millis > credit.balance {
                    _ = try append(keyID: id, kind: .autoRefill, amount: Credits(millis: refill.millis - credit.balance),
                                   note: "\(refill.period.rawValue)ly refill", now: now)
                }
                try db.cachedStatement(sql: "UPDATE api_keys SET refilled_at = ? WHERE id = ?").execute(arguments: [now.timeIntervalSince1970, id])
                keys[id]?.refilledAt = now.timeIntervalSince1970
            }
        }
        let balance = keys[id]?.balance ?? credit.balance
        guard balance >= amount.millis else { return .insufficient(balance: Credits(millis: balance)) }
        let entry = try append(keyID: id, kind: .reservation, amount: Credits(millis: -amount.millis), endpoint: endpoint, note: nil, now: now)
        let open = try LineStatement(db, sql: "INSERT INTO open_reservations (reservation_id, key_id, amount) VALUES (?, ?, ?)")
        open.bind(1, entry.id)
        open.bind(2, id)
        open.bind(3, amount.millis)
        try open.run()
        return .reserved(CreditReservation(id: entry.id, keyID: id, amount: amount))
    }

    /// Settles the reservation unless it already was; returns whether it did. A commit gives back
    /// what the request did not use of its hold (`charged` caps the charge); a release gives back all.
    mutating func settle(reservationID: Int64, keyID: String, amount: Credits, commit: Bool, charged: Credits? = nil,
                         now: Date, note: String? = nil) throws -> Bool {
        let close = try LineStatement(db, sql: "DELETE FROM open_reservations WHERE reservation_id = ?")
        close.bind(1, reservationID)
        // Already settled (never twice).
        guard try close.run() == 1 else { return false }
        let line = SettlementLine(amount: amount, commit: commit, charged: charged)
        _ = try append(keyID: keyID, kind: line.kind, amount: line.back, reservationID: reservationID, note: note ?? line.note, now: now)
        if commit { change(keyID) { $0.lastUsed = now.timeIntervalSince1970 } }
        return true
    }

    private mutating func change(_ keyID: String, _ body: (inout RowChange) -> Void) {
        if changes[keyID] == nil { order.append(keyID) }
        body(&changes[keyID, default: RowChange()])
    }

    /// Settles one finished request and logs it; a repeated settlement is the same request, so
    /// it changes and logs nothing.
    mutating func settle(_ settlement: Settlement) throws {
        if let reservation = settlement.reservation {
            guard try settle(reservationID: reservation.id, keyID: reservation.keyID, amount: reservation.amount,
                             commit: settlement.commit, charged: settlement.charged, now: settlement.usage.time) else { return }
        }
        try log(settlement.usage)
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
