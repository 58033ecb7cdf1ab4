/// The framework's random number generator: xoshiro256**, seeded explicitly.
///
/// It is a concrete type, not a generic `RandomNumberGenerator` parameter, because plugins are
/// separate modules and generic per-value code across module boundaries is far slower. Seed it
/// from ``init(seed:)`` in tests for reproducible perturbations and synthetic queries; the node
/// seeds it from the system's CSPRNG.
@frozen
public struct OrganicRandom: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator whose sequence is fully determined by `seed`.
    @inlinable
    public init(seed: UInt64) {
        // SplitMix64 spreads a small seed over the 256-bit state so that it is never all zero.
        var x = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&x)
        s1 = splitMix(&x)
        s2 = splitMix(&x)
        s3 = splitMix(&x)
    }

    /// A generator seeded from the system's cryptographically secure source.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
        s0 ^= system.next()
        s1 ^= system.next()
        s2 ^= system.next()
        s3 ^= system.next() | 1
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A new generator with an independent stream, for handing to a sub-task.
    @inlinable
    public mutating func split() -> OrganicRandom {
        OrganicRandom(seed: next())
    }
}
