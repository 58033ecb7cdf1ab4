/// The metadata keys of the node's structured logs, one spelling each so that log queries
/// can rely on them.
enum LogKey {
    /// The request id returned to the caller in `X-Request-Id`.
    static let requestID = "request_id"
    /// The API key's id (never its secret).
    static let keyID = "key_id"
    static let endpoint = "endpoint"
    static let minerUID = "miner_uid"
    static let minerHotkey = "miner_hotkey"
}
