/// What became of one miner's attempt in a round. Stored and sent as its ``label`` (`answered`,
/// `busy`, `abandoned`, `timeout`, `http_503`, …); an unknown label fails to decode.
public enum MinerOutcome: Sendable, Hashable, StoredText, CustomStringConvertible {
    /// A valid answer (scored unless the round was inconclusive or discarded).
    case answered
    /// The miner was at capacity; not scored.
    case busy
    /// The caller left mid-stream; not scored.
    case abandoned
    /// A failure, scored 0 (see ``MinerFailure``).
    case timeout
    case connectionError
    case httpStatus(Int)
    case responseTooLarge
    case invalidResponse
    case streamStalled
    case streamTruncated
    case requestUnsendable

    /// The stored and wire form.
    public var label: String {
        switch self {
        case .answered: "answered"
        case .busy: "busy"
        case .abandoned: "abandoned"
        case .timeout: "timeout"
        case .connectionError: "connection_error"
        case .httpStatus(let status): "http_\(status)"
        case .responseTooLarge: "response_too_large"
        case .invalidResponse: "invalid_response"
        case .streamStalled: "stream_stalled"
        case .streamTruncated: "stream_truncated"
        case .requestUnsendable: "request_unsendable"
        }
    }

    /// The outcome `label` names, or nil for a label this version does not know.
    public init?(label: String) {
        let fixed: [MinerOutcome] = [.answered, .busy, .abandoned, .timeout, .connectionError, .responseTooLarge, .invalidResponse,
                                     .streamStalled, .streamTruncated, .requestUnsendable]
        if let known = fixed.first(where: { $0.label == label }) {
            self = known
        } else if label.hasPrefix("http_"), let status = Int(label.dropFirst(5)), (100...599).contains(status),
                  label == "http_\(status)" {
            self = .httpStatus(status)
        } else {
            return nil
        }
    }

    public static let storedKind = "round outcome"
    public var storedText: String { label }
    public init?(storedText: String) { self.init(label: storedText) }

    /// Whether the miner failed (and is scored 0 in a round that is not discarded).
    public var isFailure: Bool {
        switch self {
        case .answered, .busy, .abandoned: false
        default: true
        }
    }

    /// The HTTP status a refusing miner answered, for `http_…` outcomes.
    public var httpStatus: Int? {
        if case .httpStatus(let status) = self { return status }
        return nil
    }

    public var description: String { label }
}

extension MinerFailure {
    /// The outcome recorded for a miner that failed this way.
    public var outcome: MinerOutcome {
        switch self {
        case .timeout: .timeout
        case .connection: .connectionError
        case .httpStatus(let status, _): .httpStatus(status)
        case .responseTooLarge: .responseTooLarge
        case .invalidResponse: .invalidResponse
        case .stalled: .streamStalled
        case .truncated: .streamTruncated
        case .unsendable: .requestUnsendable
        }
    }
}

/// A stored value (a round's outcome, verdict or role) that this version does not know: the row
/// is refused rather than read as something else.
public struct UnknownStoredValue: Error, CustomStringConvertible {
    public var kind: String
    public var value: String

    public var description: String { "stored \(kind) '\(value)' is not one this node knows; refusing to read it as another" }
}

extension RoundRole {
    /// Reads a stored role; an unknown one is an error naming it.
    public init(stored text: String) throws(UnknownStoredValue) {
        guard let role = RoundRole(rawValue: text) else { throw UnknownStoredValue(kind: "round role", value: text) }
        self = role
    }
}
