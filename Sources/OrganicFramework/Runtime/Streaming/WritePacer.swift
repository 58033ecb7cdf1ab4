package import NIOCore

/// Keeps a streamed response body from running ahead of its connection.
///
/// Hummingbird's body writer hands each buffer to the connection's event loop and returns at
/// once; its backpressure (a write waits while the socket is full) only counts the writes the loop
/// has already run. A writer faster than a busy loop therefore piles its writes up in the loop's
/// task queue, without bound, however slowly the peer reads. Waiting for a no-op on the same loop
/// every `window` bytes (tasks run in order) lets the writer's own wait take effect, so at most
/// `window` bytes plus the channel's high-water mark are held for a peer that does not read.
package struct WritePacer {
    let eventLoop: (any EventLoop)?
    let window: Int
    private var unconfirmed = 0

    package init(eventLoop: (any EventLoop)?, window: Int = 32 << 10) {
        self.eventLoop = eventLoop
        self.window = window
    }

    /// Records `bytes` just handed to the writer, waiting for the loop once a window is outstanding.
    package mutating func wrote(_ bytes: Int) async throws {
        unconfirmed += bytes
        guard unconfirmed >= window, let eventLoop else { return }
        unconfirmed = 0
        try await eventLoop.submit {}.get()
    }
}
