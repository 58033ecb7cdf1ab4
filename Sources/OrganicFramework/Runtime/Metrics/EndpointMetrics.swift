import CoreMetrics
import Foundation
import Hummingbird

/// One endpoint's instruments, made once when the node starts (every label set known in
/// advance exists from the first scrape, at zero), so that recording on the request path is an
/// array index and an atomic add, or a histogram's own short lock; never a lookup by name.
final class EndpointMetrics: Sendable {
    /// The statuses the node answers with, made in advance; others are made on first use.
    static let statusCodes = [200, 400, 401, 402, 403, 404, 413, 415, 429, 499, 500, 502, 503, 504]

    let endpoint: String
    private let factory: any MetricsFactory
    /// `organic_requests_total` by status code, at index `code - 100`.
    private let requestsByStatus: [CoreMetrics.Counter?]
    let requestDuration: CoreMetrics.Timer
    private let attempts: CaseTable<MinerAttemptOutcome, CoreMetrics.Counter>
    let minerDurations: MinerTimers
    let firstChunk: CoreMetrics.Timer
    private let organicRounds: CaseTable<RoundOutcome, CoreMetrics.Counter>
    private let syntheticRounds: CaseTable<RoundOutcome, CoreMetrics.Counter>
    private let synthetic: CaseTable<SyntheticOutcome, CoreMetrics.Counter>
    let creditsReserved: CoreMetrics.Counter
    let creditsCharged: CoreMetrics.Counter
    let creditsRefunded: CoreMetrics.Counter

    init(endpoint: String, factory: any MetricsFactory) {
        self.endpoint = endpoint
        self.factory = factory
        let label = ("endpoint", endpoint)
        func counter(_ name: String, _ more: (String, String)...) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: name, dimensions: [label] + more, factory: factory)
        }
        var byStatus = [CoreMetrics.Counter?](repeating: nil, count: 500)
        for code in Self.statusCodes { byStatus[code - 100] = counter(MetricName.requests, ("code", String(code))) }
        requestsByStatus = byStatus
        requestDuration = CoreMetrics.Timer(label: MetricName.requestDuration, dimensions: [label], factory: factory)
        attempts = CaseTable { counter(MetricName.minerAttempts, ("outcome", $0.rawValue)) }
        minerDurations = MinerTimers(endpoint: endpoint, factory: factory)
        firstChunk = CoreMetrics.Timer(label: MetricName.minerFirstChunk, dimensions: [label], factory: factory)
        organicRounds = CaseTable { counter(MetricName.rounds, ("traffic", "organic"), ("outcome", $0.rawValue)) }
        syntheticRounds = CaseTable { counter(MetricName.rounds, ("traffic", "synthetic"), ("outcome", $0.rawValue)) }
        synthetic = CaseTable { counter(MetricName.syntheticQueries, ("outcome", $0.rawValue)) }
        creditsReserved = counter(MetricName.creditsReserved)
        creditsCharged = counter(MetricName.creditsCharged)
        creditsRefunded = counter(MetricName.creditsRefunded)
    }

    func countRequest(status: Int) {
        if (100..<600).contains(status), let counter = requestsByStatus[status - 100] {
            counter.increment()
        } else {
            // A status a plugin chose: the registry hands back the same series each time.
            CoreMetrics.Counter(label: MetricName.requests, dimensions: [("endpoint", endpoint), ("code", String(status))], factory: factory)
                .increment()
        }
    }

    /// Counts `response` by its status and times the request until its body has been written
    /// (the whole stream, for a streamed answer).
    func served(_ response: consuming Response, since started: ContinuousClock.Instant) -> Response {
        countRequest(status: response.status.code)
        let body = response.body
        let duration = requestDuration
        // A body of known length leaves at once: timed here, it keeps the server's one write of
        // head, body and end (wrapped, the head would go out on its own).
        guard body.contentLength == nil else {
            duration.recordNanoseconds((ContinuousClock.now - started).nanosecondsClamped)
            return response
        }
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer { duration.recordNanoseconds((ContinuousClock.now - started).nanosecondsClamped) }
            try await body.write(writer)
        }
        return response
    }

    func record(attempt outcome: MinerAttemptOutcome, uid: UInt16, latency: Duration, timeToFirstChunk: Duration?) {
        attempts[outcome].increment()
        minerDurations.timer(uid: uid).recordNanoseconds(latency.nanosecondsClamped)
        if let timeToFirstChunk { firstChunk.recordNanoseconds(timeToFirstChunk.nanosecondsClamped) }
    }

    func count(round outcome: RoundOutcome, organic: Bool) {
        (organic ? organicRounds : syntheticRounds)[outcome].increment()
    }

    func count(synthetic outcome: SyntheticOutcome) {
        synthetic[outcome].increment()
    }
}
