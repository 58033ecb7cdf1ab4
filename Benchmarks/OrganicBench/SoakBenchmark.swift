import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OrganicFramework
import OrganicMinerKit
import Synchronization
import TextEmbeddingPlugin

/// A long run at 70% of measured capacity with miner faults and callers who hang up: resident
/// memory, open descriptors and p99 latency must stay flat.
///
/// Three reference miners (one slow at times, one erroring, one that stalls or cuts its answers
/// short), paid requests with API keys and credits. Capacity is measured first with a closed
/// loop; then requests arrive at a fixed rate of `load` × capacity, and a share of callers give
/// up after a random few milliseconds (their connection closes mid-request). Every interval
/// samples the process's RSS and open descriptors (node, miners and load generator share the
/// process) and the p99 of the requests finished in it. Flat: the last third's mean within the
/// tolerances of the first third's.
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Long run at 70% of capacity with miner faults and client disconnects; RSS, descriptors and p99 must stay flat.")

    @Option(help: "Length of the soak, in seconds.") var seconds = 600.0
    @Option(help: "Seconds between samples.") var interval = 10.0
    @Option(help: "Offered load as a share of measured capacity.") var load = 0.7
    @Option(help: "Share of callers that hang up mid-request.") var disconnectShare = 0.05
    @Option(help: "Miner service time in milliseconds.") var delayMilliseconds = 10.0
    @Option(help: "Miner capacity (concurrent requests each).") var capacity = 8
    @Option(help: "Allowed growth of RSS, last third over first third.") var rssTolerance = 0.15
    @Option(help: "Allowed growth of open descriptors (absolute).") var descriptorTolerance = 32
    @Option(help: "Allowed growth of p99 latency, last third over first third.") var p99Tolerance = 0.5

    func run() async throws {
        let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = NodeConfiguration()
        configuration.server.port = 0
        configuration.admin.port = 0
        configuration.dispatch.organicScoringProbability = 0.1
        configuration.dispatch.minersPerQuery = 1
        configuration.dispatch.retries = 1
        configuration.synthetic.enabled = false
        var override = NodeConfiguration.EndpointOverride()
        override.timeoutSeconds = 1  // stalled miners are given up on quickly
        configuration.dispatch.endpoints["text-embeddings"] = override
        configuration.database.path = BenchScratch.databasePath()
        let delay = delayMilliseconds / 1000
        let miners: [LocalNetwork.MinerSpec] = [
            .init(faults: MinerFaults(slowRate: 1, slowDelaySeconds: delay), capacity: capacity),
            .init(faults: MinerFaults(errorRate: 0.1, slowRate: 1, slowDelaySeconds: delay), capacity: capacity),
            .init(faults: MinerFaults(slowRate: 1, slowDelaySeconds: delay, stallRate: 0.01, truncateRate: 0.05), capacity: capacity),
        ]
        let body = Array(try JSONEncoder().encode(TextEmbeddingRequest(input: ["soak"], dimensions: 64)))
        try await LocalNetwork.run(plugins: [try TextEmbeddingPlugin()], miners: miners, configuration: configuration, logger: logger) { network in
            guard let manager = network.keys else { throw ValidationError("the node has no key database") }
            let key = try await manager.create(KeyCreation(name: "soak", credits: 1_000_000_000, rateLimits: ["1000000/s"]))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let url = network.node.publicURL + "/v1/text-embeddings"
            let headers = [("Authorization", "Bearer \(key.key)")]
            let measured = try await LoadGenerator(concurrency: capacity * miners.count * 2, duration: .seconds(5), warmup: .seconds(1))
                .run(client: client, url: url, body: body, headers: headers)
            let rate = measured.requestsPerSecond * load
            print(String(format: "organic-bench soak: capacity %.0f req/s (closed loop), offering %.0f req/s (%.0f%%) for %.0f s; %.0f%% of callers hang up",
                         measured.requestsPerSecond, rate, load * 100, seconds, disconnectShare * 100))
            print("  t(s)   RSS MiB   fds   p99 ms   done   failed   hung up")
            let samples = try await soak(client: client, url: url, body: body, headers: headers, rate: rate)
            try await client.shutdown()
            report(samples)
        }
    }

    struct Sample: Sendable {
        var elapsed: Double
        var rssMiB: Double
        var descriptors: Int
        var p99Milliseconds: Double
        var done: Int
        var failed: Int
        var hungUp: Int
    }

    /// What finished since the last sample.
    struct Window: Sendable {
        var latencies: [Duration] = []
        var failed = 0
        var hungUp = 0
    }

    final class Recorder: Sendable {
        let window = Mutex(Window())
    }

    /// Open-loop arrivals at `rate` per second for `seconds`, sampled every `interval`.
    func soak(client: HTTPClient, url: String, body: [UInt8], headers: [(String, String)], rate: Double) async throws -> [Sample] {
        let recorder = Recorder()
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .seconds(seconds)
        let (disconnectShare, interval) = (disconnectShare, interval)
        let sampler = Task {
            var samples: [Sample] = []
            var next = start + .seconds(interval)
            while next <= end {
                try await Task.sleep(until: next, clock: clock)
                let taken = recorder.window.withLock { state in
                    defer { state = Window() }
                    return state
                }
                let sorted = taken.latencies.sorted()
                let p99 = sorted.isEmpty ? .zero : sorted[min(sorted.count - 1, Int((0.99 * Double(sorted.count)).rounded(.up)) - 1)]
                let sample = Sample(elapsed: (clock.now - start).secondsValue, rssMiB: Self.residentMiB(), descriptors: Self.openDescriptors(),
                                    p99Milliseconds: p99.milliseconds, done: sorted.count, failed: taken.failed, hungUp: taken.hungUp)
                print(String(format: "%6.0f %9.1f %5d %8.1f %6d %8d %9d", sample.elapsed, sample.rssMiB, sample.descriptors,
                             sample.p99Milliseconds, sample.done, sample.failed, sample.hungUp))
                samples.append(sample)
                next = next + .seconds(interval)
            }
            return samples
        }
        // Discarding: a plain task group keeps every finished request until it is awaited.
        await withDiscardingTaskGroup { group in
            let gap = Duration.seconds(1 / rate)
            var due = start
            var random = SystemRandomNumberGenerator()
            while due < end {
                try? await Task.sleep(until: due, clock: clock)
                due = due + gap
                let hangUp: Duration? = Double.random(in: 0..<1, using: &random) < disconnectShare
                    ? .milliseconds(Int.random(in: 1...30, using: &random)) : nil
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let t0 = clock.now
                    do {
                        // A caller that hangs up: its deadline closes the connection mid-request.
                        let response = try await client.execute(request, timeout: hangUp.map { TimeAmount.nanoseconds(Int64($0.secondsValue * 1e9)) } ?? .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        let latency = clock.now - t0
                        let ok = response.status == .ok
                        recorder.window.withLock { ok ? $0.latencies.append(latency) : ($0.failed += 1) }
                    } catch {
                        recorder.window.withLock { if hangUp != nil { $0.hungUp += 1 } else { $0.failed += 1 } }
                    }
                }
            }
        }
        return try await sampler.value
    }

    func report(_ samples: [Sample]) {
        let third = max(1, samples.count / 3)
        guard samples.count >= 3 else {
            print("too few samples to judge flatness (\(samples.count)); run longer or sample more often")
            return
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
        let first = Array(samples.prefix(third)), last = Array(samples.suffix(third))
        let rss = (mean(first.map(\.rssMiB)), mean(last.map(\.rssMiB)))
        let fds = (mean(first.map { Double($0.descriptors) }), mean(last.map { Double($0.descriptors) }))
        let p99 = (mean(first.map(\.p99Milliseconds)), mean(last.map(\.p99Milliseconds)))
        let rssFlat = rss.1 <= rss.0 * (1 + rssTolerance)
        let fdsFlat = fds.1 <= fds.0 + Double(descriptorTolerance)
        let p99Flat = p99.1 <= p99.0 * (1 + p99Tolerance)
        print(String(format: "first third → last third: RSS %.1f → %.1f MiB (%@), descriptors %.0f → %.0f (%@), p99 %.1f → %.1f ms (%@)",
                     rss.0, rss.1, rssFlat ? "flat" : "GROWING", fds.0, fds.1, fdsFlat ? "flat" : "GROWING",
                     p99.0, p99.1, p99Flat ? "flat" : "GROWING"))
        print(rssFlat && fdsFlat && p99Flat ? "soak: flat" : "soak: NOT flat")
    }

    /// Resident memory of this process, from /proc (Linux).
    static func residentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kB = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kB / 1024
    }

    /// Open file descriptors of this process.
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
