/// How the node talks to miners. The HTTP transport is the real one; tests may add faults
/// around it, and other subnets may speak another wire protocol.
public protocol MinerTransport: Sendable {
    /// Sends `body` (JSON) to `path` on `miner` and returns its answer or the failure.
    /// Implementations never throw: every outcome is a ``MinerReply``.
    func send(_ body: [UInt8], to miner: Neuron, path: String, timeout: Duration, maxResponseBytes: Int) async -> MinerReply
}

/// What came back from one attempt.
public struct MinerReply: Sendable {
    public var outcome: Outcome
    /// Time from sending to receiving the whole body (or to the failure).
    public var latency: Duration

    public init(outcome: Outcome, latency: Duration) {
        self.outcome = outcome
        self.latency = latency
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

/// Why an attempt produced no usable answer. The raw values are stored with scores.
public enum MinerFailure: Sendable, Hashable {
    case timeout
    case connection(String)
    case httpStatus(Int)
    case responseTooLarge
    case invalidResponse(String)

    /// A short, stable label for storage and logs.
    public var label: String {
        switch self {
        case .timeout: "timeout"
        case .connection: "connection_error"
        case .httpStatus(let s): "http_\(s)"
        case .responseTooLarge: "response_too_large"
        case .invalidResponse: "invalid_response"
        }
    }

    public var detail: String {
        switch self {
        case .timeout: "no answer before the timeout"
        case .connection(let m): m
        case .httpStatus(let s): "answered HTTP \(s)"
        case .responseTooLarge: "response exceeded the size limit"
        case .invalidResponse(let m): m
        }
    }
}
