import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import OrganicFramework
import OrganicMinerKit
import TextEmbeddingPlugin

/// Several instances on one PostgreSQL: paid requests per second through one instance and
/// through two (same run, same database server), and the latency of one credit reservation
/// on SQLite and on PostgreSQL.
struct ScaleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Paid requests/s with one vs two instances on PostgreSQL; reservation latency SQLite vs PostgreSQL.",
        discussion: "Uses ORGANIC_TEST_POSTGRES_URL, else starts a throwaway server with scripts/test-postgres.sh.")

    @Option(help: "Concurrent connections in total (split over the instances).") var concurrency = 64
    @Option(help: "Seconds of measurement per phase.") var seconds = 10.0
    @Option(help: "Seconds of warm-up per phase.") var warmup = 2.0
    @Option(help: "Reservations timed per backend.") var reservations = 2000

    static let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })

    func run() async throws {
        let server: (url: String, stop: @Sendable () -> Void)
        if let url = ProcessInfo.processInfo.environment["ORGANIC_TEST_POSTGRES_URL"], !url.isEmpty {
            server = (url, {})
        } else {
            server = try Self.startServer()
        }
        defer { server.stop() }
        // Ctrl-C or a TERM must not leave the server running (the defer above covers errors).
        let stopOnSignal = ([SIGINT, SIGTERM] as [Int32]).map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                server.stop()
                Foundation.exit(128 + number)
            }
            source.resume()
            return source
        }
        defer { stopOnSignal.forEach { $0.cancel() } }
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let nodesURL = try await DatabaseAdmin.createDatabase(named: "organic_bench_nodes_\(suffix)", onServerOf: server.url, logger: Self.logger)
        let latencyURL = try await DatabaseAdmin.createDatabase(named: "organic_bench_credits_\(suffix)", onServerOf: server.url, logger: Self.logger)

        let plugin = try TextEmbeddingPlugin()
        var configuration = NodeConfiguration()
        configuration.server.port = 0
        configuration.admin.enabled = false
        configuration.synthetic.enabled = false
        configuration.weights.enabled = false
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.defaultMinerCapacity = 4096
        configuration.database.url = nodesURL
        configuration.database.maxConnections = 32
        let request = TextEmbeddingRequest(input: ["benchmark sentence about lighthouses"], dimensions: 128, seed: 7)
        let body = Array(try JSONEncoder().encode(request))
        var client = HTTPClient.Configuration()
        client.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
        let (concurrency, seconds, warmup) = (concurrency, seconds, warmup)
        let miners: [LocalNetwork.MinerSpec] = [.init(capacity: 4096)]

        // One instance, then two on the same database, each with its own reference miner.
        configuration.database.path = BenchScratch.databasePath()
        let one = try await LocalNetwork.run(plugins: [plugin], miners: miners, configuration: configuration, logger: Self.logger) { a in
            guard let keys = a.keys else { throw ValidationError("the node has no key database") }
            let key = try await keys.create(KeyCreation(name: "bench-one", credits: 1_000_000_000))
            return try await LoadGenerator(concurrency: concurrency, duration: .seconds(seconds), warmup: .seconds(warmup))
                .run(client: httpClient, url: a.node.publicURL + "/v1/text-embeddings", body: body, headers: [("Authorization", "Bearer \(key.key)")])
        }
        configuration.database.path = BenchScratch.databasePath()
        let second = { var c = configuration; c.database.path = BenchScratch.databasePath(); return c }()
        let two = try await LocalNetwork.run(plugins: [plugin], miners: miners, configuration: configuration, logger: Self.logger) { a in
            try await LocalNetwork.run(plugins: [plugin], miners: miners, configuration: second, logger: Self.logger) { b in
                guard let keys = a.keys else { throw ValidationError("the node has no key database") }
                let key = try await keys.create(KeyCreation(name: "bench-two", credits: 1_000_000_000))
                let load = LoadGenerator(concurrency: concurrency / 2, duration: .seconds(seconds), warmup: .seconds(warmup))
                async let ra = load.run(client: httpClient, url: a.node.publicURL + "/v1/text-embeddings", body: body,
                                        headers: [("Authorization", "Bearer \(key.key)")])
                async let rb = load.run(client: httpClient, url: b.node.publicURL + "/v1/text-embeddings", body: body,
                                        headers: [("Authorization", "Bearer \(key.key)")])
                return try await (ra, rb)
            }
        }
        try await httpClient.shutdown()

        var sqlite = NodeConfiguration.Database()
        sqlite.path = BenchScratch.databasePath()
        var postgres = NodeConfiguration.Database()
        postgres.url = latencyURL
        let sqliteLatency = try await Self.reservationLatencies(sqlite, count: reservations)
        let postgresLatency = try await Self.reservationLatencies(postgres, count: reservations)

        let total = two.0.requestsPerSecond + two.1.requestsPerSecond
        print("organic-bench scale: paid text-embeddings requests, \(concurrency) connections in total, \(Int(seconds)) s per phase")
        print(EndToEndBenchmark.row("phase", "req/s", "p50 ms", "p99 ms", "failures"))
        print(EndToEndBenchmark.row("one instance", one))
        print(EndToEndBenchmark.row("two: instance A", two.0))
        print(EndToEndBenchmark.row("two: instance B", two.1))
        print(String(format: "two instances together: %.0f req/s (%.2f× one instance)", total, total / max(one.requestsPerSecond, 1e-9)))
        print("credit reservation latency (\(reservations) sequential reservations, each settled after):")
        for (name, latencies) in [("SQLite", sqliteLatency), ("PostgreSQL", postgresLatency)] {
            let result = LoadGenerator.Result(requests: latencies.count, failures: 0, elapsed: .seconds(1), latencies: latencies)
            print("  " + name.padding(toLength: 11, withPad: " ", startingAt: 0)
                  + String(format: "p50 %.3f ms, p99 %.3f ms", result.percentile(50).milliseconds, result.percentile(99).milliseconds))
        }
    }

    /// Times `count` reservations one after another (each then committed, untimed).
    static func reservationLatencies(_ database: NodeConfiguration.Database, count: Int) async throws -> [Duration] {
        let (store, close) = try await DatabaseAdmin.openKeyStore(database, logger: logger)
        let key = try await KeyManager(store: store).create(KeyCreation(name: "latency", credits: 1_000_000_000))
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        latencies.reserveCapacity(count)
        for _ in 0..<count {
            let start = clock.now
            guard case .reserved(let reservation) = try await store.reserve(id: key.record.id, amount: Credits(millis: 1000), endpoint: "bench",
                                                                            now: Date()) else { break }
            latencies.append(clock.now - start)
            try await store.settle(reservation, commit: true, usage: UsageEntry(keyID: key.record.id, endpoint: "bench", status: 200,
                                                                                credits: reservation.amount, latencySeconds: 0.001, time: Date()))
        }
        try await close()
        return latencies
    }

    /// Starts `scripts/test-postgres.sh` (the same throwaway server as the tests); `stop` may be
    /// called more than once.
    static func startServer() throws -> (url: String, stop: @Sendable () -> Void) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/test-postgres.sh").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-bench-pg-\(UUID().uuidString)").path
        @Sendable func run(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ValidationError("scripts/test-postgres.sh \(arguments.joined(separator: " ")) failed") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let url: String
        do {
            url = try run(["start", directory])
        } catch {
            _ = try? run(["stop", directory])  // a server that started but failed its checks
            throw error
        }
        return (url, { _ = try? run(["stop", directory]) })
    }
}
