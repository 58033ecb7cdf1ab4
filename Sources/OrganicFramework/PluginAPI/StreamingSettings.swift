/// How an endpoint's miners stream their answers: Server-Sent Events (`text/event-stream`),
/// one ``Endpoint/MinerChunk`` as JSON per `data:` event.
public struct StreamingSettings: Sendable, Hashable, Codable {
    /// Longest silence between two events (and before the first) before the miner is cut off and
    /// scored as a failure; the caller then receives an error event.
    public var chunkTimeout: Duration
    /// The `data:` payload that ends a stream, such as OpenAI's `[DONE]`; nil when a stream simply
    /// ends. With a marker, a stream that ends without it is truncated: a failure.
    public var endMarker: String?

    public init(chunkTimeout: Duration = .seconds(10), endMarker: String? = "[DONE]") {
        self.chunkTimeout = chunkTimeout
        self.endMarker = endMarker
    }
}
