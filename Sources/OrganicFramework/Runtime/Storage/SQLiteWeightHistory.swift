import Foundation
import GRDB

/// Weight submissions in the node's SQLite database.
struct SQLiteWeightHistory: WeightHistoryStore {
    let database: SQLiteDatabase

    func record(_ submission: WeightSubmission) async throws {
        let (uids, weights) = try submission.storedVectors()
        try await database.pool.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO weight_submissions (id, created_at, netuid, uids, weights) VALUES (?, ?, ?, ?, ?)
                """, arguments: [submission.id, submission.createdAt.timeIntervalSince1970, submission.netuid.map { Int($0) }, uids, weights])
        }
    }

    func history(limit: Int) async throws -> [WeightSubmission] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM weight_submissions ORDER BY created_at DESC LIMIT ?", arguments: [limit]).map { row in
                try WeightSubmission.stored(id: row["id"], createdAt: row["created_at"], netuid: row["netuid"], uids: row["uids"], weights: row["weights"])
            }
        }
    }
}
