import Logging
import Synchronization

/// The public request a piece of work is done for: its id and, once known, its endpoint and
/// API key. Bound as a task local for the request's task and carried into its query round
/// (``RoundExecutor``), so that log lines written on the request's behalf name it through
/// ``metadata(_:)`` without every function being handed a logger.
final class RequestScope: Sendable {
    @TaskLocal static var current: RequestScope?

    let requestID: String
    private let known = Mutex<(endpoint: String?, keyID: String?)>((nil, nil))

    init(requestID: String) {
        self.requestID = requestID
    }

    func identify(endpoint: String) {
        known.withLock { $0.endpoint = endpoint }
    }

    func identify(keyID: String) {
        known.withLock { $0.keyID = keyID }
    }

    /// `extra` plus the current request's id, endpoint and key id (nothing outside a request).
    static func metadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        guard let scope = current else { return extra }
        var metadata = extra
        metadata[LogKey.requestID] = .string(scope.requestID)
        let (endpoint, keyID) = scope.known.withLock { ($0.endpoint, $0.keyID) }
        if let endpoint, metadata[LogKey.endpoint] == nil { metadata[LogKey.endpoint] = .string(endpoint) }
        if let keyID { metadata[LogKey.keyID] = .string(keyID) }
        return metadata
    }
}
