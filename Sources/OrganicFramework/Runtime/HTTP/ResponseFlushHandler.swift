import NIOCore
import NIOHTTP1

/// Follows the writes of answers marked with ``ResponseFlushes/tokenHeader`` down to the socket
/// and reports them to the connection's ``ResponseFlushes``; strips the header. A write's
/// promise succeeds once its bytes are in the socket.
final class ResponseFlushHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let flushes: ResponseFlushes
    /// The marked answer being written, if any.
    private var current: UInt64?

    init(flushes: ResponseFlushes) {
        self.flushes = flushes
    }

    /// Installs a handler on `pipeline` right after the HTTP/1 request decoder (before the
    /// response encoder in write order).
    static func install(on pipeline: ChannelPipeline.SynchronousOperations, flushes: ResponseFlushes) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(ResponseFlushHandler(flushes: flushes), position: .after(decoder))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let flushes = flushes
        switch unwrapOutboundIn(data) {
        case .head(var head):
            let marked = head.headers.first(name: ResponseFlushes.tokenHeaderName).flatMap { UInt64($0) }
            guard let token = marked else {
                current = nil
                break
            }
            head.headers.remove(name: ResponseFlushes.tokenHeaderName)
            current = token
            flushes.began(token)
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .body(let body):
            guard let token = current else { break }
            let bytes = body.readableBytes
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenSuccess { flushes.wrote(token, bytes: bytes) }
            context.write(data, promise: written)
            return
        case .end:
            guard let token = current else { break }
            current = nil
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.whenComplete { result in
                if case .success = result { flushes.ended(token, written: true) } else { flushes.ended(token, written: false) }
            }
            context.write(data, promise: written)
            return
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let current { flushes.ended(current, written: false) }
        flushes.close()
    }
}
