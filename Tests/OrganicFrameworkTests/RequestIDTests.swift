import Foundation
import Logging
import OrganicFramework
import OrganicTestKit
import Synchronization
import TextEmbeddingPlugin
import Testing

/// Every response carries `X-Request-Id`, and the logs written for a request name it.
@Suite("Request ids", .serialized)
struct RequestIDTests {
    let embedding: TextEmbeddingPlugin
    let body: Data

    init() throws {
        embedding = try TextEmbeddingPlugin()
        body = try JSONEncoder().encode(TextEmbeddingRequest(input: ["request ids"], dimensions: 64))
    }

    static func isGenerated(_ id: String?) -> Bool {
        guard let id, id.utf8.count == 32 else { return false }
        return id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    @Test("success and error responses on both listeners carry a request id; a safe caller id is kept, an unsafe one replaced")
    func header() async throws {
        try await PluginHarness.run(plugins: [embedding], miners: PluginHarness.honestMiners(1)) { net in
            let url = net.publicURL + "/v1/text-embeddings"
            let first = try await net.client.send("POST", url, body: body)
            let second = try await net.client.send("POST", url, body: body)
            #expect(first.status == 200)
            #expect(Self.isGenerated(first.header("X-Request-Id")))
            #expect(Self.isGenerated(second.header("X-Request-Id")))
            #expect(first.header("X-Request-Id") != second.header("X-Request-Id"))

            let safe = "trace-7f3a.b_2:1"
            let kept = try await net.client.send("POST", url, body: body, headers: ["X-Request-Id": safe])
            #expect(kept.status == 200)
            #expect(kept.header("X-Request-Id") == safe)
            let longest = String(repeating: "a", count: 128)
            #expect(try await net.client.send("POST", url, body: body, headers: ["X-Request-Id": longest]).header("X-Request-Id") == longest)

            for unsafe in [String(repeating: "a", count: 129), "two words", "quote\"d", "semi;colon", "new%0Aline", "ünïcødé", "<script>"] {
                let reply = try await net.client.send("POST", url, body: body, headers: ["X-Request-Id": unsafe])
                #expect(reply.status == 200, "\(unsafe)")
                #expect(Self.isGenerated(reply.header("X-Request-Id")), "\(unsafe) was not replaced")
            }

            // Errors: refused before the body (401), a bad body (400), an unknown route (404), the
            // wrong media type (415), and the admin listener's own refusals.
            let errors: [(TestHTTPClient.Reply, Int)] = [
                (try await net.anonymousClient.send("POST", url, body: body, headers: ["X-Request-Id": "caller-401"]), 401),
                (try await net.client.send("POST", url, body: Data("{".utf8), headers: ["X-Request-Id": "caller-400"]), 400),
                (try await net.client.send("GET", net.publicURL + "/v1/no-such-endpoint", headers: ["X-Request-Id": "caller-404"]), 404),
                (try await net.client.send("POST", url, body: body, headers: ["X-Request-Id": "caller-415", "Content-Type": "text/plain"]), 415),
                (try await net.anonymousClient.send("GET", net.adminURL + "/admin/keys", headers: ["X-Request-Id": "caller-admin"]), 401),
                (try await net.anonymousClient.send("GET", net.adminURL + "/metrics", headers: ["X-Request-Id": "caller-metrics"]), 401),
            ]
            for (reply, status) in errors {
                #expect(reply.status == status)
                #expect(reply.errorCode != nil, "the error is the JSON shape")
                #expect(reply.header("X-Request-Id")?.hasPrefix("caller-") == true, "status \(status)")
            }
            let unsafe404 = try await net.client.send("GET", net.publicURL + "/nowhere", headers: ["X-Request-Id": "bad id"])
            #expect(unsafe404.status == 404)
            #expect(Self.isGenerated(unsafe404.header("X-Request-Id")))
        }
    }

    @Test("a log line written for a request carries its request id, key id, endpoint and miner")
    func logMetadata() async throws {
        let records = CapturedLogs()
        var logger = Logger(label: "request-id-test", factory: { _ in CapturingLogHandler(records: records) })
        logger.logLevel = .info
        try await PluginHarness.run(plugins: [embedding], miners: [.init(faults: .alwaysError)], logger: logger) { net in
            let key = try await net.createKey(KeyCreation(name: "logged", unlimited: true))
            let reply = try await net.anonymousClient.send("POST", net.publicURL + "/v1/text-embeddings", body: body,
                                                           headers: ["Authorization": "Bearer \(key.key)", "X-Request-Id": "logged-request-1"])
            #expect(reply.status == 502)
            #expect(reply.header("X-Request-Id") == "logged-request-1")
            let failed = records.all.filter { $0.message == "miner attempt failed" }
            try #require(!failed.isEmpty)
            for record in failed {
                #expect(record.metadata["request_id"] == "logged-request-1")
                #expect(record.metadata["key_id"] == key.record.id)
                #expect(record.metadata["endpoint"] == "text-embeddings")
                #expect(record.metadata["miner_uid"] == "1")
                #expect(record.metadata["miner_hotkey"] == net.context.configuration.miners.first?.hotkey)
                #expect(!record.message.contains("logged-request-1"), "values are metadata, not part of the message")
            }
        }
    }
}

/// Log records, kept for inspection.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    var all: [Record] { records.withLock { $0 } }
}

/// Keeps every record at or above its level, with the handler's and the call's metadata merged.
struct CapturingLogHandler: LogHandler {
    let records: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
