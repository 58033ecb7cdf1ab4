import Foundation
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// Framing errors are the caller's fault: 400 (or a closed connection when no answer can be
/// framed), never 500 `internal_error`.
@Suite("Malformed HTTP framing", .serialized)
struct MalformedFramingTests {
    static let head = "POST /v1/text-embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"

    @Test("an invalid chunk size, or a body cut short by a half-close, never answers 500",
          arguments: [
            head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            head + "Content-Length: 100\r\n\r\n{\"input\":[\"cut",
          ])
    func framingErrors(_ request: String) async throws {
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        try await PluginHarness.run(plugins: [try TextEmbeddingPlugin()], miners: PluginHarness.honestMiners(1),
                                    configuration: configuration) { net in
            let port = try #require(URLComponents(string: net.publicURL)?.port)
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            try socket.send(request)
            socket.shutdownWrite()
            let answer = socket.receiveAll()
            #expect(!answer.contains(" 500 ") && !answer.contains("internal_error"), "\(answer)")
            if !answer.isEmpty { #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)") }
            // The node still serves others.
            let ok = try await net.post("/v1/text-embeddings", json: TextEmbeddingRequest(input: ["fine"], dimensions: 64))
            #expect(ok.status == 200)
        }
    }
}
