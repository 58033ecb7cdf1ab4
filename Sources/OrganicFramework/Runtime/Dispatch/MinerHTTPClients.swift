package import AsyncHTTPClient
import NIOCore
package import NIOPosix
import Synchronization

/// The node's HTTP clients to miners: one per event loop of the node's group, each holding its
/// connections on its own loop.
///
/// A request to a miner is sent by the client of the loop it is made from: an endpoint's handler
/// runs on its caller's loop (``EventLoopTaskExecutor``), so the miner's answer arrives on the
/// thread that writes it to the caller, with no hand-over between threads. One shared client
/// would take any idle connection, usually on another loop, and every request would then cross
/// threads twice more. Work made off the loops (synthetic queries, probes) takes the clients in turn.
package final class MinerHTTPClients: Sendable {
    private let byLoop: [ObjectIdentifier: HTTPClient]
    /// Every client, in loop order.
    package let all: [HTTPClient]
    private let turn = Atomic<Int>(0)

    /// One client per loop of `group`, each with `configuration` (its connection limits apply per loop).
    package init(group: MultiThreadedEventLoopGroup, configuration: HTTPClient.Configuration) {
        var clients: [HTTPClient] = []
        var byLoop: [ObjectIdentifier: HTTPClient] = [:]
        for loop in group.makeIterator() {
            let client = HTTPClient(eventLoopGroupProvider: .shared(loop), configuration: configuration)
            clients.append(client)
            byLoop[ObjectIdentifier(loop)] = client
        }
        all = clients
        self.byLoop = byLoop
    }

    /// A single client for every request (tests, tools).
    package init(_ client: HTTPClient) {
        all = [client]
        byLoop = [:]
    }

    /// The client of the current event loop, or the next one in turn off the loops.
    package var current: HTTPClient {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let client = byLoop[ObjectIdentifier(loop)] {
            return client
        }
        if all.count == 1 { return all[0] }
        return all[turn.wrappingAdd(1, ordering: .relaxed).oldValue % all.count]
    }

    /// Shuts every client down (a client traps when dropped running).
    package func shutdown() async throws {
        for client in all { try await client.shutdown() }
    }

    /// Starts shutting every client down, without waiting (for cleanup where nothing can wait).
    package func startShutdown() {
        for client in all { _ = client.shutdown() as EventLoopFuture<Void> }
    }
}
