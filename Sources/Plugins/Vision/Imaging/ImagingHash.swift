/// Stable 64-bit hash (FNV-1a with a SplitMix-style finaliser) for deriving
/// generator seeds from prompts and parameters.
///
/// Swift's `Hasher` is randomly seeded per process, so it cannot be used for
/// anything that must match across machines; this one is fixed forever.
/// Changing it changes every generated image (a protocol-visible break).
struct ImagingHash: Sendable {
    private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a 64-bit offset basis

    init() {}

    mutating func combine(byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3  // FNV-1a 64-bit prime
    }

    mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte: byte) }
    }

    /// Feeds the UTF-8 bytes plus a terminator so ("ab","c") != ("a","bc").
    mutating func combine(string: String) {
        combine(bytes: string.utf8)
        combine(byte: 0xFF)  // never appears in valid UTF-8
    }

    /// Feeds 8 little-endian bytes (fixed width keeps it platform independent).
    mutating func combine(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    mutating func combine(_ value: Int) {
        combine(UInt64(bitPattern: Int64(value)))
    }

    /// FNV alone mixes low bits poorly; the finaliser spreads every input bit.
    func finalize() -> UInt64 {
        ImagingRandom.mix(state)
    }

    /// One-shot hash of a byte sequence.
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = ImagingHash()
        h.combine(bytes: bytes)
        return h.finalize()
    }
}
