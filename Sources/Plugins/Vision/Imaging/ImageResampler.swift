/// Integer-only image resizing (deterministic across machines, which matters
/// when validators resize miner output before hashing it).
///
/// Separable filter: bilinear when enlarging an axis, exact area averaging
/// (box filter) when shrinking it, so downscaling for perceptual hashing
/// does not alias. Pixel centres are aligned (like most image libraries).
package enum ImageResampler {
    /// Largest output side; bigger requests are clamped to protect memory.
    package static let maxSide = 8192

    /// Bilinear enlargement by an integer factor (typically 2 or 4).
    /// `factor` is clamped to 1...8 and each output side to `maxSide`.
    package static func upscale(_ image: RGBImage, factor: Int) -> RGBImage {
        let f = min(8, max(1, factor))
        // Clamp before multiplying so a bogus width can never overflow.
        let w = min(maxSide, max(0, image.width)) * f
        let h = min(maxSide, max(0, image.height)) * f
        return resize(image, width: w, height: h)
    }

    /// Resizes to exactly `width` x `height` (each clamped to 0...`maxSide`).
    /// A malformed input (pixel count not matching its size) or an empty one
    /// yields a black image of the requested size.
    package static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let dw = min(maxSide, max(0, width))
        let dh = min(maxSide, max(0, height))
        guard dw > 0, dh > 0 else { return RGBImage(width: dw, height: dh, pixels: []) }
        guard image.isWellFormed, image.width > 0, image.height > 0 else {
            return RGBImage(width: dw, height: dh)
        }
        if dw == image.width && dh == image.height { return image }

        let sw = image.width
        let sh = image.height
        let xTaps = Taps(source: sw, destination: dw)
        let yTaps = Taps(source: sh, destination: dh)

        // Horizontal pass into a Q8 intermediate (dw x sh), then vertical.
        var middle = [UInt16](repeating: 0, count: dw * sh * 3)
        image.pixels.withUnsafeBufferPointer { src in
            middle.withUnsafeMutableBufferPointer { mid in
                xTaps.withPointers { starts, counts, weights, maxTaps in
                    for y in 0..<sh {
                        let row = y * sw * 3
                        var out = y * dw * 3
                        for x in 0..<dw {
                            var r = 0, g = 0, b = 0
                            var s = row + starts[x] * 3
                            let wBase = x * maxTaps
                            for k in 0..<counts[x] {
                                let wt = weights[wBase + k]
                                r &+= Int(src[s]) &* wt
                                g &+= Int(src[s + 1]) &* wt
                                b &+= Int(src[s + 2]) &* wt
                                s += 3
                            }
                            // Q14 -> Q8 with rounding; max 255 * 256 fits UInt16.
                            mid[out] = UInt16(truncatingIfNeeded: (r &+ 32) >> 6)
                            mid[out + 1] = UInt16(truncatingIfNeeded: (g &+ 32) >> 6)
                            mid[out + 2] = UInt16(truncatingIfNeeded: (b &+ 32) >> 6)
                            out += 3
                        }
                    }
                }
            }
        }

        var pixels = [UInt8](repeating: 0, count: dw * dh * 3)
        let rowLength = dw * 3
        middle.withUnsafeBufferPointer { mid in
            pixels.withUnsafeMutableBufferPointer { dst in
                yTaps.withPointers { starts, counts, weights, maxTaps in
                    for y in 0..<dh {
                        let out = y * rowLength
                        let first = starts[y]
                        let wBase = y * maxTaps
                        for i in 0..<rowLength {
                            var acc = 0
                            var m = first * rowLength + i
                            for k in 0..<counts[y] {
                                acc &+= Int(mid[m]) &* weights[wBase + k]
                                m += rowLength
                            }
                            // Q8 * Q14 = Q22.
                            dst[out + i] = ImagingFixedPoint.clampByte((acc &+ (1 << 21)) >> 22)
                        }
                    }
                }
            }
        }
        return RGBImage(width: dw, height: dh, pixels: pixels)
    }

    /// Per-output-sample filter taps for one axis; weights are Q14 and sum
    /// to exactly 16384 for every output sample.
    struct Taps {
        var starts: [Int]
        var counts: [Int]
        var weights: [Int]
        var maxTaps: Int

        init(source s: Int, destination d: Int) {
            let one = 1 << 14
            starts = [Int](repeating: 0, count: d)
            counts = [Int](repeating: 0, count: d)
            if d >= s {
                // Bilinear. Sample position in units of 1/(2d) source pixels,
                // measured from the centre of source pixel 0.
                maxTaps = 2
                weights = [Int](repeating: 0, count: d * 2)
                let denominator = 2 * d
                for i in 0..<d {
                    let position = (2 * i + 1) * s - d
                    // Floor division (position may be negative at the left edge).
                    let j0 = position >= 0 ? position / denominator : -((-position + denominator - 1) / denominator)
                    let frac = position - j0 * denominator
                    let w1 = frac * one / denominator
                    let a = min(s - 1, max(0, j0))
                    let b = min(s - 1, max(0, j0 + 1))
                    if a == b || w1 == 0 {
                        starts[i] = a
                        counts[i] = 1
                        weights[i * 2] = one
                    } else {
                        starts[i] = a
                        counts[i] = 2
                        weights[i * 2] = one - w1
                        weights[i * 2 + 1] = w1
                    }
                }
            } else {
                // Area average. Output i spans [i*s, (i+1)*s) and source j spans
                // [j*d, (j+1)*d), both in units of 1/d source pixels.
                maxTaps = (s + d - 1) / d + 1
                weights = [Int](repeating: 0, count: d * maxTaps)
                for i in 0..<d {
                    let lo = i * s
                    let hi = lo + s
                    let first = lo / d
                    let last = min(s - 1, (hi - 1) / d)
                    starts[i] = first
                    counts[i] = last - first + 1
                    var total = 0
                    var largest = 0
                    for j in first...last {
                        let overlap = min(hi, (j + 1) * d) - max(lo, j * d)
                        let wt = overlap * one / s
                        let k = j - first
                        weights[i * maxTaps + k] = wt
                        total += wt
                        if wt > weights[i * maxTaps + largest] { largest = k }
                    }
                    // Give the rounding remainder to the dominant tap.
                    weights[i * maxTaps + largest] += one - total
                }
            }
        }

        func withPointers<R>(
            _ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, Int) -> R
        ) -> R {
            starts.withUnsafeBufferPointer { st in
                counts.withUnsafeBufferPointer { ct in
                    weights.withUnsafeBufferPointer { wt in
                        body(st, ct, wt, maxTaps)
                    }
                }
            }
        }
    }
}

extension RGBImage {
    /// `ImageResampler.resize(self, width:height:)`.
    package func resized(width: Int, height: Int) -> RGBImage {
        ImageResampler.resize(self, width: width, height: height)
    }

    /// `ImageResampler.upscale(self, factor:)`.
    package func upscaled(factor: Int) -> RGBImage {
        ImageResampler.upscale(self, factor: factor)
    }
}
