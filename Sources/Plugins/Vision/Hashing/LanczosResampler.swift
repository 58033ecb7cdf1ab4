import Foundation

/// Bit-exact emulation of Pillow's `resize(size, Image.LANCZOS)` on 8-bit "L" images.
///
/// Pillow resamples in two separable passes (normally horizontal first, see `resize`)
/// and rounds to 8 bits in between. Each pass turns double-precision Lanczos-3 weights into 22-bit fixed-point
/// integers, accumulates in 32-bit integers starting from half an LSB, and clips. Any
/// float shortcut or a different pass order changes pixels by one level, which flips
/// hash bits, so this follows the same arithmetic step by step.
enum LanczosResampler {
    /// Fixed-point fraction bits Pillow uses for 8-bit images (32 - 8 - 2).
    static let precisionBits: Int32 = 22

    /// Per-output-sample filter window and its fixed-point weights.
    struct Kernel: Sendable {
        let outputSize: Int
        /// Weights per output sample (padded to `stride`).
        let stride: Int
        let starts: [Int]
        let counts: [Int]
        let weights: [Int32]
        /// `weights` split as `high * 2048 + low` (low in 0..<2048), both fitting Int16:
        /// the horizontal pass then multiplies 16-bit lanes (SSE2 pmaddwd) instead of
        /// emulating 32-bit vector multiplies, with an identical integer result.
        let weightsHigh: [Int16]
        let weightsLow: [Int16]

        init(outputSize: Int, stride: Int, starts: [Int], counts: [Int], weights: [Int32]) {
            self.outputSize = outputSize
            self.stride = stride
            self.starts = starts
            self.counts = counts
            self.weights = weights
            self.weightsHigh = weights.map { Int16(truncatingIfNeeded: $0 >> LanczosResampler.splitBits) }
            self.weightsLow = weights.map { Int16(truncatingIfNeeded: $0 & ((1 << LanczosResampler.splitBits) - 1)) }
        }
    }

    /// Bits in the low half of a split weight (|weight| < 2^23, so the high half < 2^12).
    static let splitBits: Int32 = 11

    /// Lanczos with a = 3: sinc(x) * sinc(x / 3) on [-3, 3).
    @inline(__always)
    static func lanczos(_ x: Double) -> Double {
        guard x >= -3.0 && x < 3.0 else { return 0.0 }
        return sinc(x) * sinc(x / 3.0)
    }

    @inline(__always)
    private static func sinc(_ x: Double) -> Double {
        if x == 0.0 { return 1.0 }
        let scaled = x * Double.pi
        return sin(scaled) / scaled
    }

    /// Builds the kernel mapping `inputSize` samples onto `outputSize` over the full
    /// input extent (Pillow's default box). When shrinking, the filter is widened by
    /// the scale factor so it averages (anti-aliases) instead of skipping pixels.
    static func kernel(inputSize: Int, outputSize: Int) -> Kernel {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1.0)
        let support = 3.0 * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1.0 / filterScale
        let unit = Double(Int32(1) << precisionBits)

