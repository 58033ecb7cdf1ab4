/// Variable-time ristretto255 operations for signature *verification* only.
///
/// Verification works on public data (key, message, signature), so it can use the
/// classic shared-doubling (Straus) double-scalar multiply with wNAF digits —
/// R' = s·B + (−k)·A in one ~253-doubling pass — instead of two separate
/// constant-time multiplies plus a point subtraction through libsodium. Secret-key
/// operations (key expansion, signing) stay on libsodium's constant-time code.
///
/// Points are on the twisted Edwards curve −x² + y² = 1 + d·x²y² in extended
/// coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, T = XY/Z; ristretto255 encoding
/// and decoding follow RFC 9496 §4.3.
struct EdwardsPoint: Sendable {
    var x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement

    @inline(__always)
    init(x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement) {
        self.x = x; self.y = y; self.z = z; self.t = t
    }

    static let identity = EdwardsPoint(x: .zero, y: .one, z: .one, t: .zero)

    /// The ristretto255 / Ed25519 base point (y = 4/5, x even).
    static let base = EdwardsPoint(
        x: FieldElement(0x62d608f25d51a, 0x412a4b4f6592a, 0x75b7171a4b31d, 0x1ff60527118fe, 0x216936d3cd6e5),
        y: FieldElement(0x6666666666658, 0x4cccccccccccc, 0x1999999999999, 0x3333333333333, 0x6666666666666),
        z: .one,
        t: FieldElement(0x68ab3a5b7dda3, 0xeea2a5eadbb, 0x2af8df483c27e, 0x332b375274732, 0x67875f0fd78b7))

    /// Point in "cached" form for fast mixed addition: (Y+X, Y−X, 2Z, 2d·T).
    struct Cached: Sendable {
        var yPlusX: FieldElement, yMinusX: FieldElement, z2: FieldElement, t2d: FieldElement
    }

    var cached: Cached {
        Cached(yPlusX: y + x, yMinusX: y - x, z2: z + z, t2d: t * FieldElement.d2)
    }

    /// Projective (X : Y : Z) view; enough for doubling, which never reads T.
    var projective: ProjectivePoint { ProjectivePoint(x: x, y: y, z: z) }

    func doubled() -> EdwardsPoint { projective.doubled().extended }
    func adding(_ q: Cached) -> EdwardsPoint { addingCompleted(q).extended }
    func subtracting(_ q: Cached) -> EdwardsPoint { subtractingCompleted(q).extended }

    /// add-2008-hwcd-3 (a = −1, k = 2d) against a cached point, left in completed
    /// form so the caller pays only for the conversion it needs.
    @inline(__always)
    func addingCompleted(_ q: Cached) -> CompletedPoint {
        let a = (y - x) * q.yMinusX
        let b = (y + x) * q.yPlusX
        let c = t * q.t2d
        let d = z * q.z2
        return CompletedPoint(x: b - a, y: b + a, z: d + c, t: d - c)
    }

    /// self − q: adding the negation (−x, y) swaps Y±X and negates T.
    @inline(__always)
    func subtractingCompleted(_ q: Cached) -> CompletedPoint {
        let a = (y - x) * q.yPlusX
        let b = (y + x) * q.yMinusX
        let c = t * q.t2d
        let d = z * q.z2
        return CompletedPoint(x: b - a, y: b + a, z: d - c, t: d + c)
    }

    /// RFC 9496 §4.3.1 decode; nil for non-canonical or invalid encodings.
    init?(ristrettoBytes bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        let s = FieldElement(bytes: bytes)
        // Canonical: re-encoding must reproduce the input (rejects s ≥ p and bit 255);
        // and s must be non-negative.
        guard s.bytes == bytes, !s.isNegative else { return nil }
        let ss = s.squared()
        let u1 = FieldElement.one - ss
        let u2 = FieldElement.one + ss
        let u2Sqr = u2.squared()
        let v = -(FieldElement.d * u1.squared()) - u2Sqr
        let (wasSquare, invSqrt) = FieldElement.sqrtRatioM1(.one, v * u2Sqr)
        let denX = invSqrt * u2
        let denY = invSqrt * denX * v
        let px = (s + s) * denX
        let x = px.absolute
        let y = u1 * denY
        let t = x * y
        guard wasSquare, !t.isNegative, !y.isZero else { return nil }
        self.init(x: x, y: y, z: .one, t: t)
    }

    /// RFC 9496 §4.3.2 encode.
    var ristrettoBytes: [UInt8] {
        let u1 = (z + y) * (z - y)
        let u2 = x * y
        let (_, invSqrt) = FieldElement.sqrtRatioM1(.one, u1 * u2.squared())
        let den1 = invSqrt * u1
        let den2 = invSqrt * u2
        let zInv = den1 * den2 * t
        let rotate = (t * zInv).isNegative
        var xx = x, yy = y
        var denInv = den2
        if rotate {
            xx = y * FieldElement.sqrtM1
            yy = x * FieldElement.sqrtM1
            denInv = den1 * FieldElement.invSqrtAMinusD
        }
        if (xx * zInv).isNegative { yy = -yy }
        return (denInv * (z - yy)).absolute.bytes
    }
}

