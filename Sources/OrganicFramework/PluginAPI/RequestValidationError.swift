/// A request that is well-formed JSON but not acceptable, reported to the caller as
/// `400 {"error": {"code": ..., "message": ..., "field": ...}}`.
public struct RequestValidationError: Error, Sendable, Hashable {
    /// A stable, machine-readable code such as `out_of_range`.
    public var code: String
    /// The request field at fault, as a dotted path (`image_b64s[2]`), or nil for the whole request.
    public var field: String?
    /// A sentence for people; it names the allowed values where there are some.
    public var message: String

    public init(code: String = "invalid_field", field: String?, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}

/// A miner response that decoded but is not acceptable; the miner is scored as failed.
public struct ResponseValidationError: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
