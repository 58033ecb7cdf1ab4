/// Where the reward gets an image's perceptual hashes from.
///
/// The reward model only sees hash distances, so it depends on this seam rather than on one
/// implementation; ``ImagehashCompatibleHashing`` (bit-exact with Python's imagehash) is the one
/// the plugin uses.
protocol PerceptualHashing: Sendable {
    func hashes(of image: RGBImage) -> ImageHashSet
}
