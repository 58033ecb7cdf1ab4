import Foundation
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// No cheap way to hold the public listener: idle and slow-header connections are closed after
/// `server.idleTimeoutSeconds`, trickled bodies after `server.bodyTimeoutSeconds`, and
/// connections beyond `server.maxConnections` as soon as they are accepted.
@Suite("Connection limits", .serialized)
struct ConnectionLimitTests {
    static func configuration(idle: Double = 30, body: Double = 60, maxConnections: Int = 10_000) -> NodeConfiguration {
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        configuration.server.idleTimeoutSeconds = idle
        configuration.server.bodyTimeoutSeconds = body
        configuration.server.maxConnections = maxConnections
        return configuration
    }

    static let head = "POST /v1/text-embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"

    @Test("a slowloris connection (a request head sent a few bytes at a time, never finished) is closed after the idle timeout")
    func slowHeaders() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: Self.configuration(idle: 1)) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let silent = try RawClientSocket(port: port)
            let slow = try RawClientSocket(port: port)
            defer { silent.close(); slow.close() }
            for piece in ["POST /v1/text", "-embeddings HTTP/1.1\r\n", "Host: 127"] {
                try slow.send(piece)
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(slow.receive(timeout: .seconds(10)).closed, "the trickling connection was closed")
            #expect(silent.receive(timeout: .seconds(10)).closed, "the silent connection was closed")
            #expect(try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["ok"], dimensions: 64)).status == 200)
        }
    }

    @Test("a body that has not fully arrived within the body timeout is cut off, and the node serves others meanwhile")
    func trickledBody() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: Self.configuration(idle: 30, body: 1)) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            try socket.send(Self.head + "Content-Length: 100\r\n\r\n{\"input\":")
            #expect(try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["meanwhile"], dimensions: 64)).status == 200)
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = socket.receive(timeout: .seconds(10))
            #expect(outcome.closed, "cut off: \(outcome.text)")
            #expect(clock.now - started < .seconds(9), "well before the 10 s the test waits")
        }
    }

    @Test("connections beyond server.maxConnections are closed on accept; once one leaves, a new one is served")
    func connectionCap() async throws {
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: Self.configuration(maxConnections: 3)) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let held = try (0..<3).map { _ in try RawClientSocket(port: port) }
            // Accepting is asynchronous: let the three register before the fourth arrives.
            try await Task.sleep(for: .milliseconds(200))
            let extra = try RawClientSocket(port: port)
            #expect(extra.receive(timeout: .seconds(5)).closed, "the fourth connection is closed at once")
            extra.close()
            held[0].close()
            let body = #"{"input":["after"],"dimensions":64}"#
            var served = false
            for _ in 0..<50 where !served {
                try await Task.sleep(for: .milliseconds(100))
                let next = try RawClientSocket(port: port)
                try next.send(Self.head + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
                served = next.receiveAll(timeout: .seconds(5)).hasPrefix("HTTP/1.1 200")
                next.close()
            }
            #expect(served, "a slot freed by a departing connection is usable again")
            for socket in held.dropFirst() { socket.close() }
        }
    }

    @Test("request bodies held at once are capped node-wide: a body that does not fit gets 503 with Retry-After at once, and fits again once the first is done")
    func bufferedBodyBudget() async throws {
        var configuration = Self.configuration()
        configuration.server.maxBufferedRequestBytes = 1 << 20
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: configuration) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            // Four uploads of 250 kB (the endpoint takes up to 256 KiB) that send only their start:
            // their claims are held while they upload, and fill the 1 MiB budget.
            let uploaders = try (0..<4).map { _ in try RawClientSocket(port: port) }
            for uploader in uploaders { try uploader.send(Self.head + "Content-Length: 250000\r\n\r\n{\"input\":[\"") }
            // Their heads must reach the node before the next request does (no outside signal tells).
            try await Task.sleep(for: .milliseconds(500))
            let body = Data(#"{"input":["second"],"dimensions":64}"#.utf8)
            let padded = body + Data(repeating: 0x20, count: 200_000)
            var refused: TestHTTPClient.Reply?
            for _ in 0..<50 {
                let reply = try await net.anonymousClient.post(net.publicURL + "/v1/text-embeddings", raw: padded)
                if reply.status == 503 { refused = reply; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let reply = try #require(refused, "a second large body is refused while the first holds the budget")
            #expect(reply.text.contains("overloaded") && reply.header("Retry-After") == "1", "\(reply.text)")
            #expect(try await net.anonymousClient.post(net.publicURL + "/v1/text-embeddings", raw: body).status == 200,
                    "a small body still fits")
            uploaders[0].close()
            let fits = await eventually(timeout: .seconds(10), every: .milliseconds(50)) {
                (try? await net.anonymousClient.post(net.publicURL + "/v1/text-embeddings", raw: padded).status) == 200
            }
            #expect(fits, "the budget is given back when the first request ends")
            for uploader in uploaders.dropFirst() { uploader.close() }
        }
    }
}
