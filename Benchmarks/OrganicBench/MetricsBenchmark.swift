import ArgumentParser
import OrganicFramework

/// What metrics and request ids add to one request: the instrumentation an organic request
/// served by one miner goes through, with and without it, on one task and on several at once
/// (shared counters and histograms). Build with `-c release`.
struct MetricsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "CPU nanoseconds that metrics and request ids add to one request (in process, no network).")

    @Option(help: "Requests per task.") var requests = 1_000_000
    @Option(help: "Concurrent tasks of the second measurement.") var tasks = 2

    func run() async throws {
        guard requests > 0, tasks > 0 else { throw ValidationError("--requests and --tasks must be positive") }
        print("organic-bench metrics: \(requests) requests per task")
        for count in [1, tasks] {
            let result = await MetricsCostProbe.run(requests: requests, tasks: count)
            print(String(format: "%d task(s): %.0f CPU ns/request instrumented, %.0f without: metrics and request ids cost %.0f ns/request",
                         count, result.instrumentedNanoseconds, result.baselineNanoseconds, result.overheadNanoseconds))
        }
    }
}
