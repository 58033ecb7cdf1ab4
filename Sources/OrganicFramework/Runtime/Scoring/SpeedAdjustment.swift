import Foundation

/// Applies an endpoint's optional speed factor to a valid answer's reward.
enum SpeedAdjustment {
    /// `clamp(score × bounded(factor), 0, 1)` with the factor bounded to [0.5, 1.5]; the reason
    /// notes the factor so miners can see it. Unchanged when the endpoint gives no factor.
    static func apply(to reward: MinerReward, latency: Duration, timeout: Duration, endpoint: some Endpoint) -> MinerReward {
        guard let factor = endpoint.speedFactor(latency: latency, timeout: timeout) else { return reward }
        let bounded = SpeedCurve.bounded(factor)
        let note = "speed ×" + String(format: "%.2f", bounded)
        return MinerReward(score: SpeedCurve.apply(bounded, to: reward.score), reason: reward.reason.map { "\($0); \(note)" } ?? note)
    }
}
