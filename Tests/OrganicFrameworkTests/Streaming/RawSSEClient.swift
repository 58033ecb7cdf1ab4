import Foundation
import OrganicTestKit
#if canImport(Glibc)
import Glibc
#endif

/// A streaming caller on a bare socket: the test decides when it reads, how much the kernel may
/// buffer for it, and when it hangs up, which an HTTP client library would decide for it.
final class RawSSEClient {
    /// One Server-Sent Event, as the node wrote it.
    struct Event: Sendable {
        var data: [UInt8]
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    /// Raised when the node takes longer than the test allows.
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: Int32
    private var isOpen = true
    private var parser = HTTPStreamParser()
    /// Everything read from the socket so far, head included.
    private(set) var bytesReceived = 0

    /// Connects to the node on loopback. `receiveBuffer` caps the kernel's buffer for this
    /// socket (set before connecting, so that the TCP window honours it).
    init(port: Int, receiveBuffer: Int? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw HarnessError("socket() failed") }
        if var size = receiveBuffer.map(Int32.init) {
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            _ = Glibc.close(socket)
            throw HarnessError("connect() failed")
        }
        // Reads must never block a thread of the (two-thread) cooperative pool.
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Sends `POST path` with a JSON body; the request is small enough for one non-blocking write.
    func post(_ path: String, json body: Data, headers: [String: String] = [:]) throws {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        let bytes = Array(head.utf8) + Array(body)
        let written = bytes.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HarnessError("write() sent \(written) of \(bytes.count) bytes") }
    }

    /// The response's status and headers (names lowercased).
    func head(within limit: Duration = .seconds(20)) async throws -> (status: Int, headers: [String: String]) {
        let deadline = ContinuousClock.now + limit
        while parser.status == nil {
            guard try await receive(until: deadline) else { throw HarnessError("the connection closed before the response head") }
        }
        return (parser.status ?? 0, parser.headers)
    }

