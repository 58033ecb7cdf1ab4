import NIOCore
import Synchronization

/// The public server's open client connections, each with the ``DisconnectSignal`` its requests
/// watch.
///
/// Hummingbird reports a client's departure only to code that consumes the request stream, and
/// doing so ends keep-alive. A small channel handler (``ClientConnectionHandler``) sits in each
/// connection's pipeline instead and raises the signal when the client's input closes (the server
/// allows half-closure, so a closed socket shows up as that event) or the connection drops.
/// Request handlers find the signal by their channel.
final class ClientConnections: Sendable {
    private let signals = Mutex<[ObjectIdentifier: DisconnectSignal]>([:])

    init() {}

    /// A handler for one new connection's pipeline.
    func makeHandler() -> ClientConnectionHandler { ClientConnectionHandler(connections: self) }

    /// The signal of the connection `channel`, or nil when it is not (or no longer) tracked.
    func signal(for channel: ObjectIdentifier) -> DisconnectSignal? {
        signals.withLock { $0[channel] }
    }

    fileprivate func register(_ channel: ObjectIdentifier, _ signal: DisconnectSignal) {
        signals.withLock { $0[channel] = signal }
    }

    fileprivate func remove(_ channel: ObjectIdentifier) {
        _ = signals.withLock { $0.removeValue(forKey: channel) }
    }
}

/// Watches one client connection; passes every read through unchanged.
final class ClientConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let connections: ClientConnections
    private let signal = DisconnectSignal()
    private var channel: ObjectIdentifier?

    fileprivate init(connections: ClientConnections) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        channel = id
        connections.register(id, signal)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed with the pipeline when the channel closes; drop the entry before the channel
        // object can be freed and its identifier reused.
        if let channel { connections.remove(channel) }
        signal.disconnect()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            signal.disconnect()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signal.disconnect()
        context.fireChannelInactive()
    }
}
