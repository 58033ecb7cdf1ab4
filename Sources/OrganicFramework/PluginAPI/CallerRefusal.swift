/// An answer that a miner gave validly but that must not reach the caller, such as an image the
/// miners flagged as NSFW. The node answers the caller with `status` and
/// `{"error": {"code", "message"}}`; the round is still scored.
public struct CallerRefusal: Error, Sendable, Hashable {
    /// An HTTP status such as 403.
    public var status: Int
    /// A stable, machine-readable code such as `nsfw_content`.
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
