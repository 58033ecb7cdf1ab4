import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit
import TextEmbeddingPlugin

/// Organic latency with and without a synthetic flood that doubles the offered load.
///
/// One reference miner answers every request after a fixed delay with a fixed capacity, so its
/// throughput is `capacity / delay`. Phase 1 sends organic traffic at about 60% of that with
/// synthetic scoring off; phase 2 adds a synthetic flood that brings the offered load to about 2x
/// capacity. Organic traffic should keep its latency while synthetic queries are shed.
struct OverloadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overload", abstract: "Organic p50/p99 unloaded vs under 2x load from a synthetic flood.")

    @Option(help: "Miner service time in milliseconds.") var delayMilliseconds = 20.0
    @Option(help: "Miner capacity (concurrent requests).") var capacity = 8
    @Option(help: "Seconds per phase.") var seconds = 8.0

    func run() async throws {
        let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let minerThroughput = Double(capacity) / (delayMilliseconds / 1000)
        let organicConnections = max(1, Int((Double(capacity) * 0.6).rounded()))
        let request = Array(try JSONEncoder().encode(TextEmbeddingRequest(input: ["overload"], dimensions: 64)))
        print(String(format: "organic-bench overload: miner %d slots x %.0f ms = %.0f req/s; organic: %d closed-loop connections",
                     capacity, delayMilliseconds, minerThroughput, organicConnections))
        for flood in [false, true] {
            var configuration = NodeConfiguration()
            configuration.server.port = 0
            configuration.admin.port = 0
            configuration.auth.enabled = false
            configuration.dispatch.organicScoringProbability = 0
            configuration.dispatch.minersPerQuery = 1
            configuration.synthetic.enabled = flood
            // One synthetic attempt every 2 ms offers about 500 req/s, far beyond what is left.
            configuration.synthetic.intervalSeconds = 0.002
            configuration.database.path = BenchScratch.databasePath()
            let faults = MinerFaults(slowRate: 1, slowDelaySeconds: delayMilliseconds / 1000)
            let load = LoadGenerator(concurrency: organicConnections, duration: .seconds(seconds), warmup: .seconds(1))
            try await LocalNetwork.run(plugins: [try TextEmbeddingPlugin()], miners: [.init(faults: faults, capacity: capacity)],
                                       configuration: configuration, logger: logger) { network in
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                let result = try await load.run(client: client, url: network.node.publicURL + "/v1/text-embeddings", body: request)
                let queues = try await client.execute(HTTPClientRequest(url: (network.node.adminURL ?? "") + "/admin/queues"), timeout: .seconds(5))
                let body = try await queues.body.collect(upTo: 1 << 20)
                try await client.shutdown()
                let report = try JSONDecoder().decode(QueuesReport.self, from: Data(body.readableBytesView))
                let stats = report.endpoints.first { $0.endpoint == "text-embeddings" }
                let label = flood ? "with synthetic flood (2x)" : "unloaded                 "
                print(label + String(format: ": organic %.0f req/s, p50 %.1f ms, p99 %.1f ms, failures %d | queue: admitted %d now + %d after wait, shed deadline %d, full %d, scored share %.2f",
                             result.requestsPerSecond, result.percentile(50).milliseconds, result.percentile(99).milliseconds, result.failures,
                             stats?.admittedImmediately ?? 0, stats?.admittedAfterWait ?? 0, stats?.shedDeadline ?? 0, stats?.shedQueueFull ?? 0,
                             stats?.scoredShare ?? 0))
            }
        }
    }
}
