import Foundation
@testable import OrganicFramework
import OrganicTestKit
import Prometheus
import TextEmbeddingPlugin
import Testing

/// The node's metrics as `/metrics` renders them (the Prometheus parser itself reads them in
/// PrometheusMetricsTests when Python is available).
@Suite("Metrics", .serialized)
struct MetricsTests {
    let embedding: TextEmbeddingPlugin
    let body: Data

    init() throws {
        embedding = try TextEmbeddingPlugin()
        body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["metrics"], dimensions: 64))
    }

    static func scrape(_ net: PluginHarness.Network) async throws -> ExpositionLines {
        let reply = try await net.admin("/metrics")
        #expect(reply.status == 200)
        return ExpositionLines(reply.text)
    }

    @Test("/metrics is Prometheus text behind the admin token, and requests are counted by endpoint and status")
    func requestsCounted() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let refused = try await net.anonymousClient.get(net.adminURL + "/metrics")
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate") != nil)

            let first = try await net.admin("/metrics")
            #expect(first.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(first.text.contains("# TYPE organic_requests_total counter"))
            #expect(first.text.contains("# TYPE organic_request_duration_seconds histogram"))
            let before = ExpositionLines(first.text)
            let ok = ["endpoint": "text-embeddings", "code": "200"]
            #expect(before.value("organic_requests_total", ok) == 0, "known statuses exist from the start")

            for _ in 0..<2 { #expect(try await net.client.send("POST", net.publicURL + "/v1/text-embeddings", body: body).status == 200) }
            #expect(try await net.client.send("POST", net.publicURL + "/v1/text-embeddings", body: Data("[".utf8)).status == 400)
            // The duration is recorded once the body is written, just after the caller has it.
            #expect(try await eventually {
                try await Self.scrape(net).value("organic_request_duration_seconds_count", ["endpoint": "text-embeddings"]) == 3
            })
            let after = try await Self.scrape(net)
            #expect(after.value("organic_requests_total", ok) == 2)
            #expect(after.value("organic_requests_total", ["endpoint": "text-embeddings", "code": "400"]) == 1)
            #expect(after.value("organic_request_duration_seconds_bucket", ["endpoint": "text-embeddings", "le": "+Inf"]) == 3)
            #expect(after.value("organic_miners", ["subnet": "default", "state": "healthy"]) == 1)
            #expect(after.value("organic_queue_admitted_total", ["endpoint": "text-embeddings"]) == 2)

            // Every family is documented in the operator's guide and graphed by the dashboard, and
            // neither names a metric the node does not have.
            let text = try await net.admin("/metrics").text
            let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
            #expect(families.count == 25)
            #expect(try Self.documentedMetrics() == families)
            let dashboard = try Self.dashboardMetrics()
            #expect(dashboard.variables.contains("datasource:prometheus"))
            #expect(dashboard.datasources == ["${datasource}"], "every panel and query reads the chosen data source")
            #expect(Set(dashboard.metrics.map { name in
                ["_bucket", "_count", "_sum"].first { name.hasSuffix($0) && families.contains(String(name.dropLast($0.count))) }
                    .map { String(name.dropLast($0.count)) } ?? name
            }) == families)
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The metric names in the first column of Docs/OperatorGuide.md's metrics table.
    static func documentedMetrics() throws -> Set<String> {
        let guide = try String(contentsOf: repository.appendingPathComponent("Docs/OperatorGuide.md"), encoding: .utf8)
        // Only the Metrics section's tables (other sections' tables name `organic_…` settings too).
        let lines = guide.split(separator: "\n", omittingEmptySubsequences: false)
        let section = lines.drop { $0 != "## Metrics" }.dropFirst().prefix { !$0.hasPrefix("## ") }
        return Set(section.compactMap { line -> String? in
            guard line.hasPrefix("| `organic_") else { return nil }
            return line.split(separator: "`").dropFirst().first.map(String.init)
        })
    }

    /// What Docs/grafana/organic-dashboard.json queries: metric names, data source uids of panels
    /// and targets, and its variables as `name:query`.
    static func dashboardMetrics() throws -> (metrics: Set<String>, datasources: Set<String>, variables: Set<String>) {
        let data = try Data(contentsOf: repository.appendingPathComponent("Docs/grafana/organic-dashboard.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var metrics = Set<String>(), datasources = Set<String>()
        func visit(_ value: Any) {
            if let object = value as? [String: Any] {
                if let expr = object["expr"] as? String {
                    var name = ""
                    for character in expr + " " {
                        if character.isLetter || character.isNumber || character == "_" { name.append(character); continue }
                        if name.hasPrefix("organic_") { metrics.insert(name) }
                        name = ""
                    }
                }
                if object["type"] as? String != "row", object["targets"] != nil || object["expr"] != nil,
                   let source = object["datasource"] as? [String: Any] {
                    datasources.insert(source["uid"] as? String ?? "")
                }
                object.values.forEach(visit)
            } else if let array = value as? [Any] {
                array.forEach(visit)
            }
        }
        visit(root["panels"] ?? [])
        let templating = root["templating"] as? [String: Any]
        let variables = (templating?["list"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""):\($0["query"] as? String ?? "")" }
        return (metrics, datasources, Set(variables))
    }

    @Test("scraped gauges follow the state read and drop series that are gone; mirrored counters only grow")
    func scrapedMirror() async throws {
        let metrics = NodeMetrics(registry: PrometheusCollectorRegistry(), endpoints: [], subnets: [])
        let mirror = ScrapedMetrics(factory: metrics.factory)
        var sample = ScrapedMetrics.Sample()
        sample.gauge("organic_test_gauge", [("uid", "1")], 3)
        sample.gauge("organic_test_gauge", [("uid", "2")], 4)
        sample.counter("organic_test_total", [("reason", "x")], total: 5)
        mirror.apply(sample)
        var lines = ExpositionLines(metrics.registry.emitToString())
        #expect(lines.value("organic_test_gauge", ["uid": "1"]) == 3)
        #expect(lines.value("organic_test_gauge", ["uid": "2"]) == 4)
        #expect(lines.value("organic_test_total", ["reason": "x"]) == 5)

        sample = ScrapedMetrics.Sample()
        sample.gauge("organic_test_gauge", [("uid", "1")], 6)
        sample.counter("organic_test_total", [("reason", "x")], total: 4)
        mirror.apply(sample)
        lines = ExpositionLines(metrics.registry.emitToString())
        #expect(lines.value("organic_test_gauge", ["uid": "1"]) == 6)
        #expect(lines.value("organic_test_gauge", ["uid": "2"]) == nil, "a miner that left has no series")
        #expect(lines.value("organic_test_total", ["reason": "x"]) == 5, "an older total adds nothing")

        sample.counters = [("organic_test_total", [("reason", "x")], 9)]
        mirror.apply(sample)
        #expect(ExpositionLines(metrics.registry.emitToString()).value("organic_test_total", ["reason": "x"]) == 9)
    }

    @Test("weight setting counts successes and failures and keeps the last success time in Unix seconds")
    func weightSetting() async throws {
        let clock = ManualNodeClock(start: WeightSettingTests.start)
        let metrics = NodeMetrics(registry: PrometheusCollectorRegistry(), endpoints: [], subnets: ["default"])
        let setter = FlakySetter(failures: 2)
        let service = WeightSettingService(board: WeightSettingTests.board(clock: clock), setter: setter, interval: .seconds(1200),
                                           maxAttempts: 5, retryBase: .seconds(5), clock: clock, metrics: metrics.weights(subnet: "default"))
        let success = ["subnet": "default", "result": "success"], failure = ["subnet": "default", "result": "failure"]
        var lines = ExpositionLines(metrics.registry.emitToString())
        #expect(lines.value("organic_weight_set_attempts_total", success) == 0)
        #expect(lines.value("organic_weight_set_attempts_total", failure) == 0)
        #expect(try await WeightSettingTests.setThroughTwoFailures(service, setter: setter, clock: clock) != nil)
        lines = ExpositionLines(metrics.registry.emitToString())
        #expect(lines.value("organic_weight_set_attempts_total", success) == 1)
        #expect(lines.value("organic_weight_set_attempts_total", failure) == 2)
        #expect(lines.value("organic_weight_set_last_success_timestamp_seconds", ["subnet": "default"]) == clock.now().timeIntervalSince1970)
    }

    @Test("synthetic queries and the rounds they start are counted as synthetic")
    func synthetic() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.synthetic.enabled = true
        configuration.synthetic.intervalSeconds = 0.05
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(2), configuration: configuration) { net in
            #expect(try await eventually {
                let lines = try await Self.scrape(net)
                let dispatched = lines.value("organic_synthetic_queries_total", ["endpoint": "text-embeddings", "outcome": "dispatched"]) ?? 0
                let rounds = lines.value("organic_rounds_total", ["endpoint": "text-embeddings", "traffic": "synthetic", "outcome": "scored"]) ?? 0
                return dispatched >= 2 && rounds >= 2
            })
            let lines = try await Self.scrape(net)
            #expect(lines.value("organic_rounds_total", ["traffic": "organic"]) == 0, "no caller, no organic round")
            #expect((lines.value("organic_miner_attempts_total", ["endpoint": "text-embeddings", "outcome": "answered"]) ?? 0) >= 2)
            for uid in ["1", "2"] {
                let recent = try #require(lines.value("organic_miner_recent_score", ["subnet": "default", "uid": uid]))
                #expect((0...1).contains(recent))
                #expect(lines.value("organic_miner_in_flight", ["subnet": "default", "uid": uid]) != nil)
            }
        }
    }
}

/// The samples of a Prometheus text exposition as this node writes it (one sample a line,
/// label values without escapes); enough to read values in tests.
struct ExpositionLines {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]

    init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let open = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: "\",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return Sample(name: String(series[..<open]), labels: labels, value: value)
        }
    }

    /// The sum of the samples named `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.map(\.value).reduce(0, +)
    }
}
