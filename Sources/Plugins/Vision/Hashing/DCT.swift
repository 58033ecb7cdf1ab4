import Foundation

/// Unnormalised DCT-II as computed by `scipy.fftpack.dct(x)` (type 2, norm=None), i.e.
/// `y[k] = 2 * sum_n x[n] * cos(pi * k * (2n + 1) / (2N))`.
///
/// phash compares coefficients with their median, so the last bits matter whenever the
/// maths gives ties: a flat or mirror-symmetric image has many coefficients that are
/// exactly zero in scipy but tiny noise in a direct summation, which flips hash bits.
/// For power-of-two lengths (the default 32) this therefore follows the same operation
/// sequence scipy's pocketfft uses: pre-twiddle into a half-complex vector, a radix-2/4
/// backward real FFT (FFTPACK layout), then a post-twiddle, with twiddle factors built
/// the same way (octant-reduced sin/cos products). Other lengths fall back to a direct
/// summation, which only differs from scipy by rounding.
struct DCT2: Sendable {
    let length: Int
    private let factors: [Int]
    /// FFT stage twiddles, one array per factor (FFTPACK `wa` layout).
    private let stageTwiddles: [[Double]]
    /// cos(2 pi (i + 1) / (4N)) for the DCT pre/post-processing.
    private let dctTwiddles: [Double]
    /// Direct-summation basis for lengths the FFT path does not cover.
    private let basis: [Double]

    static let size32 = DCT2(length: 32)

    init(length: Int) {
        self.length = length
        let powerOfTwo = length >= 2 && length & (length - 1) == 0
        if powerOfTwo {
            var factors = [Int]()
            var rest = length
            while rest % 4 == 0 { factors.append(4); rest /= 4 }
            if rest % 2 == 0 {
                factors.append(2)
                factors.swapAt(0, factors.count - 1)
            }
            self.factors = factors
            let unit = UnitRoots(count: length)
            var stages = [[Double]]()
            var l1 = 1
            for (index, ip) in factors.enumerated() {
                let ido = length / (l1 * ip)
                var wa = [Double](repeating: 0, count: max((ip - 1) * (ido - 1), 0))
                if index < factors.count - 1, ido > 1 {
                    for j in 1..<ip {
                        for i in stride(from: 1, through: (ido - 1) / 2, by: 1) {
                            let root = unit[j * l1 * i]
                            wa[(j - 1) * (ido - 1) + 2 * i - 2] = root.cos
                            wa[(j - 1) * (ido - 1) + 2 * i - 1] = root.sin
                        }
                    }
                }
                stages.append(wa)
                l1 *= ip
            }
            self.stageTwiddles = stages
            let quarter = UnitRoots(count: 4 * length)
            self.dctTwiddles = (0..<length).map { quarter[$0 + 1].cos }
            self.basis = []
        } else {
            self.factors = []
            self.stageTwiddles = []
            self.dctTwiddles = []
            var basis = [Double](repeating: 0, count: length * length)
            for k in 0..<length {
                for n in 0..<length {
                    basis[k * length + n] = 2.0 * cos(Double.pi * Double(k * (2 * n + 1)) / Double(2 * length))
                }
            }
            self.basis = basis
        }
    }

    /// Transforms `values` (count == length) in place.
    func transform(_ values: inout [Double]) {
        guard values.count == length, length > 1 else {
            if length == 1, !values.isEmpty { values[0] *= 2 }
            return
        }
        if factors.isEmpty {
            let input = values
            for k in 0..<length {
                var sum = 0.0
                for n in 0..<length { sum += input[n] * basis[k * length + n] }
                values[k] = sum
            }
            return
        }
        let n = length
        values[0] *= 2
        values[n - 1] *= 2
        var k = 1
        while k < n - 1 {
            let t = values[k + 1]
            values[k + 1] = t - values[k]
            values[k] = t + values[k]
            k += 2
        }
        backwardRealFFT(&values)
        let half = (n + 1) / 2
        for k in 1..<half {
            let kc = n - k
            let t1 = dctTwiddles[k - 1] * values[kc] + dctTwiddles[kc - 1] * values[k]
            let t2 = dctTwiddles[k - 1] * values[k] - dctTwiddles[kc - 1] * values[kc]
            values[k] = 0.5 * (t1 + t2)
            values[kc] = 0.5 * (t1 - t2)
        }
        values[half] *= dctTwiddles[half - 1]
    }

