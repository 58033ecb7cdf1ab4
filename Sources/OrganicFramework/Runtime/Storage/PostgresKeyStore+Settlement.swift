import Foundation
import Logging
import PostgresNIO

extension PostgresKeyStore {
    /// Settles and logs a batch in one transaction of at most three statements whatever its size:
    /// one round trip per settlement let the writer fall seconds behind a burst of thousands of
    /// requests. A reservation already settled (or released at a start) changes and logs nothing,
    /// as on SQLite.
    func settle(batch: [Settlement]) async throws {
        guard !batch.isEmpty else { return }
        try await storage.transaction { connection in
            let held = batch.compactMap { $0.reservation?.id }
            // Deleting the open reservation decides: only what this deletes is settled here.
            var open = Set<Int64>()
            if !held.isEmpty {
                for row in try await connection.rows("""
                    DELETE FROM open_reservations WHERE reservation_id = ANY(\(held)::bigint[]) RETURNING reservation_id
                    """, logger: logger) {
                    open.insert(try row.decode(Int64.self))
                }
            }
            var lines = SettlementColumns()
            var logged: [UsageEntry] = []
            logged.reserveCapacity(batch.count)
            for settlement in batch {
                if let reservation = settlement.reservation {
                    guard open.remove(reservation.id) != nil else { continue }
                    lines.append(reservation, commit: settlement.commit, charged: settlement.charged, time: settlement.usage.time)
                }
                logged.append(settlement.usage)
            }
            if !lines.keyIDs.isEmpty { try await Self.write(lines, connection, logger: logger) }
            if !logged.isEmpty { try await Self.write(logged, connection, logger: logger) }
        }
    }

    /// The settlements' ledger lines, column by column (each bound as one array).
    struct SettlementColumns {
        var keyIDs: [String] = []
        var kinds: [String] = []
        var amounts: [Int64] = []
        var reservationIDs: [Int64] = []
        /// Empty for none (arrays of optionals do not bind).
        var notes: [String] = []
        var times: [Double] = []
        var commits: [Bool] = []

        mutating func append(_ reservation: CreditReservation, commit: Bool, charged: Credits?, time: Date) {
            let line = SettlementLine(amount: reservation.amount, commit: commit, charged: charged)
            keyIDs.append(reservation.keyID)
            kinds.append(line.kind.rawValue)
            amounts.append(line.back.millis)
            reservationIDs.append(reservation.id)
            notes.append(line.note ?? "")
            times.append(time.timeIntervalSince1970)
            commits.append(commit)
        }
    }

    /// Ledger lines, then each key's balance moved once by their sum (last use: its latest commit).
    static func write(_ lines: SettlementColumns, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            WITH line AS (
                INSERT INTO credit_ledger (key_id, kind, amount, reservation_id, endpoint, note, created_at)
                SELECT key_id, kind, amount, reservation_id, NULL, NULLIF(note, ''), created_at
                FROM unnest(\(lines.keyIDs)::text[], \(lines.kinds)::text[], \(lines.amounts)::bigint[], \(lines.reservationIDs)::bigint[],
                            \(lines.notes)::text[], \(lines.times)::float8[]) AS l(key_id, kind, amount, reservation_id, note, created_at))
            UPDATE api_keys k SET balance = k.balance + m.back, last_used_at = COALESCE(m.used, k.last_used_at)
            FROM (SELECT key_id, SUM(amount)::bigint AS back, MAX(CASE WHEN commit THEN created_at END) AS used
                  FROM unnest(\(lines.keyIDs)::text[], \(lines.amounts)::bigint[], \(lines.times)::float8[], \(lines.commits)::bool[])
                       AS l(key_id, amount, created_at, commit)
                  GROUP BY key_id) m
            WHERE k.id = m.key_id
            """, logger: logger)
    }

    /// Usage lines and their units, in one statement: each line takes its id from the table's
    /// sequence in a materialised CTE, and the units find their line by its position in the batch.
    static func write(_ usage: [UsageEntry], _ connection: PostgresConnection, logger: Logger) async throws {
        let keyIDs = usage.map(\.keyID), endpoints = usage.map(\.endpoint), statuses = usage.map { Int64($0.status) }
        let credits = usage.map(\.credits.millis), latencies = usage.map(\.latencySeconds), times = usage.map(\.time.timeIntervalSince1970)
        // 1-based, as WITH ORDINALITY counts.
        var positions: [Int64] = [], units: [String] = [], quantities: [Int64] = []
        for (index, entry) in usage.enumerated() {
            for (unit, quantity) in entry.units.units.sorted(by: { $0.key < $1.key }) {
                positions.append(Int64(index + 1))
                units.append(unit)
                quantities.append(Int64(quantity))
            }
        }
        try await connection.query("""
            WITH lines AS MATERIALIZED (
                SELECT nextval(pg_get_serial_sequence('usage_log', 'id')) AS id, l.*
                FROM unnest(\(keyIDs)::text[], \(endpoints)::text[], \(statuses)::bigint[]::int[], \(credits)::bigint[],
                            \(latencies)::float8[], \(times)::float8[])
                     WITH ORDINALITY AS l(key_id, endpoint, status, credits, latency_seconds, created_at, line_number)),
            logged AS (
                INSERT INTO usage_log (id, key_id, endpoint, status, credits, latency_seconds, created_at) OVERRIDING SYSTEM VALUE
                SELECT id, key_id, endpoint, status, credits, latency_seconds, created_at FROM lines)
            INSERT INTO usage_units (usage_id, unit, quantity)
            SELECT lines.id, u.unit, u.quantity
            FROM unnest(\(positions)::bigint[], \(units)::text[], \(quantities)::bigint[]) AS u(line_number, unit, quantity)
            JOIN lines ON lines.line_number = u.line_number
            """, logger: logger)
    }
}
