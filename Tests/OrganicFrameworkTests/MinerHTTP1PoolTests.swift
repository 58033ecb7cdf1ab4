import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import OrganicFramework

/// The node's own HTTP/1.1 client for plain-HTTP miners, against a miner that answers with
/// exactly the bytes a test gives it (so framing, closes and stalls are the test's to choose).
@Suite("Miner HTTP/1.1 pool")
struct MinerHTTP1PoolTests {
    /// What the raw miner does with one request.
    enum Action: Sendable {
        /// Writes these bytes, then closes if `close`.
        case respond([UInt8], close: Bool)
        /// Closes without answering.
        case close
        /// Never answers.
        case silent
        /// Writes `head`, then (once `after` is open, when given) each part `every` apart, then
        /// closes if `close`.
        case stream(head: [UInt8], parts: [[UInt8]], every: TimeAmount, close: Bool, after: Gate? = nil)
    }

    struct Received: Sendable {
        var connection: Int
        var head: String
        var body: [UInt8]
    }

    struct Stats: Sendable {
        var connections = 0
        var open = 0
        var mostOpen = 0
        var requests: [Received] = []
    }

    /// A miner speaking raw bytes: parses each request's head and Content-Length body, asks
    /// `behaviour` (given the request's index) what to do.
    final class RawMiner: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let stats: Locked<Stats>
        let behaviour: @Sendable (Int, Received) -> Action
        let delay: TimeAmount
        var pending = ByteBuffer()
        var number = 0

        init(stats: Locked<Stats>, delay: TimeAmount, behaviour: @escaping @Sendable (Int, Received) -> Action) {
            self.stats = stats
            self.delay = delay
            self.behaviour = behaviour
        }

        func channelActive(context: ChannelHandlerContext) {
            number = stats.withLock { stats in
                stats.connections += 1
                stats.open += 1
                stats.mostOpen = max(stats.mostOpen, stats.open)
                return stats.connections
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            stats.withLock { $0.open -= 1 }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            pending.writeBuffer(&bytes)
            while let request = nextRequest() {
                let index = stats.withLock { stats in
                    stats.requests.append(request)
                    return stats.requests.count - 1
                }
                let action = behaviour(index, request)
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    let context = loopBound.value
                    switch action {
                    case .respond(let answer, let close):
                        context.writeAndFlush(NIOAny(ByteBuffer(bytes: answer)), promise: nil)
                        if close { context.close(promise: nil) }
                    case .close: context.close(promise: nil)
                    case .silent: break
                    case .stream(let head, let parts, let every, let close, let gate):
                        context.writeAndFlush(NIOAny(ByteBuffer(bytes: head)), promise: nil)
                        let writeParts: @Sendable () -> Void = {
                            for (index, part) in parts.enumerated() {
                                loopBound.value.eventLoop.scheduleTask(in: every * Int64(index + 1)) {
                                    let context = loopBound.value
                                    guard context.channel.isActive else { return }
                                    context.writeAndFlush(NIOAny(ByteBuffer(bytes: part)), promise: nil)
                                    if close && index == parts.count - 1 { context.close(promise: nil) }
                                }
                            }
                        }
                        guard let gate else { return writeParts() }
                        let loop = context.eventLoop
                        Task {
                            await gate.wait()
                            loop.execute(writeParts)
                        }
                    }
                }
            }
        }

