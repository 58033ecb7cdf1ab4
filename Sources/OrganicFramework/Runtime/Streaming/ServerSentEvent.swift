/// One Server-Sent Event, as dispatched by ``ServerSentEventParser`` or written by
/// ``ServerSentEventWriter``.
///
/// `data` stays as bytes because the node decodes JSON straight from them; ``text`` is the
/// String view. The optional fields use `nil` for "not given in this event":
/// - `event`: the `event` field; `nil` also when it was empty, which the WHATWG rules treat as
///   the default type `message`.
/// - `id`: the `id` field of this event's block (the empty string when the block reset the
///   id with a bare `id`). The id that stays in effect across events is
///   ``ServerSentEventParser/lastEventID``.
/// - `retry`: the last valid `retry` field of this event's block, in milliseconds.
package struct ServerSentEvent: Sendable, Hashable {
    package var event: String?
    package var data: [UInt8]
    package var id: String?
    package var retry: Int?

    package init(event: String? = nil, data: [UInt8], id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }

    package init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.init(event: event, data: Array(data.utf8), id: id, retry: retry)
    }

    /// The data as text. Invalid UTF-8 becomes U+FFFD, exactly as a browser's decoder
    /// would have replaced it before parsing (line ends and `:` are ASCII, so decoding per
    /// field gives the same text as decoding the whole stream first).
    package var text: String { String(decoding: data, as: UTF8.self) }
}
