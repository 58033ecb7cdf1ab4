import Foundation
import OrganicFramework
import OrganicTestKit
import TextEmbeddingPlugin
import Testing

/// `/metrics` of a real node with reference miners, scraped and parsed by the official
/// `prometheus_client` parser (Tests/Fixtures/prometheus_scrape.py in `$ORGANIC_PYTHON`).
@Suite("Prometheus's own parser reads /metrics",
       .serialized,
       .enabled(if: PrometheusPython.python != nil, "ORGANIC_PYTHON is not set; scripts/test.sh sets it to the .venv with prometheus-client"),
       .enabled("prometheus_client does not import in $ORGANIC_PYTHON; install scripts/python-test-requirements.txt") {
           await PrometheusPython.hasParser()
       })
struct PrometheusMetricsTests {
    let endpoint = ["endpoint": "text-embeddings"]

    @Test("the exposition parses, every family has its type, and counters move as requests are served: requests, credits, rounds, attempts")
    func countersMove() async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.dispatch.organicScoringProbability = 1
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(2),
                                    configuration: configuration) { net in
            let before = try await PrometheusPython.scrape(net)
            #expect(before.type("organic_requests") == "counter")
            #expect(before.type("organic_request_duration_seconds") == "histogram")
            #expect(before.type("organic_miner_request_duration_seconds") == nil, "made on a miner's first attempt")
            #expect(before.type("organic_credits_charged_millicredits") == "counter")
            #expect(before.type("organic_rounds") == "counter")
            #expect(before.type("organic_miner_in_flight") == "gauge")
            #expect(before.type("organic_queue_depth") == nil, "a queue exists from its first request")
            #expect(before.value("organic_requests_total", endpoint.merging(["code": "200"]) { $1 }) == 0)
            #expect(before.value("organic_miners", ["subnet": "default", "state": "healthy"]) == 2)

            // A paying key: three answers (0.2 credits each), one request refused after its
            // credits were held (invalid dimensions), one with a body that is not JSON, one without a key.
            let granted = Credits(millis: 10_000)
            let key = try await net.createKey(KeyCreation(name: "metered", credits: granted.value))
            let paying = TestHTTPClient(defaultHeaders: ["Authorization": "Bearer \(key.key)"])
            let url = net.publicURL + "/v1/text-embeddings"
            let good = try JSONEncoder().encode(TextEmbeddingRequest(input: ["counted"], dimensions: 64))
            for _ in 0..<3 { #expect(try await paying.send("POST", url, body: good).status == 200) }
            let invalid = try JSONEncoder().encode(TextEmbeddingRequest(input: ["counted"], dimensions: 7))
            #expect(try await paying.send("POST", url, body: invalid).status == 400)
            #expect(try await paying.send("POST", url, body: Data("{\"input\":".utf8)).status == 400)
            #expect(try await net.anonymousClient.send("POST", url, body: good).status == 401)

            // Settlement and scoring finish after the answers: wait for the ledger and the rounds.
            let rounds = try await net.waitForRounds(atLeast: 3)
            #expect(rounds.count == 3)
            var after = before
            #expect(try await eventually(every: .milliseconds(50)) {
                after = try await PrometheusPython.scrape(net)
                return after.value("organic_credits_refunded_millicredits_total", endpoint) == 200
                    && after.value("organic_credits_charged_millicredits_total", endpoint) == 600
                    && after.value("organic_rounds_total", endpoint) == 3
                    && after.value("organic_request_duration_seconds_count", endpoint) == 6
            })

            // Requests by status.
            func requests(_ code: String) -> Double? { after.value("organic_requests_total", endpoint.merging(["code": code]) { $1 }) }
            #expect(requests("200") == 3)
            #expect(requests("400") == 2)
            #expect(requests("401") == 1)
            #expect(requests("402") == 0)
            #expect(after.value("organic_request_duration_seconds_bucket", endpoint.merging(["le": "+Inf"]) { $1 }) == 6)

            // Credits: what the ledger says the key paid, in thousandths; held = charged + given back.
            let details = try #require(try await net.context.keys?.show(id: key.record.id, ledgerLimit: 100))
            let charged = try #require(after.value("organic_credits_charged_millicredits_total", endpoint))
            #expect(charged == Double(granted.millis - details.balance.millis))
            #expect(after.value("organic_credits_reserved_millicredits_total", endpoint) == 800)

            // Rounds and attempts: as the score store recorded them.
            #expect(after.value("organic_rounds_total", endpoint.merging(["traffic": "organic", "outcome": "scored"]) { $1 })
                == Double(rounds.filter { $0.verdict == .scored }.count))
            let answers = rounds.flatMap(\.results).filter { $0.role == .answerer }
            let attempts = try #require(after.value("organic_miner_attempts_total", endpoint))
            #expect(attempts == Double(answers.count))
            #expect(after.value("organic_miner_attempts_total", endpoint.merging(["outcome": "answered"]) { $1 })
                == Double(answers.filter { $0.outcome == .answered }.count))
            #expect(after.value("organic_miner_request_duration_seconds_count", endpoint) == attempts)
            for uid in [1, 2] {
                let labels = endpoint.merging(["uid": String(uid)]) { $1 }
                #expect(after.value("organic_miner_request_duration_seconds_count", labels) == Double(answers.filter { $0.miner.uid == uid }.count))
            }

            // Gauges read at scrape time: the queue is empty, nobody is busy, three were admitted.
            #expect(after.value("organic_queue_depth", endpoint) == 0)
            #expect(after.value("organic_queue_admitted_total", endpoint) == 3)
            #expect(after.value("organic_queue_shed_total", endpoint) == 0)
            for uid in ["1", "2"] {
                let miner = ["subnet": "default", "uid": uid]
                #expect(after.value("organic_miner_in_flight", miner) == 0)
                let recent = try #require(after.value("organic_miner_recent_score", miner))
                #expect((0...1).contains(recent))
                let score = try #require(after.value("organic_miner_score", miner))
                #expect((0...1).contains(score))
            }
        }
    }
}

/// `$ORGANIC_PYTHON` and Tests/Fixtures/prometheus_scrape.py.
enum PrometheusPython {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/prometheus_scrape.py").path

    static func hasParser() async -> Bool {
        guard let python else { return false }
        return (try? await ChildProcess.run(python, ["-c", "import prometheus_client.parser"]))?.status == 0
    }

    /// The node's `/metrics`, fetched and parsed by the Python peer.
    static func scrape(_ net: PluginHarness.Network) async throws -> ParsedExposition {
        let python = try #require(python)
        let run = try await ChildProcess.run(python, [script, net.adminURL + "/metrics", PluginHarness.adminToken])
        try #require(run.status == 0, "prometheus_scrape.py failed:\n\(run.errorText)")
        return try JSONDecoder().decode(ParsedExposition.self, from: run.output)
    }
}

/// What prometheus_scrape.py prints: the families as `prometheus_client` parsed them.
struct ParsedExposition: Decodable {
    struct Family: Decodable {
        var name: String
        var type: String
        var samples: [Sample]
    }

    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var families: [Family]

    /// The type of the family `name` (the parser names a counter's family without `_total`).
    func type(_ name: String) -> String? {
        families.first { $0.name == name }?.type
    }

    /// The sum of the samples named `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = families.flatMap(\.samples).filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return matching.isEmpty ? nil : matching.map(\.value).reduce(0, +)
    }
}
