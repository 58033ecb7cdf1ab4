import CoreMetrics
import Synchronization

/// One endpoint's per-miner latency histograms, by uid: made on a miner's first attempt and
/// kept in an array indexed by uid (bounded by the metagraph), so recording is an index under
/// a short lock.
final class MinerTimers: Sendable {
    private let endpoint: String
    private let factory: any MetricsFactory
    private let timers = Mutex<[CoreMetrics.Timer?]>([])

    init(endpoint: String, factory: any MetricsFactory) {
        self.endpoint = endpoint
        self.factory = factory
    }

    func timer(uid: UInt16) -> CoreMetrics.Timer {
        let index = Int(uid)
        return timers.withLock { timers in
            if index < timers.count, let timer = timers[index] { return timer }
            if index >= timers.count { timers += [CoreMetrics.Timer?](repeating: nil, count: index + 1 - timers.count) }
            let timer = CoreMetrics.Timer(label: MetricName.minerDuration, dimensions: [("endpoint", endpoint), ("uid", String(uid))],
                                          factory: factory)
            timers[index] = timer
            return timer
        }
    }
}
