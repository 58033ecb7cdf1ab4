/// The metadata keys of the node's structured logs, one spelling each so that log queries
/// can rely on them.
package enum LogKey {
    /// The request id returned to the caller in `X-Request-Id`.
    package static let requestID = "request_id"
    /// The API key's id (never its secret).
    package static let keyID = "key_id"
    package static let endpoint = "endpoint"
    package static let minerUID = "miner_uid"
    package static let minerHotkey = "miner_hotkey"
}
