import Foundation
import Logging
import NIOCore
import NIOPosix
import OrganicTestKit
import Testing
import TextEmbeddingPlugin
@testable import OrganicFramework

/// A miner whose port refuses connections costs the caller nothing: the attempt fails at once
/// and the miner cools down, instead of the client retrying until its connect timeout.
@Suite("Dead miners")
struct DeadMinerTests {
    /// A loopback port with nothing listening: bound, then closed.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    @Test("a refused connection answers the caller 502 well inside the 3 s connect timeout, and the miner cools down")
    func refusedConnectionFailsAtOnce() async throws {
        let port = try await Self.closedPort()
        var configuration = PluginHarness.testConfiguration()
        configuration.auth.enabled = false
        configuration.dispatch.retries = 0
        configuration.dispatch.minersPerQuery = 1
        configuration.dispatch.organicScoringProbability = 0
        configuration.miners = [StaticMiner(uid: 1, hotkey: "dead", url: "http://127.0.0.1:\(port)")]
        let runner = try await OrganicNode(configuration: configuration, plugins: [try TextEmbeddingPlugin()],
                                           logger: Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() })).makeRunner()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await runner.run() }
            let node = await runner.addresses()
            let clock = ContinuousClock()
            let started = clock.now
            let reply = try await TestHTTPClient().post(node.publicURL + "/v1/text-embeddings",
                                                        json: TextEmbeddingRequest(input: ["anyone?"], dimensions: 64))
            let elapsed = clock.now - started
            #expect(reply.status == 502, "\(reply.text)")
            #expect(elapsed < .seconds(2), "took \(elapsed); the connect timeout is 3 s")
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let miners = try decoder.decode(MinersReport.self, from: try await TestHTTPClient(
                defaultHeaders: ["Authorization": "Bearer \(PluginHarness.adminToken)"]).get(try #require(node.adminURL) + "/admin/miners").body)
            #expect(miners.miners.first?.state == .coolingDown, "\(miners.miners.map(\.state))")
            await runner.shutdown()
            try await tasks.waitForAll()
        }
    }
}
