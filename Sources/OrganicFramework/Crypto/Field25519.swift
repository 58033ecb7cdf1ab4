/// Arithmetic in GF(2^255 − 19) with five 51-bit limbs, used only by the
/// variable-time verification path (`Ristretto255Vartime`).
///
/// Why our own: libsodium exposes ristretto255 only through constant-time
/// single-scalar calls, and verification (public inputs only) needs the shared-
/// doubling double-scalar multiply to reach schnorrkel's speed. Every operation
/// here is checked against libsodium in the tests.
///
/// Invariant: stored limbs stay below ~2^52 (every op ends with a carry pass), so
/// products of two limbs times 19 and their 5-term sums fit in UInt128.
struct FieldElement: Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64

    static let mask51: UInt64 = (1 << 51) - 1

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4
    }

    static let zero = FieldElement(0, 0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0, 0)

    // Curve constants (limbs of the canonical values; see RFC 7748 / RFC 9496).
    static let d = FieldElement(0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff)
    static let d2 = FieldElement(0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff)
    static let sqrtM1 = FieldElement(0x61b274a0ea0b0, 0xd5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d)
    static let invSqrtAMinusD = FieldElement(0xfdaa805d40ea, 0x2eb482e57d339, 0x7610274bc58, 0x6510b613dc8ff, 0x786c8905cfaff)

    /// Carry pass: brings every limb below 2^51 + small, folding the top carry ×19.
    @inline(__always)
    static func carry(_ c0: UInt64, _ c1: UInt64, _ c2: UInt64, _ c3: UInt64, _ c4: UInt64) -> FieldElement {
        var c1 = c1, c2 = c2, c3 = c3, c4 = c4
        c1 &+= c0 >> 51
        c2 &+= c1 >> 51
        c3 &+= c2 >> 51
        c4 &+= c3 >> 51
        let r0 = (c0 & mask51) &+ (c4 >> 51) &* 19
        return FieldElement(r0 & mask51, (c1 & mask51) &+ (r0 >> 51), c2 & mask51, c3 & mask51, c4 & mask51)
    }

    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        carry(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4)
    }

    /// a − b computed as a + 4p − b so limbs never underflow.
    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        carry((a.l0 &+ 0x1f_ffff_ffff_ffb4) &- b.l0, (a.l1 &+ 0x1f_ffff_ffff_fffc) &- b.l1,
              (a.l2 &+ 0x1f_ffff_ffff_fffc) &- b.l2, (a.l3 &+ 0x1f_ffff_ffff_fffc) &- b.l3,
              (a.l4 &+ 0x1f_ffff_ffff_fffc) &- b.l4)
    }

    @inline(__always)
    static prefix func - (a: FieldElement) -> FieldElement { zero - a }

    @inline(__always)
    static func m(_ a: UInt64, _ b: UInt64) -> UInt128 { UInt128(a) &* UInt128(b) }

    @inline(__always)
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19
        var c0 = m(a.l0, b.l0) &+ m(a.l1, b4) &+ m(a.l2, b3) &+ m(a.l3, b2) &+ m(a.l4, b1)
        var c1 = m(a.l0, b.l1) &+ m(a.l1, b.l0) &+ m(a.l2, b4) &+ m(a.l3, b3) &+ m(a.l4, b2)
        var c2 = m(a.l0, b.l2) &+ m(a.l1, b.l1) &+ m(a.l2, b.l0) &+ m(a.l3, b4) &+ m(a.l4, b3)
        var c3 = m(a.l0, b.l3) &+ m(a.l1, b.l2) &+ m(a.l2, b.l1) &+ m(a.l3, b.l0) &+ m(a.l4, b4)
        var c4 = m(a.l0, b.l4) &+ m(a.l1, b.l3) &+ m(a.l2, b.l2) &+ m(a.l3, b.l1) &+ m(a.l4, b.l0)
        return reduceWide(&c0, &c1, &c2, &c3, &c4)
    }

    @inline(__always)
    func squared() -> FieldElement {
        let d0 = l0 &* 2, d1 = l1 &* 2, d4_19 = l4 &* 38
        let a3_19 = l3 &* 19, a4_19 = l4 &* 19
        var c0 = Self.m(l0, l0) &+ Self.m(d1, a4_19) &+ Self.m(l2 &* 2, a3_19)
        var c1 = Self.m(d0, l1) &+ Self.m(l2, d4_19) &+ Self.m(l3, a3_19)
        var c2 = Self.m(d0, l2) &+ Self.m(l1, l1) &+ Self.m(l3, d4_19)
        var c3 = Self.m(d0, l3) &+ Self.m(d1, l2) &+ Self.m(l4, a4_19)
        var c4 = Self.m(d0, l4) &+ Self.m(d1, l3) &+ Self.m(l2, l2)
        return Self.reduceWide(&c0, &c1, &c2, &c3, &c4)
    }

    @inline(__always)
    static func reduceWide(_ c0: inout UInt128, _ c1: inout UInt128, _ c2: inout UInt128,
                           _ c3: inout UInt128, _ c4: inout UInt128) -> FieldElement {
        let m51 = UInt128(mask51)
        c1 &+= c0 >> 51
        c2 &+= c1 >> 51
        c3 &+= c2 >> 51
        c4 &+= c3 >> 51
        let top = UInt64(truncatingIfNeeded: c4 >> 51)
        let r0 = UInt64(truncatingIfNeeded: c0 & m51) &+ top &* 19
        return FieldElement(r0 & mask51, UInt64(truncatingIfNeeded: c1 & m51) &+ (r0 >> 51),
                            UInt64(truncatingIfNeeded: c2 & m51), UInt64(truncatingIfNeeded: c3 & m51),
                            UInt64(truncatingIfNeeded: c4 & m51))
    }

    func squared(times n: Int) -> FieldElement {
        var r = self
        for _ in 0..<n { r = r.squared() }
        return r
    }

    /// self^((p − 5) / 8) = self^(2^252 − 3), the exponent used by SQRT_RATIO_M1.
    func powP58() -> FieldElement {
        let z2 = squared()
        let z9 = self * z2.squared(times: 2)
        let z11 = z2 * z9
        let z5_0 = z9 * z11.squared()               // 2^5 − 1
        let z10_0 = z5_0.squared(times: 5) * z5_0   // 2^10 − 1
        let z20_0 = z10_0.squared(times: 10) * z10_0
        let z40_0 = z20_0.squared(times: 20) * z20_0
        let z50_0 = z40_0.squared(times: 10) * z10_0
        let z100_0 = z50_0.squared(times: 50) * z50_0
        let z200_0 = z100_0.squared(times: 100) * z100_0
        let z250_0 = z200_0.squared(times: 50) * z50_0
        return z250_0.squared(times: 2) * self      // 2^252 − 3
    }

    /// Little-endian 255-bit load; bit 255 is ignored (callers check canonicity).
    init(bytes b: [UInt8]) {
        precondition(b.count == 32)
        func word(_ i: Int) -> UInt64 {
            var w: UInt64 = 0
            for j in 0..<8 { w |= UInt64(b[i + j]) << UInt64(8 * j) }
            return w
        }
        let w0 = word(0), w1 = word(8), w2 = word(16), w3 = word(24)
        self.init(w0 & Self.mask51,
                  ((w0 >> 51) | (w1 << 13)) & Self.mask51,
                  ((w1 >> 38) | (w2 << 26)) & Self.mask51,
                  ((w2 >> 25) | (w3 << 39)) & Self.mask51,
                  (w3 >> 12) & Self.mask51)
    }

    /// Canonical (fully reduced) little-endian encoding.
    var bytes: [UInt8] {
        // Two carry passes bring limbs below 2^51 with value < 2p; then subtract p if needed.
        var t = Self.carry(l0, l1, l2, l3, l4)
        t = Self.carry(t.l0, t.l1, t.l2, t.l3, t.l4)
        var q = (t.l0 &+ 19) >> 51
        q = (t.l1 &+ q) >> 51
        q = (t.l2 &+ q) >> 51
        q = (t.l3 &+ q) >> 51
        q = (t.l4 &+ q) >> 51
        var r0 = t.l0 &+ 19 &* q
        var r1 = t.l1 &+ (r0 >> 51); r0 &= Self.mask51
        var r2 = t.l2 &+ (r1 >> 51); r1 &= Self.mask51
        var r3 = t.l3 &+ (r2 >> 51); r2 &= Self.mask51
        var r4 = t.l4 &+ (r3 >> 51); r3 &= Self.mask51
        r4 &= Self.mask51
        let w0 = r0 | (r1 << 51)
        let w1 = (r1 >> 13) | (r2 << 38)
        let w2 = (r2 >> 26) | (r3 << 25)
        let w3 = (r3 >> 39) | (r4 << 12)
        var out = [UInt8](repeating: 0, count: 32)
        for (i, w) in [w0, w1, w2, w3].enumerated() {
            for j in 0..<8 { out[8 * i + j] = UInt8(truncatingIfNeeded: w >> UInt64(8 * j)) }
        }
        return out
    }

    /// RFC 9496 IS_NEGATIVE: the low bit of the canonical encoding.
    var isNegative: Bool { bytes[0] & 1 == 1 }
    var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    func equals(_ other: FieldElement) -> Bool { bytes == other.bytes }

    /// RFC 9496 CT_ABS (not constant time here: verification inputs are public).
    var absolute: FieldElement { isNegative ? -self : self }

    /// RFC 9496 SQRT_RATIO_M1(u, v): (was_square, non-negative sqrt(u/v) or sqrt(i·u/v)).
    static func sqrtRatioM1(_ u: FieldElement, _ v: FieldElement) -> (wasSquare: Bool, root: FieldElement) {
        let v3 = v.squared() * v
        let v7 = v3.squared() * v
        var r = (u * v3) * (u * v7).powP58()
        let check = v * r.squared()
        let correct = check.equals(u)
        let flipped = check.equals(-u)
        let flippedI = check.equals(-u * sqrtM1)
        if flipped || flippedI { r = r * sqrtM1 }
        return (correct || flipped, r.absolute)
    }
}
