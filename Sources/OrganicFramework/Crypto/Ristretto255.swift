import CSodium

/// ristretto255 scalar arithmetic and constant-time base multiplication backed by
/// libsodium (≥ 1.0.18); these handle secret scalars (key expansion, signing).
///
/// libsodium's `crypto_scalarmult_ristretto255(_base)` do not clamp: they only clear
/// bit 255 of the scalar (already clear for reduced scalars) and return -1 when the
/// result is the identity. Caveat: libsodium 1.0.18 ignores bit 255 of a *point*
/// encoding when checking canonicity, so untrusted points are decoded with
/// `EdwardsPoint(ristrettoBytes:)` (strict RFC 9496) instead; `isValidPoint`, `mul`
/// and `add` remain for the differential tests against our own arithmetic.
enum Ristretto255 {
    static let pointLength = 32
    static let scalarLength = 32

    /// The group order ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
    static let groupOrder: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// True when the 32 little-endian bytes encode an integer strictly below ℓ.
    static func isCanonicalScalar(_ s: [UInt8]) -> Bool {
        guard s.count == scalarLength else { return false }
        var i = scalarLength - 1
        while i >= 0 {
            if s[i] < groupOrder[i] { return true }
            if s[i] > groupOrder[i] { return false }
            i -= 1
        }
        return false  // equal to ℓ
    }

    static func isValidPoint(_ p: [UInt8]) -> Bool {
        p.count == pointLength && crypto_core_ristretto255_is_valid_point(p) == 1
    }

    /// Reduces a 64-byte little-endian integer mod ℓ (wide reduction keeps bias negligible).
    static func reduceWide(_ wide: [UInt8]) -> [UInt8] {
        precondition(wide.count == 64)
        return Sodium.output(scalarLength) { crypto_core_ristretto255_scalar_reduce($0, wide) }
    }

    static func scalarMul(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        Sodium.output(scalarLength) { crypto_core_ristretto255_scalar_mul($0, a, b) }
    }

    static func scalarAdd(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        Sodium.output(scalarLength) { crypto_core_ristretto255_scalar_add($0, a, b) }
    }

    static func scalarNegate(_ a: [UInt8]) -> [UInt8] {
        Sodium.output(scalarLength) { crypto_core_ristretto255_scalar_negate($0, a) }
    }

    /// P + Q, or nil when either encoding is invalid.
    static func add(_ p: [UInt8], _ q: [UInt8]) -> [UInt8]? {
        var ok = false
        let r = Sodium.output(pointLength) { ok = crypto_core_ristretto255_add($0, p, q) == 0 }
        return ok ? r : nil
    }

    /// s·B. The identity (s = 0) encodes as 32 zero bytes, which is what libsodium writes.
    static func baseMul(_ s: [UInt8]) -> [UInt8] {
        Sodium.output(pointLength) { _ = crypto_scalarmult_ristretto255_base($0, s) }
    }

    /// s·P, or nil when P is not a valid encoding *or* the product is the identity
    /// (libsodium returns -1 for both). Callers only multiply non-identity points by
    /// non-zero scalars, where an identity result is impossible in a prime-order group.
    static func mul(_ s: [UInt8], _ p: [UInt8]) -> [UInt8]? {
        guard p.count == pointLength else { return nil }
        var ok = false
        let r = Sodium.output(pointLength) { ok = crypto_scalarmult_ristretto255($0, s, p) == 0 }
        return ok ? r : nil
    }
}
