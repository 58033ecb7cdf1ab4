import NIOCore
import NIOHTTP1

/// Closes a client connection after the answer to a request that did not ask to keep it open
/// (RFC 9112 §9.3): an HTTP/1.0 request without `Connection: keep-alive`, or any request with
/// `Connection: close`.
///
/// Hummingbird's HTTP types carry no protocol version, so this handler sits where the pipeline
/// still holds NIO's HTTP/1 parts (between the decoder and the conversion to HTTP types). An
/// answer to an HTTP/1.0 request is sent as HTTP/1.0, so that its body is delimited by the close
/// rather than by chunked framing, which an HTTP/1.0 client cannot read.
final class ConnectionPersistenceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What each request read and not yet answered asked for, oldest first.
    private var requests: [(version: HTTPVersion, keepAlive: Bool)] = []
    /// A request that asked for the close has been read whole: later ones are not served.
    private var closing = false

    /// Installs a handler on `pipeline` right after the HTTP/1 request decoder.
    static func install(on pipeline: ChannelPipeline.SynchronousOperations) throws {
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(ConnectionPersistenceHandler(), position: .after(decoder))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            requests.append((head.version, head.isKeepAlive))
        case .end:
            if requests.last?.keepAlive == false { closing = true }
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            guard let request = requests.first, !request.keepAlive else { break }
            head.headers.replaceOrAdd(name: "connection", value: "close")
            if request.version == .http1_0 { head.version = .http1_0 }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end:
            guard !requests.isEmpty else { break }
            let request = requests.removeFirst()
            guard !request.keepAlive else { break }
            let written = promise ?? context.eventLoop.makePromise()
            context.writeAndFlush(data, promise: written)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            return
        case .body:
            break
        }
        context.write(data, promise: promise)
    }
}
