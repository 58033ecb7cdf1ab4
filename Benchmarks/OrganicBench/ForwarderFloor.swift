import ArgumentParser
import NIOCore
import NIOHTTP1
import NIOPosix

/// `organic-bench forwarder`: the cheapest HTTP forwarder this stack can be, as the floor under
/// the node in `Benchmarks/proxy-compare.sh` and `organic-bench stream`. It reads a request whole,
/// sends its bytes on a keep-alive connection of its own event loop and relays the answer's parts
/// as they come, the parts of one read in one flush:
/// no JSON, no keys, no signing, no queue, no scoring, no Hummingbird, no Swift concurrency.
/// Whatever share of nginx's throughput it reaches, a node built on SwiftNIO cannot exceed.
struct ForwarderFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forwarder",
        abstract: "A bare SwiftNIO forwarder (the floor under the node in proxy-compare); runs until stopped.",
        discussion: "Routes are PATH=PORT/UPSTREAM_PATH, e.g. /v1/text-embeddings=8091/text-embeddings, to 127.0.0.1.")

    @Option(help: "Port to listen on (127.0.0.1).") var port: Int
    @Option(help: "A route: caller path = upstream port / upstream path.") var route: [String]
    @Option(help: "Largest request body read, in bytes.") var maxBodyBytes = 64 << 20

    func run() async throws {
        var routes: [String: ForwardRoute] = [:]
        for text in route {
            guard let equals = text.firstIndex(of: "="), let slash = text[equals...].firstIndex(of: "/"),
                  let upstreamPort = Int(text[text.index(after: equals)..<slash]) else {
                throw ValidationError("route \(text) is not PATH=PORT/UPSTREAM_PATH")
            }
            routes[String(text[..<equals])] = ForwardRoute(port: upstreamPort, path: String(text[slash...]))
        }
        let server = try await ForwarderServer.start(port: port, routes: routes, maxBodyBytes: maxBodyBytes)
        print("forwarder listening on 127.0.0.1:\(port)")
        try await server.closeFuture.get()
    }
}

/// The forwarder's listener, also started in-process by `organic-bench stream` in front of its miner.
enum ForwarderServer {
    /// Listens on 127.0.0.1:`port` (0 for any free port) until the returned channel is closed.
    static func start(port: Int, routes: [String: ForwardRoute], maxBodyBytes: Int = 64 << 20) async throws -> any Channel {
        let group = MultiThreadedEventLoopGroup.singleton
        let pools = UpstreamPools(group: group)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        ForwardingHandler(routes: routes, pool: pools.pool(for: channel.eventLoop), maxBodyBytes: maxBodyBytes))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }
}

struct ForwardRoute: Sendable {
    let port: Int
    let path: String
}

/// One pool per event loop, so that a request and its upstream connection share a thread.
final class UpstreamPools: Sendable {
    private let pools: [ObjectIdentifier: UpstreamPool]

    init(group: MultiThreadedEventLoopGroup) {
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        for loop in group.makeIterator() { pools[ObjectIdentifier(loop)] = UpstreamPool(loop: loop) }
        self.pools = pools
    }

    func pool(for loop: any EventLoop) -> UpstreamPool {
        pools[ObjectIdentifier(loop)] ?? UpstreamPool(loop: loop)
    }
}

/// Idle keep-alive connections by upstream port, touched only on `loop`.
final class UpstreamPool: @unchecked Sendable {
    let loop: any EventLoop
    private var idle: [Int: [UpstreamRelay]] = [:]

    init(loop: any EventLoop) { self.loop = loop }

    func acquire(port: Int) -> EventLoopFuture<UpstreamRelay> {
        loop.preconditionInEventLoop()
        // An idle connection the miner has closed meanwhile is dropped, not handed a request.
        while let relay = idle[port]?.popLast() {
            if relay.isOpen { return loop.makeSucceededFuture(relay) }
        }
        return ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamRelay(pool: self, port: port))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .flatMapThrowing { channel in try channel.pipeline.syncOperations.handler(type: UpstreamRelay.self) }
    }

    func release(_ relay: UpstreamRelay) {
        idle[relay.port, default: []].append(relay)
    }
}

/// The client end of one upstream connection: hands each part of the answer to `sink`, and says
/// when a read is done so that the parts it brought leave in one flush.
final class UpstreamRelay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let pool: UpstreamPool
    let port: Int
    private var context: ChannelHandlerContext?
    private var sink: ((Result<HTTPClientResponsePart, any Error>) -> Void)?
    private var readDone: (() -> Void)?

    init(pool: UpstreamPool, port: Int) {
        self.pool = pool
        self.port = port
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// False once the connection has closed.
    var isOpen: Bool { context != nil }

    func send(_ head: HTTPRequestHead, body: ByteBuffer, sink: @escaping (Result<HTTPClientResponsePart, any Error>) -> Void,
              readDone: @escaping () -> Void) {
        guard let context else { return sink(.failure(ChannelError.ioOnClosedChannel)) }
        self.sink = sink
        self.readDone = readDone
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        let sink = self.sink
        if case .end = part {
            self.sink = nil
            readDone = nil
            pool.release(self)
        }
        sink?(.success(part))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readDone?()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        sink?(.failure(ChannelError.eof))
        sink = nil
        readDone = nil
    }
}

/// The server end: a whole request in, the upstream's answer out part by part.
final class ForwardingHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: [String: ForwardRoute]
    let pool: UpstreamPool
    let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(routes: [String: ForwardRoute], pool: UpstreamPool, maxBodyBytes: Int) {
        self.routes = routes
        self.pool = pool
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            guard head != nil else { return }
            guard body.readableBytes + part.readableBytes <= maxBodyBytes else {
                head = nil
                return refuse(.payloadTooLarge, context: context)
            }
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }  // refused already
            guard let route = routes[head.uri] else { return refuse(.notFound, context: context) }
            forward(head, to: route, context: context)
        }
    }

    private func forward(_ head: HTTPRequestHead, to route: ForwardRoute, context: ChannelHandlerContext) {
        var upstreamHead = HTTPRequestHead(version: .http1_1, method: head.method, uri: route.path)
        upstreamHead.headers.add(name: "Host", value: "127.0.0.1:\(route.port)")
        for value in head.headers["Content-Type"] { upstreamHead.headers.add(name: "Content-Type", value: value) }
        upstreamHead.headers.add(name: "Content-Length", value: String(body.readableBytes))
        let sent = upstreamHead
        let body = self.body
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        pool.acquire(port: route.port).whenComplete { acquired in
            let context = bound.value
            switch acquired {
            case .failure: self.refuse(.badGateway, context: context)
            case .success(let relay):
                relay.send(sent, body: body, sink: { result in
                    switch result {
                    case .success(.head(var answer)):
                        answer.headers.remove(name: "Connection")
                        context.write(self.wrapOutboundOut(.head(answer)), promise: nil)
                    case .success(.body(let part)):
                        context.write(self.wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
                    case .success(.end):
                        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    case .failure:
                        context.close(promise: nil)
                    }
                }, readDone: { context.flush() })
            }
        }
    }

    private func refuse(_ status: HTTPResponseStatus, context: ChannelHandlerContext) {
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "Content-Length", value: "0")
        head.headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
