import AsyncHTTPClient
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Foundation
import Logging
import Testing
@testable import OrganicFramework

/// A public connection's task and its rounds run on the caller's connection's event loop: what the
/// node relies on for that is that the server's connection tasks run there (middleware, handler,
/// streamed body), that work under a loop's executor stays on the loop and reaches miners with
/// that loop's client, and that rounds, tasks of their own, are still waited for on shutdown.
@Suite("Event loop execution")
struct EventLoopExecutionTests {
    @Test("work under a loop's executor runs on that loop across suspensions, and reaches miners with that loop's client")
    func loopExecutor() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let clients = MinerHTTPClients(group: group, configuration: HTTPClient.Configuration())
        let loops = Array(group.makeIterator())
        #expect(clients.all.count == loops.count)
        for (index, loop) in loops.enumerated() {
            let seen = await withTaskExecutorPreference(EventLoopTaskExecutor.of(loop)) {
                var onLoop = [loop.inEventLoop]
                let client = clients.current
                try? await Task.sleep(for: .milliseconds(2))
                onLoop.append(loop.inEventLoop)
                // Resumed by another loop's thread: back on this one.
                let other = loops[(index + 1) % loops.count]
                try? await other.submit {}.get()
                onLoop.append(loop.inEventLoop)
                return (onLoop, client === clients.all[index], clients.current === client)
            }
            #expect(seen.0 == [true, true, true], "loop \(index)")
            #expect(seen.1 && seen.2, "loop \(index) used another loop's client")
        }
        #expect(EventLoopTaskExecutor.of(loops[0]) === EventLoopTaskExecutor.of(loops[0]))
        // Off the loops, the clients take turns.
        let picked = Set((0..<(2 * loops.count)).map { _ in ObjectIdentifier(clients.current) })
        #expect(picked.count == loops.count)
        try await clients.shutdown()
    }

    /// Records whether each step of a request ran on its connection's loop.
    struct LoopCheck: RouterMiddleware {
        let steps: Locked<[String: Bool]>

        func handle(_ request: Request, context: OrganicRequestContext,
                    next: (Request, OrganicRequestContext) async throws -> Response) async throws -> Response {
            steps.withLock { $0["middleware"] = context.eventLoop.inEventLoop }
            return try await next(request, context)
        }
    }

    @Test("the public server's connection task runs on the connection's loop: middleware, handler across suspensions, streamed body")
    func connectionTaskOnLoop() async throws {
        let steps = Locked<[String: Bool]>([:])
        let router = Router(context: OrganicRequestContext.self)
        router.add(middleware: LoopCheck(steps: steps))
        router.get("/check") { _, context -> Response in
            let loop = context.eventLoop
            steps.withLock { $0["handler"] = loop.inEventLoop }
            // Resumed from a thread of the pool: back on the connection's loop.
            await Task.detached {}.value
            steps.withLock { $0["after await"] = loop.inEventLoop }
            return Response(status: .ok, body: ResponseBody { writer in
                steps.withLock { $0["body"] = loop.inEventLoop }
                try await writer.write(ByteBuffer(string: "on loop"))
                try await writer.finish(nil)
            })
        }
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, server: .loopBoundHTTP1(configuration: .init()),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/check"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 10)
            #expect(response.status == .ok)
            #expect(String(buffer: body) == "on loop")
            group.cancelAll()
        }
        #expect(steps.withLock { $0 } == ["middleware": true, "handler": true, "after await": true, "body": true])
    }

    /// A round that waits until it is let go (or cancelled) and says how it ended.
    struct GatedRound: RoundJob {
        let gate: AsyncStream<Void>
        let ended: Locked<[String]>

        func run() async {
            var iterator = gate.makeAsyncIterator()
            let opened = await iterator.next() != nil
            ended.withLock { $0.append(opened && !Task.isCancelled ? "finished" : "cancelled") }
        }
    }

    @Test("a graceful shutdown refuses new rounds and waits for those in flight")
    func gracefulShutdownWaits() async throws {
        let executor = RoundExecutor()
        let group = ServiceGroup(configuration: .init(services: [executor], logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let ended = Locked<[String]>([])
        #expect(executor.submit(GatedRound(gate: gate, ended: ended)))
        await group.triggerGracefulShutdown()
        // Refusing begins once the executor hears of the shutdown.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while executor.submit(GatedRound(gate: AsyncStream { $0.finish() }, ended: Locked([]))) {
            try #require(clock.now < deadline, "the executor kept taking rounds after shutdown began")
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(ended.withLock { $0 }.isEmpty)
        #expect(executor.inFlight == 1, "the round in flight must still be waited for")
        open.yield()
        try await running.value
        #expect(ended.withLock { $0 } == ["finished"])
        #expect(executor.inFlight == 0)
    }

    @Test("cancelling the executor cancels the rounds in flight and returns once they end")
    func cancellationCancelsRounds() async throws {
        let executor = RoundExecutor()
        let running = Task { try await executor.run() }
        let (gate, _) = AsyncStream.makeStream(of: Void.self)
        let ended = Locked<[String]>([])
        #expect(executor.submit(GatedRound(gate: gate, ended: ended)))
        running.cancel()
        try await running.value
        #expect(ended.withLock { $0 } == ["cancelled"])
        #expect(!executor.submit(GatedRound(gate: gate, ended: ended)))
    }
}
