import DequeModule
import NIOCore
import NIOHTTP1
import NIOPosix

/// Why an exchange with a plain-HTTP miner ended without an answer.
enum MinerConnectionError: Error, Equatable {
    /// The endpoint's timeout passed before the whole answer arrived.
    case deadlineExceeded
    /// The miner closed the connection before its answer was complete.
    case closedBeforeAnswer
    /// The node is shutting down.
    case shutDown
}

/// The node's keep-alive connections to plain-HTTP miners on one event loop, and the requests
/// waiting for one.
///
/// AsyncHTTPClient (kept for `https` and fiber) writes a request's head, body and end in
/// separate system calls, each a TCP segment the miner must read, and its pool's
/// state machines cost about a fifth of the node's CPU per request at 32 connections. Here a
/// request is one `writev`, its answer is read on the loop that asked for it, and one timer
/// bounds the whole exchange, answer body included.
///
/// At most `maxConnectionsPerMiner` connections per miner (``MinerConnectionLimit``); beyond it
/// requests wait, in order, for the next connection to come back. A connection idle for
/// `idleTimeout` is closed.
final class MinerHTTP1Pool: @unchecked Sendable {
    // Every mutable field is used on `loop` only.
    let loop: any EventLoop
    let maxConnectionsPerMiner: Int
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount
    private var miners: [String: Miner] = [:]
    private var isShutDown = false

    /// One miner's connections: idle ones (the most recently used last), how many are open or
    /// opening, and the requests waiting for one.
    private final class Miner: @unchecked Sendable {
        var idle: [MinerHTTP1Connection] = []
        var open = 0
        var waiting: Deque<MinerHTTP1Exchange> = []
    }

    init(loop: any EventLoop, maxConnectionsPerMiner: Int, connectTimeout: TimeAmount = .seconds(3), idleTimeout: TimeAmount = .seconds(60)) {
        self.loop = loop
        self.maxConnectionsPerMiner = max(maxConnectionsPerMiner, 1)
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
    }

    /// Sends `request` and returns the whole answer, or throws when it has not arrived by
    /// `deadline`, is larger than `maxResponseBytes` (2xx), or the connection failed. Of a
    /// refusal only the first ``minerRefusalBodyLimit`` bytes are kept. Cancelling the task
    /// closes the connection.
    ///
    /// `streaming`: a 2xx answer is returned at its head, its body a ``MinerHTTP1Body`` to read
    /// as it arrives (the deadline then covers the head only; reading stops while the reader
    /// is behind, and ending the read early closes the connection).
    func send(_ request: MinerHTTPRequest, deadline: NIODeadline, maxResponseBytes: Int, streaming: Bool = false) async throws -> MinerHTTPExchange.Answer {
        let exchange = MinerHTTP1Exchange(request: request, deadline: deadline, maxResponseBytes: maxResponseBytes,
                                          streaming: streaming, promise: loop.makePromise())
        onLoop { self.start(exchange) }
        return try await withTaskCancellationHandler {
            try await exchange.promise.futureResult.get()
        } onCancel: {
            loop.execute { exchange.fail(CancellationError()) }
        }
    }

    /// Closes the idle connections and fails the waiting requests; busy connections close when
    /// their answer is in.
    func shutdown() async {
        let closes = loop.flatSubmit { () -> EventLoopFuture<Void> in
            self.isShutDown = true
            var closes: [EventLoopFuture<Void>] = []
            for miner in self.miners.values {
                for waiter in miner.waiting { waiter.fail(MinerConnectionError.shutDown) }
                miner.waiting.removeAll()
                for connection in miner.idle { closes.append(connection.close()) }
            }
            return EventLoopFuture.andAllComplete(closes, on: self.loop)
        }
        try? await closes.get()
    }

    /// Runs `work` on the loop: at once when called there.
    func onLoop(_ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { work() } else { loop.execute(work) }
    }

    private func start(_ exchange: MinerHTTP1Exchange) {
        guard !exchange.isFinished else { return }
        guard !isShutDown else {
            exchange.fail(MinerConnectionError.shutDown)
            return
        }
        if exchange.timer == nil {
            exchange.timer = loop.scheduleTask(deadline: exchange.deadline) { exchange.expire() }
        }
        let key = exchange.request.address.authority
        let miner: Miner
        if let known = miners[key] {
            miner = known
        } else {
            miner = Miner()
            miners[key] = miner
        }
        while let connection = miner.idle.popLast() {
            // A connection the miner closed is counted out by its own close.
            if connection.isActive {
                connection.run(exchange)
                return
            }
        }
        if miner.open < maxConnectionsPerMiner {
            connect(miner, key: key, for: exchange)
        } else {
            // Requests that timed out while waiting are dropped here or when a connection comes back.
            if miner.waiting.count >= maxConnectionsPerMiner { miner.waiting.removeAll { $0.isFinished } }
            miner.waiting.append(exchange)
        }
    }

