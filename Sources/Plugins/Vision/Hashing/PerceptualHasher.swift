/// The four imagehash hashes the vision plugin compares miner images with.
package struct PerceptualHashes: Sendable, Hashable, Codable {
    package var average: ImageHash
    package var perceptual: ImageHash
    package var difference: ImageHash
    package var color: ImageHash

    package init(average: ImageHash, perceptual: ImageHash, difference: ImageHash, color: ImageHash) {
        self.average = average
        self.perceptual = perceptual
        self.difference = difference
        self.color = color
    }
}

/// Perceptual hashes bit-for-bit compatible with Python imagehash 4.3 on Pillow
/// (average_hash, phash, dhash, colorhash), computed from decoded RGB pixels.
///
/// Unusable input (non-positive size, too few pixel bytes) yields all-zero hashes of the
/// usual length rather than trapping, because images come from untrusted miners.
package enum PerceptualHasher {
    /// All four hashes with default parameters; the RGB pass that builds the "L" plane
    /// also gathers the colorhash counts, so the full-size image is read once.
    package static func all(_ image: RGBImage) -> PerceptualHashes {
        guard GrayImage.isUsable(image) else {
            return PerceptualHashes(average: .zero(64), perceptual: .zero(64), difference: .zero(64), color: .zero(42))
        }
        let (gray, counts) = ColorCounts.analyze(image)
        var kernels = LanczosResampler.KernelCache()
        return PerceptualHashes(
            average: averageHash(gray: gray, hashSize: 8, kernels: &kernels),
            perceptual: perceptualHash(gray: gray, hashSize: 8, highFrequencyFactor: 4, kernels: &kernels),
            difference: differenceHash(gray: gray, hashSize: 8, kernels: &kernels),
            color: counts.hash(binBits: 3))
    }

    static func grayscale(_ image: RGBImage) -> GrayImage? {
        GrayImage.isUsable(image) ? Luminance.convert(image) : nil
    }
}

extension ImageHash {
    static func zero(_ bitCount: Int) -> ImageHash {
        ImageHash(bits: [Bool](repeating: false, count: max(bitCount, 0)))
    }
}
