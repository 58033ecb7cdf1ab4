package import Foundation

/// Where a weight vector goes: the chain (with the chain issue), a file, a log.
///
/// Implementations must be idempotent: the weight-setting service retries a failed submission
/// with the same ``WeightSubmission/id``, and a submission that was in fact applied must not
/// be applied twice.
package protocol WeightSetter: Sendable {
    func setWeights(_ submission: WeightSubmission) async throws
}

/// One weight vector to set.
package struct WeightSubmission: Sendable, Hashable, Codable {
    /// `<interval number>-<hash of the vector>`: identical for retries of the same setting.
    package var id: String
    package var createdAt: Date
    package var netuid: UInt16?
    package var uids: [UInt16]
    package var weights: [UInt16]

    package init(id: String, createdAt: Date, netuid: UInt16?, vector: WeightVector) {
        self.id = id
        self.createdAt = createdAt
        self.netuid = netuid
        self.uids = vector.uids
        self.weights = vector.weights
    }

    /// The id for `vector` set in interval number `interval`.
    package static func id(for vector: WeightVector, interval: Int64) -> String {
        // FNV-1a over the uids and weights: stable across runs and platforms.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in vector.uids + [UInt16.max, UInt16.max] + vector.weights {
            for byte in [UInt8(value & 0xff), UInt8(value >> 8)] {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "\(interval)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
