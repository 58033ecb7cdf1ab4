package import AsyncHTTPClient
import NIOCore
package import NIOPosix
import Synchronization

/// The node's HTTP clients to miners: for each event loop of the node's group, a pool of
/// plain-HTTP connections (``MinerHTTP1Pool``, whole and streamed answers) and an
/// AsyncHTTPClient (for `https` and fiber), each holding its connections on its own loop.
///
/// A request to a miner is sent by the clients of the loop it is made from: an endpoint's handler
/// runs on its caller's loop (``EventLoopTaskExecutor``), so the miner's answer arrives on the
/// thread that writes it to the caller, with no hand-over between threads. One shared client
/// would take any idle connection, usually on another loop, and every request would then cross
/// threads twice more. Work made off the loops (synthetic queries, probes) takes the loops in turn.
package final class MinerHTTPClients: Sendable {
    private let byLoop: [ObjectIdentifier: Int]
    /// Every AsyncHTTPClient, in loop order.
    package let all: [HTTPClient]
    /// Every plain-HTTP pool, in loop order.
    let pools: [MinerHTTP1Pool]
    private let turn = Atomic<Int>(0)

    /// One client and one pool per loop of `group`, each with `configuration` (its connection
    /// limits apply per loop, to both).
    package init(group: MultiThreadedEventLoopGroup, configuration: HTTPClient.Configuration) {
        var clients: [HTTPClient] = []
        var pools: [MinerHTTP1Pool] = []
        var byLoop: [ObjectIdentifier: Int] = [:]
        for loop in group.makeIterator() {
            byLoop[ObjectIdentifier(loop)] = clients.count
            clients.append(HTTPClient(eventLoopGroupProvider: .shared(loop), configuration: configuration))
            pools.append(MinerHTTP1Pool(loop: loop, maxConnectionsPerMiner: configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit,
                                        connectTimeout: configuration.timeout.connect ?? .seconds(10),
                                        idleTimeout: configuration.connectionPool.idleTimeout))
        }
        all = clients
        self.pools = pools
        self.byLoop = byLoop
    }

    /// A single client for every request (tests, tools), with plain-HTTP pools on the loops of its group.
    package init(_ client: HTTPClient) {
        all = [client]
        var pools: [MinerHTTP1Pool] = []
        var byLoop: [ObjectIdentifier: Int] = [:]
        for loop in client.eventLoopGroup.makeIterator() {
            byLoop[ObjectIdentifier(loop)] = pools.count
            pools.append(MinerHTTP1Pool(loop: loop, maxConnectionsPerMiner: MinerConnectionLimit.floor))
        }
        self.pools = pools
        self.byLoop = byLoop
    }

    /// The index of the current event loop's clients, or the next one in turn off the loops.
    private func currentIndex(count: Int) -> Int {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let index = byLoop[ObjectIdentifier(loop)], index < count {
            return index
        }
        if count == 1 { return 0 }
        return turn.wrappingAdd(1, ordering: .relaxed).oldValue % count
    }

    /// The AsyncHTTPClient of the current event loop, or the next one in turn off the loops.
    package var current: HTTPClient { all[currentIndex(count: all.count)] }

    /// The plain-HTTP pool of the current event loop, or the next one in turn off the loops.
    var currentPool: MinerHTTP1Pool { pools[currentIndex(count: pools.count)] }

    /// Shuts every client and pool down (a client traps when dropped running).
    package func shutdown() async throws {
        for pool in pools { await pool.shutdown() }
        for client in all { try await client.shutdown() }
    }

    /// Starts shutting every client down, without waiting (for cleanup where nothing can wait).
    package func startShutdown() {
        for pool in pools { Task { await pool.shutdown() } }
        for client in all { _ = client.shutdown() as EventLoopFuture<Void> }
    }
}