    private func connect(_ miner: Miner, key: String, for exchange: MinerHTTP1Exchange) {
        miner.open += 1
        let address = exchange.request.address
        let left = exchange.deadline - .now()
        ClientBootstrap(group: loop)
            .connectTimeout(max(min(connectTimeout, left), .milliseconds(1)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                do {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(MinerHTTP1Connection(pool: self, key: key))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: address.host, port: address.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: MinerHTTP1Connection.self) else {
                        channel.close(promise: nil)
                        exchange.fail(MinerConnectionError.closedBeforeAnswer)
                        return
                    }
                    if exchange.isFinished {
                        self.release(connection)
                    } else {
                        connection.run(exchange)
                    }
                case .failure(let error):
                    miner.open -= 1
                    exchange.fail(error)
                    self.admitWaiters(miner, key: key)
                }
            }
    }

    /// A connection whose answer is complete and that stays open: it serves the next waiting
    /// request, or waits idle.
    func release(_ connection: MinerHTTP1Connection) {
        guard !isShutDown, let miner = miners[connection.key] else {
            _ = connection.close()
            return
        }
        while let waiter = miner.waiting.popFirst() {
            if !waiter.isFinished {
                connection.run(waiter)
                return
            }
        }
        miner.idle.append(connection)
        connection.becomeIdle(for: idleTimeout)
    }

    /// A connection closed (by either side): its place goes to a waiting request.
    func closed(_ connection: MinerHTTP1Connection) {
        guard let miner = miners[connection.key] else { return }
        miner.open -= 1
        if let index = miner.idle.lastIndex(where: { $0 === connection }) { miner.idle.remove(at: index) }
        admitWaiters(miner, key: connection.key)
    }

    /// A request whose reused connection closed before any answer: the miner had closed it
    /// while idle, so the request never reached it. Sent again, once.
    func retry(_ exchange: MinerHTTP1Exchange) {
        start(exchange)
    }

    private func admitWaiters(_ miner: Miner, key: String) {
        while miner.open < maxConnectionsPerMiner, let waiter = miner.waiting.popFirst() {
            if !waiter.isFinished { connect(miner, key: key, for: waiter) }
        }
        if miner.open == 0 && miner.waiting.isEmpty && miner.idle.isEmpty { miners[key] = nil }
    }
}

/// One request to a plain-HTTP miner, from its start to its answer or failure (used on the
/// pool's loop only).
final class MinerHTTP1Exchange: @unchecked Sendable {
    let request: MinerHTTPRequest
    let deadline: NIODeadline
    let maxResponseBytes: Int
    /// Whether a 2xx answer is handed over at its head, its body streamed.
    let streaming: Bool
    let promise: EventLoopPromise<MinerHTTPExchange.Answer>
    var timer: Scheduled<Void>?
    /// The connection it is being sent or answered on.
    var connection: MinerHTTP1Connection?
    /// Whether it was already sent again after its reused connection closed.
    var retried = false
    private(set) var isFinished = false

    init(request: MinerHTTPRequest, deadline: NIODeadline, maxResponseBytes: Int, streaming: Bool,
         promise: EventLoopPromise<MinerHTTPExchange.Answer>) {
        self.request = request
        self.deadline = deadline
        self.maxResponseBytes = maxResponseBytes
        self.streaming = streaming
        self.promise = promise
    }

    func succeed(_ answer: MinerHTTPExchange.Answer) {
        guard !isFinished else { return }
        isFinished = true
        timer?.cancel()
        promise.succeed(answer)
    }

    /// The deadline passed: a refusal being read ends with what arrived, anything else fails.
    func expire() {
        if let connection, connection.cutRefusalShort() { return }
        fail(MinerConnectionError.deadlineExceeded)
    }

    /// Ends the exchange with `error`, closing its connection if it has one (an answer half
    /// read cannot be told from the next one).
    func fail(_ error: any Error) {
        guard !isFinished else { return }
        isFinished = true
        timer?.cancel()
        if let connection {
            self.connection = nil
            connection.abandon()
        }
        promise.fail(error)
    }
}
