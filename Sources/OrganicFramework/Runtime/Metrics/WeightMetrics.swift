import CoreMetrics
import Foundation

/// One subnet's weight-setting instruments.
struct WeightMetrics: Sendable {
    private let attempts: CaseTable<WeightSettingResult, CoreMetrics.Counter>
    private let lastSuccess: CoreMetrics.Gauge

    init(subnet: String, factory: any MetricsFactory) {
        attempts = CaseTable {
            CoreMetrics.Counter(label: MetricName.weightSettings, dimensions: [("subnet", subnet), ("result", $0.rawValue)], factory: factory)
        }
        lastSuccess = CoreMetrics.Gauge(label: MetricName.weightLastSuccess, dimensions: [("subnet", subnet)], factory: factory)
    }

    /// One attempt's result; a success also sets the last-success time (Unix seconds).
    func record(_ result: WeightSettingResult, at time: Date) {
        attempts[result].increment()
        if result == .success { lastSuccess.record(time.timeIntervalSince1970) }
    }
}
