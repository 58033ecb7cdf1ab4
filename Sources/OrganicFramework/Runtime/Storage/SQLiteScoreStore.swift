public import Foundation
import GRDB

/// Scored rounds in the node's SQLite database.
public struct SQLiteScoreStore: ScoreStore {
    let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func record(_ round: RoundRecord) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO rounds (id, endpoint, is_organic, created_at, verdict, tie_break) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [round.id.uuidString, round.endpoint, round.isOrganic, round.createdAt.timeIntervalSince1970, round.verdict.text,
                            try round.tieBreak.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }])
            let insert = try db.makeStatement(sql: """
                INSERT INTO round_results (round_id, uid, hotkey, outcome, score, reason, latency_seconds, time_to_first_chunk_seconds, role)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for result in round.results {
                try insert.execute(arguments: [
                    round.id.uuidString, Int(result.miner.uid), result.miner.hotkey, result.outcome.label,
                    result.score, result.reason, result.latencySeconds, result.timeToFirstChunkSeconds, result.role?.rawValue,
                ])
            }
        }
    }

    public func summaries(since: Date) async throws -> [MinerScoreSummary] {
        try await database.pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT rr.hotkey, MAX(rr.uid) AS uid, r.endpoint,
                       AVG(rr.score) AS mean_score, COUNT(rr.score) AS scored,
                       SUM(CASE WHEN rr.outcome NOT IN ('answered', 'busy', 'abandoned') THEN 1 ELSE 0 END) AS failures,
                       AVG(rr.latency_seconds) AS mean_latency
                FROM round_results rr JOIN rounds r ON r.id = rr.round_id
                WHERE r.created_at >= ?
                GROUP BY rr.hotkey, r.endpoint
                ORDER BY uid, r.endpoint
                """, arguments: [since.timeIntervalSince1970])
            return rows.map { row in
                MinerScoreSummary(
                    uid: UInt16(clamping: row["uid"] as Int? ?? 0), hotkey: row["hotkey"], endpoint: row["endpoint"],
                    meanScore: row["mean_score"] ?? 0, rounds: row["scored"], failures: row["failures"],
                    meanLatencySeconds: row["mean_latency"] ?? 0)
            }
        }
    }

    public func recentRounds(limit: Int) async throws -> [RoundRecord] {
        try await database.pool.read { db in
            let rounds = try Row.fetchAll(db, sql: "SELECT * FROM rounds ORDER BY created_at DESC LIMIT ?", arguments: [limit])
            return try rounds.map { row in
                let id: String = row["id"]
                let results = try Row.fetchAll(db, sql: "SELECT * FROM round_results WHERE round_id = ?", arguments: [id]).map { r in
                    MinerRoundResult(miner: MinerIdentity(uid: UInt16(clamping: r["uid"] as Int), hotkey: r["hotkey"]),
                                     outcome: try MinerOutcome(stored: r["outcome"]), score: r["score"], reason: r["reason"],
                                     latencySeconds: r["latency_seconds"], timeToFirstChunkSeconds: r["time_to_first_chunk_seconds"],
                                     role: try (r["role"] as String?).map(RoundRole.init(stored:)))
                }
                let tieBreak = try (row["tie_break"] as String?).map { try JSONDecoder().decode(TieBreakSummary.self, from: Data($0.utf8)) }
                return RoundRecord(id: UUID(uuidString: id) ?? UUID(), endpoint: row["endpoint"], isOrganic: row["is_organic"],
                                   createdAt: Date(timeIntervalSince1970: row["created_at"]), verdict: try RoundVerdict(stored: row["verdict"]), results: results,
                                   tieBreak: tieBreak)
            }
        }
    }

    public func close() async throws {
        try database.close()
    }
}
