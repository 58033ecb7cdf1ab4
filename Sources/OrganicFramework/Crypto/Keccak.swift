/// The Keccak-f[1600] permutation (FIPS 202 §3), the core of STROBE and hence Merlin.
///
/// State is 25 little-endian 64-bit lanes stored inline (no heap, copy = fork), lane
/// `x + 5*y` holding A[x][y]. STROBE addresses the state byte-wise; on little-endian
/// hosts (all Linux targets we ship for) byte `i` of the state is byte `i` of the
/// lane memory, so byte access is a plain raw-memory access.
#if _endian(big)
#error("KeccakState byte access assumes a little-endian host")
#endif

struct KeccakState: Sendable {
    typealias Lanes = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64
    )
    var lanes: Lanes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// Runs `body` with a raw pointer to the 200 state bytes.
    @inline(__always)
    mutating func withBytes<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
        withUnsafeMutableBytes(of: &lanes) { raw in
            // A non-empty inline tuple always has a base address.
            guard let base = raw.baseAddress else { preconditionFailure("empty Keccak state") }
            return body(base)
        }
    }

    func byte(at i: Int) -> UInt8 {
        withUnsafeBytes(of: lanes) { $0[i] }
    }

    mutating func xorByte(_ b: UInt8, at i: Int) {
        withBytes { Keccak.xor($0, i, b) }
    }

    mutating func setByte(_ b: UInt8, at i: Int) {
        withBytes { $0.storeBytes(of: b, toByteOffset: i, as: UInt8.self) }
    }

    /// Applies the 24-round permutation in place.
    mutating func permute() {
        withBytes { Keccak.f1600($0.assumingMemoryBound(to: UInt64.self)) }
    }
}

enum Keccak {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    static func xor(_ s: UnsafeMutableRawPointer, _ i: Int, _ b: UInt8) {
        s.storeBytes(of: s.load(fromByteOffset: i, as: UInt8.self) ^ b, toByteOffset: i, as: UInt8.self)
    }

    @inline(__always)
    static func rotl(_ v: UInt64, _ n: UInt64) -> UInt64 {
        (v &<< n) | (v &>> (64 &- n))
    }

    // θ, ρ (rotation offsets r[x][y] of FIPS 202 Table 2), π (lane (x,y) → (y, 2x+3y)),
    // χ and ι, generated round body.
    /// Keccak-f[1600] on 25 lanes at `a`; fully unrolled with lanes in locals so the
    /// optimiser keeps the state in registers (this dominates transcript cost).
    static func f1600(_ a: UnsafeMutablePointer<UInt64>) {
        var a0 = a[0]
        var a1 = a[1]
        var a2 = a[2]
        var a3 = a[3]
        var a4 = a[4]
        var a5 = a[5]
        var a6 = a[6]
        var a7 = a[7]
        var a8 = a[8]
        var a9 = a[9]
        var a10 = a[10]
        var a11 = a[11]
        var a12 = a[12]
        var a13 = a[13]
        var a14 = a[14]
        var a15 = a[15]
        var a16 = a[16]
        var a17 = a[17]
        var a18 = a[18]
        var a19 = a[19]
        var a20 = a[20]
        var a21 = a[21]
        var a22 = a[22]
        var a23 = a[23]
        var a24 = a[24]
        for round in 0..<24 {
            let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            let b0 = a0 ^ d0
            let b1 = rotl(a6 ^ d1, 44)
            let b2 = rotl(a12 ^ d2, 43)
            let b3 = rotl(a18 ^ d3, 21)
            let b4 = rotl(a24 ^ d4, 14)
            let b5 = rotl(a3 ^ d3, 28)
            let b6 = rotl(a9 ^ d4, 20)
            let b7 = rotl(a10 ^ d0, 3)
            let b8 = rotl(a16 ^ d1, 45)
            let b9 = rotl(a22 ^ d2, 61)
            let b10 = rotl(a1 ^ d1, 1)
            let b11 = rotl(a7 ^ d2, 6)
            let b12 = rotl(a13 ^ d3, 25)
            let b13 = rotl(a19 ^ d4, 8)
            let b14 = rotl(a20 ^ d0, 18)
            let b15 = rotl(a4 ^ d4, 27)
            let b16 = rotl(a5 ^ d0, 36)
            let b17 = rotl(a11 ^ d1, 10)
            let b18 = rotl(a17 ^ d2, 15)
            let b19 = rotl(a23 ^ d3, 56)
            let b20 = rotl(a2 ^ d2, 62)
            let b21 = rotl(a8 ^ d3, 55)
            let b22 = rotl(a14 ^ d4, 39)
            let b23 = rotl(a15 ^ d0, 41)
            let b24 = rotl(a21 ^ d1, 2)
            a0 = b0 ^ (~b1 & b2)
            a1 = b1 ^ (~b2 & b3)
            a2 = b2 ^ (~b3 & b4)
            a3 = b3 ^ (~b4 & b0)
            a4 = b4 ^ (~b0 & b1)
            a5 = b5 ^ (~b6 & b7)
            a6 = b6 ^ (~b7 & b8)
            a7 = b7 ^ (~b8 & b9)
            a8 = b8 ^ (~b9 & b5)
            a9 = b9 ^ (~b5 & b6)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a0 ^= roundConstants[round]
        }
        a[0] = a0
        a[1] = a1
        a[2] = a2
        a[3] = a3
        a[4] = a4
        a[5] = a5
        a[6] = a6
        a[7] = a7
        a[8] = a8
        a[9] = a9
        a[10] = a10
        a[11] = a11
        a[12] = a12
        a[13] = a13
        a[14] = a14
        a[15] = a15
        a[16] = a16
        a[17] = a17
        a[18] = a18
        a[19] = a19
        a[20] = a20
        a[21] = a21
        a[22] = a22
        a[23] = a23
        a[24] = a24
    }
}
