/// Small seeded PRNG (SplitMix64) for the procedural generator and noise.
///
/// Foundation/stdlib generators are either unseeded or not guaranteed stable
/// across versions/platforms; this one is pure integer math, so a given seed
/// yields the same stream everywhere, forever.
struct ImagingRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// The SplitMix64 output function; also a good standalone bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform integer in `0..<bound` (bound > 0). Uses the high 32 bits with
    /// a multiply-shift; the tiny bias is irrelevant for image synthesis.
    @inline(__always)
    mutating func next(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(((next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// Uniform integer in `range`.
    @inline(__always)
    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }
}
