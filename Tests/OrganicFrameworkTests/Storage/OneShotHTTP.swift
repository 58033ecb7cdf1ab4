import NIOCore
import NIOPosix
import OrganicTestKit

/// One HTTP/1.1 request on a connection of its own, answered and closed (`Connection: close`):
/// thousands at once without a client's connection pool, whose per-connection bookkeeping and
/// timers grow with the number of connections (5,000 made the test client the bottleneck).
enum OneShotHTTP {
    /// Sends a POST to 127.0.0.1:`port` and returns the answer's status, with the error's `code`
    /// after it when the answer is a refusal ("503 settlement_backlog"), so a test's message says why.
    static func post(port: Int, path: String, headers: [(String, String)], body: [UInt8]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(60))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            var request = ByteBuffer(string: head + "\r\n")
            request.writeBytes(body)
            try await outbound.write(request)
            var answer = ByteBuffer()
            for try await var part in inbound { answer.writeBuffer(&part) }  // until the node closes
            // "HTTP/1.1 200 OK\r\n…"
            guard let line = answer.readString(length: min(12, answer.readableBytes)), line.hasPrefix("HTTP/1.1 "),
                  let status = Int(line.dropFirst(9)) else {
                throw HarnessError("not an HTTP/1.1 answer: \(String(buffer: answer).prefix(80))")
            }
            guard status >= 400 else { return String(status) }
            let text = String(buffer: answer)
            guard let code = text.range(of: #""code":""#).map({ text[$0.upperBound...].prefix(while: { $0 != "\"" }) }) else { return String(status) }
            return "\(status) \(code)"
        }
    }
}
