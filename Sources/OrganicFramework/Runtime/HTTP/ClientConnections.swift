import Foundation
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The public server's open client connections, each with the ``DisconnectSignal`` its requests
/// watch, and the limits every connection lives under.
///
/// Hummingbird reports a client's departure only to code that consumes the request stream, and
/// doing so ends keep-alive. A small channel handler (``ClientConnectionHandler``) sits in each
/// connection's pipeline instead and raises the signal when the client's input closes (the server
/// allows half-closure, so a closed socket shows up as that event) or the connection drops.
/// Request handlers find the signal by their channel.
///
/// The same handler enforces the connection cap (connections beyond it are closed as soon as
/// they are accepted, before they cost more than a descriptor) and the body deadline (a request
/// whose body has not fully arrived this long after its head is cut off: a client trickling its
/// upload cannot hold a connection and a request slot forever). Idle and slow-header connections
/// are Hummingbird's idle timeout's job.
final class ClientConnections: Sendable {
    struct Limits: Sendable {
        /// Open connections at once; more are closed on accept.
        var maxConnections: Int
        /// Longest time from a request's head to the end of its body.
        var bodyTimeout: Duration
        /// Request body bytes held at once across all requests.
        var maxBufferedRequestBytes: Int = .max
    }

    let limits: Limits
    /// The node-wide budget of request body bytes.
    let bodies: RequestBodyBudget
    private let signals = Mutex<[ObjectIdentifier: (signal: DisconnectSignal, flushes: ResponseFlushes)]>([:])

    init(limits: Limits = Limits(maxConnections: .max, bodyTimeout: .seconds(60))) {
        self.limits = limits
        self.bodies = RequestBodyBudget(capacity: limits.maxBufferedRequestBytes)
    }

    /// A handler for one new connection's pipeline.
    func makeHandler() -> ClientConnectionHandler { ClientConnectionHandler(connections: self) }

    /// The signal of the connection `channel`, or nil when it is not (or no longer) tracked.
    func signal(for channel: ObjectIdentifier) -> DisconnectSignal? {
        signals.withLock { $0[channel]?.signal }
    }

    /// What of each answer reached the socket of the connection `channel`, or nil when it is
    /// not (or no longer) tracked.
    func flushes(for channel: ObjectIdentifier) -> ResponseFlushes? {
        signals.withLock { $0[channel]?.flushes }
    }

    /// Tracks a new connection; false (and not tracked) when the cap is reached.
    fileprivate func register(_ channel: ObjectIdentifier, _ signal: DisconnectSignal, _ flushes: ResponseFlushes) -> Bool {
        signals.withLock { signals in
            guard signals.count < limits.maxConnections else { return false }
            signals[channel] = (signal, flushes)
            return true
        }
    }

    fileprivate func remove(_ channel: ObjectIdentifier) {
        _ = signals.withLock { $0.removeValue(forKey: channel) }
    }

    /// Connections the kernel completes and holds for the public listener until the node accepts
    /// them (the kernel lowers it to `net.core.somaxconn`, 4,096 by default since Linux 5.4).
    static let listenBacklog = 4096

    /// The largest connection cap this process can keep: the descriptor limit, less a reserve
    /// for miners, the database, logs and the admin listener.
    static func descriptorBound(reserve: Int = 256) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return .max }
        return max(Int(clamping: limit.rlim_cur) - reserve, 16)
    }
}

/// Watches one client connection; passes every read through unchanged.
final class ClientConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let connections: ClientConnections
    private let signal = DisconnectSignal()
    private let flushes = ResponseFlushes()
    private var channel: ObjectIdentifier?
    /// When the current request's body must be in (nil between requests). One timer checks it
    /// and re-arms when it fires early instead of being cancelled per request: cancelling a NIO
    /// timer scans the event loop's whole timer queue, O(open connections) for every request.
    private var bodyDue: NIODeadline?
    private var bodyTimer: Scheduled<Void>?

    fileprivate init(connections: ClientConnections) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        guard connections.register(id, signal, flushes) else {
            // Over the cap: this connection never gets a request slot.
            context.close(promise: nil)
            return
        }
        channel = id
        do {
            try ConnectionPersistenceHandler.install(on: context.pipeline.syncOperations)
            try ResponseFlushHandler.install(on: context.pipeline.syncOperations, flushes: flushes)
        } catch {
            // Without them a request asking for the close would leave the connection open, and
            // a paid answer's writer would wait for a report that never comes.
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed with the pipeline when the channel closes; drop the entry before the channel
        // object can be freed and its identifier reused.
        if let channel { connections.remove(channel) }
        bodyTimer?.cancel()
        signal.disconnect()
        flushes.close()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            let due = NIODeadline.now() + TimeAmount(connections.limits.bodyTimeout)
            bodyDue = due
            if bodyTimer == nil { armBodyTimer(context.eventLoop, context.channel, at: due) }
        case .end:
            bodyDue = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            signal.disconnect()
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func armBodyTimer(_ eventLoop: any EventLoop, _ channel: any Channel, at deadline: NIODeadline) {
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        bodyTimer = eventLoop.scheduleTask(deadline: deadline) {
            let handler = handler.value
            handler.bodyTimer = nil
            guard let due = handler.bodyDue else { return }  // the body came in time
            if due <= .now() {
                channel.close(promise: nil)
            } else {
                handler.armBodyTimer(eventLoop, channel, at: due)  // a later request's deadline
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        bodyTimer?.cancel()
        bodyTimer = nil
        signal.disconnect()
        context.fireChannelInactive()
    }
}
