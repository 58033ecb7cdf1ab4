import Foundation
import PostgresNIO

/// Weight submissions in the shared PostgreSQL database.
struct PostgresWeightHistory: WeightHistoryStore {
    let storage: PostgresStorage

    func record(_ submission: WeightSubmission) async throws {
        let (uids, weights) = try submission.storedVectors()
        try await storage.client.query("""
            INSERT INTO weight_submissions (id, created_at, netuid, uids, weights)
            VALUES (\(submission.id), \(submission.createdAt.timeIntervalSince1970), \(submission.netuid.map { Int($0) }), \(uids), \(weights))
            ON CONFLICT (id) DO NOTHING
            """, logger: storage.logger)
    }

    func history(limit: Int) async throws -> [WeightSubmission] {
        try await storage.rows("""
            SELECT id, created_at, netuid, uids, weights FROM weight_submissions ORDER BY created_at DESC LIMIT \(limit)
            """).map { row in
            let (id, created, netuid, uids, weights) = try row.decode((String, Double, Int?, String, String).self)
            return try WeightSubmission.stored(id: id, createdAt: created, netuid: netuid, uids: uids, weights: weights)
        }
    }
}
