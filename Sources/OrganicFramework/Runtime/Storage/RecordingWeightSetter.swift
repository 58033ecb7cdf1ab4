public import Foundation
import GRDB

/// Keeps every vector with its time in the database (table `weight_submissions`) and rewrites
/// a JSON file with the latest one, for operators and for tools that set weights themselves.
/// A submission whose id is already stored is not stored again.
public struct RecordingWeightSetter: WeightSetter {
    let database: SQLiteDatabase
    let fileURL: URL

    public init(database: SQLiteDatabase, fileURL: URL) {
        self.database = database
        self.fileURL = fileURL
    }

    public func setWeights(_ submission: WeightSubmission) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(submission)
        let uids = String(decoding: try JSONEncoder().encode(submission.uids), as: UTF8.self)
        let weights = String(decoding: try JSONEncoder().encode(submission.weights), as: UTF8.self)
        try await database.pool.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO weight_submissions (id, created_at, netuid, uids, weights) VALUES (?, ?, ?, ?, ?)
                """, arguments: [submission.id, submission.createdAt.timeIntervalSince1970, submission.netuid.map { Int($0) }, uids, weights])
        }
        let directory = fileURL.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try json.write(to: fileURL, options: .atomic)
    }

    /// Stored submissions, newest first.
    public func history(limit: Int) async throws -> [WeightSubmission] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM weight_submissions ORDER BY created_at DESC LIMIT ?", arguments: [limit]).map { row in
                let uids = try JSONDecoder().decode([UInt16].self, from: Data((row["uids"] as String).utf8))
                let weights = try JSONDecoder().decode([UInt16].self, from: Data((row["weights"] as String).utf8))
                return WeightSubmission(id: row["id"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                                        netuid: (row["netuid"] as Int?).map { UInt16(clamping: $0) },
                                        vector: WeightVector(uids: uids, weights: weights))
            }
        }
    }
}
