import Foundation
import PostgresNIO

/// Scored rounds in the shared PostgreSQL database: every instance records its rounds here.
struct PostgresScoreStore: ScoreStore {
    let storage: PostgresStorage

    func record(_ round: RoundRecord) async throws {
        let logger = storage.logger
        let tieBreak = try round.tieBreak.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await storage.transaction { connection in
            try await connection.query("""
                INSERT INTO rounds (id, endpoint, is_organic, created_at, verdict, tie_break)
                VALUES (\(round.id.uuidString), \(round.endpoint), \(round.isOrganic), \(round.createdAt.timeIntervalSince1970), \(round.verdict.text),
                        \(tieBreak))
                """, logger: logger)
            for (position, result) in round.results.enumerated() {
                try await connection.query("""
                    INSERT INTO round_results (round_id, position, uid, hotkey, outcome, score, reason, latency_seconds,
                                               time_to_first_chunk_seconds, role)
                    VALUES (\(round.id.uuidString), \(position), \(Int(result.miner.uid)), \(result.miner.hotkey), \(result.outcome.label), \(result.score),
                            \(result.reason), \(result.latencySeconds), \(result.timeToFirstChunkSeconds), \(result.role?.rawValue))
                    """, logger: logger)
            }
        }
    }

    func summaries(since: Date) async throws -> [MinerScoreSummary] {
        try await storage.rows("""
            SELECT rr.hotkey, MAX(rr.uid) AS uid, r.endpoint,
                   AVG(rr.score)::double precision AS mean_score, COUNT(rr.score)::bigint AS scored,
                   SUM(CASE WHEN rr.outcome NOT IN ('answered', 'busy', 'abandoned') THEN 1 ELSE 0 END)::bigint AS failures,
                   AVG(rr.latency_seconds)::double precision AS mean_latency
            FROM round_results rr JOIN rounds r ON r.id = rr.round_id
            WHERE r.created_at >= \(since.timeIntervalSince1970)
            GROUP BY rr.hotkey, r.endpoint
            ORDER BY uid, r.endpoint
            """).map { row in
            let (hotkey, uid, endpoint, mean, scored, failures, latency) = try row.decode((String, Int?, String, Double?, Int, Int, Double?).self)
            return MinerScoreSummary(uid: UInt16(clamping: uid ?? 0), hotkey: hotkey, endpoint: endpoint, meanScore: mean ?? 0, rounds: scored,
                                     failures: failures, meanLatencySeconds: latency ?? 0)
        }
    }

    func recentRounds(limit: Int) async throws -> [RoundRecord] {
        let rounds = try await storage.rows("""
            SELECT id, endpoint, is_organic, created_at, verdict, tie_break FROM rounds ORDER BY created_at DESC LIMIT \(limit)
            """).map { try $0.decode((String, String, Bool, Double, String, String?).self) }
        let ids = rounds.map(\.0)
        var results: [String: [MinerRoundResult]] = [:]
        for row in try await storage.rows("""
            SELECT round_id, uid, hotkey, outcome, score, reason, latency_seconds, time_to_first_chunk_seconds, role
            FROM round_results WHERE round_id = ANY(\(ids)::text[]) ORDER BY round_id, position
            """) {
            let (roundID, uid, hotkey, outcome, score, reason, latency, firstChunk, role) =
                try row.decode((String, Int, String, String, Double?, String?, Double, Double?, String?).self)
            results[roundID, default: []].append(MinerRoundResult(miner: MinerIdentity(uid: UInt16(clamping: uid), hotkey: hotkey), outcome: try MinerOutcome(stored: outcome),
                                                                  score: score, reason: reason, latencySeconds: latency,
                                                                  timeToFirstChunkSeconds: firstChunk, role: try role.map(RoundRole.init(stored:))))
        }
        return try rounds.map { id, endpoint, organic, created, verdict, tieBreak in
            RoundRecord(id: UUID(uuidString: id) ?? UUID(), endpoint: endpoint, isOrganic: organic, createdAt: Date(timeIntervalSince1970: created),
                        verdict: try RoundVerdict(stored: verdict), results: results[id] ?? [],
                        tieBreak: try tieBreak.map { try JSONDecoder().decode(TieBreakSummary.self, from: Data($0.utf8)) })
        }
    }

    /// The pool is shared with the other stores; ``NodeStores`` closes it.
    func close() async throws {}
}
