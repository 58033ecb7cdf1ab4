package import NIOCore

/// Incremental parser of a `text/event-stream` body (the WHATWG HTML "interpreting an event
/// stream" rules), fed the body chunk by chunk as it arrives from a miner.
///
/// - Lines end with CRLF, LF or CR, also when a CRLF is split across two chunks; one leading
///   UTF-8 byte order mark is skipped.
/// - `:` lines are comments. Fields are `name: value` (one space after the colon dropped) or a
///   bare `name` with an empty value; `data` lines are joined with LF, `event`, `id` (ignored
///   when it contains NUL) and `retry` (ASCII digits only; ignored if it overflows `Int`) are
///   kept, other fields ignored. A blank line dispatches the event unless it had no `data`.
/// - Bytes are never decoded while parsing: invalid UTF-8 is kept in ``ServerSentEvent/data``
///   and replaced by U+FFFD only where text is produced (`event`, `id`, ``ServerSentEvent/text``).
/// - Miners are untrusted, so the pending event's data plus the line being read may not exceed
///   `maximumEventSize` bytes (the line counted with its field name, without its line end). Past
///   that, `feed` throws ``ServerSentEventError/eventTooLarge(limit:)`` and keeps throwing it:
///   memory stays bounded by a few times the limit whatever the miner sends.
package struct ServerSentEventParser: Sendable {
    /// How the input ended, from ``finish()``.
    package enum Ending: Sendable, Equatable {
        /// On an event boundary (only comments or blank lines since the last event).
        case complete
        /// Inside a line or an event, which the WHATWG rules discard: a truncated stream.
        case truncated
    }

    package let maximumEventSize: Int
    /// The stream's last event ID in the WHATWG sense: set by every valid `id` field and kept
    /// across events; `nil` when never set or reset by an empty `id`.
    package private(set) var lastEventID: String?
    /// The last valid `retry` value in milliseconds, also from blocks that dispatched nothing.
    package private(set) var reconnectionTime: Int?

    /// The unterminated line; only used when a line spans chunks.
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    /// Separate from `data.isEmpty` because one empty `data` line still dispatches an event.
    private var hasData = false
    private var eventType: String?
    private var blockID: String?
    private var blockRetry: Int?
    private var blockHasFields = false
    /// How much of a byte order mark has been seen at the start; `nil` once past it.
    private var byteOrderMarkBytesSeen: Int? = 0
    /// The last chunk ended with CR, so a LF starting the next one belongs to that line end.
    private var skipsLineFeed = false
    private var failure: ServerSentEventError?

    package init(maximumEventSize: Int) {
        precondition(maximumEventSize > 0, "maximumEventSize must be positive")
        self.maximumEventSize = maximumEventSize
    }

    /// Whether input since the last event boundary would be lost if the stream ended now.
    package var hasPendingEvent: Bool {
        !line.isEmpty || blockHasFields || (byteOrderMarkBytesSeen ?? 0) > 0
    }

    /// Parses `bytes` and returns the events they complete.
    package mutating func feed(_ bytes: some Collection<UInt8>) throws(ServerSentEventError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try feed(bytes, into: &events)
        return events
    }

    /// Parses `bytes`, appending the events they complete to `events`; when it throws, the
    /// events completed before the offending line are already appended.
    package mutating func feed(_ bytes: some Collection<UInt8>, into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        if let failure { throw failure }
        // Carried out of the closures by hand: withContiguousStorageIfAvailable only rethrows `any Error`.
        var caught: ServerSentEventError?
        let wasContiguous: Void? = bytes.withContiguousStorageIfAvailable { chunk in
            do throws(ServerSentEventError) { try scan(chunk, into: &events) } catch { caught = error }
        }
        if wasContiguous == nil {
            [UInt8](bytes).withUnsafeBufferPointer { chunk in
                do throws(ServerSentEventError) { try scan(chunk, into: &events) } catch { caught = error }
            }
        }
        if let caught {
            failure = caught
            throw caught
        }
    }

    package mutating func feed(_ buffer: ByteBuffer) throws(ServerSentEventError) -> [ServerSentEvent] {
        try feed(buffer.readableBytesView)
    }

    package mutating func feed(_ buffer: ByteBuffer, into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        try feed(buffer.readableBytesView, into: &events)
    }

    /// Ends the input: an unterminated line or event is discarded (never dispatched) and
    /// reported as `.truncated`. The parser is then reset for a new stream.
    @discardableResult
    package mutating func finish() -> Ending {
        let ending: Ending = hasPendingEvent || failure != nil ? .truncated : .complete
        self = ServerSentEventParser(maximumEventSize: maximumEventSize)
        return ending
    }

    // MARK: Scanning

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")

    private mutating func scan(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        var start = 0
        let end = chunk.count
        if let seen = byteOrderMarkBytesSeen {
            var matched = seen
            while matched < Self.byteOrderMark.count, start < end, chunk[start] == Self.byteOrderMark[matched] {
                matched += 1
                start += 1
            }
            if matched == Self.byteOrderMark.count {
                byteOrderMarkBytesSeen = nil
            } else if start == end {
                byteOrderMarkBytesSeen = matched  // the next chunk decides
                return
            } else {
                // Only a prefix of a mark: those bytes are ordinary input of the first line.
                byteOrderMarkBytesSeen = nil
                line.append(contentsOf: Self.byteOrderMark[..<matched])
            }
        }
        if skipsLineFeed, start < end {
            skipsLineFeed = false
            if chunk[start] == Self.lineFeed { start += 1 }
        }
        while start < end {
            var stop = start
            while stop < end, chunk[stop] != Self.lineFeed, chunk[stop] != Self.carriageReturn { stop += 1 }
            let content = UnsafeBufferPointer(rebasing: chunk[start..<stop])
            if stop == end {
                try checkSize(lineLength: line.count + content.count)
                line.append(contentsOf: content)
                return
            }
            if line.isEmpty {
                try process(content, into: &events)  // the common case: no copy
            } else {
                try checkSize(lineLength: line.count + content.count)
                line.append(contentsOf: content)
                try processBufferedLine(into: &events)
            }
            start = stop + 1
            if chunk[stop] == Self.carriageReturn {
                if start == end {
                    skipsLineFeed = true
                } else if chunk[start] == Self.lineFeed {
                    start += 1
                }
            }
        }
    }

    private func checkSize(lineLength: Int) throws(ServerSentEventError) {
        guard data.count + lineLength <= maximumEventSize else {
            throw .eventTooLarge(limit: maximumEventSize)
        }
    }

    private mutating func processBufferedLine(into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        // Moved out so that `process` may mutate self while reading it; swapped back to keep its capacity.
        var buffered: [UInt8] = []
        swap(&buffered, &line)
        defer {
            buffered.removeAll(keepingCapacity: true)
            swap(&buffered, &line)
        }
        try buffered.withUnsafeBufferPointer { (content) throws(ServerSentEventError) in
            try process(content, into: &events)
        }
    }

    // MARK: Interpreting lines

    private mutating func process(_ content: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        guard let first = content.first else {
            dispatch(into: &events)
            return
        }
        // Every line counts, comments included, so that the outcome does not depend on chunking.
        try checkSize(lineLength: content.count)
        if first == Self.colon { return }
        blockHasFields = true
        let nameEnd = content.firstIndex(of: Self.colon) ?? content.endIndex
        var valueStart = nameEnd == content.endIndex ? nameEnd : nameEnd + 1
        if valueStart < content.endIndex, content[valueStart] == Self.space { valueStart += 1 }
        let name = UnsafeBufferPointer(rebasing: content[..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: content[valueStart...])

        if Self.is(name, "data") {
            if hasData { data.append(Self.lineFeed) }
            data.append(contentsOf: value)
            hasData = true
        } else if Self.is(name, "event") {
            eventType = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        } else if Self.is(name, "id") {
            guard !value.contains(0) else { return }
            let id = String(decoding: value, as: UTF8.self)
            blockID = id
            lastEventID = id.isEmpty ? nil : id
        } else if Self.is(name, "retry") {
            guard let milliseconds = Self.decimal(value) else { return }
            blockRetry = milliseconds
            reconnectionTime = milliseconds
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        if hasData {
            events.append(ServerSentEvent(event: eventType, data: data, id: blockID, retry: blockRetry))
        }
        data.removeAll(keepingCapacity: true)
        hasData = false
        eventType = nil
        blockID = nil
        blockRetry = nil
        blockHasFields = false
    }

    private static func `is`(_ name: UnsafeBufferPointer<UInt8>, _ field: StaticString) -> Bool {
        field.withUTF8Buffer { name.elementsEqual($0) }
    }

    /// A non-empty run of ASCII digits that fits in `Int`.
    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }
}