        private func nextRequest() -> Received? {
            let view = Array(pending.readableBytesView)
            guard let end = view.indices.dropLast(3).first(where: { view[$0] == 13 && view[$0 + 1] == 10 && view[$0 + 2] == 13 && view[$0 + 3] == 10 }) else { return nil }
            let head = String(decoding: view[..<end], as: UTF8.self)
            let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            guard view.count >= end + 4 + length else { return nil }
            pending.moveReaderIndex(forwardBy: end + 4 + length)
            pending.discardReadBytes()
            return Received(connection: number, head: head, body: Array(view[(end + 4)..<(end + 4 + length)]))
        }
    }

    /// Runs `body` with the URL of a raw miner.
    func withRawMiner<T: Sendable>(delay: TimeAmount = .zero, answering behaviour: @escaping @Sendable (Int, Received) -> Action,
                                   _ body: (String, Locked<Stats>) async throws -> T) async throws -> T {
        let stats = Locked(Stats())
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawMiner(stats: stats, delay: delay, behaviour: behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 0
        do {
            let result = try await body("http://127.0.0.1:\(port)", stats)
            try await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    static func answer(_ body: String, status: String = "200 OK", headers: [String] = []) -> [UInt8] {
        Array(("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "\r\n" + body).utf8)
    }

    func send(_ url: String, _ body: String = #"{"q":1}"#, timeout: Duration = .seconds(5), maxResponseBytes: Int = 1 << 20,
              clients: MinerHTTPClients) async -> MinerReply {
        await HTTPMinerTransport(clients: clients).send(Array(body.utf8), to: Neuron(uid: 1, hotkey: "miner", url: url), path: "/query",
                                                         timeout: timeout, maxResponseBytes: maxResponseBytes)
    }

    static func makeClients(maxConnections: Int = 64) -> MinerHTTPClients {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnections
        return MinerHTTPClients(group: .singleton, configuration: configuration)
    }

    static func body(_ reply: MinerReply) -> String? {
        guard case .answered(let body) = reply.outcome else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    @Test("requests reuse one keep-alive connection; each carries Host, Content-Length and its body")
    func keepAlive() async throws {
        let clients = Self.makeClients()
        try await withRawMiner(answering: { index, _ in .respond(Self.answer(#"{"n":\#(index)}"#), close: false) }) { url, stats in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            for index in 0..<5 {
                let reply = await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
                    await send(url, #"{"q":\#(index)}"#, clients: clients)
                }
                #expect(Self.body(reply) == #"{"n":\#(index)}"#)
            }
            let seen = stats.withLock { $0 }
            #expect(seen.connections == 1)
            #expect(seen.requests.map { String(decoding: $0.body, as: UTF8.self) } == (0..<5).map { #"{"q":\#($0)}"# })
            let head = seen.requests[0].head.lowercased()
            #expect(head.hasPrefix("post /query http/1.1\r\n"))
            let port = url.split(separator: ":").last.map(String.init) ?? ""
            #expect(head.contains("\r\nhost: 127.0.0.1:\(port)\r\n") || head.contains("host: 127.0.0.1:\(port)"))
            #expect(head.contains("content-length: 7"))
            #expect(head.contains("content-type: application/json"))
        }
        try await clients.shutdown()
    }

    @Test("a chunked answer is assembled; an answer read to the connection's close ends it, and the next request opens another")
    func framings() async throws {
        let clients = Self.makeClients()
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n".utf8)
        let closeDelimited = Array("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"b\":2}".utf8)
        try await withRawMiner(answering: { index, _ in index == 0 ? .respond(chunked, close: false) : .respond(closeDelimited, close: true) }) { url, stats in
            #expect(Self.body(await send(url, clients: clients)) == #"{"a":1}"#)
            #expect(Self.body(await send(url, clients: clients)) == #"{"b":2}"#)
            #expect(Self.body(await send(url, clients: clients)) == #"{"b":2}"#)
            #expect(stats.withLock { $0.connections } == 2)
        }
        try await clients.shutdown()
    }

    @Test("an answer over the limit fails as too large, announced or chunked; a long refusal keeps its first bytes")
    func limits() async throws {
        let clients = Self.makeClients()
        let big = String(repeating: "x", count: 2_000)
        let chunkedBig = Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + big + "\r\n0\r\n\r\n").utf8)
        try await withRawMiner(answering: { index, _ in
            switch index {
            case 0: .respond(Self.answer("\"\(big)\""), close: false)
            case 1: .respond(chunkedBig, close: false)
            case 2: .respond(Self.answer(big, status: "403 Forbidden"), close: false)
            default: .respond(Self.answer("slow down", status: "429 Too Many Requests"), close: false)
            }
        }) { url, _ in
            for _ in 0..<2 {
                let reply = await send(url, maxResponseBytes: 1_000, clients: clients)
                guard case .failed(.responseTooLarge) = reply.outcome else { Issue.record("\(reply.outcome)"); continue }
            }
            let refused = await send(url, clients: clients)
            if case .failed(.httpStatus(403, let reason)) = refused.outcome {
                #expect(reason.count == minerRefusalBodyLimit && reason.allSatisfy { $0 == "x" })
            } else {
                Issue.record("\(refused.outcome)")
            }
            guard case .busy = await send(url, clients: clients).outcome else { Issue.record("429 is not busy"); return }
        }
        try await clients.shutdown()
    }

    @Test("a reused connection the miner closed before answering is retried once on a new one; a new connection closed is a failure")
    func staleConnection() async throws {
        let clients = Self.makeClients()
        // The second request (on the kept connection) is dropped by a close, as a miner closing an idle connection would.
        try await withRawMiner(answering: { index, _ in index == 1 ? .close : .respond(Self.answer(#"{"ok":\#(index)}"#), close: false) }) { url, stats in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let replies = await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
                [await send(url, clients: clients), await send(url, clients: clients)]
            }
            #expect(replies.map(Self.body) == [#"{"ok":0}"#, #"{"ok":2}"#])
            #expect(stats.withLock { $0.connections } == 2)
        }
        try await withRawMiner(answering: { _, _ in .close }) { url, stats in
            guard case .failed(.connection) = await send(url, clients: clients).outcome else { Issue.record("a close is not a failure"); return }
            #expect(stats.withLock { $0.requests.count } == 1)
        }
        try await clients.shutdown()
    }

    @Test("a miner that never answers is a timeout, returned at the deadline, and its connection is closed; cancelling closes it too")
    func deadlineAndCancel() async throws {
        let clients = Self.makeClients()
        try await withRawMiner(answering: { _, _ in .silent }) { url, stats in
            let clock = ContinuousClock()
            let started = clock.now
            let reply = await send(url, timeout: .milliseconds(300), clients: clients)
            let took = clock.now - started
            guard case .failed(.timeout) = reply.outcome else { Issue.record("\(reply.outcome)"); return }
            #expect(took >= .milliseconds(300) && took < .seconds(3))
            try await waitUntil { stats.withLock { $0.open } == 0 }

            let task = Task { await send(url, timeout: .seconds(30), clients: clients) }
            try await waitUntil { stats.withLock { $0.open } == 1 }
            task.cancel()
            guard case .failed = await task.value.outcome else { Issue.record("a cancelled request answered"); return }
            try await waitUntil { stats.withLock { $0.open } == 0 }
        }
        try await clients.shutdown()
    }

    @Test("no more connections to a miner than the limit: further requests wait for one and all are answered")
    func connectionLimit() async throws {
        let clients = Self.makeClients(maxConnections: 2)
        try await withRawMiner(delay: .milliseconds(50), answering: { index, _ in .respond(Self.answer(#"{"n":\#(index)}"#), close: false) }) { url, stats in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let answered = await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
                await withTaskGroup(of: Bool.self) { group in
                    for _ in 0..<8 { group.addTask { Self.body(await send(url, clients: clients)) != nil } }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
            #expect(answered == 8)
            #expect(stats.withLock { $0.mostOpen } <= 2)
        }
        try await clients.shutdown()
    }

    @Test("a refused connection fails at once; shutting down closes idle connections")
    func refusedAndShutdown() async throws {
        let clients = Self.makeClients()
        // A port nothing listens on: bind one, then close it.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let deadPort = probe.localAddress?.port ?? 1
        try await probe.close()
        guard case .failed(.connection) = await send("http://127.0.0.1:\(deadPort)", clients: clients).outcome else {
            Issue.record("a refused connection is not a connection failure")
            return
        }
        try await withRawMiner(answering: { _, _ in .respond(Self.answer("{}"), close: false) }) { url, stats in
            #expect(Self.body(await send(url, clients: clients)) == "{}")
            #expect(stats.withLock { $0.open } == 1)
            try await clients.shutdown()
            try await waitUntil { stats.withLock { $0.open } == 0 }
        }
    }

    static let eventStreamHead = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)

    /// An SSE event as one HTTP chunk.
    static func chunk(_ text: String) -> [UInt8] {
        Array((String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n").utf8)
    }

    func open(_ url: String, clients: MinerHTTPClients) async -> MinerStreamReply {
        await HTTPMinerTransport(clients: clients).open(Array("{}".utf8), to: Neuron(uid: 1, hotkey: "miner", url: url), path: "/stream",
                                                         timeout: .seconds(5), maxResponseBytes: 1 << 20)
    }

    @Test("a streamed answer is handed over at its head and read as it arrives; after its end the connection serves the next request")
    func streamed() async throws {
        let clients = Self.makeClients()
        let events = (0..<5).map { "data: \($0)\n\n" }
        let parts = events.map(Self.chunk) + [Array("0\r\n\r\n".utf8)]
        // The miner holds each body back until the test has the stream: an open that waited
        // for the body would time out.
        let gates = [Gate(), Gate()]
        try await withRawMiner(answering: { index, _ in
            .stream(head: Self.eventStreamHead, parts: parts, every: .milliseconds(5), close: false, after: gates[index])
        }) { url, stats in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            try await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
                for gate in gates {
                    guard case .opened(let stream) = await open(url, clients: clients).outcome else {
                        Issue.record("the stream did not open at the head")
                        return
                    }
                    gate.open()
                    #expect(stream.isEventStream)
                    var text = ""
                    for try await part in stream { text += String(buffer: part) }
                    #expect(text == events.joined())
                }
            }
            #expect(stats.withLock { $0.connections } == 1)
        }
        try await clients.shutdown()
    }

    @Test("the events of one write reach the reader together as they arrive, without waiting for the end; no part handed over exceeds the hold limit by more than one HTTP chunk")
    func eventsOfOneReadTravelTogether() async throws {
        let clients = Self.makeClients()
        let few = (0..<50).map { "data: \($0)\n\n" }
        // About 330 KB in one write: more than one read's worth, and more than the hold limit.
        let many = (0..<3000).map { "data: \(String(repeating: "x", count: 100)) \($0)\n\n" }
        try await withRawMiner(answering: { index, _ in
            // One write each, and no end: the reader must not wait for one.
            .stream(head: Self.eventStreamHead, parts: [(index == 0 ? few : many).flatMap(Self.chunk)], every: .milliseconds(1), close: false)
        }) { url, _ in
            guard case .opened(let stream) = await open(url, clients: clients).outcome else {
                Issue.record("the stream did not open")
                return
            }
            let first: String? = await finishes(within: .seconds(10)) {
                var iterator = stream.makeAsyncIterator()
                return try? await iterator.next().map { String(buffer: $0) }
            } ?? nil
            #expect(first == few.joined(), "fifty events written at once arrive in one part")

            guard case .opened(let large) = await open(url, clients: clients).outcome else {
                Issue.record("the second stream did not open")
                return
            }
            let expected = many.joined()
            let parts: [Int]? = await finishes(within: .seconds(10)) {
                var text = ""
                var sizes: [Int] = []
                var iterator = large.makeAsyncIterator()
                while text.utf8.count < expected.utf8.count, let part = try? await iterator.next() {
                    sizes.append(part.readableBytes)
                    text += String(buffer: part)
                }
                return text == expected ? sizes : nil
            } ?? nil
            let sizes = try #require(parts, "every event arrives, in order, without the end")
            let chunkBytes = many.map { Self.chunk($0).count }.max() ?? 0
            #expect(sizes.allSatisfy { $0 < MinerHTTP1Connection.maxHeldStreamBytes + chunkBytes }, "\(sizes)")
        }
        try await clients.shutdown()
    }

    @Test("a reader that stops early closes the connection; a miner that closes mid-stream ends the read with an error")
    func streamCutShort() async throws {
        let clients = Self.makeClients()
        let parts = (0..<200).map { Self.chunk("data: \($0)\n\n") }
        try await withRawMiner(answering: { index, _ in
            .stream(head: Self.eventStreamHead, parts: index == 0 ? parts : Array(parts.prefix(3)), every: .milliseconds(10), close: index != 0)
        }) { url, stats in
            guard case .opened(let stream) = await open(url, clients: clients).outcome else {
                Issue.record("the stream did not open")
                return
            }
            var read = 0
            for try await _ in stream {
                read += 1
                if read == 2 { break }
            }
            try await waitUntil { stats.withLock { $0.open } == 0 }

            guard case .opened(let cut) = await open(url, clients: clients).outcome else {
                Issue.record("the second stream did not open")
                return
            }
            var text = ""
            do {
                for try await part in cut { text += String(buffer: part) }
                Issue.record("a stream cut by the miner ended cleanly")
            } catch {
                #expect(text == (0..<3).map { "data: \($0)\n\n" }.joined())
            }
        }
        try await clients.shutdown()
    }

    @Test("miner addresses: schemes, ports, IPv6, targets; what cannot be sent exactly is refused")
    func addresses() {
        func parts(_ url: String) -> String? {
            MinerAddress(url).map { "\($0.scheme) \($0.host) \($0.port) \($0.target) \($0.authority)" }
        }
        #expect(parts("http://10.0.0.7:8091/miner?x=a%20b#frag") == "http 10.0.0.7 8091 /miner?x=a%20b 10.0.0.7:8091")
        #expect(MinerAddress("HTTPS://Example.org")?.port == 443)
        #expect(MinerAddress("https://example.org")?.target == "/")
        #expect(MinerAddress("http://example.org?q=1")?.target == "/?q=1")
        #expect(parts("http://[::1]:9000/a") == "http ::1 9000 /a [::1]:9000")
        #expect(MinerAddress("http://[::1]/")?.port == 80)
        for bad in ["ftp://h/", "http://", "http://user@h/", "http://h:0/", "http://h:65536/", "http://h:8a/", "http://h/a b",
                    "http://h/\u{7}", "http://[::1/", "http://[::1]x/", "h:80", "http://h:/", "http://ex ample/"] {
            #expect(MinerAddress(bad) == nil, "\(bad)")
        }
    }

    /// Polls `condition` until it holds; fails after 5 s.
    func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(5)
        while !condition() {
            guard clock.now < end else {
                Issue.record("condition not met within 5 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
