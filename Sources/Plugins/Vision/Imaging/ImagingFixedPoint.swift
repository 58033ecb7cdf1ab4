/// Integer-only maths helpers for the generator and resampler.
///
/// Generated images must be byte-identical on every machine, so the pixel
/// paths avoid floating point and libm (whose `sin` etc. differ between
/// platforms) and use these fixed-point helpers instead.
enum ImagingFixedPoint {
    /// 1.0 in Q14 (used for sine/cosine).
    static let one14 = 16384
    /// 1.0 in Q16 (used for positions, interpolation factors and fields).
    static let one16 = 65536

    /// round(16384 * sin(i * 2π / 256)) for i in 0...64 (a quarter wave).
    private static let quarterSine: [Int] = [
        0, 402, 804, 1205, 1606, 2006, 2404, 2801, 3196, 3590, 3981, 4370, 4756, 5139, 5520, 5897,
        6270, 6639, 7005, 7366, 7723, 8076, 8423, 8765, 9102, 9434, 9760, 10080, 10394, 10702, 11003, 11297,
        11585, 11866, 12140, 12406, 12665, 12916, 13160, 13395, 13623, 13842, 14053, 14256, 14449, 14635, 14811,
        14978, 15137, 15286, 15426, 15557, 15679, 15791, 15893, 15986, 16069, 16143, 16207, 16261, 16305, 16340,
        16364, 16379, 16384,
    ]

    /// Sine in Q14 of an angle given in 1/256ths of a turn (any integer).
    @inline(__always)
    static func sin256(_ angle: Int) -> Int {
        let a = angle & 255
        switch a {
        case 0...64: return quarterSine[a]
        case 65...128: return quarterSine[128 - a]
        case 129...192: return -quarterSine[a - 128]
        default: return -quarterSine[256 - a]
        }
    }

    /// Cosine in Q14 of an angle in 1/256ths of a turn.
    @inline(__always)
    static func cos256(_ angle: Int) -> Int {
        sin256(angle + 64)
    }

    /// Smoothstep of t in 0...256 (Q8), result in 0...256: 3t² - 2t³.
    @inline(__always)
    static func smooth256(_ t: Int) -> Int {
        let c = min(256, max(0, t))
        return (c * c * (768 - 2 * c)) >> 16
    }

    /// Smoothstep of t in 0...65536 (Q16), result in 0...65536.
    @inline(__always)
    static func smooth16(_ t: Int) -> Int {
        let c = min(65536, max(0, t))
        // 3c² - 2c³ in Q16; c*c fits easily, then scale back per factor.
        let c2 = (c * c) >> 16
        return (c2 * (3 * 65536 - 2 * c)) >> 16
    }

    @inline(__always)
    static func clampByte(_ v: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: min(255, max(0, v)))
    }

    /// Quantises an untrusted Double to an Int without trapping on NaN,
    /// infinities or out-of-range values (plain `Int(_:)` would trap).
    static func quantize(_ value: Double, scale: Double, range: ClosedRange<Int>) -> Int {
        guard value.isFinite else { return range.lowerBound }
        let scaled = (value * scale).rounded()
        if scaled <= Double(range.lowerBound) { return range.lowerBound }
        if scaled >= Double(range.upperBound) { return range.upperBound }
        return Int(scaled)
    }

    /// Integer HSV to RGB. hue in 0..<1536 (six 256-wide sextants),
    /// saturation and value in 0...255.
    static func hsv(hue: Int, saturation: Int, value: Int) -> (r: Int, g: Int, b: Int) {
        let h = ((hue % 1536) + 1536) % 1536
        let s = min(255, max(0, saturation))
        let v = min(255, max(0, value))
        let sextant = h >> 8
        let f = h & 255
        let p = v * (255 - s) / 255
        let q = v * (255 - s * f / 255) / 255
        let t = v * (255 - s * (255 - f) / 255) / 255
        switch sextant {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}

extension ImagingFixedPoint {
    /// Full 256-entry Q14 sine table for hot loops (avoids the quadrant switch).
    static let sineTable: [Int] = (0..<256).map { sin256($0) }
}
