import Foundation
import OrganicTestKit
import PropertyBased
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// Requests that arrive whole are answered from the connection's pipeline, the others by
/// Hummingbird (``WholeRequestHandler``): a caller sees the same answers, in order, either way.
@Suite("Requests answered whole or streamed", .serialized)
struct WholeRequestTests {
    /// Valid JSON padded past the largest body answered whole.
    static let tooLargeToHold = #"{"input":["whole"],"dimensions":64}"# + String(repeating: " ", count: WholeRequestHandler.maxBodyBytes + 100)

    static func request(id: String, body: String = #"{"input":["whole"],"dimensions":64}"#, close: Bool = false) -> String {
        "POST /v1/text-embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Request-Id: \(id)\r\n"
            + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// The answers in `text`, in order: status, headers (lower-case names) and body.
    static func answers(in text: String) -> [(status: Int, headers: [String: String], body: String)] {
        var rest = Substring(text)
        var out: [(Int, [String: String], String)] = []
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "") ?? 0
            let body = rest[headEnd.upperBound...].utf8.prefix(length)
            out.append((status, headers, String(decoding: body, as: UTF8.self)))
            rest = Substring(rest[headEnd.upperBound...].utf8.dropFirst(length))
        }
        return out
    }

    /// The length of each embedding in a text-embeddings answer.
    static func dimensions(_ body: String) -> [Int]? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return (object?["embeddings"] as? [[Double]])?.map(\.count)
    }

    @Test("a body that trickles in gets the same answer as one that arrived whole, with the same headers")
    func trickledBody() async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let whole = try RawClientSocket(port: port)
            defer { whole.close() }
            try whole.send(Self.request(id: "whole-1", close: true))
            let fast = try #require(Self.answers(in: whole.receiveAll(timeout: .seconds(20))).first)

            let trickled = try RawClientSocket(port: port)
            defer { trickled.close() }
            let text = Self.request(id: "trickled-1", close: true)
            let split = text.index(text.endIndex, offsetBy: -10)
            try trickled.send(String(text[..<split]))
            try await Task.sleep(for: .milliseconds(150))
            try trickled.send(String(text[split...]))
            let streamed = try #require(Self.answers(in: trickled.receiveAll(timeout: .seconds(20))).first)

            #expect(fast.status == 200 && streamed.status == 200)
            #expect(Self.dimensions(fast.body) == [64] && Self.dimensions(streamed.body) == [64])
            #expect(fast.headers["x-request-id"] == "whole-1" && streamed.headers["x-request-id"] == "trickled-1")
            for answer in [fast, streamed] {
                #expect(answer.headers["server"] == "organic")
                #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
                let date = try #require(answer.headers["date"])
                let parsed = try #require(Self.imfFixdate.date(from: date), "\(date)")
                #expect(abs(parsed.timeIntervalSinceNow) < 5)
            }
        }
    }

    @Test("pipelined requests are answered in order, whether each arrived whole, trickled or too large to hold")
    func pipelinedInOrder() async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            let trickled = Self.request(id: "r3")
            let split = trickled.index(trickled.endIndex, offsetBy: -5)
            try socket.send(Self.request(id: "r1") + Self.request(id: "r2", body: Self.tooLargeToHold) + String(trickled[..<split]))
            try await Task.sleep(for: .milliseconds(150))
            try socket.send(String(trickled[split...]) + Self.request(id: "r4") + Self.request(id: "r5", close: true))
            let (text, closed) = socket.receive(timeout: .seconds(30))
            let answers = Self.answers(in: text)
            #expect(answers.map(\.headers["x-request-id"]) == ["r1", "r2", "r3", "r4", "r5"])
            #expect(answers.allSatisfy { $0.status == 200 && Self.dimensions($0.body) == [64] })
            #expect(closed)
        }
    }

    @Test("a large request held behind an answer reaches Hummingbird when the answer ends, with nothing more to read")
    func heldLargeRequestWithoutLaterRead() async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            // Sent in one write, then the client only reads: no later read may deliver r2.
            try socket.send(Self.request(id: "r1") + Self.request(id: "r2", body: Self.tooLargeToHold, close: true))
            let (text, closed) = socket.receive(timeout: .seconds(20))
            let answers = Self.answers(in: text)
            #expect(answers.map(\.headers["x-request-id"]) == ["r1", "r2"])
            #expect(answers.allSatisfy { $0.status == 200 && Self.dimensions($0.body) == [64] })
            #expect(closed)
        }
    }

    @Test("hundreds of requests pipelined in one write are all answered, in order")
    func manyPipelined() async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            let count = 600
            let requests = (1...count).map { Self.request(id: "p\($0)", close: $0 == count) }
            try socket.send(requests.joined())
            let (text, closed) = socket.receive(timeout: .seconds(60))
            let answers = Self.answers(in: text)
            #expect(answers.map(\.headers["x-request-id"]) == (1...count).map { "p\($0)" })
            #expect(answers.allSatisfy { $0.status == 200 })
            #expect(closed)
        }
    }

    @Test("an early refusal of a whole request keeps the connection for the next one")
    func refusalKeepsConnection() async throws {
        try await RawClientSocket.withOpenEmbeddingNode { port in
            let socket = try RawClientSocket(port: port)
            defer { socket.close() }
            let wrongType = "POST /v1/text-embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nX-Request-Id: bad\r\nContent-Length: 2\r\n\r\nhi"
            try socket.send(wrongType + "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: health\r\n\r\n" + Self.request(id: "good", close: true))
            let answers = Self.answers(in: socket.receiveAll(timeout: .seconds(20)))
            #expect(answers.map(\.status) == [415, 200, 200])
            #expect(answers.map(\.headers["x-request-id"]) == ["bad", "health", "good"])
            #expect(answers.first?.body.contains("\"unsupported_media_type\"") == true)
        }
    }

    @Test("the Date header is RFC 9110's IMF-fixdate, as Foundation formats it, for any second to 9999")
    func dateHeader() async {
        #expect(HTTPDateHeader.format(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateHeader.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")  // RFC 9110's example
        #expect(HTTPDateHeader.format(unixSeconds: 951_868_799) == "Tue, 29 Feb 2000 23:59:59 GMT")
        #expect(HTTPDateHeader.format(unixSeconds: 4_107_542_400) == "Mon, 01 Mar 2100 00:00:00 GMT")
        await propertyCheck(count: 2000, input: Gen.int(in: 0...253_402_300_799)) { second in
            #expect(HTTPDateHeader.format(unixSeconds: second) == Self.imfFixdate.string(from: Date(timeIntervalSince1970: Double(second))))
        }
        let now = HTTPDateHeader.current()
        let parsed = Self.imfFixdate.date(from: now)
        #expect(parsed.map { abs($0.timeIntervalSinceNow) < 2 } == true, "\(now)")
    }

    static let imfFixdate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()
}
