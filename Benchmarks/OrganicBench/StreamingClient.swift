import AsyncHTTPClient
import NIOCore
import OrganicFramework

/// Sends one streamed chat completion and times its tokens as they arrive, reading the body with
/// AsyncHTTPClient's streaming API. The same client reads the miner's stream and the node's.
struct StreamingClient: Sendable {
    let client: HTTPClient
    let url: String
    var headers: [(String, String)] = []

    /// One streamed answer as the client saw it, timed from the moment the request was sent.
    struct Timing {
        var firstToken: Duration?
        var lastToken: Duration?
        var tokens = 0
        /// Status 200 and the `[DONE]` marker arrived.
        var completed = false

        /// Tokens per second after the first one; nil with fewer than two tokens.
        var streamRate: Double? {
            guard tokens >= 2, let firstToken, let lastToken, lastToken > firstToken else { return nil }
            return Double(tokens - 1) / (lastToken - firstToken).secondsValue
        }
    }

    /// Sends `body` and reads the whole stream; `onToken` is called with the arrival time of each
    /// event that carries content.
    func send(_ body: [UInt8], onToken: (ContinuousClock.Instant) -> Void = { _ in }) async -> Timing {
        let clock = ContinuousClock()
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        var timing = Timing()
        let sent = clock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(120))
            guard response.status == .ok else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return timing
            }
            var parser = ServerSentEventParser(maximumEventSize: 1 << 20)
            var done = false
            for try await buffer in response.body {
                let now = clock.now
                for event in try parser.feed(buffer.readableBytesView) {
                    if event.data.elementsEqual(Self.endMarker) {
                        done = true
                    } else if Self.carriesContent(event.data) {
                        timing.tokens += 1
                        if timing.firstToken == nil { timing.firstToken = now - sent }
                        timing.lastToken = now - sent
                        onToken(now)
                    }
                }
            }
            timing.completed = done
        } catch {
            timing.completed = false
        }
        return timing
    }

    static let endMarker = Array("[DONE]".utf8)
    static let contentKey = Array(#""content":""#.utf8)

    /// Whether a chunk's JSON has a non-empty `delta.content`. A byte scan rather than a decode,
    /// so that the client spends next to nothing per token and the node's cost stands out.
    /// Only the delta's `content` is a string: `logprobs.content` is an array, and an escaped
    /// `\"content\"` inside a token's text never matches.
    static func carriesContent(_ data: [UInt8]) -> Bool {
        let key = contentKey
        var start = 0
        while start + key.count < data.count {
            var matches = true
            for offset in 0..<key.count where data[start + offset] != key[offset] {
                matches = false
                break
            }
            if matches && data[start + key.count] != UInt8(ascii: "\"") { return true }
            start += 1
        }
        return false
    }
}
