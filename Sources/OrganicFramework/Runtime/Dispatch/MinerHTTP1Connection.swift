import NIOCore
import NIOHTTP1

/// One keep-alive connection of a ``MinerHTTP1Pool``: writes a request in one flush and
/// collects its answer (or streams its body, see ``MinerHTTP1Body``), then goes back to the
/// pool (used on its channel's loop only).
final class MinerHTTP1Connection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let pool: MinerHTTP1Pool
    /// The miner's `host:port`.
    let key: String
    private var context: ChannelHandlerContext?
    private var exchange: MinerHTTP1Exchange?
    /// Whether an answer came on this connection before: a miner may close an idle connection
    /// as the node reuses it.
    private var reused = false
    private var idleTimer: Scheduled<Void>?
    private var closeError: (any Error)?

    // The answer being read.
    private var status = 0
    private var headers = HTTPHeaders()
    /// Gathered as the answer's bytes are handed over (no copy out of a buffer at the end).
    private var body: [UInt8] = []
    private var limit = 0
    private var headArrived = false
    private var keepAlive = false

    // A streamed answer's body being handed to its reader.
    private var streamSource: MinerHTTP1Body.Source?
    private var streamExchange: MinerHTTP1Exchange?
    /// Body bytes of the streamed answer read since the last hand-over. An SSE miner writes an
    /// HTTP chunk per event, and each part handed over costs the reader a wake-up and a pass of
    /// its loop (most of what relaying a token cost the node): the parts of one read go together,
    /// at the read's end or once ``maxHeldStreamBytes`` are held.
    private var heldStreamBytes: ByteBuffer?
    static let maxHeldStreamBytes = 64 << 10
    /// Reads held back while the reader is behind; one is owed when it catches up.
    private var readsPaused = false
    private var readOwed = false

    init(pool: MinerHTTP1Pool, key: String) {
        self.pool = pool
        self.key = key
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    var isActive: Bool { context?.channel.isActive ?? false }

    /// Sends `exchange`'s request: head, body and end in one flush.
    func run(_ exchange: MinerHTTP1Exchange) {
        idleTimer?.cancel()
        idleTimer = nil
        guard let context, context.channel.isActive else {
            exchange.fail(MinerConnectionError.closedBeforeAnswer)
            return
        }
        self.exchange = exchange
        exchange.connection = self
        headArrived = false
        let request = exchange.request
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        headers.add(name: "Host", value: request.address.authority)
        headers.add(contentsOf: request.headers)
        headers.add(name: "Content-Length", value: String(request.body.count))
        var buffer = context.channel.allocator.buffer(capacity: request.body.count)
        buffer.writeBytes(request.body)
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: request.address.target, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let streamSource {
            relay(unwrapInboundIn(data), to: streamSource, context: context)
            return
        }
        guard let exchange else {
            // Bytes nobody asked for: the connection cannot be trusted for the next request.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            headArrived = true
            status = Int(head.status.code)
            headers = head.headers
            keepAlive = head.isKeepAlive
            let success = (200..<300).contains(status)
            if success && exchange.streaming {
                startStream(exchange, context: context)
                return
            }
            limit = success ? exchange.maxResponseBytes : min(exchange.maxResponseBytes, minerRefusalBodyLimit)
            let announced = headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            if success && announced > limit {
                exchange.fail(NIOTooManyBytesError(maxBytes: limit))
                return
            }
            body = []
            body.reserveCapacity(min(max(announced, 0), limit))
        case .body(var part):
            guard body.count + part.readableBytes <= limit else {
                guard !(200..<300).contains(status) else {
                    exchange.fail(NIOTooManyBytesError(maxBytes: limit))
                    return
                }
                // A refusal's reason is its first bytes; the rest is not read.
                if let kept = part.readSlice(length: limit - body.count) { body.append(contentsOf: kept.readableBytesView) }
                keepAlive = false
                finish(exchange, context: context)
                return
            }
            body.append(contentsOf: part.readableBytesView)
        case .end:
            finish(exchange, context: context)
        }
    }

    /// Hands `exchange` its answer at the head; the body follows through a ``MinerHTTP1Body``.
    private func startStream(_ exchange: MinerHTTP1Exchange, context: ChannelHandlerContext) {
        self.exchange = nil
        exchange.connection = nil
        let made = MinerHTTP1Body.makeSequence(
            backPressureStrategy: .init(lowWatermark: MinerHTTP1BodyDemand.lowWatermark, highWatermark: MinerHTTP1BodyDemand.highWatermark),
            finishOnDeinit: true, delegate: MinerHTTP1BodyDemand(connection: self, exchange: exchange))
        streamSource = made.source
        streamExchange = exchange
        exchange.succeed(MinerHTTPExchange.Answer(status: status, headers: headers, body: [], stream: made.sequence))
        headers = HTTPHeaders()
    }

    private func relay(_ part: HTTPClientResponsePart, to source: MinerHTTP1Body.Source, context: ChannelHandlerContext) {
        switch part {
        case .head:
            // A second head inside a body: the connection cannot be trusted.
            endStream(error: MinerConnectionError.closedBeforeAnswer)
            context.close(promise: nil)
        case .body(var bytes):
            if var held = heldStreamBytes {
                // Released first, so that the write appends in place.
                heldStreamBytes = nil
                held.writeBuffer(&bytes)
                bytes = held
            }
            heldStreamBytes = bytes
            if bytes.readableBytes >= Self.maxHeldStreamBytes { handOverHeldBytes(to: source, context: context) }
        case .end:
            endStream(error: nil)
            answerEnded(context: context)
        }
    }

    /// Gives the streamed answer's reader the body bytes read so far.
    private func handOverHeldBytes(to source: MinerHTTP1Body.Source, context: ChannelHandlerContext) {
        guard let held = heldStreamBytes else { return }
        heldStreamBytes = nil
        switch source.yield(held) {
        case .produceMore: break
        case .stopProducing: readsPaused = true
        case .dropped: context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let streamSource { handOverHeldBytes(to: streamSource, context: context) }
        context.fireChannelReadComplete()
    }

    /// The answer is over: the connection goes back to the pool if both sides keep it alive.
    private func answerEnded(context: ChannelHandlerContext) {
        if keepAlive && context.channel.isActive {
            reused = true
            pool.release(self)
        } else {
            context.close(promise: nil)
        }
    }

    /// Ends the stream being relayed, with `error` when it was cut short.
    private func endStream(error: (any Error)?) {
        guard let source = streamSource else { return }
        streamSource = nil
        streamExchange = nil
        resumeReads()
        // What was read before the end (or the break) reaches the reader first.
        if let held = heldStreamBytes {
            heldStreamBytes = nil
            _ = source.yield(held)
        }
        if let error { source.finish(error) } else { source.finish() }
    }

    /// The reader of `exchange`'s body caught up.
    func resumeReading(for exchange: MinerHTTP1Exchange) {
        guard streamExchange === exchange else { return }
        resumeReads()
    }

    /// The reader of `exchange`'s body stopped (done, cancelled or dropped): if the body is still
    /// arriving, the connection is closed, as nothing can tell its rest from the next answer.
    func readerStopped(for exchange: MinerHTTP1Exchange) {
        guard streamExchange === exchange else { return }
        endStream(error: nil)
        context?.close(promise: nil)
    }

    private func resumeReads() {
        readsPaused = false
        if readOwed {
            readOwed = false
            context?.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readOwed = true
        } else {
            context.read()
        }
    }

    private func finish(_ exchange: MinerHTTP1Exchange, context: ChannelHandlerContext) {
        self.exchange = nil
        exchange.connection = nil
        let answer = MinerHTTPExchange.Answer(status: status, headers: headers, body: body)
        body = []
        headers = HTTPHeaders()
        exchange.succeed(answer)
        answerEnded(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeError = closeError ?? error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        endStream(error: closeError ?? MinerConnectionError.closedBeforeAnswer)
        pool.closed(self)
        if let exchange {
            self.exchange = nil
            exchange.connection = nil
            if reused && !headArrived && !exchange.retried {
                exchange.retried = true
                pool.retry(exchange)
            } else {
                exchange.fail(closeError ?? MinerConnectionError.closedBeforeAnswer)
            }
        }
        context.fireChannelInactive()
    }

    /// Waits for the next request, closing after `timeout`.
    func becomeIdle(for timeout: TimeAmount) {
        guard let context else { return }
        idleTimer = context.eventLoop.scheduleTask(in: timeout) { self.context?.close(promise: nil) }
    }

    /// At the deadline: a refusal whose head is in ends with the reason read so far (its status
    /// says more than a timeout would). False when no refusal is being read.
    func cutRefusalShort() -> Bool {
        guard let exchange, let context, headArrived, !(200..<300).contains(status) else { return false }
        keepAlive = false
        finish(exchange, context: context)
        return true
    }

    /// Drops the exchange in progress and closes.
    func abandon() {
        exchange = nil
        context?.close(promise: nil)
    }

    /// Closes the connection.
    func close() -> EventLoopFuture<Void> {
        guard let context else { return pool.loop.makeSucceededVoidFuture() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.close(promise: promise)
        return promise.futureResult.recover { _ in }
    }
}
