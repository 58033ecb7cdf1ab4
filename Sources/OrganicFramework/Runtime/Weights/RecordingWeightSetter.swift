package import Foundation

/// Keeps every vector with its time in the database (table `weight_submissions`, SQLite or
/// PostgreSQL) and rewrites a JSON file with the latest one, for operators and for tools that
/// set weights themselves. A submission whose id is already stored is not stored again.
package struct RecordingWeightSetter: WeightSetter {
    let store: any WeightHistoryStore
    let fileURL: URL

    package init(database: SQLiteDatabase, fileURL: URL) {
        self.init(store: SQLiteWeightHistory(database: database), fileURL: fileURL)
    }

    package init(store: any WeightHistoryStore, fileURL: URL) {
        self.store = store
        self.fileURL = fileURL
    }

    package func setWeights(_ submission: WeightSubmission) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(submission)
        try await store.record(submission)
        let directory = fileURL.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try json.write(to: fileURL, options: .atomic)
    }

    /// Stored submissions, newest first.
    package func history(limit: Int) async throws -> [WeightSubmission] {
        try await store.history(limit: limit)
    }
}
