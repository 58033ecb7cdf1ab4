package import NIOCore

/// Writes a streamed answer's events as `data:` lines of JSON, reusing its buffers across events:
/// the JSON text goes through one scratch array per stream, and each write's buffer starts at
/// the size of the last one, so an event costs no allocations beyond the write's own buffer.
package struct EventEncoder {
    private let encoder = DirectJSONEncoder()
    private var scratch: [UInt8] = []
    private var lastWrite = 512

    package init() {}

    /// An empty buffer for the next write, sized for one like the last.
    package func makeBuffer() -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: lastWrite)
    }

    /// Appends `value` as one event to `out`.
    package mutating func append(_ value: some Encodable, to out: inout ByteBuffer) throws {
        scratch.removeAll(keepingCapacity: true)
        try encoder.encode(value, into: &scratch)
        ServerSentEventWriter.encode(ServerSentEvent(data: scratch), into: &out)
    }

    /// Appends `value` as one event to `out`, written by `typed` (the stream's own chunk type).
    package mutating func append<Value>(_ value: Value, with typed: TypedJSONEncoder<Value>, to out: inout ByteBuffer) throws {
        scratch.removeAll(keepingCapacity: true)
        try typed.encode(value, into: &scratch)
        ServerSentEventWriter.encode(ServerSentEvent(data: scratch), into: &out)
    }

    /// Records the size of a write, for the next buffer (at most 64 KB is reserved ahead).
    package mutating func wrote(_ bytes: Int) {
        if bytes > 0 { lastWrite = min(bytes, 64 << 10) }
    }
}
