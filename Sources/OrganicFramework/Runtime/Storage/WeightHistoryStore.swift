import Foundation

/// Where the weight vectors a node set are kept (table `weight_submissions`), on either backend.
package protocol WeightHistoryStore: Sendable {
    /// Stores a submission; one whose id is already stored is not stored again.
    func record(_ submission: WeightSubmission) async throws
    /// Stored submissions, newest first.
    func history(limit: Int) async throws -> [WeightSubmission]
}

extension WeightSubmission {
    /// The uids and weights as stored (JSON arrays).
    func storedVectors() throws -> (uids: String, weights: String) {
        (String(decoding: try JSONEncoder().encode(uids), as: UTF8.self), String(decoding: try JSONEncoder().encode(weights), as: UTF8.self))
    }

    /// A submission read back; vectors that do not decode throw.
    static func stored(id: String, createdAt: Double, netuid: Int?, uids: String, weights: String) throws -> WeightSubmission {
        let uids = try JSONDecoder().decode([UInt16].self, from: Data(uids.utf8))
        let weights = try JSONDecoder().decode([UInt16].self, from: Data(weights.utf8))
        return WeightSubmission(id: id, createdAt: Date(timeIntervalSince1970: createdAt), netuid: netuid.map { UInt16(clamping: $0) },
                                vector: WeightVector(uids: uids, weights: weights))
    }
}
