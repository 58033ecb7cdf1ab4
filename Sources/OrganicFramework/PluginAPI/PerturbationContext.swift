/// What a plugin may use while perturbing an organic request.
public struct PerturbationContext: Sendable {
    /// The node's random source; use it for every random choice so tests are reproducible.
    public var random: OrganicRandom
    /// The seeds this validator may assign.
    public let seeds: SeedRange

    public init(random: OrganicRandom, seeds: SeedRange) {
        self.random = random
        self.seeds = seeds
    }

    /// A fresh seed from this validator's block. Users never pick seeds.
    public mutating func nextSeed() -> UInt64 {
        UInt64.random(in: seeds.lowerBound...seeds.upperBound, using: &random)
    }
}
