package import NIOCore

/// Encodes events and comments for a caller's `text/event-stream` response.
///
/// Nothing a miner put in an event can add fields or events on the wire: data is split at
/// every CR, LF or CRLF into separate `data` lines (so CR and CRLF arrive as LF, the only line
/// separator SSE data can carry), CR and LF are dropped from `event` and `id`, and NUL from
/// `id` (a parser would ignore the whole id). An empty or `nil` `event` is omitted (it means the
/// default type anyway), an empty `id` is written (it resets the caller's last event ID), and a
/// negative `retry` is omitted.
package enum ServerSentEventWriter {
    /// A comment line and a blank line, for keeping idle connections open.
    package static let keepAlive: [UInt8] = Array(": keep-alive\n\n".utf8)

    package static func encode(_ event: ServerSentEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.data.count + 16)
        write(event) { bytes.append(contentsOf: $0) }
        return bytes
    }

    package static func encode(_ event: ServerSentEvent, into buffer: inout ByteBuffer) {
        write(event) { buffer.writeBytes($0) }
    }

    /// `text` as comment lines (one per line of it), then a blank line.
    package static func comment(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var text = text
        text.withUTF8 { utf8 in
            writeLines(of: UnsafeRawBufferPointer(utf8), prefix: "") { bytes.append(contentsOf: $0) }
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    // MARK: Encoding

    private typealias Emit = (UnsafeRawBufferPointer) -> Void

    private static func write(_ event: ServerSentEvent, _ emit: Emit) {
        if let type = event.event, !type.isEmpty {
            writeField("event", type, dropsNull: false, emit)
        }
        if let id = event.id {
            writeField("id", id, dropsNull: true, emit)
        }
        if let retry = event.retry, retry >= 0 {
            writeField("retry", String(retry), dropsNull: false, emit)
        }
        event.data.withUnsafeBytes { writeLines(of: $0, prefix: "data", emit) }
        emitStatic("\n", emit)
    }

    private static func writeField(_ name: StaticString, _ value: String, dropsNull: Bool, _ emit: Emit) {
        emitStatic(name, emit)
        emitStatic(value.isEmpty ? ":" : ": ", emit)
        var value = value
        value.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var start = 0
            for index in bytes.indices where isLineEnd(bytes[index]) || (dropsNull && bytes[index] == 0) {
                emit(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
            }
            emit(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
        emitStatic("\n", emit)
    }

    /// One `prefix:` line (a comment when `prefix` is empty) per line of `bytes` (split at CR, LF and CRLF); at least one line.
    private static func writeLines(of bytes: UnsafeRawBufferPointer, prefix: StaticString, _ emit: Emit) {
        var start = 0
        while true {
            var stop = start
            while stop < bytes.count, !isLineEnd(bytes[stop]) { stop += 1 }
            emitStatic(prefix, emit)
            if stop > start {
                // The space is the one a parser strips, so a value's own leading space survives.
                emitStatic(": ", emit)
                emit(UnsafeRawBufferPointer(rebasing: bytes[start..<stop]))
                emitStatic("\n", emit)
            } else {
                emitStatic(":\n", emit)
            }
            guard stop < bytes.count else { return }
            start = stop + 1
            if bytes[stop] == UInt8(ascii: "\r"), start < bytes.count, bytes[start] == UInt8(ascii: "\n") { start += 1 }
        }
    }

    private static func isLineEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func emitStatic(_ text: StaticString, _ emit: Emit) {
        text.withUTF8Buffer { emit(UnsafeRawBufferPointer($0)) }
    }
}
