import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit
import TextEmbeddingPlugin

/// Requests per second and p50/p99 latency (a) directly against a reference miner and
/// (b) through the node to that same miner, with their ratio.
struct EndToEndBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e", abstract: "Direct-to-miner vs through-the-node throughput and latency.")

    @Option(help: "Concurrent connections.") var concurrency = 32
    @Option(help: "Seconds of measurement per phase.") var seconds = 10.0
    @Option(help: "Seconds of warm-up per phase.") var warmup = 2.0
    @Option(help: "Texts per request.") var texts = 4
    @Flag(inversion: .prefixedNo, help: "Also measure the node with API keys, rate limits and credits on.") var keys = true

    func run() async throws {
        let plugin = try TextEmbeddingPlugin()
        var configuration = NodeConfiguration()
        configuration.server.port = 0
        configuration.admin.enabled = false
        configuration.synthetic.enabled = false
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.defaultMinerCapacity = 4096
        configuration.database.path = BenchScratch.databasePath()
        let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let request = TextEmbeddingRequest(input: (0..<texts).map { "benchmark sentence number \($0) about lighthouses" }, dimensions: 128, seed: 7)
        let body = Array(try JSONEncoder().encode(request))
        let load = LoadGenerator(concurrency: concurrency, duration: .seconds(seconds), warmup: .seconds(warmup))
        let (concurrency, seconds) = (concurrency, seconds)

        var client = HTTPClient.Configuration()
        client.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)

        // Phase 1 and 2: direct to the miner, and through a node with API keys switched off.
        configuration.auth.enabled = false
        let (direct, node) = try await LocalNetwork.run(plugins: [plugin], miners: [.init(capacity: 4096)], configuration: configuration,
                                                        logger: logger) { network in
            let direct = try await load.run(client: httpClient, url: network.minerURLs[0] + "/text-embeddings", body: body)
            let node = try await load.run(client: httpClient, url: network.node.publicURL + "/v1/text-embeddings", body: body)
            return (direct, node)
        }
        // Phase 3: the same node with a key: authentication, two rate limits and credits charged per request.
        var keyed: LoadGenerator.Result?
        if keys {
            configuration.auth.enabled = true
            configuration.database.path = BenchScratch.databasePath()
            keyed = try await LocalNetwork.run(plugins: [plugin], miners: [.init(capacity: 4096)], configuration: configuration,
                                               logger: logger) { network in
                guard let manager = network.keys else { throw ValidationError("the node has no key database") }
                let key = try await manager.create(KeyCreation(name: "bench", credits: 1_000_000_000, rateLimits: ["1000000/s", "1000000000/day"]))
                return try await load.run(client: httpClient, url: network.node.publicURL + "/v1/text-embeddings", body: body,
                                          headers: [("Authorization", "Bearer \(key.key)")])
            }
        }

        try await httpClient.shutdown()

        print("organic-bench e2e: text-embeddings, \(texts) texts/request, \(concurrency) connections, \(Int(seconds)) s per phase")
        print(Self.row("phase", "req/s", "p50 ms", "p99 ms", "failures"))
        print(Self.row("direct to miner", direct))
        print(Self.row("through node", node))
        if let keyed { print(Self.row("node + keys", keyed)) }
        print(String(format: "ratio node/direct: throughput %.2f, p50 latency %.2fx, p99 latency %.2fx",
                     node.requestsPerSecond / max(direct.requestsPerSecond, 1e-9),
                     node.percentile(50).milliseconds / max(direct.percentile(50).milliseconds, 1e-9),
                     node.percentile(99).milliseconds / max(direct.percentile(99).milliseconds, 1e-9)))
        if let keyed {
            print(String(format: "ratio keys on/off: throughput %.2f, p50 latency %.2fx",
                         keyed.requestsPerSecond / max(node.requestsPerSecond, 1e-9),
                         keyed.percentile(50).milliseconds / max(node.percentile(50).milliseconds, 1e-9)))
        }
    }

    static func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
        a.padding(toLength: 18, withPad: " ", startingAt: 0) + [b, c, d, e].map { String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined()
    }

    static func row(_ name: String, _ r: LoadGenerator.Result) -> String {
        row(name, String(format: "%.0f", r.requestsPerSecond), String(format: "%.2f", r.percentile(50).milliseconds),
            String(format: "%.2f", r.percentile(99).milliseconds), "\(r.failures)")
    }
}
