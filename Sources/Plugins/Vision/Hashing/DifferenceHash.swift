extension PerceptualHasher {
    /// imagehash.dhash: shrink to (hashSize + 1) x hashSize, bit = right neighbour brighter.
    package static func differenceHash(_ image: RGBImage, hashSize: Int = 8) -> ImageHash {
        guard let gray = grayscale(image), hashSize > 0 else { return .zero(max(hashSize, 0) * max(hashSize, 0)) }
        var kernels = LanczosResampler.KernelCache()
        return differenceHash(gray: gray, hashSize: hashSize, kernels: &kernels)
    }

    static func differenceHash(gray: GrayImage, hashSize: Int, kernels: inout LanczosResampler.KernelCache) -> ImageHash {
        let width = hashSize + 1
        let small = LanczosResampler.resize(gray, width: width, height: hashSize, kernels: &kernels)
        var bits = [Bool]()
        bits.reserveCapacity(hashSize * hashSize)
        for row in 0..<hashSize {
            for col in 0..<hashSize {
                bits.append(small.pixels[row * width + col + 1] > small.pixels[row * width + col])
            }
        }
        return ImageHash(bits: bits)
    }
}
