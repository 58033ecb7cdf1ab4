public import Foundation

/// The node's source of time, injected so that periods, cooldowns and the synthetic schedule
/// can be driven by a manual clock in tests instead of by sleeping.
public protocol NodeClock: Sendable {
    /// Wall-clock time, used for cooldowns, score timestamps and periods.
    func now() -> Date
    /// Suspends for `duration` of this clock's time; throws on cancellation.
    func sleep(for duration: Duration) async throws
}

/// Real time.
public struct SystemNodeClock: NodeClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
