/// Why ``ServerSentEventParser`` refused a stream. Invalid UTF-8 is not an error: bytes are
/// kept and only decoded (lossily) when read as text.
package enum ServerSentEventError: Error, Equatable, Sendable {
    /// The pending event's data plus the line being read exceeded `limit` bytes; the
    /// stream cannot be resumed.
    case eventTooLarge(limit: Int)
}
