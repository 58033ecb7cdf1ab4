/// The reward model's inputs for one pair of images: the four hash distances, each divided by
/// its bit count so every feature lies in [0, 1].
package struct HashDistanceFeatures: Sendable, Hashable {
    package var average: Double
    package var perceptual: Double
    package var difference: Double
    package var color: Double

    package init(average: Double, perceptual: Double, difference: Double, color: Double) {
        self.average = average
        self.perceptual = perceptual
        self.difference = difference
        self.color = color
    }

    /// Distances between two hash sets; nil when a hash is malformed or the lengths differ.
    package init?(_ a: ImageHashSet, _ b: ImageHashSet) {
        guard let da = ImageHashSet.distance(a.average, b.average), let dp = ImageHashSet.distance(a.perceptual, b.perceptual),
              let dd = ImageHashSet.distance(a.difference, b.difference), let dc = ImageHashSet.distance(a.color, b.color),
              !a.average.isEmpty, !a.perceptual.isEmpty, !a.difference.isEmpty, !a.color.isEmpty
        else { return nil }
        average = Double(da) / Double(a.average.utf8.count * 4)
        perceptual = Double(dp) / Double(a.perceptual.utf8.count * 4)
        difference = Double(dd) / Double(a.difference.utf8.count * 4)
        color = Double(dc) / Double(a.color.utf8.count * 4)
    }

    package var vector: [Double] { [average, perceptual, difference, color] }
}