/// Projective coordinates (X : Y : Z); used between consecutive doublings.
struct ProjectivePoint: Sendable {
    var x: FieldElement, y: FieldElement, z: FieldElement

    /// dbl-2008-hwcd (a = −1) into completed form: 4 squarings, no multiplies.
    @inline(__always)
    func doubled() -> CompletedPoint {
        let xx = x.squared(), yy = y.squared()
        let zz2 = z.squared()
        let g = yy - xx                                   // B − A
        let e = (x + y).squared() - xx - yy               // 2XY
        return CompletedPoint(x: e, y: -(xx + yy), z: g, t: g - (zz2 + zz2))
    }
}

/// Completed coordinates ((X : Z), (Y : T)), x = X/Z, y = Y/T: the natural output
/// of the addition/doubling formulas before the final multiplications.
struct CompletedPoint: Sendable {
    var x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement

    /// 3M: enough for another doubling.
    @inline(__always)
    var projective: ProjectivePoint { ProjectivePoint(x: x * t, y: y * z, z: z * t) }

    /// 4M: needed before an addition or for encoding.
    @inline(__always)
    var extended: EdwardsPoint { EdwardsPoint(x: x * t, y: y * z, z: z * t, t: x * y) }
}

enum Ristretto255Vartime {
    /// Width-w non-adjacent form of a 32-byte little-endian scalar (< 2^255):
    /// digits are zero or odd with |d| < 2^(w−1), at most one non-zero per w positions.
    static func nonAdjacentForm(_ scalar: [UInt8], width w: Int) -> [Int8] {
        var words = [UInt64](repeating: 0, count: 5)
        for i in 0..<32 { words[i / 8] |= UInt64(scalar[i]) << UInt64(8 * (i % 8)) }
        var naf = [Int8](repeating: 0, count: 257)
        let window = UInt64(1) << UInt64(w)
        var pos = 0
        var carry: UInt64 = 0
        while pos < 257 {
            // Bits [pos, pos + w) of the scalar plus the pending carry.
            let idx = pos / 64, bitIdx = UInt64(pos % 64)
            var bits = words[idx] >> bitIdx
            if bitIdx + UInt64(w) > 64, idx + 1 < words.count {
                bits |= words[idx + 1] << (64 - bitIdx)
            }
            let value = (bits & (window - 1)) + carry
            if value & 1 == 0 {
                pos += 1
                continue
            }
            if value < window / 2 {
                carry = 0
                naf[pos] = Int8(value)
            } else {
                carry = 1
                naf[pos] = Int8(Int(value) - Int(window))
            }
            pos += w
        }
        return naf
    }

    /// Odd multiples P, 3P, 5P, …, (2·count − 1)P in cached form.
    static func oddMultiples(_ p: EdwardsPoint, count: Int) -> [EdwardsPoint.Cached] {
        var out = [p.cached]
        out.reserveCapacity(count)
        let twoP = p.doubled().cached
        var current = p
        for _ in 1..<count {
            current = current.adding(twoP)
            out.append(current.cached)
        }
        return out
    }

    /// Odd multiples of the base point for width-8 NAF (1B … 127B), built once.
    static let baseTable: [EdwardsPoint.Cached] = oddMultiples(.base, count: 64)

    /// Odd multiples P … 15P for width-5 NAF; callers may cache this per public key.
    static func pointTable(_ p: EdwardsPoint) -> [EdwardsPoint.Cached] { oddMultiples(p, count: 8) }

    /// a·P + b·B in variable time (public inputs only).
    static func doubleScalarMulBase(a: [UInt8], point p: EdwardsPoint, b: [UInt8]) -> EdwardsPoint {
        doubleScalarMulBase(a: a, pointTable: pointTable(p), b: b)
    }

    /// a·P + b·B given P's precomputed `pointTable`.
    static func doubleScalarMulBase(a: [UInt8], pointTable tableA: [EdwardsPoint.Cached], b: [UInt8]) -> EdwardsPoint {
        precondition(tableA.count == 8)
        let nafA = nonAdjacentForm(a, width: 5)
        let nafB = nonAdjacentForm(b, width: 8)
        let tableB = baseTable
        var top = 256
        while top >= 0, nafA[top] == 0, nafB[top] == 0 { top -= 1 }
        var r = ProjectivePoint(x: .zero, y: .one, z: .one)
        var c = CompletedPoint(x: .zero, y: .one, z: .one, t: .one)
        var i = top
        while i >= 0 {
            c = r.doubled()
            let da = Int(nafA[i]), db = Int(nafB[i])
            if da > 0 {
                c = c.extended.addingCompleted(tableA[da / 2])
            } else if da < 0 {
                c = c.extended.subtractingCompleted(tableA[-da / 2])
            }
            if db > 0 {
                c = c.extended.addingCompleted(tableB[db / 2])
            } else if db < 0 {
                c = c.extended.subtractingCompleted(tableB[-db / 2])
            }
            r = c.projective
            i -= 1
        }
        return top < 0 ? .identity : c.extended
    }
}
