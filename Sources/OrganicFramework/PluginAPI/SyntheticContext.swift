/// What a plugin may use while generating a synthetic request.
///
/// Synthetic requests go through the same perturbation as organic ones afterwards, so miners
/// cannot tell them apart.
public struct SyntheticContext: Sendable {
    /// The node's random source; use it for every random choice so tests are reproducible.
    public var random: OrganicRandom

    public init(random: OrganicRandom) {
        self.random = random
    }
}
