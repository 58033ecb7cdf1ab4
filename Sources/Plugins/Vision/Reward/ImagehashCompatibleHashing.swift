/// The plugin's hashes: ``PerceptualHasher`` (bit-exact with imagehash) printed as hex.
struct ImagehashCompatibleHashing: PerceptualHashing {
    func hashes(of image: RGBImage) -> ImageHashSet {
        let all = PerceptualHasher.all(image)
        return ImageHashSet(average: all.average.hexString, perceptual: all.perceptual.hexString,
                            difference: all.difference.hexString, color: all.color.hexString)
    }
}

extension ImageHashSet {
    /// The four hashes of `image`, exactly as Python's imagehash prints them.
    package static func of(_ image: RGBImage) -> ImageHashSet {
        ImagehashCompatibleHashing().hashes(of: image)
    }
}
