import Foundation

/// A logistic regression over ``HashDistanceFeatures``: P(same parameters, different hardware).
///
/// Trained by `organic vision train-reward` on data from `organic vision reward-dataset`
/// (see Docs/VisionRewardModel.md); ``trained`` holds the shipped weights.
package struct HashRewardModel: Codable, Sendable, Hashable {
    /// One weight per feature, in ``HashDistanceFeatures/vector`` order.
    package var weights: [Double]
    package var bias: Double

    package init(weights: [Double], bias: Double) {
        self.weights = weights
        self.bias = bias
    }

    /// P(same parameters) in [0, 1]; 0 for a malformed model or input.
    package func probabilitySame(_ features: HashDistanceFeatures) -> Double {
        let x = features.vector
        guard weights.count == x.count else { return 0 }
        var z = bias
        for i in x.indices { z += weights[i] * x[i] }
        guard z.isFinite else { return 0 }
        return 1 / (1 + exp(-z))
    }

    /// The shipped weights: `organic vision train-reward` on 2,000 pairs from
    /// `organic vision reward-dataset --count 2000 --seed 19` (held-out precision and recall 1.0;
    /// see Docs/VisionRewardModel.md).
    package static let trained = HashRewardModel(weights: [-7.6716, -10.9168, -8.5629, -3.2901], bias: 5.2127)

    /// At or above this the images count as the same computation (score 1).
    package static let sameThreshold = 0.9
    /// At or below this they count as different (score 0); in between the model is unsure.
    package static let differentThreshold = 0.1
}
