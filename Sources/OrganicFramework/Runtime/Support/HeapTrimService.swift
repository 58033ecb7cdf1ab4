public import Logging
public import ServiceLifecycle

/// Every `interval`, returns the memory the process heap holds free to the system, so a node's
/// RSS falls back after a burst of large requests (see ``ProcessHeap``).
public struct HeapTrimService: Service {
    let interval: Duration
    let clock: any NodeClock
    let logger: Logger
    let trim: @Sendable () -> Bool

    public init(interval: Duration = ProcessHeap.trimInterval, clock: any NodeClock = SystemNodeClock(), logger: Logger) {
        self.init(interval: interval, clock: clock, logger: logger, trim: ProcessHeap.trim)
    }

    package init(interval: Duration, clock: any NodeClock, logger: Logger, trim: @escaping @Sendable () -> Bool) {
        self.interval = interval
        self.clock = clock
        self.logger = logger
        self.trim = trim
    }

    public func run() async throws {
        await PeriodicWork.run(every: interval, clock: clock, start: .pausing) {
            let started = ContinuousClock.now
            guard trim() else { return }
            logger.trace("heap trimmed", metadata: ["seconds": "\((ContinuousClock.now - started).secondsValue)"])
        }
    }
}
