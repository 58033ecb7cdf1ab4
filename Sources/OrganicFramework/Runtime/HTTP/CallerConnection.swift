import NIOCore

/// The caller's connection as a request's handler sees it; every part is nil when the request
/// does not come through the node's public server.
struct CallerConnection: Sendable {
    /// Raised when the caller goes away.
    var disconnect: DisconnectSignal?
    /// What of a paid answer reached the caller's socket.
    var flushes: ResponseFlushes?
    /// The connection's event loop, which paces a streamed answer.
    var eventLoop: (any EventLoop)?
}
