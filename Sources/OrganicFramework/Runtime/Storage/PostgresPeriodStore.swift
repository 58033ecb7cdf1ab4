import Foundation
import PostgresNIO

/// Period sums in the shared PostgreSQL database (table `score_periods`), one set per node:
/// each instance's score book holds the sums of the rounds it ran, saves them under its stable
/// name (`database.nodeName`) and restores only its own after a restart.
struct PostgresPeriodStore: PeriodStore {
    let storage: PostgresStorage
    let node: String

    func save(_ rows: [PeriodRow], periodSeconds: Double, oldestKept: Int64) async throws {
        // Later rows win for the same key (one INSERT … ON CONFLICT may touch a row only once).
        var latest: [String: PeriodRow] = [:]
        var order: [String] = []
        for row in rows {
            let key = "\(row.hotkey)\u{0}\(row.endpoint)\u{0}\(row.period)"
            if latest.updateValue(row, forKey: key) == nil { order.append(key) }
        }
        let unique = order.compactMap { latest[$0] }
        try await storage.transaction { connection in
            if !unique.isEmpty {
                try await connection.query("""
                    INSERT INTO score_periods (node, hotkey, endpoint, period, period_seconds, uid, score_sum, rounds)
                    SELECT \(node), r.hotkey, r.endpoint, r.period, \(periodSeconds), r.uid, r.score_sum, r.rounds
                    FROM unnest(\(unique.map(\.hotkey))::text[], \(unique.map(\.endpoint))::text[], \(unique.map(\.period))::bigint[],
                                \(unique.map { Int32($0.uid) })::integer[], \(unique.map(\.sum))::double precision[],
                                \(unique.map { Int64($0.rounds) })::bigint[])
                         AS r(hotkey, endpoint, period, uid, score_sum, rounds)
                    ON CONFLICT (node, hotkey, endpoint, period) DO UPDATE SET
                        period_seconds = excluded.period_seconds, uid = excluded.uid,
                        score_sum = excluded.score_sum, rounds = excluded.rounds
                    """, logger: storage.logger)
            }
            try await connection.query("""
                DELETE FROM score_periods WHERE node = \(node) AND (period < \(oldestKept) OR period_seconds != \(periodSeconds))
                """, logger: storage.logger)
        }
    }

    func load(periodSeconds: Double, oldestKept: Int64) async throws -> [PeriodRow] {
        try await storage.rows("""
            SELECT hotkey, endpoint, period, uid, score_sum, rounds FROM score_periods
            WHERE node = \(node) AND period >= \(oldestKept) AND period_seconds = \(periodSeconds) ORDER BY period, hotkey, endpoint
            """).map { row in
            let (hotkey, endpoint, period, uid, sum, rounds) = try row.decode((String, String, Int64, Int, Double, Int).self)
            return PeriodRow(hotkey: hotkey, endpoint: endpoint, period: period, uid: UInt16(clamping: uid), sum: sum, rounds: rounds)
        }
    }
}

extension PostgresPeriodStore {
    /// The other instances' completed periods, merged per hotkey, endpoint and period (sums and
    /// rounds added; the uid of the instance that scored the most rounds), for the leader's weights.
    func loadOthers(periodSeconds: Double, oldestKept: Int64, before period: Int64) async throws -> [PeriodRow] {
        try await storage.rows("""
            SELECT hotkey, endpoint, period, (array_agg(uid ORDER BY rounds DESC))[1], sum(score_sum), sum(rounds)::bigint
            FROM score_periods
            WHERE node != \(node) AND period >= \(oldestKept) AND period < \(period) AND period_seconds = \(periodSeconds)
            GROUP BY hotkey, endpoint, period
            """).map { row in
            let (hotkey, endpoint, period, uid, sum, rounds) = try row.decode((String, String, Int64, Int, Double, Int).self)
            return PeriodRow(hotkey: hotkey, endpoint: endpoint, period: period, uid: UInt16(clamping: uid), sum: sum, rounds: rounds)
        }
    }
}
