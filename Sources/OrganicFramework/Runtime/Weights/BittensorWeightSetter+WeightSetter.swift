/// The chain bridge as the node's weight setter: each submission goes to the SDK once.
extension BittensorWeightSetter: WeightSetter {
    package func setWeights(_ submission: WeightSubmission) async throws {
        try await setWeights(netuid: submission.netuid, uids: submission.uids, weights: submission.weights)
    }
}
