/// The block of seeds reserved for one validator.
///
/// Every validator draws the seeds it assigns from its own block of 100,000 values,
/// `[100_000 * uid, 100_000 * (uid + 1) - 1]`. A miner that relays one validator's query to
/// another validator's miners (or replays a cached answer) therefore answers with a seed that
/// the receiving validator would never have chosen, and fails the comparison.
public struct SeedRange: Sendable, Hashable, Codable {
    /// How many seeds each validator uid owns.
    public static let blockSize: UInt64 = 100_000

    public var lowerBound: UInt64
    public var upperBound: UInt64

    /// The block owned by validator `uid`.
    public init(validatorUID uid: UInt16) {
        lowerBound = UInt64(uid) * Self.blockSize
        upperBound = lowerBound + Self.blockSize - 1
    }

    /// An explicit range, for validators without a uid (local demos and tests).
    public init(lowerBound: UInt64, upperBound: UInt64) {
        precondition(lowerBound <= upperBound, "empty seed range")
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    /// The range used when the node has no validator uid: the first block.
    public static let unassigned = SeedRange(lowerBound: 0, upperBound: blockSize - 1)

    /// Whether `seed` belongs to this validator.
    public func contains(_ seed: UInt64) -> Bool { seed >= lowerBound && seed <= upperBound }

    /// The validator uid whose block holds `seed`.
    public static func owner(of seed: UInt64) -> UInt64 { seed / blockSize }
}
