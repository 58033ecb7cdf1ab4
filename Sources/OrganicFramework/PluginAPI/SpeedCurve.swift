/// The default speed curve plugins may return from ``Endpoint/speedFactor(latency:timeout:)``.
///
/// With `r = latency / expected`:
///
/// | r | factor |
/// | --- | --- |
/// | `r ≤ 1` (on time or faster) | `1 + 0.5 × (1 − r)`: 1.5 for an instant answer, 1 exactly on time |
/// | `r > 1` (slower than expected) | `max(0.5, 1 / r)`: 0.8 at 1.25× expected, 0.5 from 2× on |
///
/// The curve is continuous, never rises with latency, and stays in [0.5, 1.5], the range the
/// core enforces anyway. Choose `expected` as the latency a well-provisioned honest miner
/// reaches, usually well below the timeout (for example a quarter of it).
public enum SpeedCurve {
    /// Smallest factor the core applies.
    public static let minimum = 0.5
    /// Largest factor the core applies.
    public static let maximum = 1.5

    /// The default curve; 1 (neutral) when `expected` is not positive or latency is not finite.
    public static func factor(latency: Duration, expected: Duration) -> Double {
        let expectedSeconds = seconds(expected)
        let latencySeconds = max(seconds(latency), 0)
        guard expectedSeconds > 0, latencySeconds.isFinite else { return 1 }
        let r = latencySeconds / expectedSeconds
        if r <= 1 { return 1 + (maximum - 1) * (1 - r) }
        return max(minimum, 1 / r)
    }

    /// Bounds any factor to [``minimum``, ``maximum``]; a non-finite factor counts as neutral (1).
    public static func bounded(_ factor: Double) -> Double {
        guard factor.isFinite else { return 1 }
        return min(max(factor, minimum), maximum)
    }

    /// A reward after the speed factor: `clamp(reward × bounded(factor), 0, 1)`.
    public static func apply(_ factor: Double?, to reward: Double) -> Double {
        guard let factor else { return reward }
        return min(max(reward * bounded(factor), 0), 1)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
