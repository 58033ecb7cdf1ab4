public import Foundation

/// The node's source of time, injected so that periods, cooldowns and the synthetic schedule
/// can be driven by a manual clock in tests instead of by sleeping.
public protocol NodeClock: Sendable {
    /// Wall-clock time, used for score timestamps, periods and what reports show.
    func now() -> Date
    /// Monotonic time, used for deadlines and cooldowns: it never steps with the wall clock.
    func uptime() -> Uptime
    /// Suspends for `duration` of this clock's time; throws on cancellation.
    func sleep(for duration: Duration) async throws
    /// Suspends until ``uptime()`` reaches `deadline` (returns at once when it has); throws on
    /// cancellation.
    func sleep(until deadline: Uptime) async throws
}

/// Real time.
public struct SystemNodeClock: NodeClock {
    public init() {}
    public func now() -> Date { Date() }

    public func uptime() -> Uptime {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Uptime(nanoseconds: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
    }

    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }

    public func sleep(until deadline: Uptime) async throws {
        let remaining = deadline - uptime()
        guard remaining > .zero else { return try Task.checkCancellation() }
        try await Task.sleep(for: remaining)
    }
}
