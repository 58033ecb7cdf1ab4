import ServiceLifecycle

/// The loop of every periodic service in the node: do the work, pause, again, on the node's
/// clock, until graceful shutdown or cancellation ends the pause (never the work midway).
package enum PeriodicWork {
    /// Whether the first round works at once or pauses first.
    package enum Start: Sendable {
        case working
        case pausing
    }

    /// Runs `work` then sleeps `pause()` (asked afresh each round, so it may follow a schedule),
    /// starting as `start` says. Returns once shutdown began.
    package static func run(clock: any NodeClock, start: Start = .working, pause: @escaping @Sendable () -> Duration,
                    _ work: @escaping @Sendable () async -> Void) async {
        try? await cancelWhenGracefulShutdown {
            if start == .pausing { try await clock.sleep(for: pause()) }
            while !Task.isCancelled {
                await work()
                try await clock.sleep(for: pause())
            }
        }
    }

    /// ``run(clock:start:pause:_:)`` with a fixed interval.
    package static func run(every interval: Duration, clock: any NodeClock, start: Start = .working,
                    _ work: @escaping @Sendable () async -> Void) async {
        await run(clock: clock, start: start, pause: { interval }, work)
    }
}
