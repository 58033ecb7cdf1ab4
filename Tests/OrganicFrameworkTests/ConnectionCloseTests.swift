import Foundation
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// A request that does not ask to keep its connection gets its answer, then the node closes the
/// connection (RFC 9112 §9.3): a client reading until the close would otherwise hang.
@Suite("Connection close after the answer", .serialized)
struct ConnectionCloseTests {
    static let body = #"{"input":["close"],"dimensions":64}"#

    static func request(version: String, connection: String?) -> String {
        var head = "POST /v1/text-embeddings HTTP/\(version)\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let connection { head += "Connection: \(connection)\r\n" }
        return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test("HTTP/1.0 without keep-alive, and HTTP/1.1 with Connection: close, are answered, then closed",
          arguments: [("1.0", nil), ("1.0", "close"), ("1.1", "close")] as [(String, String?)])
    func closesAfterAnswer(version: String, connection: String?) async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            try socket.send(Self.request(version: version, connection: connection))
            let (answer, closed) = socket.receive(timeout: .seconds(20))
            #expect(answer.hasPrefix("HTTP/\(version) 200"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            #expect(answer.contains("\"embedding"), "the whole answer arrives before the close: \(answer)")
            #expect(closed, "the node must close the connection after the answer")
        }
    }

    @Test("HTTP/1.0 with keep-alive, and HTTP/1.1 by default, keep the connection for a second request",
          arguments: [("1.0", "keep-alive"), ("1.1", nil)] as [(String, String?)])
    func keepsAliveWhenAsked(version: String, connection: String?) async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            try socket.send(Self.request(version: version, connection: connection))
            try socket.send(Self.request(version: version, connection: "close"))
            let (answer, closed) = socket.receive(timeout: .seconds(20))
            #expect(answer.components(separatedBy: " 200 OK").count - 1 == 2, "\(answer)")
            #expect(closed)
        }
    }
}