        var starts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * stride)
        var real = [Double](repeating: 0, count: stride)
        for out in 0..<outputSize {
            let center = (Double(out) + 0.5) * scale
            // C casts truncate toward zero; Int(_:) does the same.
            let first = max(Int(center - support + 0.5), 0)
            let count = min(Int(center + support + 0.5), inputSize) - first
            var total = 0.0
            for tap in 0..<count {
                let w = lanczos((Double(tap + first) - center + 0.5) * inverseFilterScale)
                real[tap] = w
                total += w
            }
            for tap in 0..<count {
                let w = total != 0.0 ? real[tap] / total : real[tap]
                let fixed = w < 0 ? -0.5 + w * unit : 0.5 + w * unit
                weights[out * stride + tap] = Int32(fixed)
            }
            starts[out] = first
            counts[out] = max(count, 0)
        }
        return Kernel(outputSize: outputSize, stride: stride, starts: starts, counts: counts, weights: weights)
    }

    /// Pillow's clip8: accumulator (already offset by half an LSB) back to a byte.
    @inline(__always)
    static func clip8(_ accumulator: Int32) -> UInt8 {
        if accumulator >= (Int32(1) << (precisionBits + 8)) { return 255 }
        if accumulator <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: accumulator >> precisionBits)
    }

    /// Resizes like Pillow; a dimension whose size is unchanged skips its pass, and an
    /// unchanged image is returned as is (Pillow returns a copy).
    ///
    /// Pass order matters for the result (each pass rounds to 8 bits). Pillow goes
    /// horizontal first, except that since Pillow 12.x/13 (PR #9549, "if height is scaled
    /// down significantly more than width, resize vertically first") it goes vertical
    /// first when the height shrinks and loses more than twice as many pixels as the
    /// width does. The rule was pinned down empirically against Pillow 13.0 on ~400
    /// random size combinations, see `verticalFirst`.
    static func resize(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
        var kernels = KernelCache()
        return resize(image, width: width, height: height, kernels: &kernels)
    }

    /// Kernels computed during one `PerceptualHasher.all` call. The weights cost two
    /// `sin` calls per tap (about 1.5k taps per output sample when shrinking 1024 px to
    /// 8), and the hashes reuse the same input/output pairs (e.g. 1024 -> 8 for both
    /// axes of average_hash and the rows of dhash).
    struct KernelCache {
        private struct Key: Hashable {
            let inputSize: Int
            let outputSize: Int
        }

        private var kernels: [Key: Kernel] = [:]

        mutating func kernel(inputSize: Int, outputSize: Int) -> Kernel {
            let key = Key(inputSize: inputSize, outputSize: outputSize)
            if let cached = kernels[key] { return cached }
            let made = LanczosResampler.kernel(inputSize: inputSize, outputSize: outputSize)
            kernels[key] = made
            return made
        }
    }

    static func resize(_ image: GrayImage, width: Int, height: Int, kernels: inout KernelCache) -> GrayImage {
        if image.width == width && image.height == height { return image }
        if image.width == width {
            let vertical = kernels.kernel(inputSize: image.height, outputSize: height)
            return resampleVertical(image, kernel: vertical, rowOffset: 0)
        }
        let horizontal = kernels.kernel(inputSize: image.width, outputSize: width)
        if image.height == height {
            return resampleHorizontal(image, kernel: horizontal, firstRow: 0, lastRow: image.height)
        }
        let vertical = kernels.kernel(inputSize: image.height, outputSize: height)
        if verticalFirst(inputWidth: image.width, inputHeight: image.height, width: width, height: height) {
            let shrunk = resampleVertical(image, kernel: vertical, rowOffset: 0)
            return resampleHorizontal(shrunk, kernel: horizontal, firstRow: 0, lastRow: shrunk.height)
        }
        // Only rows some vertical window touches are filtered horizontally.
        let firstRow = vertical.starts[0]
        let lastRow = vertical.starts[height - 1] + vertical.counts[height - 1]
        let narrowed = resampleHorizontal(image, kernel: horizontal, firstRow: firstRow, lastRow: lastRow)
        return resampleVertical(narrowed, kernel: vertical, rowOffset: firstRow)
    }

    /// Pillow 13's pass-order choice (see `resize`).
    static func verticalFirst(inputWidth: Int, inputHeight: Int, width: Int, height: Int) -> Bool {
        inputHeight > height && inputHeight - height > 2 * (inputWidth - width)
    }

    static func resampleHorizontal(_ image: GrayImage, kernel: Kernel, firstRow: Int, lastRow: Int) -> GrayImage {
        let outWidth = kernel.outputSize
        let rows = max(lastRow - firstRow, 0)
        let inWidth = image.width
        let half = Int32(1) << (precisionBits - 1)
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * rows) { out, initialized in
            image.pixels.withUnsafeBufferPointer { src in
                kernel.weightsHigh.withUnsafeBufferPointer { high in
                    kernel.weightsLow.withUnsafeBufferPointer { low in
                        for row in 0..<rows {
                            let line = (firstRow + row) * inWidth
                            for x in 0..<outWidth {
                                let taps = kernel.counts[x]
                                let base = line + kernel.starts[x]
                                let weightBase = x * kernel.stride
                                var sumHigh: Int32 = 0
                                var sumLow: Int32 = 0
                                for tap in 0..<taps {
                                    let value = Int32(Int16(src[base &+ tap]))
                                    sumHigh &+= value &* Int32(high[weightBase &+ tap])
                                    sumLow &+= value &* Int32(low[weightBase &+ tap])
                                }
                                // Ring arithmetic mod 2^32: equals Pillow's int sum exactly.
                                out[row * outWidth + x] = clip8(half &+ (sumHigh &<< splitBits) &+ sumLow)
                            }
                        }
                    }
                }
            }
            initialized = outWidth * rows
        }
        return GrayImage(width: outWidth, height: rows, pixels: pixels)
    }

    /// `rowOffset` is the source row that `image` row 0 corresponds to (the horizontal
    /// pass only produced the rows the vertical windows need).
    static func resampleVertical(_ image: GrayImage, kernel: Kernel, rowOffset: Int) -> GrayImage {
        let outHeight = kernel.outputSize
        let width = image.width
        let half = Int32(1) << (precisionBits - 1)
        var accumulator = [Int32](repeating: 0, count: width)
        var result = [UInt8](repeating: 0, count: width * outHeight)
        image.pixels.withUnsafeBufferPointer { src in
            kernel.weights.withUnsafeBufferPointer { weights in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    result.withUnsafeMutableBufferPointer { out in
                        for y in 0..<outHeight {
                            for x in 0..<width { acc[x] = half }
                            let first = kernel.starts[y] - rowOffset
                            for tap in 0..<kernel.counts[y] {
                                let weight = weights[y * kernel.stride + tap]
                                let line = (first + tap) * width
                                // Integer sums are order independent, so accumulate whole
                                // rows at a time for cache-friendly, vectorisable access.
                                for x in 0..<width {
                                    acc[x] &+= Int32(src[line &+ x]) &* weight
                                }
                            }
                            for x in 0..<width { out[y * width + x] = clip8(acc[x]) }
                        }
                    }
                }
            }
        }
        return GrayImage(width: width, height: outHeight, pixels: result)
    }
}
