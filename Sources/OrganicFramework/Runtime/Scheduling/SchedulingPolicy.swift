/// How the scheduler admits, orders and sheds work. See Docs/Scheduling.md.
package struct SchedulingPolicy: Sendable, Hashable {
    /// Queued requests per endpoint and class before new ones get 429 `queue_full`.
    package var maxQueueDepth: Int
    /// Queued requests in the whole node before new ones get 503 `overloaded`.
    package var maxTotalQueued: Int
    /// Share of an endpoint's recent dispatches that must be scored (synthetic or scored
    /// organic). While below it, synthetic requests go before organic ones.
    package var syntheticFloor: Double
    /// How many recent dispatches per endpoint the floor is measured over.
    package var floorWindow: Int
    /// A request must start within this fraction of its endpoint's timeout.
    package var maxWaitFraction: Double

    package init(maxQueueDepth: Int = 256, maxTotalQueued: Int = 4096, syntheticFloor: Double = 0.05, floorWindow: Int = 200,
                maxWaitFraction: Double = 0.5) {
        self.maxQueueDepth = maxQueueDepth
        self.maxTotalQueued = maxTotalQueued
        self.syntheticFloor = syntheticFloor
        self.floorWindow = floorWindow
        self.maxWaitFraction = maxWaitFraction
    }
}
