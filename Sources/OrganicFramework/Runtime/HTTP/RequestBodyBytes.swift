import Hummingbird
import NIOCore

/// A request body read into one array, as the JSON decoder takes it.
///
/// Collecting into a `ByteBuffer` and then copying it out cost two or three passes over a body
/// of megabytes (the buffer grows by doubling); here the array is sized from `Content-Length`
/// when the caller sent one, and each part is copied once.
enum RequestBodyBytes {
    /// Throws `NIOTooManyBytesError` past `limit` bytes, whatever `declared` said.
    static func read(_ body: RequestBody, upTo limit: Int, declared: Int?) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        // An announced length is a hint only, never trusted beyond the limit; the node-wide body
        // budget has already claimed that much before the first byte is read.
        bytes.reserveCapacity(min(max(declared ?? 0, 0), limit))
        for try await part in body {
            guard part.readableBytes <= limit - bytes.count else { throw NIOTooManyBytesError(maxBytes: limit) }
            bytes.append(contentsOf: part.readableBytesView)
        }
        return bytes
    }
}
