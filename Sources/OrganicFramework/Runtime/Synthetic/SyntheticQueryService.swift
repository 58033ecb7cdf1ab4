import Logging
import ServiceLifecycle
import Synchronization

/// Issues the validator's own scoring queries at a steady rate, cycling through endpoints.
///
/// Each tick generates a request with the endpoint's generator, perturbs it exactly as an
/// organic request would be, and sends it to N miners; the answers are scored like any other
/// round. Ticks follow the injected clock, so tests drive the schedule without sleeping.
final class SyntheticQueryService: Service {
    let endpoints: [any ServedEndpoint]
    let dispatcher: QueryDispatcher
    let interval: Duration
    let clock: any NodeClock
    let logger: Logger
    let metrics: NodeMetrics?

    init(endpoints: [any ServedEndpoint], dispatcher: QueryDispatcher, interval: Duration, clock: any NodeClock, logger: Logger,
         metrics: NodeMetrics? = nil) {
        self.metrics = metrics
        self.endpoints = endpoints
        self.dispatcher = dispatcher
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        guard !endpoints.isEmpty else { return }
        let turn = Mutex(0)
        await PeriodicWork.run(every: interval, clock: clock) {
            // The endpoints take turns.
            let endpoint = turn.withLock { next in
                defer { next += 1 }
                return self.endpoints[next % self.endpoints.count]
            }
            // Wait for miners at most one interval, so the schedule never falls behind.
            let name = endpoint.descriptor.name
            let dispatched = await endpoint.runSyntheticQuery(dispatcher: self.dispatcher, maxWait: self.interval)
            self.metrics?.endpoint(name)?.count(synthetic: dispatched ? .dispatched : .notAdmitted)
            if !dispatched {
                self.logger.debug("no miner free for a synthetic query", metadata: [LogKey.endpoint: "\(name)"])
            }
        }
    }
}
