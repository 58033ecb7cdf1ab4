import CoreMetrics
import Synchronization

/// Metrics that mirror state the node already keeps (the scheduler's queues and miners, the
/// score board), set when Prometheus scrapes instead of on every change.
///
/// Gauges take the value read; a series whose labels were not read this time (a miner that
/// left the metagraph) is removed. Counters mirror totals kept elsewhere (which never go down)
/// by adding what they grew since the last scrape; a total older than one already applied (two
/// scrapes at once) adds nothing.
final class ScrapedMetrics: Sendable {
    /// What one scrape read.
    struct Sample {
        var gauges: [(name: String, labels: [(String, String)], value: Double)] = []
        var counters: [(name: String, labels: [(String, String)], total: Int)] = []

        mutating func gauge(_ name: String, _ labels: [(String, String)], _ value: Double) {
            gauges.append((name, labels, value))
        }

        mutating func counter(_ name: String, _ labels: [(String, String)], total: Int) {
            counters.append((name, labels, total))
        }
    }

    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]

        init(_ name: String, _ labels: [(String, String)]) {
            self.name = name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }
    }

    private struct State {
        var gauges: [SeriesKey: CoreMetrics.Gauge] = [:]
        var counters: [SeriesKey: (counter: CoreMetrics.Counter, total: Int)] = [:]
    }

    private let factory: any MetricsFactory
    private let state = Mutex(State())

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func apply(_ sample: Sample) {
        let factory = self.factory
        let stale: [CoreMetrics.Gauge] = state.withLock { state in
            var seen = Set<SeriesKey>()
            for (name, labels, value) in sample.gauges {
                let key = SeriesKey(name, labels)
                seen.insert(key)
                let gauge = state.gauges[key] ?? CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
                state.gauges[key] = gauge
                gauge.record(value)
            }
            for (name, labels, total) in sample.counters {
                let key = SeriesKey(name, labels)
                var entry = state.counters[key] ?? (CoreMetrics.Counter(label: name, dimensions: labels, factory: factory), 0)
                if total > entry.total {
                    entry.counter.increment(by: total - entry.total)
                    entry.total = total
                }
                state.counters[key] = entry
            }
            let gone = state.gauges.filter { !seen.contains($0.key) }
            for key in gone.keys { state.gauges[key] = nil }
            return Array(gone.values)
        }
        for gauge in stale { gauge.destroy() }
    }
}
