/// Adds authentication headers to a request the node sends to a miner.
///
/// The HTTP transport calls it once per request with the exact bytes it is about to send,
/// so the signature covers the body as transmitted.
public protocol RequestSigner: Sendable {
    /// The signing hotkey's SS58 address.
    var hotkey: String { get }
    /// Headers proving that `hotkey` sent `body` to `receiverHotkey` just now.
    func headers(method: String, pathAndQuery: String, body: [UInt8], receiverHotkey: String) -> [(name: String, value: String)]
}

/// Which signed-request standard the node speaks to miners (`dispatch.signing`).
public enum RequestSigningScheme: String, Codable, Sendable, CaseIterable {
    /// The Bittensor SDK's `btauth/1` (default).
    case btauth
    /// Epistula v2 headers, used by many subnets built in 2024-25.
    case epistula
    /// Send requests unsigned even when a hotkey is configured.
    case none
}
