import Hummingbird
import Logging
import ServiceLifecycle

/// Serves `router` on a free loopback port for the length of `body`, which gets the base URL;
/// then shuts the server down gracefully, whether `body` returned or threw.
func withLoopbackServer<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> T) async throws -> T {
    let quiet = Logger(label: "loopback-server", factory: { _ in SwiftLogNoOpLogHandler() })
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
    let group = ServiceGroup(configuration: .init(services: [app], logger: quiet))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        let result: Result<T, any Error>
        do { result = .success(try await body("http://127.0.0.1:\(port)")) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}
