extension PerceptualHasher {
    /// imagehash.average_hash: shrink to hashSize x hashSize, bit = pixel > mean.
    package static func averageHash(_ image: RGBImage, hashSize: Int = 8) -> ImageHash {
        guard let gray = grayscale(image), hashSize > 0 else { return .zero(max(hashSize, 0) * max(hashSize, 0)) }
        var kernels = LanczosResampler.KernelCache()
        return averageHash(gray: gray, hashSize: hashSize, kernels: &kernels)
    }

    static func averageHash(gray: GrayImage, hashSize: Int, kernels: inout LanczosResampler.KernelCache) -> ImageHash {
        let small = LanczosResampler.resize(gray, width: hashSize, height: hashSize, kernels: &kernels)
        let total = small.pixels.reduce(0) { $0 + Int($1) }
        // numpy.mean on uint8 sums exactly in float64 and divides once; compare the same way.
        let mean = Double(total) / Double(small.pixels.count)
        return ImageHash(bits: small.pixels.map { Double($0) > mean })
    }
}
