import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import OrganicFramework

/// A miner that sends its head at once and then trickles its body must not hold a round (and its
/// caller) past the endpoint's timeout: AsyncHTTPClient's deadline covers the head only.
@Suite("Miner body deadline")
struct MinerBodyDeadlineTests {
    @Test("a body trickled past the timeout is a timeout, returned within it; a refusal body likewise")
    func trickledBody() async throws {
        let router = Router()
        // One byte every 100 ms for 10 s.
        let trickle: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                for _ in 0..<100 {
                    try await writer.write(ByteBuffer(string: " "))
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await writer.finish(nil)
            })
        }
        router.post("/answer", use: trickle)
        router.post("/refuse") { _, _ in
            Response(status: .forbidden, body: ResponseBody { writer in
                for _ in 0..<100 {
                    try await writer.write(ByteBuffer(string: "x"))
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await writer.finish(nil)
            })
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        // Off the loops (the deadline is a task's sleep), and as the node sends: on an event loop,
        // with that loop's client (the deadline is the loop's timer).
        let perLoop = MinerHTTPClients(group: .singleton, configuration: HTTPClient.Configuration())
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        try await withLoopbackServer(router) { url in
            let miner = Neuron(uid: 1, hotkey: "miner", url: url)
            let clock = ContinuousClock()
            for (transport, executor) in [(HTTPMinerTransport(client: client), nil as EventLoopTaskExecutor?),
                                          (HTTPMinerTransport(clients: perLoop), EventLoopTaskExecutor.of(loop))] {
                for path in ["/answer", "/refuse"] {
                    let started = clock.now
                    let reply = await withTaskExecutorPreference(executor) {
                        await transport.send(Array("{}".utf8), to: miner, path: path, timeout: .seconds(1), maxResponseBytes: 1 << 20)
                    }
                    let took = clock.now - started
                    #expect(took < .seconds(5), "\(path) held the round for \(took)")
                    switch (path, reply.outcome) {
                    case ("/answer", .failed(.timeout)): break
                    case ("/refuse", .failed(.httpStatus(403, _))): break
                    default: Issue.record("\(path): unexpected \(reply.outcome)")
                    }
                }
            }
        }
        try await client.shutdown()
        try await perLoop.shutdown()
    }
}
