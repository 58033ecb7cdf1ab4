import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// What a node's metrics and request ids cost one request, for `organic-bench metrics`: the
/// exact calls an organic request served by one miner makes (id, request scope, status count,
/// caller duration, miner attempt, credits reserved and settled, the response header), timed
/// against the same request without them. No network: the figure is the instrumentation alone.
package enum MetricsCostProbe {
    package struct Result: Sendable {
        /// CPU nanoseconds per request with the instrumentation, and without.
        package var instrumentedNanoseconds: Double
        package var baselineNanoseconds: Double
        package var overheadNanoseconds: Double { instrumentedNanoseconds - baselineNanoseconds }
    }

    /// Runs `requests` requests on each of `tasks` concurrent tasks (several tasks share the
    /// same counters and histograms, as concurrent requests do).
    package static func run(requests: Int, tasks: Int) async -> Result {
        let metrics = NodeMetrics(registry: PrometheusCollectorRegistry(), endpoints: ["bench"], subnets: ["default"])
        guard let endpoint = metrics.endpoint("bench") else { return Result(instrumentedNanoseconds: 0, baselineNanoseconds: 0) }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let body = ByteBuffer(string: #"{"ok":true}"#)
        // The settlement service writes many per batch; counting them adds a lookup and two adds each.
        let settled = [Settlement(reservation: CreditReservation(id: 1, keyID: "key", amount: Credits(millis: 200)), commit: true,
                                  usage: UsageEntry(keyID: "key", endpoint: "bench", status: 200, credits: Credits(millis: 150), latencySeconds: 0,
                                                    time: Date()))]
        // Warm both paths (the per-uid histogram is made on first use).
        _ = await time(requests: 1000, tasks: 1) { await instrumented(endpoint, metrics: metrics, logger: logger, body: body, settled: settled) }
        _ = await time(requests: 1000, tasks: 1) { await plain(body: body) }
        let baseline = await time(requests: requests, tasks: tasks) { await plain(body: body) }
        let measured = await time(requests: requests, tasks: tasks) { await instrumented(endpoint, metrics: metrics, logger: logger, body: body, settled: settled) }
        return Result(instrumentedNanoseconds: measured, baselineNanoseconds: baseline)
    }

    /// CPU nanoseconds (all threads of the process) per request over all tasks' requests: CPU
    /// time, not wall time, so that other work on the machine does not count.
    private static func time(requests: Int, tasks: Int, _ request: @escaping @Sendable () async -> Void) async -> Double {
        let started = processCPUNanoseconds()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<requests { await request() }
                }
            }
        }
        return Double(processCPUNanoseconds() - started) / Double(requests * tasks)
    }

    private static func processCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The route itself: an answer without a network, the same with and without metrics.
    private static func route(_ body: ByteBuffer) async -> Response {
        Response(status: .ok, body: ResponseBody(byteBuffer: body))
    }

    private static func plain(body: ByteBuffer) async {
        await write(await route(body))
    }

    private static func instrumented(_ endpoint: EndpointMetrics, metrics: NodeMetrics, logger: Logger, body: ByteBuffer,
                                     settled: [Settlement]) async {
        // RequestIDMiddleware, then the route in PublicAPI with its scope, the key's reservation
        // and the round's attempt, then the settlement.
        let id = RequestID.accepted(nil) ?? RequestID.generate()
        var requestLogger = logger
        requestLogger[metadataKey: LogKey.requestID] = .string(id)
        var response = await RequestScope.$current.withValue(RequestScope(requestID: id)) {
            let started = ContinuousClock.now
            RequestScope.current?.identify(endpoint: endpoint.endpoint)
            RequestScope.current?.identify(keyID: "key")
            metrics.endpoint(endpoint.endpoint)?.creditsReserved.increment(by: 200)
            let scope = RequestScope.current
            RequestScope.$current.withValue(scope) {
                metrics.endpoint(endpoint.endpoint)?.record(attempt: .answered, uid: 7, latency: .milliseconds(3), timeToFirstChunk: nil)
            }
            return endpoint.served(await route(body), since: started)
        }
        response.headers[RequestID.header] = id
        await write(response)
        metrics.settled(settled)
        withExtendedLifetime(requestLogger) {}
    }

    private static func write(_ response: Response) async {
        try? await response.body.write(DiscardingWriter())
    }

    /// Takes a body's bytes and drops them.
    private struct DiscardingWriter: ResponseBodyWriter {
        mutating func write(_ buffer: ByteBuffer) async throws {}
        mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {}
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
