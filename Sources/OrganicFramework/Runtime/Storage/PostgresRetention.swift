import Foundation
import PostgresNIO

/// Retention on the shared PostgreSQL database (see ``RetentionStore``). Each batch is one
/// statement: the rows it folds are the rows it deletes (locked, skipping rows another
/// transaction holds), so no usage is counted twice even if two instances prune at once.
struct PostgresRetention: RetentionStore {
    let storage: PostgresStorage

    static let day = "to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    func pruneBatch(before cutoff: Date, limit: Int) async throws -> PrunedRows {
        let time = cutoff.timeIntervalSince1970
        let size = Int64(limit)
        // Results go with their rounds (ON DELETE CASCADE).
        let rounds = try await storage.rows("""
            DELETE FROM rounds WHERE id IN (
                SELECT id FROM rounds WHERE created_at < \(time) ORDER BY created_at LIMIT \(size) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """).count
        let usage = try await storage.rows(PostgresQuery(unsafeSQL: """
            WITH batch AS (
                SELECT id, key_id, endpoint, status, credits, latency_seconds, \(Self.day) AS day FROM usage_log
                WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
            ), daily AS (
                INSERT INTO usage_daily (key_id, day, endpoint, requests, successes, credits, latency_seconds_sum)
                SELECT key_id, day, endpoint, COUNT(*), SUM(CASE WHEN status BETWEEN 200 AND 299 THEN 1 ELSE 0 END), SUM(credits),
                       SUM(latency_seconds)
                FROM batch GROUP BY key_id, day, endpoint
                ON CONFLICT (key_id, day, endpoint) DO UPDATE SET
                    requests = usage_daily.requests + excluded.requests, successes = usage_daily.successes + excluded.successes,
                    credits = usage_daily.credits + excluded.credits,
                    latency_seconds_sum = usage_daily.latency_seconds_sum + excluded.latency_seconds_sum
            ), units AS (
                INSERT INTO usage_daily_units (key_id, day, endpoint, unit, quantity)
                SELECT b.key_id, b.day, b.endpoint, u.unit, SUM(u.quantity) FROM batch b JOIN usage_units u ON u.usage_id = b.id
                GROUP BY b.key_id, b.day, b.endpoint, u.unit
                ON CONFLICT (key_id, day, endpoint, unit) DO UPDATE SET quantity = usage_daily_units.quantity + excluded.quantity
            )
            DELETE FROM usage_log WHERE id IN (SELECT id FROM batch) RETURNING 1
            """, binds: Self.binds(time, size))).count
        return PrunedRows(rounds: rounds, usage: usage)
    }

    static func binds(_ time: Double, _ size: Int64) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(time)
        binds.append(size)
        return binds
    }

    /// `summaries` (from the live usage log) with the key's folded days since `since` added.
    func addingDailyUsage(to summaries: [UsageSummary], keyID: String, since: Date) async throws -> [UsageSummary] {
        let day = SQLiteRetention.day(of: since)
        let daily = try await storage.rows("""
            SELECT day, endpoint, requests, successes, credits, latency_seconds_sum FROM usage_daily WHERE key_id = \(keyID) AND day >= \(day)
            """).map { row in
            let (day, endpoint, requests, successes, credits, latency) = try row.decode((String, String, Int, Int, Int64, Double).self)
            return DailyUsageRow(day: day, endpoint: endpoint, requests: requests, successes: successes, credits: credits, latencySecondsSum: latency)
        }
        guard !daily.isEmpty else { return summaries }
        let units = try await storage.rows("""
            SELECT day, endpoint, unit, quantity FROM usage_daily_units WHERE key_id = \(keyID) AND day >= \(day)
            """).map { row in
            let (day, endpoint, unit, quantity) = try row.decode((String, String, String, Int).self)
            return (day: day, endpoint: endpoint, unit: unit, quantity: quantity)
        }
        return UsageSummary.merging(summaries, daily: daily, units: units)
    }
}