    /// The next event, or nil once the response body is complete (or the connection closed).
    func nextEvent(within limit: Duration = .seconds(20)) async throws -> Event? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let data = parser.nextEventData() { return Event(data: data) }
            if parser.isComplete { return nil }
            guard try await receive(until: deadline) else { return parser.nextEventData().map(Event.init) }
        }
    }

    /// Whether the body ended with its terminating chunk (rather than the connection dropping).
    var bodyComplete: Bool { parser.isComplete }

    /// Hangs up. Unread bytes make the kernel reset the connection, as a crashed or impatient
    /// caller would.
    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = Glibc.close(socket)
    }

    /// Feeds what has arrived to the parser, waiting for at least one byte; false at end of stream.
    private func receive(until deadline: ContinuousClock.Instant) async throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if count > 0 {
                bytesReceived += count
                try parser.feed(buffer[..<count])
                return true
            }
            if count == 0 {
                parser.finish()
                return false
            }
            let error = errno
            guard error == EAGAIN || error == EWOULDBLOCK || error == EINTR else {
                parser.finish()
                return false
            }
            if ContinuousClock.now >= deadline { throw Timeout(description: "no bytes from the node before the deadline") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// An HTTP/1.1 response read incrementally: head, then a chunked (or sized, or close-delimited)
/// body, split into Server-Sent Events. Only what the node writes needs to parse.
struct HTTPStreamParser {
    private(set) var status: Int?
    private(set) var headers: [String: String] = [:]
    private(set) var isComplete = false

    private enum Framing { case chunked, sized(Int), untilClose }
    private enum ChunkState { case size, data(Int), dataEnd, trailers }

    private var raw: [UInt8] = []
    private var rawStart = 0
    private var body: [UInt8] = []
    private var bodyStart = 0
    private var framing: Framing?
    private var chunkState = ChunkState.size

    mutating func feed(_ bytes: ArraySlice<UInt8>) throws {
        raw.append(contentsOf: bytes)
        if status == nil { try parseHead() }
        if status != nil { try parseBody() }
        compact()
    }

    /// The connection ended.
    mutating func finish() {
        if case .untilClose = framing { isComplete = true }
    }

    /// The data of the next whole event in the body so far.
    mutating func nextEventData() -> [UInt8]? {
        while let end = Self.find([10, 10], in: body, from: bodyStart) {
            let block = bodyStart..<end + 1
            bodyStart = end + 2
            var data: [UInt8]?
            var lineStart = block.lowerBound
            while let lineEnd = Self.find([10], in: body, from: lineStart), lineEnd < block.upperBound {
                let line = body[lineStart..<lineEnd]
                lineStart = lineEnd + 1
                guard line.starts(with: Self.dataField) else { continue }
                var value = line.dropFirst(Self.dataField.count)
                if value.first == 32 { value = value.dropFirst() }
                data = data.map { $0 + [10] + value } ?? Array(value)
            }
            if let data { return data }  // a block of comments only carries no event
        }
        return nil
    }

    private static let dataField = Array("data:".utf8)

    private mutating func parseHead() throws {
        guard let end = Self.find([13, 10, 13, 10], in: raw, from: rawStart) else { return }
        let lines = String(decoding: raw[rawStart..<end], as: UTF8.self).components(separatedBy: "\r\n")
        rawStart = end + 4
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let code = Int(statusParts[1]) else { throw HarnessError("bad status line: \(lines[0])") }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            framing = .chunked
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            framing = .sized(length)
        } else {
            framing = .untilClose
        }
        status = code
    }

    private mutating func parseBody() throws {
        switch framing {
        case .sized(let remaining):
            let take = min(remaining, raw.count - rawStart)
            body.append(contentsOf: raw[rawStart..<rawStart + take])
            rawStart += take
            framing = .sized(remaining - take)
            if remaining - take == 0 { isComplete = true }
        case .untilClose, nil:
            body.append(contentsOf: raw[rawStart...])
            rawStart = raw.count
        case .chunked:
            try dechunk()
        }
    }

    private mutating func dechunk() throws {
        while !isComplete {
            switch chunkState {
            case .size:
                guard let end = Self.find([13, 10], in: raw, from: rawStart) else { return }
                let line = String(decoding: raw[rawStart..<end], as: UTF8.self)
                guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else { throw HarnessError("bad chunk size: \(line)") }
                rawStart = end + 2
                chunkState = size == 0 ? .trailers : .data(size)
            case .data(let remaining):
                let take = min(remaining, raw.count - rawStart)
                guard take > 0 else { return }
                body.append(contentsOf: raw[rawStart..<rawStart + take])
                rawStart += take
                chunkState = remaining == take ? .dataEnd : .data(remaining - take)
            case .dataEnd:
                guard raw.count - rawStart >= 2 else { return }
                rawStart += 2
                chunkState = .size
            case .trailers:
                guard let end = Self.find([13, 10], in: raw, from: rawStart) else { return }
                if end == rawStart { isComplete = true }
                rawStart = end + 2
            }
        }
    }

    /// Drops consumed bytes once they make up most of a buffer, so long streams stay linear.
    private mutating func compact() {
        if rawStart > 0 && rawStart * 2 >= raw.count {
            raw.removeFirst(rawStart)
            rawStart = 0
        }
        if bodyStart > 0 && bodyStart * 2 >= body.count {
            body.removeFirst(bodyStart)
            bodyStart = 0
        }
    }

    /// Where `pattern` first occurs in `bytes` at or after `start` (memchr: tests run unoptimised).
    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var from = start
            while buffer.count - from >= pattern.count {
                guard let hit = memchr(base + from, Int32(pattern[0]), buffer.count - from - pattern.count + 1) else { return nil }
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if pattern.count == 1 || memcmp(base + index, pattern, pattern.count) == 0 { return index }
                from = index + 1
            }
            return nil
        }
    }
}
