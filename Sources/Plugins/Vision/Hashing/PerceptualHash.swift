extension PerceptualHasher {
    /// imagehash.phash: shrink to (hashSize * highFrequencyFactor)^2, 2-D DCT-II, keep the
    /// hashSize x hashSize low-frequency corner, bit = coefficient > median of that corner.
    package static func perceptualHash(_ image: RGBImage, hashSize: Int = 8, highFrequencyFactor: Int = 4) -> ImageHash {
        guard let gray = grayscale(image), hashSize > 0, highFrequencyFactor > 0 else {
            return .zero(max(hashSize, 0) * max(hashSize, 0))
        }
        var kernels = LanczosResampler.KernelCache()
        return perceptualHash(gray: gray, hashSize: hashSize, highFrequencyFactor: highFrequencyFactor, kernels: &kernels)
    }

    static func perceptualHash(
        gray: GrayImage, hashSize: Int, highFrequencyFactor: Int, kernels: inout LanczosResampler.KernelCache
    ) -> ImageHash {
        let size = hashSize * highFrequencyFactor
        let small = LanczosResampler.resize(gray, width: size, height: size, kernels: &kernels)
        let dct = size == DCT2.size32.length ? DCT2.size32 : DCT2(length: size)
        let coefficients = dct.lowFrequency2D(small.pixels, keep: hashSize)
        let median = median(of: coefficients)
        return ImageHash(bits: coefficients.map { $0 > median })
    }

    /// numpy.median: middle element, or the mean of the two middle elements.
    static func median(of values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[mid] }
        return (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}
