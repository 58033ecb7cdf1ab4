public import NIOCore

/// How the node talks to miners. The HTTP transport is the real one; tests may add faults
/// around it, and other subnets may speak another wire protocol.
public protocol MinerTransport: Sendable {
    /// Sends `body` (JSON) to `path` on `miner` and returns its whole answer or the failure.
    /// Implementations never throw: every outcome is a ``MinerReply``.
    func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply

    /// Sends `body` and returns as soon as the answer's head arrives, with its body to be read
    /// as it comes (for streamed answers). Reading stops, and the connection to the miner is
    /// closed, when the reader stops iterating or its task is cancelled. The default sends with
    /// ``send(_:to:path:timeout:maxResponseBytes:)`` and hands over the whole body at once.
    func open(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply
}

extension MinerTransport {
    public func open(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerStreamReply {
        let reply = await send(body, to: miner, path: path, timeout: timeout, maxResponseBytes: maxResponseBytes)
        switch reply.outcome {
        case .answered(let bytes):
            let whole = MinerResponseStream(contentType: reply.contentType, chunks: [ByteBuffer(bytes: bytes)])
            return MinerStreamReply(outcome: .opened(whole), latency: reply.latency)
        case .busy:
            return MinerStreamReply(outcome: .busy, latency: reply.latency)
        case .failed(let failure):
            return MinerStreamReply(outcome: .failed(failure), latency: reply.latency)
        }
    }
}

/// What came back from one attempt.
public struct MinerReply: Sendable {
    public var outcome: Outcome
    /// Time from sending to receiving the whole body (or to the failure).
    public var latency: Duration
    /// The answer's `Content-Type`, when the transport knows it.
    public var contentType: String?

    public init(outcome: Outcome, latency: Duration, contentType: String? = nil) {
        self.outcome = outcome
        self.latency = latency
        self.contentType = contentType
    }

    public enum Outcome: Sendable {
        /// A 2xx answer and its body.
        case answered(body: [UInt8])
        /// The miner said 429: it is at capacity. Not a failure.
        case busy
        /// Any other outcome.
        case failed(MinerFailure)
    }
}

/// What came back when an answer was opened for reading as it streams.
public struct MinerStreamReply: Sendable {
    public var outcome: Outcome
    /// Time from sending to the answer's head (or to the failure).
    public var latency: Duration

    public init(outcome: Outcome, latency: Duration) {
        self.outcome = outcome
        self.latency = latency
    }

    public enum Outcome: Sendable {
        /// A 2xx head; the body follows.
        case opened(MinerResponseStream)
        /// The miner said 429.
        case busy
        case failed(MinerFailure)
    }
}

/// The body of a miner's answer, read as it arrives.
public struct MinerResponseStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    /// The answer's `Content-Type`, such as `text/event-stream`.
    public var contentType: String?
    let base: any AsyncSequence<ByteBuffer, any Error> & Sendable

    public init(contentType: String?, body: some AsyncSequence<ByteBuffer, any Error> & Sendable) {
        self.contentType = contentType
        self.base = body
    }

    /// A body already in memory.
    public init(contentType: String?, chunks: [ByteBuffer]) {
        self.init(contentType: contentType, body: BufferedChunks(chunks: chunks))
    }

    /// Whether the body is Server-Sent Events.
    public var isEventStream: Bool {
        contentType?.lowercased().hasPrefix("text/event-stream") ?? false
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: any AsyncIteratorProtocol<ByteBuffer, any Error>

        public mutating func next() async throws -> ByteBuffer? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    struct BufferedChunks: AsyncSequence, Sendable {
        let chunks: [ByteBuffer]

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: ArraySlice<ByteBuffer>
            mutating func next() async throws -> ByteBuffer? { remaining.popFirst() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks[...]) }
    }
}

/// Why an attempt produced no usable answer. The raw values are stored with scores.
///
/// How many bytes of a refusing miner's body are kept, so operators see its reason in
/// `/admin/rounds` and logs without a misbehaving miner filling the database.
package let minerRefusalBodyLimit = 512

public enum MinerFailure: Sendable, Hashable {
    case timeout
    case connection(String)
    /// A status other than 2xx or 429, with the start of the miner's body (its reason).
    case httpStatus(Int, body: String)
    case responseTooLarge
    case invalidResponse(String)
    /// A streamed answer fell silent for longer than the endpoint's chunk timeout.
    case stalled
    /// A streamed answer ended before its end marker.
    case truncated
    /// The request could not be put in the miner protocol's form (a plugin or configuration
    /// error, such as a field the protocol reserves); no miner was contacted.
    case unsendable(String)

    /// A short, stable label for storage and logs.
    public var label: String {
        switch self {
        case .timeout: "timeout"
        case .connection: "connection_error"
        case .httpStatus(let s, _): "http_\(s)"
        case .responseTooLarge: "response_too_large"
        case .invalidResponse: "invalid_response"
        case .stalled: "stream_stalled"
        case .truncated: "stream_truncated"
        case .unsendable: "request_unsendable"
        }
    }

    public var detail: String {
        switch self {
        case .timeout: "no answer before the timeout"
        case .connection(let m): m
        case .httpStatus(let s, let body): body.isEmpty ? "answered HTTP \(s)" : "answered HTTP \(s): \(body)"
        case .responseTooLarge: "response exceeded the size limit"
        case .invalidResponse(let m): m
        case .stalled: "the stream fell silent for longer than the chunk timeout"
        case .truncated: "the stream ended before its end marker"
        case .unsendable(let m): "the request cannot be sent \(m)"
        }
    }
}