    /// FFTPACK-style half-complex -> real backward transform, unscaled.
    private func backwardRealFFT(_ values: inout [Double]) {
        var a = values
        var b = [Double](repeating: 0, count: length)
        var l1 = 1
        var resultInA = true
        for (index, ip) in factors.enumerated() {
            let ido = length / (ip * l1)
            if resultInA {
                Self.radix(ip, ido: ido, l1: l1, from: a, into: &b, twiddles: stageTwiddles[index])
            } else {
                Self.radix(ip, ido: ido, l1: l1, from: b, into: &a, twiddles: stageTwiddles[index])
            }
            resultInA.toggle()
            l1 *= ip
        }
        values = resultInA ? a : b
    }

    private static func radix(_ ip: Int, ido: Int, l1: Int, from cc: [Double], into ch: inout [Double], twiddles: [Double]) {
        if ip == 4 {
            radix4(ido: ido, l1: l1, cc, &ch, twiddles)
        } else {
            radix2(ido: ido, l1: l1, cc, &ch, twiddles)
        }
    }

    private static func radix2(ido: Int, l1: Int, _ cc: [Double], _ ch: inout [Double], _ wa: [Double]) {
        func input(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + 2 * c)] }
        func out(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        for k in 0..<l1 {
            let x = input(0, 0, k), y = input(ido - 1, 1, k)
            ch[out(0, k, 0)] = x + y
            ch[out(0, k, 1)] = x - y
        }
        if ido % 2 == 0 {
            for k in 0..<l1 {
                ch[out(ido - 1, k, 0)] = 2 * input(ido - 1, 0, k)
                ch[out(ido - 1, k, 1)] = -2 * input(0, 1, k)
            }
        }
        guard ido > 2 else { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                var x = input(i - 1, 0, k), y = input(ic - 1, 1, k)
                ch[out(i - 1, k, 0)] = x + y
                let tr2 = x - y
                x = input(i, 0, k); y = input(ic, 1, k)
                let ti2 = x + y
                ch[out(i, k, 0)] = x - y
                let w0 = wa[i - 2], w1 = wa[i - 1]
                ch[out(i, k, 1)] = w0 * ti2 + w1 * tr2
                ch[out(i - 1, k, 1)] = w0 * tr2 - w1 * ti2
            }
        }
    }

    private static func radix4(ido: Int, l1: Int, _ cc: [Double], _ ch: inout [Double], _ wa: [Double]) {
        let sqrt2 = 2.0.squareRoot()
        func input(_ a: Int, _ b: Int, _ c: Int) -> Double { cc[a + ido * (b + 4 * c)] }
        func out(_ a: Int, _ b: Int, _ c: Int) -> Int { a + ido * (b + l1 * c) }
        for k in 0..<l1 {
            let x = input(0, 0, k), y = input(ido - 1, 3, k)
            let tr2 = x + y, tr1 = x - y
            let tr3 = 2 * input(ido - 1, 1, k)
            let tr4 = 2 * input(0, 2, k)
            ch[out(0, k, 0)] = tr2 + tr3
            ch[out(0, k, 2)] = tr2 - tr3
            ch[out(0, k, 3)] = tr1 + tr4
            ch[out(0, k, 1)] = tr1 - tr4
        }
        if ido % 2 == 0 {
            for k in 0..<l1 {
                var x = input(0, 3, k), y = input(0, 1, k)
                let ti1 = x + y, ti2 = x - y
                x = input(ido - 1, 0, k); y = input(ido - 1, 2, k)
                let tr2 = x + y, tr1 = x - y
                ch[out(ido - 1, k, 0)] = tr2 + tr2
                ch[out(ido - 1, k, 1)] = sqrt2 * (tr1 - ti1)
                ch[out(ido - 1, k, 2)] = ti2 + ti2
                ch[out(ido - 1, k, 3)] = -sqrt2 * (tr1 + ti1)
            }
        }
        guard ido > 2 else { return }
        for k in 0..<l1 {
            for i in stride(from: 2, to: ido, by: 2) {
                let ic = ido - i
                var x = input(i - 1, 0, k), y = input(ic - 1, 3, k)
                let tr2 = x + y, tr1 = x - y
                x = input(i, 0, k); y = input(ic, 3, k)
                let ti1 = x + y, ti2 = x - y
                x = input(i, 2, k); y = input(ic, 1, k)
                let tr4 = x + y, ti3 = x - y
                x = input(i - 1, 2, k); y = input(ic - 1, 1, k)
                let tr3 = x + y, ti4 = x - y
                ch[out(i - 1, k, 0)] = tr2 + tr3
                let cr3 = tr2 - tr3
                ch[out(i, k, 0)] = ti2 + ti3
                let ci3 = ti2 - ti3
                let cr4 = tr1 + tr4, cr2 = tr1 - tr4
                let ci2 = ti1 + ti4, ci4 = ti1 - ti4
                rotate(ci2, cr2, slot: 0)
                rotate(ci3, cr3, slot: 1)
                rotate(ci4, cr4, slot: 2)

                /// Output = twiddle * (cr + i ci), FFTPACK's conjugate-multiply form.
                func rotate(_ ci: Double, _ cr: Double, slot: Int) {
                    let w0 = wa[i - 2 + slot * (ido - 1)], w1 = wa[i - 1 + slot * (ido - 1)]
                    ch[out(i, k, slot + 1)] = w0 * ci + w1 * cr
                    ch[out(i - 1, k, slot + 1)] = w0 * cr - w1 * ci
                }
            }
        }
    }

    /// Low-frequency `keep x keep` corner of the 2-D DCT of a square `length x length`
    /// image, columns first (scipy axis 0) then rows (axis 1), as phash does. Row-major.
    func lowFrequency2D(_ pixels: [UInt8], keep: Int) -> [Double] {
        let n = length
        let keep = min(keep, n)
        // Column transforms; only the first `keep` output rows feed the row pass.
        var rows = [Double](repeating: 0, count: keep * n)
        var column = [Double](repeating: 0, count: n)
        for c in 0..<n {
            for r in 0..<n { column[r] = Double(pixels[r * n + c]) }
            transform(&column)
            for r in 0..<keep { rows[r * n + c] = column[r] }
        }
        var result = [Double](repeating: 0, count: keep * keep)
        var row = [Double](repeating: 0, count: n)
        for r in 0..<keep {
            for c in 0..<n { row[c] = rows[r * n + c] }
            transform(&row)
            for c in 0..<keep { result[r * keep + c] = row[c] }
        }
        return result
    }
}

