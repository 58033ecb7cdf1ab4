import Foundation
import GRDB

/// Period sums in the node's SQLite database (table `score_periods`).
package struct SQLitePeriodStore: PeriodStore {
    let database: SQLiteDatabase

    package init(database: SQLiteDatabase) {
        self.database = database
    }

    package func save(_ rows: [PeriodRow], periodSeconds: Double, oldestKept: Int64) async throws {
        try await database.pool.write { db in
            let upsert = try db.makeStatement(sql: """
                INSERT INTO score_periods (hotkey, endpoint, period, period_seconds, uid, score_sum, rounds)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (hotkey, endpoint, period) DO UPDATE SET
                    period_seconds = excluded.period_seconds, uid = excluded.uid,
                    score_sum = excluded.score_sum, rounds = excluded.rounds
                """)
            for row in rows {
                try upsert.execute(arguments: [row.hotkey, row.endpoint, row.period, periodSeconds, Int(row.uid), row.sum, row.rounds])
            }
            try db.execute(sql: "DELETE FROM score_periods WHERE period < ? OR period_seconds != ?",
                           arguments: [oldestKept, periodSeconds])
        }
    }

    package func load(periodSeconds: Double, oldestKept: Int64) async throws -> [PeriodRow] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT hotkey, endpoint, period, uid, score_sum, rounds FROM score_periods
                WHERE period >= ? AND period_seconds = ? ORDER BY period
                """, arguments: [oldestKept, periodSeconds]).map { row in
                PeriodRow(hotkey: row["hotkey"], endpoint: row["endpoint"], period: row["period"],
                          uid: UInt16(clamping: row["uid"] as Int), sum: row["score_sum"], rounds: row["rounds"])
            }
        }
    }
}
