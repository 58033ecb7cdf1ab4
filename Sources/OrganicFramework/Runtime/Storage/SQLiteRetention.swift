import Foundation
import GRDB

/// Retention on the node's SQLite database (see ``RetentionStore``).
struct SQLiteRetention: RetentionStore {
    let database: SQLiteDatabase

    func pruneBatch(before cutoff: Date, limit: Int) async throws -> PrunedRows {
        let time = cutoff.timeIntervalSince1970
        return try await database.pool.write { db in
            var pruned = PrunedRows()
            let rounds = try String.fetchAll(db, sql: "SELECT id FROM rounds WHERE created_at < ? ORDER BY created_at LIMIT ?",
                                             arguments: [time, limit])
            if !rounds.isEmpty {
                let marks = databaseQuestionMarks(count: rounds.count)
                try db.execute(sql: "DELETE FROM round_results WHERE round_id IN (\(marks))", arguments: StatementArguments(rounds))
                try db.execute(sql: "DELETE FROM rounds WHERE id IN (\(marks))", arguments: StatementArguments(rounds))
                pruned.rounds = db.changesCount
            }
            // The batch: the oldest `limit` usage rows before the cutoff, i.e. those up to its last id.
            guard let last = try Int64.fetchOne(db, sql: """
                SELECT MAX(id) FROM (SELECT id FROM usage_log WHERE created_at < ? ORDER BY id LIMIT ?)
                """, arguments: [time, limit]) else { return pruned }
            let batch: StatementArguments = [last, time]
            try db.execute(sql: """
                INSERT INTO usage_daily (key_id, day, endpoint, requests, successes, credits, latency_seconds_sum)
                SELECT key_id, date(created_at, 'unixepoch'), endpoint, COUNT(*), SUM(CASE WHEN status BETWEEN 200 AND 299 THEN 1 ELSE 0 END),
                       SUM(credits), SUM(latency_seconds)
                FROM usage_log WHERE id <= ? AND created_at < ? GROUP BY 1, 2, 3
                ON CONFLICT (key_id, day, endpoint) DO UPDATE SET
                    requests = requests + excluded.requests, successes = successes + excluded.successes,
                    credits = credits + excluded.credits, latency_seconds_sum = latency_seconds_sum + excluded.latency_seconds_sum
                """, arguments: batch)
            try db.execute(sql: """
                INSERT INTO usage_daily_units (key_id, day, endpoint, unit, quantity)
                SELECT l.key_id, date(l.created_at, 'unixepoch'), l.endpoint, u.unit, SUM(u.quantity)
                FROM usage_log l JOIN usage_units u ON u.usage_id = l.id WHERE l.id <= ? AND l.created_at < ? GROUP BY 1, 2, 3, 4
                ON CONFLICT (key_id, day, endpoint, unit) DO UPDATE SET quantity = quantity + excluded.quantity
                """, arguments: batch)
            try db.execute(sql: "DELETE FROM usage_units WHERE usage_id IN (SELECT id FROM usage_log WHERE id <= ? AND created_at < ?)",
                           arguments: batch)
            try db.execute(sql: "DELETE FROM usage_log WHERE id <= ? AND created_at < ?", arguments: batch)
            pruned.usage = db.changesCount
            return pruned
        }
    }

    /// `summaries` (from the live usage log) with the key's folded days since `since` added.
    static func addingDailyUsage(to summaries: [UsageSummary], _ db: Database, keyID: String, since: Date) throws -> [UsageSummary] {
        let day = SQLiteRetention.day(of: since)
        let daily = try Row.fetchAll(db, sql: """
            SELECT day, endpoint, requests, successes, credits, latency_seconds_sum FROM usage_daily WHERE key_id = ? AND day >= ?
            """, arguments: [keyID, day]).map { row in
            DailyUsageRow(day: row["day"], endpoint: row["endpoint"], requests: row["requests"], successes: row["successes"],
                          credits: row["credits"], latencySecondsSum: row["latency_seconds_sum"])
        }
        let units = try Row.fetchAll(db, sql: """
            SELECT day, endpoint, unit, quantity FROM usage_daily_units WHERE key_id = ? AND day >= ?
            """, arguments: [keyID, day]).map { row in
            (day: row["day"] as String, endpoint: row["endpoint"] as String, unit: row["unit"] as String, quantity: row["quantity"] as Int)
        }
        return UsageSummary.merging(summaries, daily: daily, units: units)
    }

    /// `YYYY-MM-DD` (UTC) of `date`.
    static func day(of date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// SQLite migration `v6-usage-daily`: the folded usage that outlives the usage log.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE usage_daily (
                key_id TEXT NOT NULL,
                day TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                requests INTEGER NOT NULL,
                successes INTEGER NOT NULL,
                credits INTEGER NOT NULL,
                latency_seconds_sum REAL NOT NULL,
                PRIMARY KEY (key_id, day, endpoint)
            ) STRICT;
            CREATE TABLE usage_daily_units (
                key_id TEXT NOT NULL,
                day TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                unit TEXT NOT NULL,
                quantity INTEGER NOT NULL,
                PRIMARY KEY (key_id, day, endpoint, unit)
            ) STRICT;
            """)
    }
}