/// e^(2 pi i k / n) the way pocketfft tabulates it: each value is the product of two
/// table entries (a fine table of size ~sqrt(n) and a coarse one), each computed with
/// sin/cos reduced to the first octant. Reproducing that keeps twiddles bit-identical.
private struct UnitRoots {
    let count: Int
    private let shift: Int
    private let mask: Int
    private let fine: [(cos: Double, sin: Double)]
    private let coarse: [(cos: Double, sin: Double)]

    /// `count` must be a power of two, so pi / (4 count) is exact in Double (pocketfft
    /// computes it in long double and rounds; both give the same value here).
    init(count: Int) {
        self.count = count
        let angle = Double.pi / Double(4 * count)
        let valueCount = (count + 2) / 2
        var shift = 1
        while (1 << shift) * (1 << shift) < valueCount { shift += 1 }
        let mask = (1 << shift) - 1
        self.shift = shift
        self.mask = mask
        var fine: [(cos: Double, sin: Double)] = [(1, 0)]
        for i in 1...mask { fine.append(Self.octant(i, count, angle)) }
        var coarse: [(cos: Double, sin: Double)] = [(1, 0)]
        let coarseCount = (valueCount + mask) / (mask + 1)
        if coarseCount > 1 {
            for i in 1..<coarseCount { coarse.append(Self.octant(i * (mask + 1), count, angle)) }
        }
        self.fine = fine
        self.coarse = coarse
    }

    subscript(index: Int) -> (cos: Double, sin: Double) {
        let mirrored = 2 * index > count
        let idx = mirrored ? count - index : index
        let a = fine[idx & mask], b = coarse[idx >> shift]
        let c = a.cos * b.cos - a.sin * b.sin
        let s = a.cos * b.sin + a.sin * b.cos
        return (c, mirrored ? -s : s)
    }

    /// (cos, sin) of 2 pi x / n using only arguments in [0, pi/4].
    private static func octant(_ value: Int, _ n: Int, _ angle: Double) -> (cos: Double, sin: Double) {
        var x = value << 3
        if x < 4 * n {
            if x < 2 * n {
                if x < n { return (cos(Double(x) * angle), sin(Double(x) * angle)) }
                return (sin(Double(2 * n - x) * angle), cos(Double(2 * n - x) * angle))
            }
            x -= 2 * n
            if x < n { return (-sin(Double(x) * angle), cos(Double(x) * angle)) }
            return (-cos(Double(2 * n - x) * angle), sin(Double(2 * n - x) * angle))
        }
        x = 8 * n - x
        if x < 2 * n {
            if x < n { return (cos(Double(x) * angle), -sin(Double(x) * angle)) }
            return (sin(Double(2 * n - x) * angle), -cos(Double(2 * n - x) * angle))
        }
        x -= 2 * n
        if x < n { return (-sin(Double(x) * angle), -cos(Double(x) * angle)) }
        return (-cos(Double(2 * n - x) * angle), -sin(Double(2 * n - x) * angle))
    }
}
