import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OrganicFramework
import OrganicMinerKit
import TextGenerationPlugin

/// Streamed chat completions, directly from a text-generation reference miner and through a node
/// in front of it, in the same run: the time to first token the node adds, and the share of the
/// miner's token throughput that reaches callers through the node.
struct StreamBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Streamed chat completions: time to first token and tokens/s, direct to miner vs through the node.",
        discussion: """
            Starts a text-generation reference miner and a node in front of it on loopback, then measures \
            (a) time to first token (the first SSE data event carrying content) at concurrency 1, one request \
            direct and one through the node in turn, and (b) streamed tokens per second with --concurrency \
            streams at once, allowing long answers (--max-tokens; the reference n-gram model usually ends its \
            answer on its own after about 50 tokens, and the table shows the mean).

            The node gives the miner its own seed, so the two paths generate different texts: they are \
            compared per token, never by totals. Client, node and miner share this one process, so on a small \
            machine the node's relay competes with the miner for CPU.

            Throughput is measured twice, each time with its own miner and node: (a) with the miner writing as fast \
            as its CPU allows, where every microsecond of node CPU per token is taken from the miner on the same cores \
            (so the ratio is the miner's share of the CPU, not the relay's speed), and (b) with the miner pacing its \
            events at --token-rate per stream, as a GPU miner does, where the ratio says whether the node keeps up. \
            Both report process CPU time per received token: the node's cost per relayed token is the difference.

            Phase (a) runs a second time, (a'), with the node in a process of its own (`organic-bench stream-node`, \
            started and stopped by this command) pinned with taskset to the last core, and this process (client and \
            miner) pinned to the others, in both paths. That is the deployed shape, where the validator's node has a \
            machine of its own: the ratio then says whether the node slows a stream down, not what share of the cores \
            it takes, and the node's CPU per relayed token is read from its own process. --no-own-core skips it.

            Each throughput turn also measures a floor: `organic-bench forwarder`, a bare SwiftNIO relay of the \
            miner's bytes (no decode, no JSON, no keys), started in this process in front of the same miner. \
            No relay built on SwiftNIO does better on this machine than its ratio.

            Goals (issue 11): added time to first token p50 <= 1 ms, throughput node/direct >= 0.9.
            """)

    @Option(help: "Requests per path for time to first token.") var requests = 300
    @Option(help: "max_tokens of the time-to-first-token requests (the reference miner samples the whole answer before sending its first chunk, so short answers keep the two paths comparable).")
    var ttftMaxTokens = 16
    @Option(help: "max_tokens of the throughput requests.") var maxTokens = 500
    @Option(parsing: .upToNextOption, help: "Concurrent streams for the throughput phases.") var concurrency = [8, 32]
    @Option(help: "Seconds of throughput measurement per path and concurrency.") var seconds = 8.0
    @Option(help: "Seconds of warm-up before each throughput measurement.") var warmup = 2.0
    @Option(help: "Turns of the direct and node phases per concurrency: each turn measures each path for --seconds ÷ rounds after its warm-up, and the table sums the turns (alternating cancels drift in a shared machine's speed, which one long phase per path does not).")
    var rounds = 3
    @Option(help: "Tokens per second per stream of the paced run (the miner spaces its events out as a GPU miner does); 0 skips it.")
    var tokenRate = 50.0
    @Option(parsing: .upToNextOption, help: "Concurrent streams for the paced run's throughput phases.") var pacedConcurrency = [32, 256]
    @Option(help: "max_tokens of the paced run's requests (at 50 tokens/s, 100 tokens take 2 s).") var pacedMaxTokens = 100
    @Flag(help: "Run the node with API keys on: authentication, rate limits and per-token credits on every request.") var keys = false
    @Flag(inversion: .prefixedNo, help: "Measure the unpaced phase a second time with the node in a process of its own on a core the miner and the client do not use (Linux, taskset, two cores or more).")
    var ownCore = true

    static let model = "chat-llama-3-2-3b"
    static let messages = [ChatCompletionMessage(role: "user", content: "Describe a lighthouse at dusk.")]

    func run() async throws {
        let loadBefore = Self.loadAverage()
        // Old style: the miner writes as fast as its CPU allows, so every microsecond the node spends
        // per token is taken from the miner on the same cores and the ratio is a CPU share.
        let unpaced = try await measure(pace: nil, concurrency: concurrency, maxTokens: maxTokens, timeToFirstToken: true)
        // As deployed, the node has a machine of its own: the same phase with the node on its own core
        // says whether it slows a stream down, apart from the CPU it takes.
        let ownCoreRows = ownCore ? try await measureOwnCore(concurrency: concurrency, maxTokens: maxTokens) : nil
        // New style: the miner streams at a GPU's pace, as real LLM miners do; the ratio says whether
        // the node keeps up with that many streams, the CPU figures what each token costs it.
        var paced: Measurement?
        if tokenRate > 0 {
            paced = try await measure(pace: .seconds(1 / tokenRate), concurrency: pacedConcurrency, maxTokens: pacedMaxTokens,
                                  timeToFirstToken: false)
        }

        print("organic-bench stream: chat completions from one reference n-gram miner, node auth \(keys ? "on" : "off"), organic scoring off; "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average before \(loadBefore), after \(Self.loadAverage())")
        if let ttft = unpaced.ttft {
            print("time to first token: concurrency 1, max_tokens \(ttftMaxTokens), \(requests) requests per path, alternating")
            print(EndToEndBenchmark.row("phase", "p50 ms", "p99 ms", "mean ms", "failures"))
            print(Self.row("direct to miner", ttft.direct))
            print(Self.row("through node", ttft.node))
            let addedP50 = ttft.node.percentile(50).milliseconds - ttft.direct.percentile(50).milliseconds
            let addedP99 = ttft.node.percentile(99).milliseconds - ttft.direct.percentile(99).milliseconds
            print(String(format: "added by the node: p50 %.3f ms, p99 %.3f ms", addedP50, addedP99)
                  + "   (goal: added p50 <= 1 ms: \(addedP50 <= 1 ? "met" : "NOT met"))")
        }
        print(String(format: "streamed tokens: %.0f s per path in %d alternating turns, each after %.0f s of warm-up", seconds, max(rounds, 1), warmup))
        print("(a) miner unpaced, as fast as its CPU allows, max_tokens \(maxTokens) (old style: client, node and miner share the cores)")
        Self.printThroughput(unpaced.throughput)
        if ownCore {
            if let ownCoreRows {
                print("(a') the same, with the node in a process of its own on a core the miner and the client do not use, as a validator's")
                print("node has a machine of its own (the miner and the client keep the other cores in both paths)")
                Self.printOwnCore(ownCoreRows)
            } else {
                print("(a') skipped: the node's own core needs Linux's taskset and at least two cores")
            }
        }
        if let paced {
            print(String(format: "(b) miner paced at %.0f tokens/s per stream, as a GPU miner streams, max_tokens %d (new style)", tokenRate, pacedMaxTokens))
            Self.printThroughput(paced.throughput)
        }
        print("per-stream: median tokens/s of one stream after its first token (unpaced direct is inflated: the reference miner samples")
        print("the whole answer before writing, so its chunks arrive in a read or two); answer tokens: mean content events per stream;")
        print("CPU us/token: process CPU time (client, node and miner) per token received in the window; node +us/token: the")
        print("difference, what relaying one token costs the node; CPU use: process CPU time / wall time (cores busy)")
    }

    typealias ThroughputRow = (concurrency: Int, direct: Throughput, floor: Throughput, node: Throughput)

    struct Measurement {
        var ttft: (direct: LoadGenerator.Result, node: LoadGenerator.Result)?
        var throughput: [ThroughputRow]
    }

    /// The node of every phase: open access or keys, no synthetic traffic, no organic scoring (relay
    /// cost only: no organic answer is verified against the reference model), room for every stream.
    static func nodeConfiguration(keys: Bool) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.server.port = 0
        configuration.admin.enabled = false
        configuration.synthetic.enabled = false
        configuration.auth.enabled = keys
        configuration.dispatch.organicScoringProbability = 0
        configuration.dispatch.defaultMinerCapacity = 4096
        configuration.database.path = BenchScratch.databasePath()
        return configuration
    }

    /// A key with credits and a rate limit that no phase exhausts; nil when the node checks no keys.
    static func benchKey(_ manager: KeyManager?) async throws -> String? {
        guard let manager else { return nil }
        return try await manager.create(KeyCreation(name: "bench", credits: 1_000_000_000, rateLimits: ["1000000/s"])).key
    }

    /// The floor's bare forwarder in front of the miner at `minerURL`, on a free port: its channel and base URL.
    static func startFloor(minerURL: String) async throws -> (any Channel, String) {
        guard let minerPort = URLComponents(string: minerURL)?.port else { throw ValidationError("miner URL without a port") }
        let forwarder = try await ForwarderServer.start(
            port: 0, routes: ["/v1/chat/completions": ForwardRoute(port: minerPort, path: "/v1/chat/completions")])
        guard let port = forwarder.localAddress?.port else { throw ValidationError("the forwarder has no port") }
        return (forwarder, "http://127.0.0.1:\(port)")
    }

    static func authorization(_ key: String?) -> [(String, String)] {
        key.map { [("Authorization", "Bearer \($0)")] } ?? []
    }

    static let logger = Logger(label: "organic-bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A connection per stream to each of the miner, the floor and the node.
    static func httpClient(concurrency: [Int]) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(concurrency.max() ?? 1, 1)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// How each concurrency's throughput is measured: `rounds` turns of the three paths in
    /// alternation, each turn measuring each path for --seconds ÷ rounds after its warm-up.
    var turns: (count: Int, warmup: Duration, duration: Duration) {
        (max(rounds, 1), .seconds(warmup), .seconds(seconds / Double(max(rounds, 1))))
    }

    /// Per concurrency, direct, floor and node throughput, each summed over its turns.
    /// `otherProcessCPU` reads the CPU time of a node in another process, if there is one.
    static func throughputRows(direct: StreamingClient, floor: StreamingClient, node: StreamingClient, concurrency: [Int], maxTokens: Int,
                               turns: (count: Int, warmup: Duration, duration: Duration),
                               otherProcessCPU: @escaping @Sendable () -> Double = { 0 }) async throws -> [ThroughputRow] {
        var rows: [ThroughputRow] = []
        for streams in concurrency {
            let load = (streams: streams, warmup: turns.warmup, duration: turns.duration)
            var viaMiner = Throughput(), viaFloor = Throughput(), viaNode = Throughput()
            for _ in 0..<turns.count {
                viaMiner.add(try await throughput(direct, load: load, body: minerBody(maxTokens: maxTokens), otherProcessCPU: otherProcessCPU))
                viaFloor.add(try await throughput(floor, load: load, body: minerBody(maxTokens: maxTokens), otherProcessCPU: otherProcessCPU))
                viaNode.add(try await throughput(node, load: load, body: nodeBody(maxTokens: maxTokens), otherProcessCPU: otherProcessCPU))
            }
            rows.append((streams, viaMiner, viaFloor, viaNode))
        }
        return rows
    }

    /// One node in front of one reference miner (whose events are `pace` apart, or unpaced):
    /// time to first token when asked, then throughput per concurrency, direct then through the node.
    func measure(pace: Duration?, concurrency: [Int], maxTokens: Int, timeToFirstToken: Bool) async throws -> Measurement {
        let httpClient = Self.httpClient(concurrency: concurrency)
        let (requests, ttftMaxTokens, turns, keys) = (requests, ttftMaxTokens, turns, keys)

        let measurement = try await LocalNetwork.run(plugins: [try TextGenerationPlugin()], miners: [.init(capacity: 4096, streamEventInterval: pace)],
                                                     configuration: Self.nodeConfiguration(keys: keys), logger: Self.logger) { network in
            let headers = Self.authorization(try await Self.benchKey(keys ? network.keys : nil))
            let direct = StreamingClient(client: httpClient, url: network.minerURLs[0] + "/v1/chat/completions")
            let node = StreamingClient(client: httpClient, url: network.node.publicURL + "/v1/chat/completions", headers: headers)
            // The floor: a bare SwiftNIO relay of the miner's bytes (no decode, no JSON, no keys) in the same alternation.
            let (forwarder, floorURL) = try await Self.startFloor(minerURL: network.minerURLs[0])
            defer { forwarder.close(promise: nil) }
            let floor = StreamingClient(client: httpClient, url: floorURL + "/v1/chat/completions")
            var measurement = Measurement(throughput: [])
            if timeToFirstToken {
                measurement.ttft = try await Self.timeToFirstToken(direct: direct, node: node, requests: requests, maxTokens: ttftMaxTokens)
            }
            measurement.throughput = try await Self.throughputRows(direct: direct, floor: floor, node: node, concurrency: concurrency,
                                                                   maxTokens: maxTokens, turns: turns)
            return measurement
        }
        try await httpClient.shutdown()
        return measurement
    }

    /// The unpaced phase with the node and the floor's forwarder in a `stream-node` process pinned to
    /// the last allowed core, and this process (client and miner) pinned to the others while it
    /// runs. Nil when there is no core to spare or no taskset.
    func measureOwnCore(concurrency: [Int], maxTokens: Int) async throws -> [ThroughputRow]? {
        let cpus = StreamNodeProcess.allowedCPUs()
        guard cpus.count >= 2, let nodeCPU = cpus.last, FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") else { return nil }
        let allCPUs = cpus.map(String.init).joined(separator: ","), otherCPUs = cpus.dropLast().map(String.init).joined(separator: ",")
        let httpClient = Self.httpClient(concurrency: concurrency)
        let (keys, turns) = (keys, turns)
        // LocalNetwork's own node stays idle: every request of this phase goes to the miner, the
        // floor or the node in the other process.
        let rows = try await LocalNetwork.run(plugins: [try TextGenerationPlugin()], miners: [.init(capacity: 4096)],
                                              configuration: Self.nodeConfiguration(keys: false), logger: Self.logger) { network in
            let node = try await StreamNodeProcess.start(cpus: "\(nodeCPU)", minerURL: network.minerURLs[0], keys: keys)
            let rows: Result<[ThroughputRow], any Error>
            if await StreamNodeProcess.pinThisProcess(to: otherCPUs) {
                let pid = node.processIdentifier
                do {
                    rows = .success(try await Self.throughputRows(
                        direct: StreamingClient(client: httpClient, url: network.minerURLs[0] + "/v1/chat/completions"),
                        floor: StreamingClient(client: httpClient, url: node.ready.forwarder + "/v1/chat/completions"),
                        node: StreamingClient(client: httpClient, url: node.ready.node + "/v1/chat/completions",
                                              headers: Self.authorization(node.ready.key)),
                        concurrency: concurrency, maxTokens: maxTokens, turns: turns,
                        otherProcessCPU: { StreamNodeProcess.cpuSeconds(pid: pid) }))
                } catch {
                    rows = .failure(error)
                }
                _ = await StreamNodeProcess.pinThisProcess(to: allCPUs)
            } else {
                rows = .failure(ValidationError("taskset could not pin organic-bench to \(otherCPUs)"))
            }
            await node.stop()
            return try rows.get()
        }
        try await httpClient.shutdown()
        return rows
    }

    static func printOwnCore(_ rows: [ThroughputRow]) {
        print(throughputRow("concurrency", "direct tok/s", "node tok/s", "ratio", "floor tok/s", "floor ratio", "streams d/n", "failures d/n",
                            "m+c us/token d/n", "node us/token", "floor us/token", "node core use"))
        for row in rows {
            print(throughputRow(
                "\(row.concurrency)", String(format: "%.0f", row.direct.tokensPerSecond), String(format: "%.0f", row.node.tokensPerSecond),
                String(format: "%.3f", row.node.tokensPerSecond / max(row.direct.tokensPerSecond, 1e-9)),
                String(format: "%.0f", row.floor.tokensPerSecond),
                String(format: "%.3f", row.floor.tokensPerSecond / max(row.direct.tokensPerSecond, 1e-9)),
                "\(row.direct.streams)/\(row.node.streams)", "\(row.direct.failures)/\(row.node.failures)",
                String(format: "%.1f/%.1f", row.direct.cpuPerToken * 1e6, row.node.cpuPerToken * 1e6),
                String(format: "%.2f", row.node.otherProcessCPUPerToken * 1e6), String(format: "%.2f", row.floor.otherProcessCPUPerToken * 1e6),
                String(format: "%.2f", row.node.otherProcessCPU / max(row.node.elapsed.secondsValue, 1e-9))))
        }
        let worst = rows.map { $0.node.tokensPerSecond / max($0.direct.tokensPerSecond, 1e-9) }.min() ?? 0
        print(String(format: "throughput node/direct, node on its own core: lowest %.3f", worst) + "   (goal: >= 0.9: \(worst >= 0.9 ? "met" : "NOT met"))")
        print("m+c us/token: CPU time of this process (miner and client) per token received; node us/token and floor us/token: CPU")
        print("time of the node's process per token it relayed, as the node and as the bare forwarder; node core use: its CPU time / wall time;")
        print("a ratio above 1: the client reads smaller events through the node, which asks the miner for log-probabilities the caller")
        print("did not ask for and leaves them out of the caller's events")
    }

    static func printThroughput(_ rows: [ThroughputRow]) {
        print(throughputRow("concurrency", "direct tok/s", "node tok/s", "ratio", "per-stream d/n", "answer tokens d/n", "streams d/n",
                            "failures d/n", "CPU us/token d/n", "node +us/token", "CPU use d/n"))
        for row in rows {
            let ratio = row.node.tokensPerSecond / max(row.direct.tokensPerSecond, 1e-9)
            print(throughputRow(
                "\(row.concurrency)", String(format: "%.0f", row.direct.tokensPerSecond), String(format: "%.0f", row.node.tokensPerSecond),
                String(format: "%.3f", ratio), String(format: "%.0f/%.0f", row.direct.medianStreamRate, row.node.medianStreamRate),
                String(format: "%.0f/%.0f", row.direct.meanAnswerTokens, row.node.meanAnswerTokens),
                "\(row.direct.streams)/\(row.node.streams)", "\(row.direct.failures)/\(row.node.failures)",
                String(format: "%.1f/%.1f", row.direct.cpuPerToken * 1e6, row.node.cpuPerToken * 1e6),
                String(format: "%.1f", (row.node.cpuPerToken - row.direct.cpuPerToken) * 1e6),
                String(format: "%.2f/%.2f", row.direct.cpuUse, row.node.cpuUse)))
        }
        let worst = rows.map { $0.node.tokensPerSecond / max($0.direct.tokensPerSecond, 1e-9) }.min() ?? 0
        print(String(format: "throughput node/direct: lowest %.3f", worst) + "   (goal: >= 0.9: \(worst >= 0.9 ? "met" : "NOT met"))")
        for row in rows {
            let floor = row.floor.tokensPerSecond / max(row.direct.tokensPerSecond, 1e-9)
            print(String(format: "  floor at %d streams: a bare SwiftNIO relay of the miner's bytes (organic-bench forwarder: no decode, "
                         + "no JSON, no keys) %.0f tok/s, %.3f of direct, %.1f us CPU/token more than direct",
                         row.concurrency, row.floor.tokensPerSecond, floor, (row.floor.cpuPerToken - row.direct.cpuPerToken) * 1e6))
        }
    }

    // MARK: Requests

    /// What the node sends the miner (``MinerChatRequest``), with a fresh seed per request as the node would.
    static func minerBody(maxTokens: Int) -> @Sendable (UInt64) -> [UInt8] {
        { seed in
            let request = MinerChatRequest(model: model, messages: messages, temperature: 1, topP: 1, maxTokens: maxTokens, minTokens: maxTokens,
                                           seed: seed)
            return Array((try? JSONEncoder().encode(request)) ?? Data())
        }
    }

    /// What an OpenAI client sends the node; the node chooses the seed.
    static func nodeBody(maxTokens: Int) -> @Sendable (UInt64) -> [UInt8] {
        // min_tokens = max_tokens: every answer is as long as asked, so the relay's per-token cost shows.
        var request = ChatCompletionRequest(model: model, messages: messages, maxTokens: maxTokens, stream: true)
        request.minTokens = maxTokens
        let body = Array((try? JSONEncoder().encode(request)) ?? Data())
        return { _ in body }
    }

    // MARK: Time to first token

    /// One request direct, then one through the node, `requests` times (after a short warm-up), so
    /// that a change in machine load affects both paths alike. Failures carry no time.
    static func timeToFirstToken(direct: StreamingClient, node: StreamingClient, requests: Int,
                                 maxTokens: Int) async throws -> (direct: LoadGenerator.Result, node: LoadGenerator.Result) {
        let minerBody = minerBody(maxTokens: maxTokens), nodeBody = nodeBody(maxTokens: maxTokens)
        var seeds = OrganicRandom(seed: 11)
        for _ in 0..<20 {
            _ = await direct.send(minerBody(seeds.next()))
            _ = await node.send(nodeBody(0))
        }
        var results = (direct: LoadGenerator.Result(requests: 0, failures: 0, elapsed: .zero, latencies: []),
                       node: LoadGenerator.Result(requests: 0, failures: 0, elapsed: .zero, latencies: []))
        func record(_ timing: StreamingClient.Timing, into result: inout LoadGenerator.Result) {
            if timing.completed, let first = timing.firstToken {
                result.requests += 1
                result.latencies.append(first)
            } else {
                result.failures += 1
            }
        }
        for _ in 0..<requests {
            try Task.checkCancellation()
            record(await direct.send(minerBody(seeds.next())), into: &results.direct)
            record(await node.send(nodeBody(0)), into: &results.node)
        }
        return results
    }

    // MARK: Throughput

    struct Throughput: Sendable {
        /// Content events received inside the measurement window.
        var tokens = 0
        var elapsed: Duration = .zero
        /// Streams started inside the window that completed, and failed streams.
        var streams = 0
        var failures = 0
        var streamRates: [Double] = []
        /// Requests sent and the content events they received, warm-up included: the mean answer length.
        var sent = 0
        var streamedTokens = 0
        var meanAnswerTokens: Double { Double(streamedTokens) / Double(max(sent, 1)) }

        /// Process CPU seconds spent inside the window.
        var cpu = 0.0
        /// CPU seconds another process (the own-core phase's node) spent inside the window.
        var otherProcessCPU = 0.0
        var otherProcessCPUPerToken: Double { otherProcessCPU / Double(max(tokens, 1)) }

        var tokensPerSecond: Double { Double(tokens) / max(elapsed.secondsValue, 1e-9) }
        var cpuPerToken: Double { cpu / Double(max(tokens, 1)) }
        var cpuUse: Double { cpu / max(elapsed.secondsValue, 1e-9) }
        /// Adds another worker's or another turn's counts.
        mutating func add(_ other: Throughput) {
            tokens += other.tokens
            elapsed += other.elapsed
            streams += other.streams
            failures += other.failures
            streamRates += other.streamRates
            sent += other.sent
            streamedTokens += other.streamedTokens
            cpu += other.cpu
            otherProcessCPU += other.otherProcessCPU
        }

        var medianStreamRate: Double {
            guard !streamRates.isEmpty else { return 0 }
            return streamRates.sorted()[streamRates.count / 2]
        }
    }

    /// `load.streams` closed-loop streams for warm-up plus duration; tokens are counted by arrival
    /// time, so streams running across the window's edges count only their tokens inside it.
    static func throughput(_ client: StreamingClient, load: (streams: Int, warmup: Duration, duration: Duration),
                           body: @escaping @Sendable (UInt64) -> [UInt8],
                           otherProcessCPU: @escaping @Sendable () -> Double = { 0 }) async throws -> Throughput {
        let clock = ContinuousClock()
        let start = clock.now + load.warmup
        let end = start + load.duration
        let cpuWindow = Task {
            try await Task.sleep(until: start, clock: .continuous)
            let before = (SchedulerBenchmark.processCPUSeconds(), otherProcessCPU())
            try await Task.sleep(until: end, clock: .continuous)
            return (SchedulerBenchmark.processCPUSeconds() - before.0, otherProcessCPU() - before.1)
        }
        var total = try await withThrowingTaskGroup(of: Throughput.self) { group in
            for worker in 0..<load.streams {
                group.addTask {
                    var result = Throughput()
                    var seeds = OrganicRandom(seed: 1_000 + UInt64(worker))
                    var counted = 0
                    while clock.now < end {
                        try Task.checkCancellation()
                        let begun = clock.now
                        let timing = await client.send(body(seeds.next())) { arrival in
                            if arrival >= start && arrival < end { counted += 1 }
                        }
                        result.sent += 1
                        result.streamedTokens += timing.tokens
                        if !timing.completed {
                            result.failures += 1
                        } else if begun >= start && begun < end {
                            result.streams += 1
                            if let rate = timing.streamRate { result.streamRates.append(rate) }
                        }
                    }
                    result.tokens = counted
                    return result
                }
            }
            return try await group.reduce(into: Throughput()) { $0.add($1) }
        }
        total.elapsed = load.duration
        (total.cpu, total.otherProcessCPU) = try await cpuWindow.value
        return total
    }

    // MARK: Output

    static func row(_ name: String, _ result: LoadGenerator.Result) -> String {
        let mean = result.latencies.isEmpty ? 0 : result.latencies.map(\.milliseconds).reduce(0, +) / Double(result.latencies.count)
        return EndToEndBenchmark.row(name, String(format: "%.3f", result.percentile(50).milliseconds),
                                     String(format: "%.3f", result.percentile(99).milliseconds), String(format: "%.3f", mean), "\(result.failures)")
    }

    static func throughputRow(_ columns: String...) -> String {
        columns.enumerated().map { index, text in
            let width = index == 0 ? 12 : 17
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }.joined()
    }

    /// The 1, 5 and 15 minute load averages (Linux), to read the figures against.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
