import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers, from the connection's pipeline, a request that arrived whole: its head, body and end
/// in one read from the socket.
///
/// Hummingbird hands every request part to a per-connection task through an async sequence, and
/// every response part back through an async writer. For a small JSON call that bridging costs
/// more CPU than parsing the request. Nearly every API call arrives in one read, so this handler
/// collects it there, runs the same router in one task on the connection's loop and writes the
/// answer straight into the pipeline. Everything else goes on to Hummingbird untouched:
/// - a request whose body is still coming when the read ends (an upload; its body is then read
///   as it streams in, under the route's limits and after its checks);
/// - a body over ``maxBodyBytes``;
/// - requests read while Hummingbird is answering (HTTP/1.1 answers in order).
///
/// Parts read while this handler is answering wait here, at most ``maxHeldBytes`` of them before
/// reading pauses; so do an input close and a parse error, which Hummingbird would otherwise act
/// on in the middle of the answer.
final class WholeRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The largest body answered here (about one read from the socket); larger ones stream to
    /// Hummingbird.
    static let maxBodyBytes = 64 * 1024
    /// Bytes of parts read during an answer that are held before reading pauses.
    static let maxHeldBytes = 64 * 1024

    /// What the handler answers with.
    struct Responder: Sendable {
        var router: RouterResponder<OrganicRequestContext>
        var logger: Logger
        /// The `Server` header, as Hummingbird's own path sets it.
        var serverName: String?
    }

    private enum State {
        case idle
        /// A head read in the current read, and its body so far.
        case collecting(HTTPRequest, ByteBuffer?)
        /// This handler's task is answering; each answer has its own number.
        case answering(UInt64)
        /// Hummingbird has requests: `unanswered` heads passed on whose answer has not ended;
        /// `inBody` while the body of the last one is still coming.
        case passing(unanswered: Int, inBody: Bool)
    }

    /// Inbound events that wait for the end of an answer.
    private enum Held {
        case part(HTTPRequestPart)
        case event(any Sendable)
        case error(any Error)
    }

    private let responder: Responder
    private var state = State.idle
    private var held: [Held] = []
    private var heldBytes = 0
    private var readPending = false
    private var answers: UInt64 = 0
    /// The answer's writer, waiting for the socket to take what is queued.
    private var writabilityWaiter: CheckedContinuation<Void, any Error>?

    init(responder: Responder) {
        self.responder = responder
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .idle:
            guard case .head(let head) = part else {
                context.fireChannelRead(data)
                return
            }
            state = .collecting(head, nil)
        case .collecting(let head, let body):
            switch part {
            case .head:
                handOver(head, body, context: context)
                channelRead(context: context, data: data)
            case .body(let chunk):
                guard (body?.readableBytes ?? 0) + chunk.readableBytes <= Self.maxBodyBytes else {
                    handOver(head, body, context: context)
                    channelRead(context: context, data: data)
                    return
                }
                guard var collected = body else {
                    state = .collecting(head, chunk)
                    return
                }
                collected.writeImmutableBuffer(chunk)
                state = .collecting(head, collected)
            case .end:
                answers += 1
                state = .answering(answers)
                answer(head, body: body ?? ByteBuffer(), number: answers, context: context)
            }
        case .answering:
            heldBytes += Self.size(of: part)
            held.append(.part(part))
        case .passing(var unanswered, var inBody):
            switch part {
            case .head:
                unanswered += 1
                inBody = true
            case .end:
                inBody = false
            case .body:
                break
            }
            // A request answered before its body was read is over once the body has passed.
            state = unanswered == 0 && !inBody ? .idle : .passing(unanswered: unanswered, inBody: inBody)
            context.fireChannelRead(data)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .collecting(let head, let body) = state {
            handOver(head, body, context: context)
        }
        context.fireChannelReadComplete()
    }

    /// About the bytes a part took on the wire, for the bound on what is held.
    private static func size(of part: HTTPRequestPart) -> Int {
        switch part {
        case .head(let head):
            head.headerFields.reduce((head.path?.utf8.count ?? 0) + 16) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        case .body(let chunk):
            chunk.readableBytes
        case .end:
            0
        }
    }

    /// The request being collected goes to Hummingbird, with what arrived of its body.
    private func handOver(_ head: HTTPRequest, _ body: ByteBuffer?, context: ChannelHandlerContext) {
        state = .passing(unanswered: 1, inBody: true)
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Hummingbird closes its side on an input close: not while this handler answers.
        if case .answering = state, let event = event as? ChannelEvent, event == .inputClosed {
            held.append(.event(event))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .answering:
            held.append(.error(error))
            return
        case .collecting(let head, let body):
            handOver(head, body, context: context)
        case .idle, .passing:
            break
        }
        context.fireErrorCaught(error)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let waiter = writabilityWaiter {
            writabilityWaiter = nil
            waiter.resume()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failWriter()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failWriter()
    }

    private func failWriter() {
        if let waiter = writabilityWaiter {
            writabilityWaiter = nil
            waiter.resume(throwing: ChannelError.ioOnClosedChannel)
        }
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if case .answering = state, heldBytes >= Self.maxHeldBytes {
            readPending = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird's answers pass through; the end of the last one makes the connection idle.
        if case .passing(let unanswered, let inBody) = state, case .end = unwrapOutboundIn(data) {
            let left = max(unanswered - 1, 0)
            state = left == 0 && !inBody ? .idle : .passing(unanswered: left, inBody: inBody)
        }
        context.write(data, promise: promise)
    }

    // MARK: Answering

    private func answer(_ head: HTTPRequest, body: ByteBuffer, number: UInt64, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let (handler, boundContext) = (NIOLoopBound(self, eventLoop: loop), NIOLoopBound(context, eventLoop: loop))
        let channel = context.channel
        let responder = responder
        Task(executorPreference: EventLoopTaskExecutor.of(loop)) {
            var response: Response
            do {
                response = try await responder.router.respond(to: Request(head: head, body: RequestBody(buffer: body)),
                                                              context: OrganicRequestContext(source: .init(channel: channel, logger: responder.logger)))
            } catch {
                // The routers turn errors into JSON answers; this is Hummingbird's own last resort.
                responder.logger.debug("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDateHeader.current()
            if let serverName = responder.serverName { response.headers[.server] = serverName }
            let writer = PipelineResponseWriter(handler: handler, context: boundContext, contentLength: response.body.contentLength)
            do {
                try await writer.writeHead(response.head)
                try await response.body.write(writer)
            } catch {
                channel.close(promise: nil)
            }
            await writer.ensureEnded(number)
        }
    }

    /// Writes one part of the answer; false when the writer must wait for the socket to take
    /// what is queued before it writes more.
    fileprivate func send(_ part: HTTPResponsePart, flush: Bool, context: ChannelHandlerContext) throws -> Bool {
        guard context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        context.write(wrapOutboundOut(part), promise: nil)
        if case .end = part {
            context.flush()
            answered(context: context)
            return true
        }
        // Waiting for the socket only ends once what is queued is on its way.
        if flush || !context.channel.isWritable { context.flush() }
        return context.channel.isWritable
    }

    /// Resumes the writer once the socket has taken enough of what is queued.
    fileprivate func waitForWritability(_ waiter: CheckedContinuation<Void, any Error>, context: ChannelHandlerContext) {
        if !context.channel.isActive {
            waiter.resume(throwing: ChannelError.ioOnClosedChannel)
        } else if context.channel.isWritable {
            waiter.resume()
        } else {
            writabilityWaiter = waiter
        }
    }

    /// Answer `number`'s body returned: without its end, the connection is unusable and closed.
    fileprivate func answerReturned(_ number: UInt64, context: ChannelHandlerContext) {
        if case .answering(number) = state { context.close(promise: nil) }
    }

    /// The answer has ended: what was read meanwhile is handled now, in order.
    private func answered(context: ChannelHandlerContext) {
        state = .idle
        let waiting = held
        held = []
        heldBytes = 0
        for event in waiting {
            switch event {
            case .part(let part): channelRead(context: context, data: wrapInboundOut(part))
            case .event(let event): userInboundEventTriggered(context: context, event: event)
            case .error(let error): errorCaught(context: context, error: error)
            }
        }
        // The replay ends as a read does: a request still collecting goes on to Hummingbird, and
        // Hummingbird's handler delivers what it was given only at the end of a read.
        if !waiting.isEmpty { channelReadComplete(context: context) }
        if readPending, heldBytes < Self.maxHeldBytes {
            readPending = false
            context.read()
        }
    }
}

/// The body writer of an answer written by ``WholeRequestHandler``, on the connection's loop.
private struct PipelineResponseWriter: ResponseBodyWriter, Sendable {
    let handler: NIOLoopBound<WholeRequestHandler>
    let context: NIOLoopBound<ChannelHandlerContext>
    /// The body's declared length: a whole answer leaves in one write, at its end.
    let contentLength: Int?
    private var written = 0

    init(handler: NIOLoopBound<WholeRequestHandler>, context: NIOLoopBound<ChannelHandlerContext>, contentLength: Int?) {
        self.handler = handler
        self.context = context
        self.contentLength = contentLength
    }

    /// A streamed answer's head leaves at once; a whole one's with its body.
    func writeHead(_ head: HTTPResponse) async throws {
        try await send(.head(head), flush: contentLength == nil)
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        written += buffer.readableBytes
        try await send(.body(buffer), flush: written != contentLength)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await send(.end(trailingHeaders), flush: true)
    }

    /// Closes the connection if the body returned without writing its end.
    func ensureEnded(_ number: UInt64) async {
        let (handler, context) = (handler, context)
        _ = try? await onLoop { handler.value.answerReturned(number, context: context.value) }
    }

    private func send(_ part: HTTPResponsePart, flush: Bool) async throws {
        let (handler, context) = (handler, context)
        let writable = try await onLoop { try handler.value.send(part, flush: flush, context: context.value) }
        guard !writable else { return }
        try await withCheckedThrowingContinuation { waiter in
            context.eventLoop.execute { handler.value.waitForWritability(waiter, context: context.value) }
        }
    }

    /// Runs `work` on the loop: at once when already there (the answering task prefers it).
    private func onLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        if context.eventLoop.inEventLoop { return try work() }
        return try await context.eventLoop.submit(work).get()
    }
}
