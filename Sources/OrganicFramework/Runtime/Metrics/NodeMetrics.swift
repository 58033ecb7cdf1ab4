import CoreMetrics
import Foundation
import Prometheus

/// A node's metrics: every instrument it records through (swift-metrics), backed by the node's
/// own Prometheus registry, which `GET /metrics` renders.
///
/// The factory is injected, never bootstrapped into the process-wide `MetricsSystem`: that can
/// happen only once per process, and tests (and composers) run several nodes in one process,
/// each of which must count only its own traffic.
final class NodeMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: any MetricsFactory
    /// By endpoint name (immutable: read without a lock).
    private let endpoints: [String: EndpointMetrics]
    private let weights: [String: WeightMetrics]
    private let scraped: ScrapedMetrics

    /// Bucket upper bounds, in seconds, of each histogram.
    static let buckets: [String: [Double]] = [
        MetricName.requestDuration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        MetricName.minerDuration: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        MetricName.minerFirstChunk: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        MetricName.settlementLag: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ]

    init(registry: PrometheusCollectorRegistry, endpoints: [String], subnets: [String]) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = Self.buckets.mapValues { $0.map { Duration.seconds($0) } }
        self.factory = factory
        self.endpoints = Dictionary(endpoints.map { ($0, EndpointMetrics(endpoint: $0, factory: factory)) }, uniquingKeysWith: { a, _ in a })
        weights = Dictionary(subnets.map { ($0, WeightMetrics(subnet: $0, factory: factory)) }, uniquingKeysWith: { a, _ in a })
        scraped = ScrapedMetrics(factory: factory)
    }

    func endpoint(_ name: String) -> EndpointMetrics? {
        endpoints[name]
    }

    func weights(subnet: String) -> WeightMetrics? {
        weights[subnet]
    }

    /// Counts what a batch of settlements, now written, charged and gave back.
    func settled(_ batch: [Settlement]) {
        for settlement in batch {
            guard let held = settlement.reservation?.amount.millis, held > 0,
                  let metrics = endpoints[settlement.usage.endpoint] else { continue }
            let charged = settlement.commit ? min(settlement.charged?.millis ?? held, held) : 0
            if charged > 0 { metrics.creditsCharged.increment(by: charged) }
            if held > charged { metrics.creditsRefunded.increment(by: held - charged) }
        }
    }

    /// The Prometheus text exposition, with the mirrored gauges and counters read now.
    func exposition(subnets: [AdminAPI.Subnet]) async -> [UInt8] {
        var sample = ScrapedMetrics.Sample()
        for subnet in subnets {
            await Self.read(subnet, into: &sample)
        }
        scraped.apply(sample)
        return registry.emitToBuffer()
    }

    static func read(_ subnet: AdminAPI.Subnet, into sample: inout ScrapedMetrics.Sample) async {
        let name = ("subnet", subnet.name)
        let miners = subnet.selector.statuses()
        for state in MinerHealth.allCases {
            sample.gauge(MetricName.miners, [name, ("state", state.rawValue)], Double(miners.count { $0.state == state }))
        }
        for miner in miners {
            let labels = [name, ("uid", String(miner.uid)), ("hotkey", miner.hotkey)]
            sample.gauge(MetricName.minerInFlight, labels, Double(miner.inFlight))
            sample.gauge(MetricName.minerRecentScore, labels, miner.recentScore)
        }
        for queue in subnet.selector.queueStatuses() {
            // Queues of model-routed endpoints are `<endpoint>/<model>`.
            let parts = queue.endpoint.split(separator: "/", maxSplits: 1)
            let labels = [("endpoint", String(parts.first ?? "")), ("model", parts.count > 1 ? String(parts[1]) : "")]
            sample.gauge(MetricName.queueDepth, labels + [("traffic", "organic")], Double(queue.queuedOrganic))
            sample.gauge(MetricName.queueDepth, labels + [("traffic", "synthetic")], Double(queue.queuedSynthetic))
            sample.counter(MetricName.queueAdmitted, labels + [("wait", "immediate")], total: queue.admittedImmediately)
            sample.counter(MetricName.queueAdmitted, labels + [("wait", "queued")], total: queue.admittedAfterWait)
            for reason in ShedReason.allCases {
                let total = switch reason {
                case .queueFull: queue.shedQueueFull
                case .deadline: queue.shedDeadline
                case .overloaded: queue.shedOverloaded
                }
                sample.counter(MetricName.queueShed, labels + [("reason", reason.rawValue)], total: total)
            }
        }
        guard let board = subnet.scoreBoard else { return }
        // Miners that left the metagraph keep their history in the book, not a series here.
        for miner in await board.standings().miners where miner.inMetagraph {
            let labels = [name, ("uid", String(miner.uid)), ("hotkey", miner.hotkey)]
            sample.gauge(MetricName.minerScore, labels, miner.score)
            sample.gauge(MetricName.minerWeight, labels, miner.weight ?? 0)
        }
    }
}
